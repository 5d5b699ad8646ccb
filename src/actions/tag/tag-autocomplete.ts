import { defineAction } from '../../ckan/action.js'
import { NameList } from '../../schemas/catalog.js'
import { searchTags } from '../../catalog/tags.js'
import { TagSearchParams } from './tag-search.js'

export default defineAction({
  name: 'tag_autocomplete',
  sideEffectFree: true,
  help: `Return the names of the free tags that contain a given string, for autocompletion.

Same parameters and matching as tag_search (case-insensitive substrings, Thai
included, every term must match; tags of active datasets only), ordered by name.

:param query: the string to search for (or a list of strings that must all match)
:param q: alias of query
:param vocabulary_id: the id or name of a tag vocabulary to search in (optional)
:param fields: deprecated; its \`tag\`/\`tags\` values are added to the terms
:param limit: the maximum number of tags to return (optional)
:param offset: when limit is given, the offset to start returning tags from

:returns: a list of tag names`,
  params: TagSearchParams,
  result: NameList,
  example: { query: 'ทาง', limit: 10 },
  async handler (params, { db }) {
    if (params.vocabulary_id) return []
    const { tags } = await searchTags(db, params)
    return tags.map((t) => t.name)
  }
})
