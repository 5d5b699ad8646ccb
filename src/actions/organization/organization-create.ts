import { defineAction } from '../../ckan/action.js'
import { createGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupParams } from '../../schemas/params.js'

export default defineAction({
  name: 'organization_create',
  sideEffectFree: false,
  help: 'Create an organization (sysadmins only, as CKAN by default). The creator becomes its admin.',
  params: GroupParams,
  result: GroupSchema,
  example: { name: 'exat', title: 'Organization title' },
  handler: (params, ctx) => createGroup(ctx, 'organization', params)
})
