import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { savePackage, validatePackage } from '../../catalog/packages.js'
import { canEditPackage, who } from '../../catalog/authz.js'
import { findPackage } from '../../db/queries/packages.js'
import { PackageSchema } from '../../schemas/catalog.js'
import { PackageParams } from '../../schemas/params.js'

export default defineAction({
  name: 'package_update',
  sideEffectFree: false,
  help: 'Update a dataset. Send the complete dataset: omitted resources, tags, groups and extras are removed (use package_patch to change some fields only).',
  params: PackageParams,
  result: PackageSchema,
  example: { id: 'adresit', title: 'ข้อมูลรถขัดข้องบนทางพิเศษ', owner_org: 'exat' },
  async handler (params, ctx) {
    const ref = params.id ?? (typeof params.name === 'string' ? params.name : undefined)
    // CKAN's only bare-string validation message for this action
    if (!ref) throw new ValidationError({ id: 'Missing value' })
    const existing = await findPackage(ctx.db, ref)
    if (!existing) throw new NotFoundError('Package was not found.')
    if (!(await canEditPackage(ctx.db, ctx.user, existing))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to edit package ${existing.id}`)
    const input = await validatePackage(ctx.db, params, ctx, existing)
    return savePackage(ctx.db, input, ctx, existing)
  }
})
