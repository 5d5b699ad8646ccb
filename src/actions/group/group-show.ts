import { defineAction } from '../../ckan/action.js'
import { showGroup } from '../../catalog/groups.js'
import { GroupSchema } from '../../schemas/catalog.js'
import { GroupShowParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_show',
  sideEffectFree: true,
  help: 'Return a group with its members, extras and, with include_datasets, up to 10 of its datasets.',
  params: GroupShowParams,
  result: GroupSchema,
  example: { id: 'logistic', include_datasets: true },
  handler: (params, ctx) => showGroup(ctx, 'group', params)
})
