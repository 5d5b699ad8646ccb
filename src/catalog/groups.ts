/**
 * Organizations and groups share one table and one set of rules in CKAN;
 * the organization_* and group_* actions are the same functions with a
 * different `kind`.
 */
import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { ActionContext, Caller } from '../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError, type FieldErrors } from '../ckan/errors.js'
import { groupDictize, userDictize } from '../ckan/dictize.js'
import type { Database, Group } from '../db/database.js'
import { materializePackages, packageIdsInGroup } from '../db/queries/packages.js'
import { canManageGroup, capacityIn, who } from './authz.js'
import { extraValue, nameErrors, optText } from './validators.js'
import { searchPackages } from '../search/package-search.js'
import { containsPattern } from './like.js'
import { idFirst, idOrName } from '../db/queries/lookup.js'
import { findUser } from '../db/queries/users.js'

export type GroupKind = 'organization' | 'group'
const isOrg = (k: GroupKind) => k === 'organization'
const LIST_MAX = 1000
const LIST_ALL_FIELDS_MAX = 25

export async function findGroup (db: Kysely<Database>, kind: GroupKind, ref: string): Promise<Group | undefined> {
  return db.selectFrom('groups').selectAll().where('is_organization', '=', isOrg(kind))
    .where(idOrName(ref)).orderBy(idFirst(ref), 'desc').limit(1).executeTakeFirst()
}

/**
 * Active dataset counts per group, as CKAN's search index reports them:
 * public ones, plus private ones for organization_show to its members.
 */
async function packageCounts (db: Kysely<Database>, kind: GroupKind, ids: string[], includePrivate = false): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = isOrg(kind)
    ? await db.selectFrom('packages').select(['owner_org as gid', sql<number>`count(*)::int`.as('n')])
      .where('owner_org', 'in', ids).where('state', '=', 'active').$if(!includePrivate, (q) => q.where('private', '=', false))
      .groupBy('owner_org').execute()
    : await db.selectFrom('package_groups').innerJoin('packages', 'packages.id', 'package_groups.package_id')
      .select(['package_groups.group_id as gid', sql<number>`count(*)::int`.as('n')])
      .where('package_groups.group_id', 'in', ids).where('packages.state', '=', 'active').where('packages.private', '=', false)
      .groupBy('package_groups.group_id').execute()
  return new Map(rows.map((r) => [r.gid as string, r.n]))
}

export interface ListParams {
  type?: string
  sort?: string
  order_by?: string
  limit?: number
  offset?: number
  groups?: string[]
  organizations?: string[]
  q?: string
  all_fields?: boolean
  include_dataset_count?: boolean
}

export async function listGroups (ctx: ActionContext, kind: GroupKind, p: ListParams): Promise<unknown> {
  const { db } = ctx
  const sortText = (p.sort ?? p.order_by ?? 'title').trim()
  const criteria = sortText.split(',')
  if (criteria.length > 1) throw new ValidationError('Too many sort criteria provided only 1 allowed')
  const [rawField, rawDir, ...extra] = criteria[0].trim().split(/\s+/)
  if (extra.length) throw new ValidationError(`Invalid sort direction \`${extra.join(' ')}\``)
  const field = rawField === 'packages' ? 'package_count' : rawField
  if (!['name', 'title', 'package_count'].includes(field)) throw new ValidationError(`Cannot sort by field \`${rawField}\``)
  const dir = (rawDir ?? (field === 'package_count' ? 'desc' : 'asc')).toLowerCase()
  if (dir !== 'asc' && dir !== 'desc') throw new ValidationError(`Invalid sort direction \`${rawDir}\``)

  const max = p.all_fields ? LIST_ALL_FIELDS_MAX : LIST_MAX
  const limit = Math.min(p.limit ?? max, max)
  let q = db.selectFrom('groups').selectAll('groups').where('is_organization', '=', isOrg(kind)).where('state', '=', 'active')
    .where('type', '=', p.type ?? kind)
  const names = isOrg(kind) ? (p.organizations ?? p.groups) : p.groups
  if (names?.length) q = q.where('name', 'in', names)
  if (p.q) {
    const like = containsPattern(p.q)
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('title', 'ilike', like), eb('description', 'ilike', like)]))
  }
  if (field === 'package_count') {
    const countExpr = isOrg(kind)
      ? sql`(SELECT count(*) FROM packages p WHERE p.owner_org = groups.id AND p.state = 'active' AND NOT p.private)`
      : sql`(SELECT count(*) FROM package_groups pg JOIN packages p ON p.id = pg.package_id WHERE pg.group_id = groups.id AND p.state = 'active' AND NOT p.private)`
    q = q.orderBy(countExpr, dir as 'asc' | 'desc')
  } else {
    q = q.orderBy(sql.ref(field), dir as 'asc' | 'desc')
  }
  const rows = await q.orderBy('name').limit(limit).offset(p.offset ?? 0).execute()
  if (!p.all_fields) return rows.map((r) => r.name)
  const counts = p.include_dataset_count === false ? null : await packageCounts(db, kind, rows.map((r) => r.id))
  return rows.map((g) => groupDictize(g, counts ? counts.get(g.id) ?? 0 : undefined, ctx.config.siteUrl))
}

async function groupUsers (db: Kysely<Database>, groupId: string, caller: Caller | null) {
  const rows = await db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id')
    .selectAll('users').select('group_members.capacity').where('group_members.group_id', '=', groupId).orderBy('users.name').execute()
  return rows.map(({ capacity, ...u }) => {
    const d = userDictize(u, { privileged: !!caller && (caller.sysadmin || caller.id === u.id), numberCreatedPackages: 0 })
    delete d.number_created_packages
    return Object.fromEntries([...Object.entries(d), ['capacity', capacity]].sort(([a], [b]) => (a < b ? -1 : 1)))
  })
}

export interface ShowParams {
  id: string
  include_datasets?: boolean
  include_dataset_count?: boolean
  include_extras?: boolean
  include_users?: boolean
  include_groups?: boolean
  include_tags?: boolean
  include_followers?: boolean
}

export async function showGroup (ctx: ActionContext, kind: GroupKind, p: ShowParams): Promise<Record<string, unknown>> {
  const { db, user } = ctx
  const g = await findGroup(db, kind, p.id)
  if (!g) throw new NotFoundError()
  const member = user ? (user.sysadmin || (await capacityIn(db, user.id, g.id)) !== null) : false
  if (g.state !== 'active' && !user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to read ${kind} ${g.id}`)
  const count = p.include_dataset_count === false ? undefined : (await packageCounts(db, kind, [g.id], isOrg(kind) && member)).get(g.id) ?? 0
  const dict: Record<string, unknown> = groupDictize(g, count, ctx.config.siteUrl)
  if (p.include_users !== false) dict.users = await groupUsers(db, g.id, user)
  if (p.include_extras !== false) {
    dict.extras = Object.entries(g.extras as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => ({ key, value, state: 'active' }))
  }
  if (p.include_tags !== false) dict.tags = []
  if (p.include_groups !== false) dict.groups = []
  if (p.include_datasets) {
    // CKAN lists public datasets only, except organization_show for callers
    // who can read the organization's private ones
    const { page } = await searchPackages(db, user, {
      fq: [`${isOrg(kind) ? 'owner_org' : 'groups'}:${isOrg(kind) ? g.id : g.name}`],
      rows: 10,
      start: 0,
      includePrivate: isOrg(kind) && member,
      includeDrafts: false
    })
    dict.packages = JSON.parse(page)
  }
  return dict
}

interface GroupInput { name: string, title: string, description: string, image_url: string, extras: Record<string, string>, users: { name: string, capacity: string }[] }

async function validateGroup (db: Kysely<Database>, input: Record<string, unknown>, existing: Group | null): Promise<GroupInput> {
  const errors: FieldErrors = {}
  const rawName = input.name ?? existing?.name
  let name = ''
  if (rawName === undefined || rawName === null || rawName === '') errors.name = ['Missing value']
  else {
    const msgs = nameErrors(rawName)
    if (typeof rawName === 'string') {
      name = rawName
      if (!msgs.length) {
        const clash = await db.selectFrom('groups').select('id').where('name', '=', rawName).executeTakeFirst()
        if (clash && clash.id !== existing?.id) msgs.push('Group name already exists in database')
      }
    }
    if (msgs.length) errors.name = msgs
  }
  const extras: Record<string, string> = {}
  if (Array.isArray(input.extras)) {
    for (const e of input.extras) {
      if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).key === 'string') extras[(e as Record<string, string>).key] = extraValue((e as Record<string, unknown>).value)
      else errors.extras = ['Extras must be {key, value} objects']
    }
  } else if (input.extras !== undefined && input.extras !== null) errors.extras = ['Not a list']
  const users: { name: string, capacity: string }[] = []
  if (Array.isArray(input.users)) {
    for (const u of input.users) {
      const n = typeof u === 'string' ? u : (u as Record<string, unknown> | null)?.name
      const cap = (u as Record<string, unknown> | null)?.capacity ?? 'member'
      if (typeof n !== 'string' || !['admin', 'editor', 'member'].includes(String(cap))) { errors.users = ['Invalid user'] } else users.push({ name: n, capacity: String(cap) })
    }
  }
  const title = optText(input, 'title', errors) ?? existing?.title ?? ''
  const description = optText(input, 'description', errors) ?? (input.description === undefined ? existing?.description ?? '' : '')
  const imageUrl = optText(input, 'image_url', errors) ?? (input.image_url === undefined ? existing?.image_url ?? '' : '')
  if (Object.keys(errors).length) throw new ValidationError(errors)
  return { name, title, description, image_url: imageUrl, extras, users }
}

async function setMembers (db: Kysely<Database>, groupId: string, users: { name: string, capacity: string }[]) {
  for (const u of users) {
    const row = await findUser(db, u.name)
    if (!row) throw new ValidationError({ users: [`User ${u.name} does not exist`] })
    await addMember(db, groupId, row.id, u.capacity)
  }
}

export async function addMember (db: Kysely<Database>, groupId: string, userId: string, capacity: string) {
  await db.insertInto('group_members').values({ group_id: groupId, user_id: userId, capacity })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doUpdateSet({ capacity })).execute()
}

export async function createGroup (ctx: ActionContext, kind: GroupKind, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { db, user } = ctx
  // CKAN's defaults (ckan.auth.user_create_organizations/_groups = false): sysadmins only
  if (!user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to create ${kind}s`)
  const g = await validateGroup(db, input, null)
  const id = typeof input.id === 'string' && input.id ? input.id : randomUUID()
  // a primary key longer than a btree entry can hold would fail in the database
  if (id.length > 100) throw new ValidationError({ id: ['Must be a maximum of 100 characters long'] })
  if (await db.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst()) throw new ValidationError({ id: ['Group id already exists'] })
  await db.insertInto('groups').values({
    id,
    name: g.name,
    title: g.title,
    description: g.description,
    image_url: g.image_url,
    type: typeof input.type === 'string' && input.type ? input.type : kind,
    is_organization: isOrg(kind),
    extras: JSON.stringify(g.extras)
  }).execute()
  await addMember(db, id, user.id, 'admin')
  await setMembers(db, id, g.users)
  return showGroup(ctx, kind, { id })
}

export async function updateGroup (ctx: ActionContext, kind: GroupKind, input: Record<string, unknown>, patch: boolean): Promise<Record<string, unknown>> {
  const { db, user } = ctx
  const ref = input.id ?? input.name
  if (typeof ref !== 'string' || !ref) throw new ValidationError({ id: ['Missing value'] })
  const existing = await findGroup(db, kind, ref)
  if (!existing) throw new NotFoundError(`${isOrg(kind) ? 'Organization' : 'Group'} was not found.`)
  if (!(await canManageGroup(db, user, existing.id))) throw new AuthorizationError(`User ${who(user)} not authorized to edit ${kind} ${existing.id}`)
  const merged = patch ? { ...existing, extras: undefined, ...input } : input
  const g = await validateGroup(db, { ...merged, name: input.name ?? existing.name }, existing)
  await db.updateTable('groups').set({ name: g.name, title: g.title, description: g.description, image_url: g.image_url, extras: JSON.stringify(g.extras) })
    .where('id', '=', existing.id).execute()
  await setMembers(db, existing.id, g.users)
  // every dataset embeds the organization/group: rebuild their dicts
  await materializePackages(db, await packageIdsInGroup(db, existing.id), ctx.config.siteUrl)
  return showGroup(ctx, kind, { id: existing.id })
}

export async function deleteGroup (ctx: ActionContext, kind: GroupKind, id: string): Promise<null> {
  const { db, user } = ctx
  const g = await findGroup(db, kind, id)
  if (!g) throw new NotFoundError(`${isOrg(kind) ? 'Organization' : 'Group'} was not found.`)
  if (!(await canManageGroup(db, user, g.id))) throw new AuthorizationError(`User ${who(user)} not authorized to delete ${kind} ${g.id}`)
  if (isOrg(kind) && !ctx.config.createUnownedDataset) {
    const has = await db.selectFrom('packages').select('id').where('owner_org', '=', g.id).where('state', '!=', 'deleted').limit(1).executeTakeFirst()
    if (has) throw new ValidationError('Organization cannot be deleted while it still has datasets')
  }
  await db.updateTable('groups').set({ state: 'deleted' }).where('id', '=', g.id).execute()
  const ids = await packageIdsInGroup(db, g.id)
  await db.deleteFrom('package_groups').where('group_id', '=', g.id).execute()
  await materializePackages(db, ids, ctx.config.siteUrl)
  return null
}

export async function purgeGroup (ctx: ActionContext, kind: GroupKind, id: string): Promise<null> {
  const { db, user } = ctx
  if (!user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to purge ${kind}s`)
  const g = await findGroup(db, kind, id)
  if (!g) throw new NotFoundError(`${isOrg(kind) ? 'Organization' : 'Group'} was not found`)
  const ids = await packageIdsInGroup(db, g.id)
  // CKAN leaves an organization's datasets behind without an owner
  await db.updateTable('packages').set({ owner_org: null }).where('owner_org', '=', g.id).execute()
  await db.deleteFrom('groups').where('id', '=', g.id).execute()
  await materializePackages(db, ids, ctx.config.siteUrl)
  return null
}
