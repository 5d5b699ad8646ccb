import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { canEditPackage, who } from '../../catalog/authz.js'
import { findPackage, materializePackages } from '../../db/queries/packages.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'package_delete',
  sideEffectFree: false,
  help: 'Delete a dataset (soft: its state becomes deleted and its group memberships are removed). It keeps its name until another dataset claims it.',
  params: IdParams,
  result: Null,
  example: { id: 'adresit' },
  async handler (params, { db, user, config }) {
    const pkg = await findPackage(db, params.id)
    if (!pkg) throw new NotFoundError('Package was not found.')
    if (!(await canEditPackage(db, user, pkg))) throw new AuthorizationError(`User ${who(user)} not authorized to delete package ${pkg.id}`)
    await db.updateTable('packages').set({ state: 'deleted', metadata_modified: new Date() }).where('id', '=', pkg.id).execute()
    await db.deleteFrom('package_groups').where('package_id', '=', pkg.id).execute()
    await materializePackages(db, [pkg.id], config.siteUrl)
    return null
  }
})
