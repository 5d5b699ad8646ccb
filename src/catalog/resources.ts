/** Resource writes: each one also touches its dataset and rebuilds its dict. */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ActionContext } from '../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError, type FieldErrors } from '../ckan/errors.js'
import type { Database, Package, Resource } from '../db/database.js'
import { materializePackages } from '../db/queries/packages.js'
import { canEditPackage, who } from './authz.js'
import { resourceColumns, validateResource } from './packages.js'
import { forgetUploads, isLoadable, mungeFilename, storeUpload, takeUpload, withUpload } from './uploads.js'
import type { Upload } from '../ckan/multipart.js'
import { dropTablesOf } from '../datastore/tables.js'
import { cancelLoads, queueLoad } from '../datastore/load-jobs.js'

export async function findActiveResource (db: Kysely<Database>, id: string): Promise<Resource | undefined> {
  return db.selectFrom('resources').selectAll().where('id', '=', id).where('state', '=', 'active').executeTakeFirst()
}

/** The resource and its dataset, for a write by the caller; 404/403 otherwise. */
export async function resourceForWrite (ctx: ActionContext, id: string, verb: 'edit' | 'delete' = 'edit'): Promise<{ resource: Resource, pkg: Package }> {
  const resource = await findActiveResource(ctx.db, id)
  if (!resource) throw new NotFoundError('Resource was not found.')
  const pkg = await ctx.db.selectFrom('packages').selectAll().where('id', '=', resource.package_id).executeTakeFirstOrThrow()
  if (!(await canEditPackage(ctx.db, ctx.user, pkg))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to ${verb} resource ${resource.id}`)
  return { resource, pkg }
}

/** Rebuild the dataset's dict and return the resource's dict from it. */
export async function touchPackage (ctx: ActionContext, packageId: string, resourceId: string | null): Promise<Record<string, unknown> | null> {
  await ctx.db.updateTable('packages').set({ metadata_modified: new Date() }).where('id', '=', packageId).execute()
  const dict = (await materializePackages(ctx.db, [packageId], ctx.config.siteUrl)).get(packageId)!
  if (!resourceId) return null
  return (dict.resources as Record<string, unknown>[]).find((r) => r.id === resourceId) ?? null
}

function validated (ctx: ActionContext, input: Record<string, unknown>, isNew: boolean) {
  const errors: FieldErrors = {}
  const r = validateResource(input, ctx.config.requireGdcMetadata, errors, isNew)
  if (Object.keys(errors).length) throw new ValidationError(errors)
  return r
}

/**
 * Keep a request's file as the resource's, and queue its load into the
 * DataStore when it is a table. The file is moved before the transaction
 * commits, as CKAN writes it before its commit: a failure to store it fails
 * the write.
 */
async function keepUpload (ctx: ActionContext, resourceId: string, upload: Upload, format: string | null): Promise<void> {
  await storeUpload(ctx.config.dataDir, resourceId, upload)
  const name = mungeFilename(upload.filename)
  if (isLoadable(format, name)) await queueLoad(ctx.db, resourceId, name)
  // a queued load of the previous file must not read this one
  else await cancelLoads(ctx.db, [resourceId])
}

export async function createResource (ctx: ActionContext, pkg: Package, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const upload = takeUpload(input)
  const r = validated(ctx, upload ? withUpload(input, upload) : input, true)
  const now = new Date()
  const last = await ctx.db.selectFrom('resources').select((eb) => eb.fn.max('position').as('p'))
    .where('package_id', '=', pkg.id).where('state', '=', 'active').executeTakeFirst()
  const id = randomUUID()
  await ctx.db.insertInto('resources').values({
    id,
    package_id: pkg.id,
    position: last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1,
    ...resourceColumns(r),
    created: r.created ?? now,
    metadata_modified: now,
    state: 'active',
    datastore_active: false
  }).execute()
  if (upload) await keepUpload(ctx, id, upload, r.format)
  return (await touchPackage(ctx, pkg.id, id))!
}

export async function updateResource (ctx: ActionContext, resource: Resource, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const upload = takeUpload(input)
  const r = validated(ctx, upload ? withUpload(input, upload) : input, false)
  await ctx.db.updateTable('resources').set({ ...resourceColumns(r), metadata_modified: new Date() }).where('id', '=', resource.id).execute()
  if (upload) await keepUpload(ctx, resource.id, upload, r.format)
  // a link now (a plain url, url_type cleared): nothing refers to the file any more
  else if (resource.url_type === 'upload' && r.url_type !== 'upload') await forgetUploads(ctx.db, ctx.config.dataDir, [resource.id])
  return (await touchPackage(ctx, resource.package_id, resource.id))!
}

export async function deleteResource (ctx: ActionContext, resource: Resource): Promise<void> {
  await ctx.db.updateTable('resources').set({ state: 'deleted', metadata_modified: new Date() }).where('id', '=', resource.id).execute()
  await dropTablesOf(ctx.db, [resource.id])
  await forgetUploads(ctx.db, ctx.config.dataDir, [resource.id])
  // keep positions dense (0..n-1), as CKAN re-numbers the remaining resources
  const rest = await ctx.db.selectFrom('resources').select('id').where('package_id', '=', resource.package_id)
    .where('state', '=', 'active').orderBy('position').execute()
  for (const [i, row] of rest.entries()) await ctx.db.updateTable('resources').set({ position: i }).where('id', '=', row.id).execute()
  await touchPackage(ctx, resource.package_id, null)
}
