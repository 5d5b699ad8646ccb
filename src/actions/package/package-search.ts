import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { SearchError, SearchQueryError, ValidationError } from '../../ckan/errors.js'
import { RawJson, asciiJson } from '../../ckan/json.js'
import { P } from '../../ckan/params.js'
import { DEFAULT_SORT, searchPackages } from '../../search/package-search.js'
import { PackageSchema } from '../../schemas/catalog.js'

// ckan/lib/search/query.py VALID_SOLR_PARAMETERS plus the action's own schema
const VALID = new Set(['q', 'fl', 'fq', 'rows', 'sort', 'start', 'wt', 'qf', 'bf', 'boost', 'facet', 'facet.mincount',
  'facet.limit', 'facet.field', 'extras', 'fq_list', 'tie', 'defType', 'mm', 'df', 'include_private', 'include_drafts',
  'include_deleted', 'use_default_schema', 'q.op'])
const ROWS_MAX = 1000

export default defineAction({
  name: 'package_search',
  sideEffectFree: true,
  help: 'Search datasets. q matches name, title and description (Thai words inside Thai text included); fq takes field:value filters such as organization:exat, tags:ทางด่วน, groups:logistic, res_format:CSV. facet.field (a JSON list) counts organization, groups, tags, res_format, license_id or any Thai GDC field over the whole result.\n\nrows defaults to 10 and is capped at 1000; unknown parameters answer 400 Search Query Error, as in CKAN.',
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
    if (facetFields !== undefined && (!Array.isArray(facetFields) || !facetFields.every((f) => typeof f === 'string'))) {
      throw new ValidationError({ 'facet.field': ['Not a list'] })
    }
    const faceting = facetFields !== undefined && !['false', 'off', 'no', '0'].includes(String(params.facet ?? 'true').toLowerCase())
    const fq = [params.fq ?? '', ...(params.fq_list ?? [])].filter(Boolean)
    const rows = Math.min(params.rows ?? 10, ROWS_MAX)
    const q = (params.q ?? '').trim()
    const { count, dicts, facets } = await searchPackages(db, user, {
      facets: faceting ? { fields: [...new Set(facetFields as string[])], limit: params['facet.limit'] ?? 50, mincount: params['facet.mincount'] ?? 1 } : undefined,
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
    // `facets` keeps Solr's count order; search_facets items are sorted by
    // display_name descending, as CKAN's package_search does
    const facetsJson = asciiJson(Object.fromEntries([...facets].map(([f, items]) => [f, Object.fromEntries(items.map((i) => [i.name, i.count]))])))
    const searchFacets = asciiJson(Object.fromEntries([...facets].map(([f, items]) => [f, {
      title: f,
      items: [...items].sort((a, b) => (a.display_name < b.display_name ? 1 : a.display_name > b.display_name ? -1 : 0))
    }])))
    return new RawJson(`{"count": ${count}, "facets": ${facetsJson}, "results": ${results}, "sort": ${asciiJson(sort)}, "search_facets": ${searchFacets}}`)
  }
})
