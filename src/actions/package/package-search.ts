import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { SearchError, SearchQueryError, ValidationError } from '../../ckan/errors.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { DEFAULT_SORT, type SearchOptions, searchPackages } from '../../search/package-search.js'
import { ANY_PACKAGE } from '../../catalog/package-cache.js'
import { PackageSchema } from '../../schemas/catalog.js'
import { COST } from '../../limits/costs.js'

// ckan/lib/search/query.py VALID_SOLR_PARAMETERS plus the action's own schema
const VALID = new Set(['q', 'fl', 'fq', 'rows', 'sort', 'start', 'wt', 'qf', 'bf', 'boost', 'facet', 'facet.mincount',
  'facet.limit', 'facet.field', 'extras', 'fq_list', 'tie', 'defType', 'mm', 'df', 'include_private', 'include_drafts',
  'include_deleted', 'use_default_schema', 'q.op'])
const ROWS_MAX = 1000

export default defineAction({
  name: 'package_search',
  sideEffectFree: true,
  cost: (p) => (p.facet !== 'false' && Array.isArray(p['facet.field']) && p['facet.field'].length > 0 ? COST.facets : 1),
  help: 'Search datasets with the Solr query syntax CKAN clients send. q without a colon is free text (every word must match, or all but one from three words on, as CKAN\'s dismax mm); with a colon it is a Lucene query: field:value on name, title, notes, tags, organization, groups, res_format, res_name, res_description, license_id, author, maintainer, state, type, extras_<key> and every Thai GDC field, "phrases", AND/OR/NOT/+/-, parentheses, *:*, trailing wildcards and ranges such as metadata_modified:[NOW-1YEAR TO NOW] or num_resources:[2 TO *]. fq and fq_list take the same syntax and filter without changing the ranking.\n\nThai text is segmented into words with ICU at index and query time, so ท่องเที่ยว finds สถิติการท่องเที่ยวภายในประเทศ; Thai terms also match as substrings, as data.go.th does. Latin words are stemmed (roads finds road). Ranking puts title matches above tags above descriptions, then the most recently modified.\n\nfacet.field (a JSON list) counts organization, groups, tags, res_format, license_id or any other indexed field over the whole result. rows defaults to 10 and is capped at 1000; unknown parameters, malformed sorts and unparsable queries answer 400 Search Query Error, as in CKAN.',
  params: Type.Object({
    q: P.string({ description: 'search text or a Lucene query; *:* or empty = everything', examples: ['ทางพิเศษ'] }),
    fq: P.string({ description: 'filter query (Lucene syntax)', examples: ['organization:exat'] }),
    fq_list: P.strings({ description: 'more filter queries' }),
    sort: P.string({ default: DEFAULT_SORT }),
    rows: P.natural({ default: 10 }),
    start: P.natural({ default: 0 }),
    facet: P.string({ default: 'true' }),
    'facet.field': P.json({ description: 'JSON list of fields to facet on' }),
    'facet.limit': P.int({ default: 50, description: 'values per facet field; negative = all' }),
    'facet.mincount': P.natural({ default: 1 }),
    fl: P.list(),
    include_private: P.asbool({ default: false }),
    include_drafts: P.asbool({ default: false }),
    include_deleted: P.asbool({ default: false, description: 'accepted; deleted datasets are never indexed (CKAN\'s default, ckan.search.remove_deleted_packages)' }),
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
  async handler (params, { db, user, config, packageCache }) {
    const invalid = Object.keys(params).filter((k) => !VALID.has(k) && !k.startsWith('ext_'))
    if (invalid.length) throw new SearchQueryError(`Invalid search parameters: [${invalid.map((k) => `'${k}'`).join(', ')}]`)
    // ckan/lib/search/query.py: a string parameter starting with {! is a Solr local parameter
    for (const [k, v] of Object.entries(params)) {
      const values = Array.isArray(v) ? v : [v]
      if (values.some((x) => typeof x === 'string' && x.trim().startsWith('{!'))) throw new SearchError(`Local parameters are not supported in param '${k}'.`)
    }
    const facetFields = params['facet.field']
    if (facetFields !== undefined && (!Array.isArray(facetFields) || !facetFields.every((f) => typeof f === 'string'))) {
      throw new ValidationError({ 'facet.field': ['Not a list'] })
    }
    const faceting = facetFields !== undefined && !['false', 'off', 'no', '0'].includes(String(params.facet ?? 'true').toLowerCase())
    const fq = [params.fq ?? '', ...(params.fq_list ?? [])].filter(Boolean)
    const rows = Math.min(params.rows ?? 10, ROWS_MAX)
    const q = (params.q ?? '').trim()
    const options: SearchOptions = {
      facets: faceting ? { fields: [...new Set(facetFields as string[])], limit: params['facet.limit'] ?? 50, mincount: params['facet.mincount'] ?? 1 } : undefined,
      q: q === '' || q === '""' || q === "''" || q === '*:*' ? undefined : q,
      fq,
      rows,
      start: params.start ?? 0,
      sort: params.sort,
      includePrivate: params.include_private ?? false,
      includeDrafts: params.include_drafts ?? false,
      fqHasState: params.fq?.includes('+state') ?? false
    }
    // Anonymous answers may be kept until any dataset changes (as Solr keeps
    // results until its next commit), but only the costly ones: the
    // unfiltered search (a portal's front page) and searches matching at
    // least OPEND_SEARCH_CACHE_MATCHES datasets (head terms such as สถิติ),
    // which rank and count facets over tens of thousands of rows (bench/README.md);
    // everything narrower runs every time
    const cacheKey = user === null ? `package_search\u0000${JSON.stringify([options, params.fl ?? null])}` : null
    const cached = cacheKey ? packageCache?.get(cacheKey) : undefined
    if (cached !== undefined) return new RawJson(cached)
    const generation = packageCache?.generation ?? 0
    const { count, page, facets } = await searchPackages(db, user, options)
    let results = page
    if (params.fl?.length) {
      const fl = params.fl
      results = asciiJson((JSON.parse(page) as Record<string, unknown>[]).map((full) =>
        Object.fromEntries(fl.filter((f) => f in full).map((f) => [f, full[f]]))))
    }
    const sort = params.sort?.trim() || DEFAULT_SORT
    // `facets` keeps Solr's count order; search_facets items are sorted by
    // display_name descending, as CKAN's package_search does
    const facetsJson = asciiJson(Object.fromEntries([...facets].map(([f, items]) => [f, Object.fromEntries(items.map((i) => [i.name, i.count]))])))
    const searchFacets = asciiJson(Object.fromEntries([...facets].map(([f, items]) => [f, {
      title: f,
      items: [...items].sort((a, b) => (a.display_name < b.display_name ? 1 : a.display_name > b.display_name ? -1 : 0))
    }])))
    const body = `{"count": ${count}, "facets": ${facetsJson}, "results": ${results}, "sort": ${asciiJson(sort)}, "search_facets": ${searchFacets}}`
    if (cacheKey && (count >= config.searchCacheMatches || (options.q === undefined && fq.length === 0))) packageCache?.set(cacheKey, ANY_PACKAGE, body, generation)
    return new RawJson(body)
  }
})
