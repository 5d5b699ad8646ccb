import { defineAction } from '../../ckan/action.js'
import { purgeGroup } from '../../catalog/groups.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'organization_purge',
  sideEffectFree: false,
  help: 'Remove an organization from the database for good (sysadmins only). Its datasets are kept, without an organization.',
  params: IdParams,
  result: Null,
  example: { id: 'exat' },
  handler: (params, ctx) => purgeGroup(ctx, 'organization', params.id)
})
