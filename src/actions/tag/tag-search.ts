import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { searchTags } from '../../catalog/tags.js'

/** tag_search and tag_autocomplete take the same parameters, as in CKAN. */
export const TagSearchParams = Type.Object({
  query: P.any({ description: 'the string(s) to search for: a string, or a list of strings that must all match (a case-insensitive substring each, Thai included)', examples: ['ทาง', ['ทาง', 'ด่วน']] }),
  q: P.any({ description: 'alias of query, used when query is absent' }),
  vocabulary_id: P.string({ description: 'search the tags of this vocabulary instead of free tags; opend has no vocabularies, so any value finds nothing' }),
  fields: P.object({ description: 'deprecated: the values of its `tag` and `tags` keys are added to the terms' }),
  limit: P.natural({ description: 'the maximum number of tags to return (default: all)' }),
  offset: P.natural({ description: 'the number of matching tags to skip' })
})

export default defineAction({
  name: 'tag_search',
  sideEffectFree: true,
  help: `Return the free tags whose names contain every given string, with their total count.

Only tags applied to at least one active dataset are searched. Each term is a
case-insensitive substring (\`%\` and \`_\` match themselves); several terms must
all match. Without any term the result is empty. Tags are ordered by name.

:param query: the string(s) to search for (a string or a list of strings)
:param q: alias of query
:param vocabulary_id: the id or name of a tag vocabulary to search in (optional)
:param fields: deprecated; its \`tag\`/\`tags\` values are added to the terms
:param limit: the maximum number of tags to return (optional)
:param offset: when limit is given, the offset to start returning tags from

:returns: {"count": the number of matching tags, "results": [{"id", "name", "vocabulary_id"}]}`,
  params: TagSearchParams,
  result: Type.Object({
    count: Type.Integer({ description: 'the number of matching tags, before limit and offset' }),
    results: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), vocabulary_id: Type.Union([Type.String(), Type.Null()]) }))
  }),
  example: { query: 'ทาง', limit: 10 },
  async handler (params, { db }) {
    // no vocabularies in opend: every vocabulary is unknown, which CKAN answers with no tags
    if (params.vocabulary_id) return { count: 0, results: [] }
    const { count, tags } = await searchTags(db, params)
    return { count, results: tags.map((t) => ({ id: t.id, name: t.name, vocabulary_id: t.vocabulary_id })) }
  }
})
