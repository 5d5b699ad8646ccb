import { defineAction } from '../../ckan/action.js'
import { deleteGroup } from '../../catalog/groups.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'organization_delete',
  sideEffectFree: false,
  help: 'Delete an organization (soft: its state becomes deleted). An organization that still has datasets cannot be deleted.',
  params: IdParams,
  result: Null,
  example: { id: 'exat' },
  handler: (params, ctx) => deleteGroup(ctx, 'organization', params.id)
})
