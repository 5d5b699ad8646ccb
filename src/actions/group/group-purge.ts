import { defineAction } from '../../ckan/action.js'
import { purgeGroup } from '../../catalog/groups.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_purge',
  sideEffectFree: false,
  help: 'Remove a group from the database for good (sysadmins only).',
  params: IdParams,
  result: Null,
  example: { id: 'logistic' },
  handler: (params, ctx) => purgeGroup(ctx, 'group', params.id)
})
