import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { packageAsInput, savePackage, validatePackage } from '../../catalog/packages.js'
import { canEditPackage, who } from '../../catalog/authz.js'
import { findPackage } from '../../db/queries/packages.js'
import { PackageSchema } from '../../schemas/catalog.js'
import { PackageParams } from '../../schemas/params.js'

export default defineAction({
  name: 'package_patch',
  sideEffectFree: false,
  help: 'Update some fields of a dataset, keeping the others. Top-level keys replace the stored value whole (sending resources replaces the list).',
  params: PackageParams,
  result: PackageSchema,
  example: { id: 'adresit', notes: 'ข้อมูลรถขัดข้องบนทางพิเศษ รายเดือน' },
  async handler (params, ctx) {
    if (!params.id) throw new ValidationError({ id: ['Missing value'] })
    const existing = await findPackage(ctx.db, params.id)
    if (!existing) throw new NotFoundError('Package was not found.')
    if (!(await canEditPackage(ctx.db, ctx.user, existing))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to edit package ${existing.id}`)
    const merged = { ...packageAsInput(JSON.parse(existing.dict) as Record<string, unknown>), ...params, id: existing.id }
    const input = await validatePackage(ctx.db, merged, ctx, existing)
    return savePackage(ctx.db, input, ctx, existing)
  }
})
