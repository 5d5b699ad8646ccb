import { defineAction } from '../../ckan/action.js'
import { createGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_create',
  sideEffectFree: false,
  help: 'Create a group (sysadmins only, as CKAN by default). The creator becomes its admin.',
  params: GroupParams,
  result: GroupSchema,
  example: { name: 'logistic', title: 'Group title' },
  handler: (params, ctx) => createGroup(ctx, 'group', params)
})
