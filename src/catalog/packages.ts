/**
 * Creating and updating datasets: CKAN's default package schema, the Thai GDC
 * fields, and the write itself (package row, resources, tags, groups), then
 * the materialized package_show dict, all in the caller's transaction.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ActionContext } from '../ckan/action.js'
import { AuthorizationError, ValidationError, type FieldErrors } from '../ckan/errors.js'
import type { Database, Package, Resource } from '../db/database.js'
import { materializePackages } from '../db/queries/packages.js'
import { canCreateIn, capacityIn, who } from './authz.js'
import { extractGdc, GDC_DATASET_FIELDS, GDC_DATASET_FIELD_NAMES, GDC_RESOURCE_FIELDS, GDC_RESOURCE_FIELD_NAMES } from './gdc.js'
import { booleanValue, extraValue, nameErrors, optEmail, optText, optTimestamp, tagErrors } from './validators.js'
import { idOrName } from '../db/queries/lookup.js'
import { dropTablesOf } from '../datastore/tables.js'
import { forgetUploads } from './uploads.js'

/** Keys of the package dict that are not free-form: an extra may not reuse them. */
const CORE_PACKAGE_FIELDS = new Set([
  'id', 'name', 'title', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'notes', 'url',
  'version', 'state', 'type', 'resources', 'tags', 'tag_string', 'extras', 'groups', 'owner_org', 'private',
  'plugin_data', 'metadata_created', 'metadata_modified', 'creator_user_id', 'organization', 'num_resources',
  'num_tags', 'isopen', 'license_title', 'license_url', 'relationships_as_subject', 'relationships_as_object'
])

const CORE_RESOURCE_FIELDS = new Set([
  'id', 'package_id', 'url', 'name', 'description', 'format', 'hash', 'mimetype', 'mimetype_inner', 'size',
  'resource_type', 'url_type', 'cache_url', 'cache_last_updated', 'created', 'last_modified', 'metadata_modified',
  'state', 'position', 'datastore_active', 'upload', 'tracking_summary'
])

/** Resource mimetypes guessed from a URL's extension, as CKAN's mimetypes.guess_type does for these. */
export const MIMETYPES: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  xml: 'application/xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  txt: 'text/plain',
  html: 'text/html',
  geojson: 'application/geo+json',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  tsv: 'text/tab-separated-values'
}

function urlExtension (url: string): string | null {
  // only the path has an extension: the ".th" of https://www.exat.co.th is not a format
  let path = url.replace(/[?#].*$/, '')
  try { path = new URL(url).pathname } catch { /* not an absolute URL: take it as a path */ }
  const m = /\.([a-z0-9]{2,8})$/i.exec(path)
  return m ? m[1].toLowerCase() : null
}

export interface ResourceInput {
  id: string | null
  url: string
  name: string | null
  description: string | null
  format: string | null
  hash: string
  mimetype: string | null
  mimetype_inner: string | null
  size: number | null
  resource_type: string | null
  url_type: string | null
  cache_url: string | null
  cache_last_updated: Date | null
  created: Date | null
  last_modified: Date | null
  extras: Record<string, unknown>
}

/** Validate one resource dict; errors are collected into `errors`. */
export function validateResource (input: Record<string, unknown>, requireGdc: boolean, errors: FieldErrors, isNew: boolean): ResourceInput {
  let url = optText(input, 'url', errors) ?? ''
  // an upload's url is its file name; the download URL its dicts show comes
  // back in package_update and resource_patch round trips (resource_dict_save)
  if (input.url_type === 'upload') url = url.split('/').pop() ?? ''
  let format = optText(input, 'format', errors)
  // CKAN guesses an empty format from the URL on create, then cleans it
  if (!format && isNew && url) format = urlExtension(url)
  if (format) format = /^[a-z0-9]{1,10}$/i.test(format) ? format.toUpperCase() : format
  let mimetype = optText(input, 'mimetype', errors)
  if (!mimetype && url) mimetype = MIMETYPES[urlExtension(url) ?? ''] ?? null
  let size: number | null = null
  if (input.size !== undefined && input.size !== null && input.size !== '') {
    const n = typeof input.size === 'number' ? input.size : /^\s*\d{1,15}\s*$/.test(String(input.size)) ? Number(input.size) : NaN
    if (Number.isSafeInteger(n) && n >= 0) size = n
    else errors.size = ['Invalid integer']
  }
  const extras: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input)) {
    if (!CORE_RESOURCE_FIELDS.has(k) && !GDC_RESOURCE_FIELD_NAMES.has(k)) extras[k] = v
  }
  Object.assign(extras, extractGdc(input, GDC_RESOURCE_FIELDS, requireGdc, errors))
  const id = input.id === undefined || input.id === null || input.id === '' ? null : String(input.id)
  // a primary key longer than a btree entry can hold would fail in the database
  if (id !== null && id.length > 100) errors.id = ['Must be a maximum of 100 characters long']
  return {
    id,
    url,
    name: optText(input, 'name', errors),
    description: optText(input, 'description', errors),
    format,
    hash: optText(input, 'hash', errors) ?? '',
    mimetype,
    mimetype_inner: optText(input, 'mimetype_inner', errors),
    size,
    resource_type: optText(input, 'resource_type', errors),
    url_type: optText(input, 'url_type', errors),
    cache_url: optText(input, 'cache_url', errors),
    cache_last_updated: optTimestamp(input, 'cache_last_updated', errors),
    created: optTimestamp(input, 'created', errors),
    last_modified: optTimestamp(input, 'last_modified', errors),
    extras
  }
}

export interface PackageInput {
  id: string | null
  name: string
  title: string
  notes: string | null
  author: string | null
  author_email: string | null
  maintainer: string | null
  maintainer_email: string | null
  license_id: string | null
  url: string | null
  version: string | null
  type: string
  state: string
  owner_org: string | null
  private: boolean
  extras: Record<string, string>
  gdc: Record<string, string | string[]>
  tags: string[]
  groups: string[]
  resources: ResourceInput[]
  plugin_data: Record<string, unknown> | null
}

const asList = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null)

/**
 * CKAN's default_create_package_schema / default_update_package_schema,
 * checked against the database (name uniqueness, organization, groups).
 * Auth-related checks (owner_org rights) are part of validation, as in CKAN.
 */
export async function validatePackage (db: Kysely<Database>, input: Record<string, unknown>, ctx: ActionContext, existing: Package | null): Promise<PackageInput> {
  const errors: FieldErrors = {}
  const user = ctx.user!

  // name
  const rawName = input.name ?? (existing ? existing.name : undefined)
  let name = ''
  if (rawName === undefined || rawName === null || rawName === '') {
    errors.name = ['Missing value']
  } else {
    const msgs = nameErrors(rawName)
    if (typeof rawName === 'string') {
      name = rawName
      if (rawName.length < 2) msgs.push(`Name "${rawName}" length is less than minimum 2`)
      else if (rawName.length > 100) msgs.push(`Name "${rawName}" length is more than maximum 100`)
      else if (msgs.length === 0) {
        const clash = await db.selectFrom('packages').select(['id', 'state']).where('name', '=', rawName).executeTakeFirst()
        if (clash && clash.id !== existing?.id && clash.state !== 'deleted') msgs.push('That URL is already in use.')
      }
    }
    if (msgs.length) errors.name = msgs
  }

  // id: only sysadmins may choose it, on create
  let id: string | null = null
  if (!existing && input.id !== undefined && input.id !== null && input.id !== '') {
    if (!user.sysadmin) errors.id = ['The input field id was not expected.']
    else if (typeof input.id !== 'string' || input.id.length > 100) errors.id = ['Must be a string']
    else if (await db.selectFrom('packages').select('id').where('id', '=', input.id).executeTakeFirst()) errors.id = ['Dataset id already exists']
    else id = input.id
  }

  const titleRaw = optText(input, 'title', errors)
  const title = (titleRaw ?? '').trim() || name
  const version = optText(input, 'version', errors)
  if (version && version.length > 100) errors.version = ['Version must be a maximum of 100 characters long']

  // owner_org
  let ownerOrg: string | null = null
  const org = input.owner_org
  if (org === undefined || org === null || org === '') {
    if (!ctx.config.createUnownedDataset) errors.owner_org = ['An organization must be provided']
  } else if (typeof org !== 'string') {
    errors.owner_org = ['Organization does not exist']
  } else {
    const row = await db.selectFrom('groups').select(['id']).where('is_organization', '=', true).where('state', '=', 'active')
      .where(idOrName(org)).executeTakeFirst()
    if (!row) errors.owner_org = ['Organization does not exist']
    else if (row.id !== existing?.owner_org && !(await canCreateIn(db, user, row.id))) errors.owner_org = ['You cannot add a dataset to this organization']
    else ownerOrg = row.id
  }

  const isPrivate = input.private === undefined || input.private === null ? (existing?.private ?? false) : booleanValue(input.private)
  if (isPrivate && !ownerOrg && !errors.owner_org) errors.private = ["Datasets with no organization can't be private."]

  // state: honoured for package admins only (anyone who may edit it here)
  let state = existing?.state ?? 'active'
  if (typeof input.state === 'string' && ['active', 'draft'].includes(input.state)) state = input.state

  // tags, from `tags` or `tag_string`
  const tags: string[] = []
  const tagMsgs: string[] = []
  let tagKey = 'tags'
  if (input.tags !== undefined && input.tags !== null) {
    const list = asList(input.tags)
    if (!list) errors.tags = ['Not a list']
    else {
      for (const t of list) {
        const tagName = typeof t === 'string' ? t : (t !== null && typeof t === 'object' ? (t as Record<string, unknown>).name : undefined)
        if (typeof tagName !== 'string' || tagName === '') { tagMsgs.push('Missing value'); continue }
        const errs = tagErrors(tagName)
        if (errs.length) tagMsgs.push(errs.join(', '))
        else if (!tags.includes(tagName)) tags.push(tagName)
      }
    }
  } else if (input.tag_string !== undefined && input.tag_string !== null && input.tag_string !== '') {
    tagKey = 'tag_string'
    if (typeof input.tag_string !== 'string') errors.tag_string = ['Must be a string']
    else {
      for (const t of input.tag_string.split(',').map((s) => s.trim()).filter(Boolean)) {
        const errs = tagErrors(t)
        if (errs.length) tagMsgs.push(...errs)
        else if (!tags.includes(t)) tags.push(t)
      }
    }
  }
  if (tagMsgs.length) errors[tagKey] = tagMsgs

  // extras
  const extras: Record<string, string> = {}
  if (input.extras !== undefined && input.extras !== null) {
    const list = asList(input.extras)
    const msgs: string[] = []
    if (!list) errors.extras = ['Not a list']
    else {
      for (const e of list) {
        if (e === null || typeof e !== 'object' || Array.isArray(e)) { msgs.push('Extras must be {key, value} objects'); continue }
        const { key, value, deleted } = e as Record<string, unknown>
        if (deleted) continue
        if (typeof key !== 'string' || key === '') { msgs.push('Missing value'); continue }
        if (Object.hasOwn(extras, key)) msgs.push(`Duplicate key "${key}"`)
        else if (CORE_PACKAGE_FIELDS.has(key) || GDC_DATASET_FIELD_NAMES.has(key)) msgs.push('There is a schema field with the same name')
        else extras[key] = extraValue(value)
      }
    }
    if (msgs.length) errors.extras_validation = msgs
  }

  // groups
  const groups: string[] = []
  if (input.groups !== undefined && input.groups !== null) {
    const list = asList(input.groups)
    if (!list) errors.groups = ['Not a list']
    else {
      const msgs: string[] = []
      for (const g of list) {
        const ref = typeof g === 'string' ? g : (g !== null && typeof g === 'object' ? ((g as Record<string, unknown>).id ?? (g as Record<string, unknown>).name) : undefined)
        if (typeof ref !== 'string' || ref === '') { msgs.push('Missing value'); continue }
        const row = await db.selectFrom('groups').select(['id', 'name']).where('is_organization', '=', false).where('state', '=', 'active')
          .where(idOrName(ref)).executeTakeFirst()
        if (!row) { msgs.push(`Group "${ref}" does not exist`); continue }
        const already = existing && await db.selectFrom('package_groups').select('group_id').where('package_id', '=', existing.id).where('group_id', '=', row.id).executeTakeFirst()
        if (!already && !user.sysadmin && (await capacityIn(db, user.id, row.id)) === null) {
          msgs.push(`You cannot add a dataset to group "${row.name}"`)
          continue
        }
        if (!groups.includes(row.id)) groups.push(row.id)
      }
      if (msgs.length) errors.groups = msgs
    }
  }

  // resources
  const resources: ResourceInput[] = []
  if (input.resources !== undefined && input.resources !== null) {
    const list = asList(input.resources)
    if (!list) errors.resources = ['Not a list']
    else {
      const resErrors: FieldErrors[] = []
      for (const r of list) {
        const re: FieldErrors = {}
        if (r === null || typeof r !== 'object' || Array.isArray(r)) { re.resource = ['Must be a dict']; resErrors.push(re); continue }
        const res = validateResource(r as Record<string, unknown>, ctx.config.requireGdcMetadata, re, !(r as Record<string, unknown>).id)
        // one resource cannot stand at two positions
        if (res.id !== null && resources.some((x) => x.id === res.id)) re.id = [`Duplicate resource id "${res.id}"`]
        resources.push(res)
        resErrors.push(re)
      }
      if (resErrors.some((e) => Object.keys(e).length)) (errors as Record<string, unknown>).resources = resErrors
    }
  }

  let pluginData: Record<string, unknown> | null = existing?.plugin_data ?? null
  if (input.plugin_data !== undefined && user.sysadmin) {
    if (input.plugin_data === null || typeof input.plugin_data !== 'object' || Array.isArray(input.plugin_data)) errors.plugin_data = ['Must be a dict']
    else pluginData = input.plugin_data as Record<string, unknown>
  }

  const gdc = extractGdc(input, GDC_DATASET_FIELDS, ctx.config.requireGdcMetadata, errors)
  const texts = {
    notes: optText(input, 'notes', errors),
    author: optText(input, 'author', errors),
    author_email: optEmail(input, 'author_email', errors),
    maintainer: optText(input, 'maintainer', errors),
    maintainer_email: optEmail(input, 'maintainer_email', errors),
    license_id: optText(input, 'license_id', errors),
    url: optText(input, 'url', errors)
  }
  const type = typeof input.type === 'string' && input.type ? input.type : (existing?.type ?? 'dataset')

  if (Object.keys(errors).length) throw new ValidationError(errors)
  return {
    id,
    name,
    title,
    version,
    type,
    state,
    owner_org: ownerOrg,
    private: isPrivate,
    extras,
    gdc,
    tags,
    groups,
    resources,
    plugin_data: pluginData,
    ...texts
  }
}

async function tagIds (db: Kysely<Database>, names: string[]): Promise<string[]> {
  if (names.length === 0) return []
  await db.insertInto('tags').values(names.map((name) => ({ id: randomUUID(), name, vocabulary_id: null })))
    .onConflict((oc) => oc.column('name').doNothing()).execute()
  const rows = await db.selectFrom('tags').select('id').where('name', 'in', names).execute()
  return rows.map((r) => r.id)
}

const timeOf = (d: Date | string | null) => (d === null ? null : new Date(d).getTime())
const canonical = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]))

/** Did a save change the resource? A new position alone does not count, as in CKAN. */
function resourceChanged (prev: Resource, r: ResourceInput): boolean {
  return prev.url !== r.url || prev.name !== r.name || prev.description !== r.description || prev.format !== r.format ||
    prev.hash !== r.hash || prev.mimetype !== r.mimetype || prev.mimetype_inner !== r.mimetype_inner ||
    (prev.size === null ? null : Number(prev.size)) !== r.size || prev.resource_type !== r.resource_type ||
    prev.url_type !== r.url_type || prev.cache_url !== r.cache_url ||
    timeOf(prev.cache_last_updated) !== timeOf(r.cache_last_updated) || timeOf(prev.last_modified) !== timeOf(r.last_modified) ||
    canonical(prev.extras) !== canonical(r.extras)
}

/** The columns a client's resource dict sets. */
export function resourceColumns (r: ResourceInput) {
  return {
    url: r.url,
    name: r.name,
    description: r.description,
    format: r.format,
    hash: r.hash,
    mimetype: r.mimetype,
    mimetype_inner: r.mimetype_inner,
    size: r.size,
    resource_type: r.resource_type,
    url_type: r.url_type,
    cache_url: r.cache_url,
    cache_last_updated: r.cache_last_updated,
    last_modified: r.last_modified,
    extras: JSON.stringify(r.extras)
  }
}

function resourceRow (r: ResourceInput, packageId: string, position: number, now: Date, prev?: Resource) {
  return {
    ...resourceColumns(r),
    package_id: packageId,
    position,
    created: prev?.created ?? r.created ?? now,
    // CKAN keeps an unchanged resource's metadata_modified on a dataset update
    metadata_modified: prev && !resourceChanged(prev, r) ? prev.metadata_modified : now,
    state: 'active',
    datastore_active: prev?.datastore_active ?? false
  }
}

/** Replace a package's resources with `resources` (by id where given); returns the new resources' ids in order. */
export async function saveResources (db: Kysely<Database>, packageId: string, resources: ResourceInput[], now: Date, dataDir: string): Promise<string[]> {
  const existing = await db.selectFrom('resources').selectAll().where('package_id', '=', packageId).where('state', '=', 'active').execute()
  const byId = new Map(existing.map((r) => [r.id, r]))
  const kept = new Set<string>()
  const ids: string[] = []
  for (const [position, r] of resources.entries()) {
    const prev = r.id ? byId.get(r.id) : undefined
    if (prev) {
      await db.updateTable('resources').set(resourceRow(r, packageId, position, now, prev)).where('id', '=', prev.id).execute()
      kept.add(prev.id)
      ids.push(prev.id)
    } else {
      // a sysadmin may bring resource ids from another catalog; a clash gets a fresh id
      const taken = r.id && await db.selectFrom('resources').select('id').where('id', '=', r.id).executeTakeFirst()
      const id = r.id && !taken ? r.id : randomUUID()
      await db.insertInto('resources').values({ id, ...resourceRow(r, packageId, position, now) }).execute()
      ids.push(id)
    }
  }
  const gone = existing.filter((r) => !kept.has(r.id)).map((r) => r.id)
  if (gone.length) {
    await db.updateTable('resources').set({ state: 'deleted', metadata_modified: now }).where('id', 'in', gone).execute()
    await dropTablesOf(db, gone)
    await forgetUploads(db, dataDir, gone)
  }
  return ids
}

/** Write a validated package (insert or full update) and rebuild its dict. */
export async function savePackage (db: Kysely<Database>, p: PackageInput, ctx: ActionContext, existing: Package | null): Promise<Record<string, unknown>> {
  const now = new Date()
  const id = existing?.id ?? p.id ?? randomUUID()
  // A deleted dataset keeps its name until another claims it; it is then
  // renamed to its own id, as CKAN does.
  const renamed = await db.updateTable('packages').set((eb) => ({ name: eb.ref('id') }))
    .where('name', '=', p.name).where('state', '=', 'deleted').where('id', '!=', id).returning('id').execute()
  const row = {
    name: p.name,
    title: p.title,
    notes: p.notes,
    author: p.author,
    author_email: p.author_email,
    maintainer: p.maintainer,
    maintainer_email: p.maintainer_email,
    license_id: p.license_id,
    url: p.url,
    version: p.version,
    type: p.type,
    owner_org: p.owner_org,
    private: p.private,
    state: p.state,
    metadata_modified: now,
    extras: JSON.stringify(p.extras),
    gdc: JSON.stringify(p.gdc),
    plugin_data: p.plugin_data ? JSON.stringify(p.plugin_data) : null
  }
  if (existing) {
    await db.updateTable('packages').set(row).where('id', '=', id).execute()
    await db.deleteFrom('package_tags').where('package_id', '=', id).execute()
    await db.deleteFrom('package_groups').where('package_id', '=', id).execute()
  } else {
    await db.insertInto('packages').values({ id, ...row, creator_user_id: ctx.user?.id ?? null, metadata_created: now }).execute()
  }
  const tags = await tagIds(db, p.tags)
  if (tags.length) await db.insertInto('package_tags').values(tags.map((tag_id) => ({ package_id: id, tag_id }))).execute()
  if (p.groups.length) await db.insertInto('package_groups').values(p.groups.map((group_id) => ({ package_id: id, group_id }))).execute()
  await saveResources(db, id, p.resources, now, ctx.config.dataDir)
  // the renamed dataset's stored dict still carries the old name
  const dicts = await materializePackages(db, [id, ...renamed.map((r) => r.id)], ctx.config.siteUrl)
  return dicts.get(id)!
}

/** The package_update form of a package dict, for patching. */
export function packageAsInput (dict: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...dict }
  for (const k of ['organization', 'num_resources', 'num_tags', 'isopen', 'license_title', 'license_url',
    'metadata_created', 'metadata_modified', 'creator_user_id', 'relationships_as_subject', 'relationships_as_object']) delete out[k]
  return out
}

export function notAuthorizedToCreate (ctx: ActionContext): AuthorizationError {
  return new AuthorizationError(`User ${who(ctx.user)} not authorized to create packages`)
}
