import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { who } from '../../catalog/authz.js'
import { findPackage, notifyPackagesChanged } from '../../db/queries/packages.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'
import { dropTablesOf } from '../../datastore/tables.js'
import { removeUploads } from '../../catalog/uploads.js'

export default defineAction({
  name: 'dataset_purge',
  sideEffectFree: false,
  help: 'Purge a dataset: remove it and its resources from the database for good. Sysadmins only.',
  params: IdParams,
  result: Null,
  example: { id: 'adresit' },
  async handler (params, { db, user, config }) {
    if (!user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to purge packages`)
    const pkg = await findPackage(db, params.id)
    if (!pkg) throw new NotFoundError('Dataset was not found')
    const resources = await db.selectFrom('resources').select('id').where('package_id', '=', pkg.id).execute()
    await dropTablesOf(db, resources.map((r) => r.id))
    // resources, their load jobs, tag and group links go with it (ON DELETE CASCADE)
    await db.deleteFrom('packages').where('id', '=', pkg.id).execute()
    await removeUploads(config.dataDir, resources.map((r) => r.id))
    await notifyPackagesChanged(db, [pkg.id])
    return null
  }
})
