import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { groupAutocomplete } from '../../catalog/group-autocomplete.js'
import { GroupAutocompleteResult } from '../organization/organization-autocomplete.js'

export default defineAction({
  name: 'group_autocomplete',
  sideEffectFree: true,
  help: `Return the groups (not organizations) whose name or title contains a given string.

The name must contain the lower-cased string, or the title the string in any
case (Thai included). Only active groups; ordered by title.

:param q: the string to search for
:param limit: the maximum number of groups to return (optional, default: 20)

:returns: a list of {"id", "name", "title"}`,
  params: Type.Object({
    q: P.string({ required: true, description: 'the string to search for', examples: ['ท่องเที่ยว'] }),
    limit: P.natural({ description: 'the maximum number of groups to return', default: 20 })
  }),
  result: GroupAutocompleteResult,
  example: { q: 'ท่องเที่ยว' },
  async handler (params, { db }) {
    return groupAutocomplete(db, params.q, false, params.limit ?? 20)
  }
})
