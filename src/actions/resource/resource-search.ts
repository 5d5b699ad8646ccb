import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { resourceDictize } from '../../ckan/dictize.js'
import { resourceCriteria, searchResources } from '../../catalog/resource-search.js'
import { ResourceSchema } from '../../schemas/catalog.js'

/**
 * CKAN's resource_search dictizes the table row, so its keys come in column
 * order with the extras after them (datastore_active is one), not in
 * package_show's alphabetical order.
 */
const COLUMN_ORDER = ['id', 'package_id', 'url', 'format', 'description', 'hash', 'position', 'name', 'resource_type', 'mimetype',
  'mimetype_inner', 'size', 'created', 'last_modified', 'metadata_modified', 'cache_url', 'cache_last_updated', 'url_type', 'state']

function inColumnOrder (dict: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of COLUMN_ORDER) out[key] = dict[key]
  for (const [key, value] of Object.entries(dict)) if (!(key in out) && key !== 'datastore_active') out[key] = value
  out.datastore_active = dict.datastore_active
  return out
}

export default defineAction({
  name: 'resource_search',
  sideEffectFree: true,
  help: `Search the resources of active public datasets by field.

\`query\` is a string \`{field}:{term}\` or a list of them, all of which must match.
\`field\` is one of url, format, description, hash, name, resource_type, mimetype,
mimetype_inner, size, created, last_modified, metadata_modified, cache_url,
cache_last_updated, url_type. Text fields match when the term is a
case-insensitive substring (Thai included; \`%\` and \`_\` match themselves), \`hash\`
when the term is a prefix; \`size\` and the timestamps (as the dicts write them,
UTC) must be equal. Private and deleted datasets are never searched, even for
sysadmins.

:param query: the search criteria, \`{field}:{term}\` (a string or a list of strings)
:param fields: deprecated: a dict of field to terms (a string is split on whitespace); not together with query
:param order_by: a resource column to sort by, ascending (unknown columns are ignored)
:param offset: apply an offset to the query
:param limit: apply a limit to the query (default: all)

:returns: {"count": the number of matching resources, "results": [resource dicts]}; the page is sorted by position within the dataset, as CKAN does`,
  params: Type.Object({
    query: P.any({ description: 'the search criteria: `{field}:{term}`, a string or a list of strings (all must match)', examples: ['name:อุบัติเหตุ', ['format:csv', 'name:2566']] }),
    fields: P.object({ description: 'deprecated: {field: terms}; string terms are split on whitespace' }),
    order_by: P.string({ description: 'a resource column to sort by, ascending' }),
    offset: P.natural({ description: 'the number of matching resources to skip' }),
    limit: P.natural({ description: 'the maximum number of resources to return (default: all)' })
  }),
  result: Type.Object({
    count: Type.Integer({ description: 'the number of matching resources, before limit and offset' }),
    results: Type.Array(ResourceSchema)
  }),
  example: { query: ['name:อุบัติเหตุ', 'format:csv'], limit: 10 },
  async handler (params, { db, config }) {
    const { count, rows } = await searchResources(db, resourceCriteria(params), params)
    // resource_list_dictize sorts the page by position (Python's stable sort)
    const results = rows.map((r) => inColumnOrder(resourceDictize(r, config.siteUrl))).sort((a, b) => (a.position as number) - (b.position as number))
    return { count, results }
  }
})
