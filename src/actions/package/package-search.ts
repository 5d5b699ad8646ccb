import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { SearchError, SearchQueryError } from '../../ckan/errors.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { DEFAULT_SORT, searchPackages } from '../../catalog/search.js'
import { PackageSchema } from '../../schemas/catalog.js'

// ckan/lib/search/query.py VALID_SOLR_PARAMETERS plus the action's own schema
const VALID = new Set(['q', 'fl', 'fq', 'rows', 'sort', 'start', 'wt', 'qf', 'bf', 'boost', 'facet', 'facet.mincount',
  'facet.limit', 'facet.field', 'extras', 'fq_list', 'tie', 'defType', 'mm', 'df', 'include_private', 'include_drafts',
  'include_deleted', 'use_default_schema', 'q.op'])
const ROWS_MAX = 1000

export default defineAction({
  name: 'package_search',
  sideEffectFree: true,
  help: 'Search datasets. q matches name, title and description (Thai words inside Thai text included); fq takes field:value filters such as organization:exat, tags:ทางด่วน, groups:logistic, res_format:CSV.\n\nrows defaults to 10 and is capped at 1000; unknown parameters answer 400 Search Query Error, as in CKAN.',
  params: Type.Object({
    q: P.string({ description: 'search text; *:* or empty = everything', examples: ['ทางพิเศษ'] }),
    fq: P.string({ description: 'filter query: field:value terms', examples: ['organization:exat'] }),
    fq_list: P.list({ description: 'more filter queries' }),
    sort: P.string({ default: DEFAULT_SORT }),
    rows: P.natural({ default: 10 }),
    start: P.natural({ default: 0 }),
    facet: P.string({ default: 'true' }),
    'facet.field': P.json({ description: 'JSON list of fields to facet on' }),
    'facet.limit': P.int({ default: 50 }),
    'facet.mincount': P.natural({ default: 1 }),
    fl: P.list(),
    include_private: P.asbool({ default: false }),
    include_drafts: P.asbool({ default: false }),
    include_deleted: P.asbool({ default: false }),
    use_default_schema: P.asbool()
  }),
  result: Type.Object({
    count: Type.Integer(),
    facets: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
    results: Type.Array(PackageSchema),
    sort: Type.String(),
    search_facets: Type.Record(Type.String(), Type.Unknown())
  }),
  example: { q: 'ทางพิเศษ', rows: 5 },
  async handler (params, { db, user }) {
    const invalid = Object.keys(params).filter((k) => !VALID.has(k) && !k.startsWith('ext_'))
    if (invalid.length) throw new SearchQueryError(`Invalid search parameters: [${invalid.map((k) => `'${k}'`).join(', ')}]`)
    for (const k of ['q', 'fq'] as const) {
      if (params[k]?.includes('{!')) throw new SearchError(`Local parameters are not supported in param '${k}'.`)
    }
    const facetFields = params['facet.field']
    if (facetFields !== undefined && !Array.isArray(facetFields)) throw new SearchQueryError('facet.field must be a JSON list')
    const fq = [params.fq ?? '', ...(params.fq_list ?? [])].filter(Boolean)
    const rows = Math.min(params.rows ?? 10, ROWS_MAX)
    const q = (params.q ?? '').trim()
    const { count, dicts } = await searchPackages(db, user, {
      q: q === '' || q === '""' || q === "''" ? undefined : q,
      fq,
      rows,
      start: params.start ?? 0,
      sort: params.sort,
      includePrivate: params.include_private ?? false,
      includeDrafts: params.include_drafts ?? false
    })
    let results = `[${dicts.join(', ')}]`
    if (params.fl?.length) {
      const fl = params.fl
      results = asciiJson(dicts.map((d) => {
        const full = JSON.parse(d) as Record<string, unknown>
        return Object.fromEntries(fl.filter((f) => f in full).map((f) => [f, full[f]]))
      }))
    }
    const sort = params.sort?.trim() || DEFAULT_SORT
    return new RawJson(`{"count": ${count}, "facets": {}, "results": ${results}, "sort": ${asciiJson(sort)}, "search_facets": {}}`)
  }
})
