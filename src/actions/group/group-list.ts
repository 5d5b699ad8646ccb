import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { listGroups } from '../../catalog/groups.js'
import { GroupSchema, NameList } from '../../schemas/catalog.js'
import { GroupListParams } from '../../schemas/params.js'

export default defineAction({
  name: 'group_list',
  sideEffectFree: true,
  help: 'Return the names of the active groups, sorted by title; with all_fields, their dicts (at most 25).',
  params: GroupListParams,
  result: Type.Union([NameList, Type.Array(GroupSchema)]),
  example: { all_fields: true, limit: 5 },
  handler: (params, ctx) => listGroups(ctx, 'group', params)
})
