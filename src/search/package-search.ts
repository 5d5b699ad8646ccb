/**
 * package_search over the search index: q and fq parsed as Solr would
 * (dismax for a q without ':', the standard parser otherwise), visibility as
 * CKAN's permission labels, ranking, facets and the page, all in one SQL
 * statement, so a search costs one round trip to the database.
 *
 * Facets are counted over the matched rows only: the condition narrows the
 * rows through the indexes first, then the counts read those rows.
 */
import { type CompiledQuery, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely'
import type { Caller } from '../ckan/action.js'
import { SearchError, SearchQueryError } from '../ckan/errors.js'
import type { Database } from '../db/database.js'
import { type CompileOptions, type Compiled, compileQuery, type ScoredTerm } from './compile.js'
import { QuerySyntaxError, parseDismax, parseLucene, usesDismax } from './lucene.js'
import { visibilityFilter } from './visibility.js'
import { containsPattern } from '../catalog/like.js'

export const DEFAULT_SORT = 'score desc, metadata_modified desc'

export interface FacetOptions {
  fields: string[]
  /** negative = all */
  limit: number
  mincount: number
}

export interface FacetItem { name: string, display_name: string, count: number }

export interface SearchOptions {
  q?: string
  fq?: string[]
  rows: number
  start: number
  sort?: string
  facets?: FacetOptions
  includePrivate: boolean
  includeDrafts: boolean
  /** CKAN looks for `+state` in `fq` (not fq_list) and then leaves the state filter to it */
  fqHasState?: boolean
  /** for date math; tests pin it */
  now?: Date
}

export interface SearchResult {
  count: number
  /** the page's stored package dicts as one JSON array, put together by PostgreSQL (an array of 20 large strings costs Node more to parse than the search) */
  page: string
  facets: Map<string, FacetItem[]>
}

/**
 * Sortable fields and the index columns behind them. Solr sorts its string
 * fields (name, title_string: the title as written) by code point, which
 * the text columns get with COLLATE "C".
 */
const SORT_FIELDS: Record<string, string> = {
  score: 'score',
  metadata_modified: 'metadata_modified',
  metadata_created: 'metadata_created',
  name: 'name',
  title_string: 'title',
  num_resources: 'num_resources',
  num_tags: 'num_tags'
}

export interface SortKey { column: string, dir: 'asc' | 'desc' }

/**
 * CKAN's sort: "field dir" pairs separated by commas; a missing or unknown
 * direction is CKAN's own 400, an unknown field Solr's refusal (409).
 */
export function parseSort (sort: string | undefined): SortKey[] {
  const s = (sort ?? '').trim()
  if (s === '' || s === 'rank') return parseSort(DEFAULT_SORT)
  return s.split(',').map((part) => {
    const [field, dir, ...rest] = part.trim().split(/\s+/)
    if (!dir || rest.length || !['asc', 'desc'].includes(dir.toLowerCase())) throw new SearchQueryError('Invalid "sort" parameter')
    if (!(field in SORT_FIELDS)) throw new SearchError(`SOLR returned an error running query: sort param field can't be found: ${field}`)
    return { column: SORT_FIELDS[field], dir: dir.toLowerCase() as 'asc' | 'desc' }
  })
}

/** Parse and compile one q or fq; what Solr would refuse is CKAN's 400. */
function compile (text: string, dismax: boolean, o: CompileOptions): Compiled {
  try {
    return compileQuery(dismax ? parseDismax(text) : parseLucene(text), o)
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw new SearchQueryError(err.message)
    throw err
  }
}

/**
 * The rank of a row: its words in the title and name, then in the tags, plus
 * a little for a Thai substring in the title; datasets matched by their
 * description or other fields only rank equal, then by recency.
 */
function scoreOf (scored: ScoredTerm[]): RawBuilder<number> {
  if (scored.length === 0) return sql<number>`0`
  const any = scored.length === 1 ? scored[0].tsquery : sql`(${sql.join(scored.map((s) => s.tsquery), sql` || `)})`
  // Solr's qf: title and name ^4, tags ^2 (tsvector weights A and B of si.rank), the rest ^1,
  // which CKAN puts in one text field; cover density: the words of a query
  // close together rank above scattered ones
  const parts: RawBuilder<unknown>[] = [sql`ts_rank_cd('{0, 0, 0.5, 1.0}', si.rank, ${any})`]
  for (const s of scored) {
    if (s.substring !== null) parts.push(sql`CASE WHEN si.title_string LIKE ${containsPattern(s.substring)} THEN 0.05 ELSE 0 END`)
  }
  return sql<number>`(${sql.join(parts, sql` + `)})`
}

/** facet fields with a search_index column of their own; any other is read from search_text's fields */
const FACET_COLUMNS = ['organization', 'groups', 'tags', 'res_format', 'license_id']

/** One facet's counts over the matched rows `m`, most frequent first as Solr orders them, with display names. */
function facetQuery (field: string, o: FacetOptions): RawBuilder<unknown> {
  let values: RawBuilder<unknown>
  let display: RawBuilder<unknown> = sql`f.name`
  let join: RawBuilder<unknown> = sql``
  switch (field) {
    case 'organization':
      values = sql`SELECT m.organization AS v FROM m WHERE m.organization IS NOT NULL`
      join = sql`LEFT JOIN groups g ON g.name = f.name`
      display = sql`coalesce(nullif(g.title, ''), f.name)`
      break
    case 'groups':
      values = sql`SELECT unnest(m.groups) AS v FROM m`
      join = sql`LEFT JOIN groups g ON g.name = f.name`
      display = sql`coalesce(nullif(g.title, ''), f.name)`
      break
    case 'tags':
      values = sql`SELECT unnest(m.tags) AS v FROM m`
      break
    case 'res_format':
      values = sql`SELECT unnest(m.res_format) AS v FROM m`
      break
    case 'license_id':
      values = sql`SELECT m.license_id AS v FROM m WHERE m.license_id IS NOT NULL AND m.license_id <> ''`
      join = sql`LEFT JOIN licenses l ON l.id = f.name`
      display = sql`coalesce(l.title, f.name)`
      break
    default:
      // any other indexed string field: Thai GDC fields, extras, ...
      values = sql`SELECT jsonb_array_elements_text(m.fields -> ${field}) AS v FROM m`
  }
  const limit = o.limit < 0 ? sql`` : sql`LIMIT ${o.limit}`
  return sql`(SELECT coalesce(json_agg(json_build_array(f.name, ${display}, f.n) ORDER BY f.n DESC, f.name), '[]') FROM (
      SELECT v AS name, count(*)::int AS n FROM (${values}) x WHERE v <> '' GROUP BY v HAVING count(*) >= ${o.mincount}
      ORDER BY n DESC, v ${limit}) f ${join})`
}

/** The whole search as one statement, for searchPackages and for running the same SQL directly (bench/). */
export async function compilePackageSearch (db: Kysely<Database>, user: Caller | null, o: SearchOptions): Promise<CompiledQuery> {
  const now = o.now ?? new Date()
  const conditions: RawBuilder<SqlBool>[] = []
  let scored: ScoredTerm[] = []
  let usesText = false
  const q = (o.q ?? '').trim()
  if (q !== '' && q !== '*:*') {
    const compiled = compile(q, usesDismax(q), { now, score: true })
    conditions.push(compiled.where)
    scored = compiled.scored
    usesText = compiled.usesText
  }
  const fq = (o.fq ?? []).filter((f) => f.trim() !== '')
  for (const f of fq) {
    const compiled = compile(f, false, { now, score: false })
    conditions.push(compiled.where)
    usesText ||= compiled.usesText
  }
  const visible = await visibilityFilter(db, user, {
    includePrivate: o.includePrivate,
    includeDrafts: o.includeDrafts,
    fqHasState: o.fqHasState ?? false
  })
  const sorts = parseSort(o.sort)
  const facets = o.facets?.fields ?? []
  const needsFields = facets.some((f) => !FACET_COLUMNS.includes(f))
  const where = sql.join([visible, ...conditions], sql` AND `)
  // the wide text table only when something reads it
  const from = usesText || needsFields ? sql`search_index si JOIN search_text st ON st.package_id = si.package_id` : sql`search_index si`
  const collate = (column: string) => ['name', 'title'].includes(column) ? sql` COLLATE "C"` : sql``
  const order = (table: string) => sql.join([...sorts.map((s) => sql`${sql.ref(`${table}.${s.column}`)}${collate(s.column)} ${sql.raw(s.dir)}`), sql.ref(`${table}.package_id`)])
  const sortColumns = [...new Set(sorts.map((s) => s.column))]
  // with facets, the matched rows are read once and shared; without, PostgreSQL
  // may walk an index in sort order and stop after the page
  const materialized = facets.length ? sql`MATERIALIZED` : sql`NOT MATERIALIZED`
  const facetColumns = facets.map((f, i) => sql`, ${facetQuery(f, o.facets!)} AS ${sql.ref(`facet_${i}`)}`)
  // the matched rows carry only what the page and the facets read: a CTE
  // of tens of thousands of rows otherwise spills to disk
  const columns = [...new Set([...sortColumns, ...facets.filter((f) => FACET_COLUMNS.includes(f))])]
    .filter((c) => c !== 'score').map((c) => sql`, ${sql.ref(`si.${c}`)}`)
  return sql`
    WITH m AS ${materialized} (
      SELECT si.package_id${sql.join(columns, sql``)}${needsFields ? sql`, st.fields` : sql``}, ${scoreOf(scored)} AS score
      FROM ${from} WHERE ${where}
    )
    SELECT (SELECT count(*)::int FROM m) AS count,
      (SELECT '[' || coalesce(string_agg(p.dict, ', ' ORDER BY ${order('page')}), '') || ']' FROM (SELECT m.package_id, ${sql.join(sortColumns.map((c) => sql.ref(`m.${c}`)))}
        FROM m ORDER BY ${order('m')} LIMIT ${o.rows} OFFSET ${o.start}) page JOIN packages p ON p.id = page.package_id) AS page
      ${sql.join(facetColumns, sql``)}
  `.compile(db)
}

export async function searchPackages (db: Kysely<Database>, user: Caller | null, o: SearchOptions): Promise<SearchResult> {
  const compiled = await compilePackageSearch(db, user, o)
  const row = (await db.executeQuery<Record<string, unknown>>(compiled)).rows[0]
  const facets = new Map<string, FacetItem[]>()
  o.facets?.fields.forEach((field, i) => {
    const items = row[`facet_${i}`] as [string, string, number][]
    facets.set(field, items.map(([name, display, count]) => ({ name, display_name: display, count })))
  })
  return { count: row.count as number, page: row.page as string, facets }
}
