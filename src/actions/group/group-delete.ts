import { defineAction } from '../../ckan/action.js'
import { deleteGroup } from '../../catalog/groups.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_delete',
  sideEffectFree: false,
  help: 'Delete a group (soft: its state becomes deleted).',
  params: IdParams,
  result: Null,
  example: { id: 'logistic' },
  handler: (params, ctx) => deleteGroup(ctx, 'group', params.id)
})
