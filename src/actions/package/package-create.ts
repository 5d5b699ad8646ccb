import { defineAction } from '../../ckan/action.js'
import { notAuthorizedToCreate, savePackage, validatePackage } from '../../catalog/packages.js'
import { editableOrgIds } from '../../catalog/authz.js'
import { PackageSchema } from '../../schemas/catalog.js'
import { PackageParams } from '../../schemas/params.js'

export default defineAction({
  name: 'package_create',
  sideEffectFree: false,
  help: 'Create a dataset. name is required (2-100 lowercase ascii letters, digits, - and _); owner_org is required unless the site allows unowned datasets. Thai GDC fields are validated against their choice lists when given. Returns the new dataset as package_show does.',
  params: PackageParams,
  result: PackageSchema,
  example: { name: 'air-quality-bangkok', title: 'คุณภาพอากาศกรุงเทพมหานคร', owner_org: 'pcd', tags: [{ name: 'คุณภาพอากาศ' }], resources: [{ name: 'รายชั่วโมง', url: 'https://example.go.th/pm25.csv', format: 'CSV' }] },
  async handler (params, ctx) {
    const { db, user, config } = ctx
    // auth before validation, as CKAN: anonymous callers and users who can
    // create in no organization are refused outright
    if (!user) throw notAuthorizedToCreate(ctx)
    if (!user.sysadmin && !config.createUnownedDataset && (await editableOrgIds(db, user.id)).length === 0) throw notAuthorizedToCreate(ctx)
    const input = await validatePackage(db, params, ctx, null)
    return savePackage(db, input, ctx, null)
  }
})
