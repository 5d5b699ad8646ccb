import { defineAction } from '../../ckan/action.js'
import { updateGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupParams } from '../../schemas/params.js'

export default defineAction({
  name: 'organization_update',
  sideEffectFree: false,
  help: 'Update an organization (its admins and sysadmins). Fields not sent are cleared, as in CKAN.',
  params: GroupParams,
  result: GroupSchema,
  example: { id: 'exat', title: 'Organization title', description: 'description' },
  handler: (params, ctx) => updateGroup(ctx, 'organization', params, false)
})
