import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { groupAutocomplete } from '../../catalog/group-autocomplete.js'

export const GroupAutocompleteResult = Type.Array(Type.Object({ id: Type.String(), name: Type.String(), title: Type.String() }))

export default defineAction({
  name: 'organization_autocomplete',
  sideEffectFree: true,
  help: `Return the organizations whose name or title contains a given string.

The name must contain the lower-cased string, or the title the string in any
case (Thai included). Only active organizations; ordered by title.

:param q: the string to search for
:param limit: the maximum number of organizations to return (optional, default: 20)

:returns: a list of {"id", "name", "title"}`,
  params: Type.Object({
    q: P.string({ required: true, description: 'the string to search for', examples: ['กรม'] }),
    limit: P.natural({ description: 'the maximum number of organizations to return', default: 20 })
  }),
  result: GroupAutocompleteResult,
  example: { q: 'กรม' },
  async handler (params, { db }) {
    return groupAutocomplete(db, params.q, true, params.limit ?? 20)
  }
})
