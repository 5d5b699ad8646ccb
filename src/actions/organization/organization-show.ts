import { defineAction } from '../../ckan/action.js'
import { showGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupShowParams } from '../../schemas/params.js'

export default defineAction({
  name: 'organization_show',
  sideEffectFree: true,
  help: 'Return an organization with its members, extras and, with include_datasets, up to 10 of its datasets.',
  params: GroupShowParams,
  result: GroupSchema,
  example: { id: 'exat', include_datasets: true },
  handler: (params, ctx) => showGroup(ctx, 'organization', params)
})
