import { defineAction } from '../../ckan/action.js'
import { updateGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_update',
  sideEffectFree: false,
  help: 'Update a group (its admins and sysadmins). Fields not sent are cleared, as in CKAN.',
  params: GroupParams,
  result: GroupSchema,
  example: { id: 'logistic', title: 'Group title', description: 'description' },
  handler: (params, ctx) => updateGroup(ctx, 'group', params, false)
})
