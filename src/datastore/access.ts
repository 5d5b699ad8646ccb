/**
 * Who may read and write a DataStore table: the permissions of the resource's
 * dataset, as CKAN's datastore auth functions delegate to resource_show and
 * resource_update. Also the parsing of the list-or-comma-string parameters
 * and of CKAN's DataStore error shapes, shared by the actions.
 */
import type { ActionContext } from '../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../ckan/errors.js'
import { canEditPackage, canReadPackage, who } from '../catalog/authz.js'
import { type TableMeta, findTable } from './tables.js'

/** May the caller read the table's dataset (CKAN's resource_show rule)? */
export async function canReadTable (ctx: ActionContext, meta: TableMeta): Promise<boolean> {
  return canReadPackage(ctx.db, ctx.user, meta.owner)
}

/** The table a read names (resource id or alias), if the caller may read its dataset. */
export async function readableTable (ctx: ActionContext, id: string, missing = `Resource "${id}" was not found.`): Promise<TableMeta> {
  const meta = await findTable(ctx.db, id)
  if (!meta) throw new NotFoundError(missing)
  if (!(await canReadTable(ctx, meta))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to read resource ${meta.resourceId}`)
  return meta
}

/**
 * CKAN's datastore write actions have auth functions that do not allow
 * anonymous access (ckan/authz.py is_authorized): no user is refused before
 * the table is looked for.
 */
export function requireUser (ctx: ActionContext, action: string): void {
  if (!ctx.user) throw new AuthorizationError(`Action ${action} requires an authenticated user`)
}

/** The table a write names, if the caller may edit its dataset; `force` as CKAN requires it. */
export async function writableTable (ctx: ActionContext, id: string, force: boolean): Promise<TableMeta> {
  const meta = await findTable(ctx.db, id)
  if (!meta) throw new NotFoundError(`Resource "${id}" was not found.`)
  if (!(await canEditPackage(ctx.db, ctx.user, meta.owner))) {
    // datastore_auth checks resource_update, whose refusal says "edit"
    throw new AuthorizationError(`User ${who(ctx.user)} not authorized to edit resource ${meta.resourceId}`)
  }
  await checkForce(ctx, meta.resourceId, force)
  return meta
}

/**
 * CKAN refuses to write to a resource whose data came from elsewhere (its
 * url_type is not `datastore`) unless the caller says `force`: a reload from
 * the source would overwrite the change.
 */
export async function checkForce (ctx: ActionContext, resourceId: string, force: boolean): Promise<void> {
  if (force) return
  const r = await ctx.db.selectFrom('resources').select('url_type').where('id', '=', resourceId).executeTakeFirst()
  if (r?.url_type !== 'datastore') {
    throw new ValidationError({ 'read-only': ['Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.'] })
  }
}

/** CKAN's answers to PostgreSQL's refusals of a write. */
export function writeError (err: unknown, space = ' '): unknown {
  const e = err as { code?: string, message?: string }
  if (typeof e?.code !== 'string') return err
  if (e.code === '23505') {
    // CKAN's create message lacks the space before "because"; upsert's has it
    return new ValidationError({ constraints: [`Cannot insert records or create index${space}because of uniqueness constraint`], info: { orig: e.message, pgcode: e.code } as never })
  }
  if (e.code.startsWith('22') || e.code === '23502') return new ValidationError({ records: [e.message ?? 'invalid value'] })
  // the columns were checked against the table's fields: only a load that
  // replaced the table meanwhile (src/datastore/load.ts) leaves them wrong
  if (e.code === '42P01' || e.code === '42703') return new ValidationError({ table: ['The table was replaced by a load during this request; try again.'] })
  return err
}
