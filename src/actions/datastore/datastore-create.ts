import Type from 'typebox'
import { type ActionContext, defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { canEditPackage, who } from '../../catalog/authz.js'
import { createResource, findActiveResource, touchPackage } from '../../catalog/resources.js'
import { findPackage } from '../../db/queries/packages.js'
import { checkForce, requireUser, writeError } from '../../datastore/access.js'
import { checkRecordKeys, listParam, mergeFields, parseFields, parseRecords } from '../../datastore/fields.js'
import { aliasNameProblem } from '../../datastore/schema.js'
import { type TableMeta, addFields, analyzeTable, createIndexes, createTable, findTable, insertRecords, setAliases, setPrimaryKey } from '../../datastore/tables.js'
import type { DatastoreField } from '../../db/database.js'

/**
 * The resource a datastore_create writes to: named by `resource_id`, or
 * created from `resource` as CKAN does. CKAN's schema checks that the
 * resource exists, then its auth function the caller, then the action the rest.
 */
async function targetResource (ctx: ActionContext, resourceId: string | undefined, resource: unknown): Promise<string> {
  const existing = resourceId === undefined ? undefined : await findActiveResource(ctx.db, resourceId)
  if (resourceId !== undefined && !existing) throw new ValidationError({ resource_id: ['Not found: Resource'] })
  requireUser(ctx, 'datastore_create')
  if (resourceId !== undefined && resource !== undefined) throw new ValidationError({ resource: ['resource cannot be used with resource_id'] })
  if (resourceId === undefined && resource === undefined) throw new ValidationError({ resource_id: ['resource_id or resource required'] })
  if (existing) {
    const pkg = await ctx.db.selectFrom('packages').selectAll().where('id', '=', existing.package_id).executeTakeFirstOrThrow()
    // the message of resource_update's auth, which CKAN's datastore_auth delegates to
    if (!(await canEditPackage(ctx.db, ctx.user, pkg))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to edit resource ${existing.id}`)
    return existing.id
  }
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) throw new ValidationError({ resource: ['Must be a dict'] })
  const input = resource as Record<string, unknown>
  // CKAN hands a resource with a URL to DataPusher, which opend does not run
  if (input.url) throw new ValidationError({ resource: ['The datapusher has to be enabled.'] })
  if (typeof input.package_id !== 'string' || input.package_id === '') throw new ValidationError({ resource: ['package_id: Missing value'] })
  const pkg = await findPackage(ctx.db, input.package_id)
  if (!pkg || pkg.state === 'deleted') throw new NotFoundError('Package was not found.')
  // CKAN's datastore_auth checks package_update for a new resource
  if (!(await canEditPackage(ctx.db, ctx.user, pkg))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to edit package ${pkg.id}`)
  const created = await createResource(ctx, pkg, { ...input, url: '_datastore_only_resource', url_type: 'datastore' })
  return created.id as string
}

/**
 * `fields` as CKAN echoes them: create_table and alter_table write the type
 * they guessed into a new field given without one, under _guess_type's name.
 */
function echoFields (input: unknown, added: DatastoreField[], first: Record<string, unknown> | undefined): unknown {
  if (!Array.isArray(input)) return input
  const guessed = new Map(added.map((f) => [f.id, f.type]))
  return input.map((f: Record<string, unknown>) => {
    const type = guessed.get(f.id as string)
    if ((f.type !== undefined && f.type !== null && f.type !== '') || type === undefined) return f
    const v = first?.[f.id as string]
    return { ...f, type: type === 'int4' ? (typeof v === 'number' ? 'int' : 'integer') : type === 'float8' ? 'float' : type }
  })
}

/** Aliases must be valid names, not resource ids, and not another table's. */
async function checkAliases (ctx: ActionContext, resourceId: string, aliases: string[]): Promise<void> {
  for (const a of aliases) {
    if (aliasNameProblem(a)) throw new ValidationError({ alias: [`"${a}" is not a valid alias name`] })
    const taken = await ctx.db.selectFrom('datastore_aliases').select('resource_id').where('name', '=', a).executeTakeFirst()
    const isResource = await ctx.db.selectFrom('resources').select('id').where('id', '=', a).executeTakeFirst()
    if ((taken && taken.resource_id !== resourceId) || isResource) throw new ValidationError({ alias: [`The alias "${a}" already exists.`] })
  }
}

function checkColumns (name: string, columns: string[], meta: { fields: { id: string }[] }): void {
  const ids = new Set(meta.fields.map((f) => f.id))
  const bad = columns.find((c) => !ids.has(c))
  if (bad !== undefined) throw new ValidationError({ [name]: [`field "${bad}" not in table`] })
}

/** Records go to PostgreSQL in batches: one JSON parameter each, bounded in size. */
const BATCH = 5000

export default defineAction({
  name: 'datastore_create',
  sideEffectFree: false,
  help: 'Create a DataStore table for a resource (or add fields and rows to it). Give resource_id, or a resource dict with package_id to create a DataStore-only resource. fields: [{"id", "type", "info"}] with types text, int, int4, int8, float4, float8, numeric, bool, date, time, timestamp, json and arrays of them (text[], _int4); untyped fields are guessed from the first record. records are appended. primary_key, indexes and aliases take a list or a comma separated string. Writing to a resource whose data came from a file needs force=true.',
  params: Type.Object({
    resource_id: P.string({ description: 'the resource id' }),
    id: P.string({ description: 'alias of resource_id' }),
    resource: P.any({ description: 'a resource dict (with package_id) to create' }),
    fields: P.any({ description: 'list of {"id", "type", "info"}' }),
    records: P.any({ description: 'list of row objects' }),
    primary_key: P.any({ description: 'list or comma separated string of field ids' }),
    indexes: P.any({ description: 'list or comma separated string of field ids' }),
    aliases: P.any({ description: 'list or comma separated string of names' }),
    force: P.boolean({ description: 'write to a resource that is not DataStore-only' }),
    triggers: P.any(),
    calculate_record_count: P.boolean()
  }, { additionalProperties: true }),
  result: Type.Object({ resource_id: Type.String() }, { additionalProperties: true }),
  example: { resource: { package_id: 'adresit', name: 'จำนวนผู้โดยสาร' }, fields: [{ id: 'จังหวัด', type: 'text' }, { id: 'จำนวน', type: 'int' }], records: [{ จังหวัด: 'เชียงใหม่', จำนวน: 1200 }] },
  async handler (params, ctx) {
    const resourceId = await targetResource(ctx, params.resource_id ?? params.id, params.resource)
    await checkForce(ctx, resourceId, params.force ?? false)
    const supplied = parseFields(params.fields)
    const records = parseRecords(params.records)
    const primaryKey = listParam('primary_key', params.primary_key)
    const indexes = listParam('indexes', params.indexes)
    const aliases = listParam('aliases', params.aliases)
    if (aliases) await checkAliases(ctx, resourceId, aliases)
    let meta: TableMeta | undefined = await findTable(ctx.db, resourceId)
    const { added, info } = mergeFields(meta?.fields ?? [], supplied, records[0])
    try {
      if (!meta) {
        if (primaryKey?.length) checkColumns('primary_key', primaryKey, { fields: added })
        await createTable(ctx.db, resourceId, added, primaryKey ?? [])
      } else if (added.length || info.size) {
        await addFields(ctx.db, meta, added, info)
      }
      meta = (await findTable(ctx.db, resourceId))!
      // CKAN keeps the key when the same columns come in another order
      if (primaryKey !== undefined && [...meta.primaryKey].sort().join('\u0000') !== [...primaryKey].sort().join('\u0000')) {
        checkColumns('primary_key', primaryKey, meta)
        await setPrimaryKey(ctx.db, meta, primaryKey)
      }
      if (indexes?.length) {
        checkColumns('indexes', indexes, meta)
        await createIndexes(ctx.db, meta, indexes)
      }
      if (aliases) await setAliases(ctx.db, meta, aliases)
      checkRecordKeys(meta.fields, records)
      for (let i = 0; i < records.length; i += BATCH) await insertRecords(ctx.db, meta, records.slice(i, i + BATCH))
    } catch (err) {
      throw writeError(err, '')
    }
    if (params.calculate_record_count) await analyzeTable(ctx.db, meta)
    const r = await ctx.db.updateTable('resources').set({ datastore_active: true }).where('id', '=', resourceId).returning('package_id').executeTakeFirstOrThrow()
    await touchPackage(ctx, r.package_id, null)
    // CKAN echoes the input without the records, and without `force` when it named the resource
    const { records: _records, id: _id, ...echo } = params
    if (params.resource === undefined) delete echo.force
    return {
      ...echo,
      ...(params.fields !== undefined ? { fields: echoFields(params.fields, added, records[0]) } : {}),
      ...(params.resource !== undefined ? { resource: { ...(params.resource as Record<string, unknown>), url: '_datastore_only_resource' } } : {}),
      resource_id: resourceId,
      // insert_data sets it on what datastore_create returns
      method: 'insert'
    }
  }
})
