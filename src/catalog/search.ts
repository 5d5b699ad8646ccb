/**
 * package_search, first form: `q` over name/title/notes (substring, so Thai
 * words inside Thai compounds are found), `fq` as `field:value` terms on the
 * common fields, paging, sorting and the visibility rules. Results are the
 * materialized package dicts, embedded as stored.
 */
import { type Kysely, type SelectQueryBuilder, type Expression, type SqlBool, sql } from 'kysely'
import type { Caller } from '../ckan/action.js'
import { SearchQueryError } from '../ckan/errors.js'
import type { Database } from '../db/database.js'

export const DEFAULT_SORT = 'score desc, metadata_modified desc'

export interface FacetOptions {
  fields: string[]
  /** -1 = all */
  limit: number
  mincount: number
}

export interface FacetItem { name: string, display_name: string, count: number }

export interface SearchOptions {
  facets?: FacetOptions
  q?: string
  fq?: string[]
  rows: number
  start: number
  sort?: string
  includePrivate: boolean
  includeDrafts: boolean
}

const SORT_COLUMNS: Record<string, string> = {
  score: 'metadata_modified',
  metadata_modified: 'metadata_modified',
  metadata_created: 'metadata_created',
  name: 'name',
  title_string: 'title',
  title: 'title'
}

type QB = SelectQueryBuilder<Database, 'packages', object>

/**
 * `field:value` terms, optionally prefixed with + or -, quoted, or a
 * parenthesised `(a OR b)` list of alternatives; AND between the terms.
 */
function parseTerms (text: string): { field: string | null, values: string[], negate: boolean }[] {
  const out: { field: string | null, values: string[], negate: boolean }[] = []
  const re = /([+-]?)(?:([A-Za-z_][\w.]*):)?(?:"((?:[^"\\]|\\.)*)"|\(([^)]*)\)|(\S+))/g
  const unescape = (v: string) => v.replace(/\\(.)/g, '$1')
  let not = false
  for (const m of text.matchAll(re)) {
    const [, sign, field, quoted, group, bare] = m
    const value = quoted ?? bare ?? ''
    if (!field && group === undefined && quoted === undefined) {
      if (value === 'NOT') { not = true; continue }
      if (['AND', 'OR', '&&', '||'].includes(value)) continue
    }
    const values = group !== undefined
      ? group.split(/\s+OR\s+|\s*\|\|\s*/).map((v) => unescape(v.trim().replace(/^"(.*)"$/, '$1'))).filter(Boolean)
      : [unescape(value)]
    if (values.length) out.push({ field: field ?? null, values, negate: (sign === '-') !== not })
    not = false
  }
  return out
}

function termFilter (field: string | null, value: string): Expression<SqlBool> {
  const like = `%${value.replace(/[\\%_]/g, (c) => '\\' + c)}%`
  switch (field) {
    case null:
    case 'text':
      if (value === '*') return sql<SqlBool>`true`
      return sql<SqlBool>`(packages.name ILIKE ${like} OR packages.title ILIKE ${like} OR coalesce(packages.notes, '') ILIKE ${like})`
    case 'name': case 'id': case 'license_id': case 'owner_org': case 'type': case 'author': case 'maintainer': case 'state': case 'creator_user_id': case 'version': case 'url':
      return value === '*' ? sql<SqlBool>`true` : sql<SqlBool>`${sql.ref('packages.' + field)} = ${value}`
    case 'title':
      return sql<SqlBool>`packages.title ILIKE ${like}`
    case 'notes':
      return sql<SqlBool>`coalesce(packages.notes, '') ILIKE ${like}`
    case 'organization':
      return sql<SqlBool>`packages.owner_org IN (SELECT id FROM groups WHERE name = ${value})`
    case 'groups':
      return sql<SqlBool>`packages.id IN (SELECT pg.package_id FROM package_groups pg JOIN groups g ON g.id = pg.group_id WHERE g.name = ${value})`
    case 'tags':
      return sql<SqlBool>`packages.id IN (SELECT pt.package_id FROM package_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ${value})`
    case 'res_format':
      return sql<SqlBool>`packages.id IN (SELECT package_id FROM resources WHERE state = 'active' AND upper(format) = upper(${value}))`
    case 'res_name':
      return sql<SqlBool>`packages.id IN (SELECT package_id FROM resources WHERE state = 'active' AND name ILIKE ${like})`
    case 'capacity':
      return value === 'public' ? sql<SqlBool>`NOT packages.private` : sql<SqlBool>`packages.private`
    default:
      if (field.startsWith('extras_')) return sql<SqlBool>`packages.extras ->> ${field.slice(7)} = ${value}`
      return sql<SqlBool>`(packages.gdc ->> ${field} = ${value} OR packages.gdc -> ${field} ? ${value})`
  }
}

function applyQuery (qb: QB, text: string): QB {
  for (const t of parseTerms(text)) {
    if (t.field === null && t.values[0] === '*:*') continue
    const alternatives = t.values.map((v) => termFilter(t.field, v))
    const f = alternatives.length === 1 ? alternatives[0] : sql<SqlBool>`(${sql.join(alternatives, sql` OR `)})`
    qb = qb.where(t.negate ? sql<SqlBool>`NOT (${f})` : f)
  }
  return qb
}

export function parseSort (sort: string | undefined): { column: string, dir: 'asc' | 'desc' }[] {
  const s = (sort ?? '').trim()
  if (s === '' || s === 'rank') return parseSort(DEFAULT_SORT)
  return s.split(',').map((part) => {
    const [field, dir, ...rest] = part.trim().split(/\s+/)
    if (!dir || rest.length || !['asc', 'desc'].includes(dir.toLowerCase()) || !SORT_COLUMNS[field]) {
      throw new SearchQueryError('Invalid "sort" parameter')
    }
    return { column: SORT_COLUMNS[field], dir: dir.toLowerCase() as 'asc' | 'desc' }
  })
}

/** The ids of organizations whose private datasets the caller may read. */
async function readableOrgIds (db: Kysely<Database>, user: Caller): Promise<string[]> {
  const rows = await db.selectFrom('group_members').select('group_id').where('user_id', '=', user.id).execute()
  return rows.map((r) => r.group_id)
}

export interface SearchResult { count: number, dicts: string[], facets: Map<string, FacetItem[]> }

export async function searchPackages (db: Kysely<Database>, user: Caller | null, o: SearchOptions): Promise<SearchResult> {
  let qb: QB = db.selectFrom('packages')
  const states = o.includeDrafts ? ['active', 'draft'] : ['active']
  qb = qb.where('packages.type', '=', 'dataset')
  if (user?.sysadmin) {
    qb = qb.where('packages.state', 'in', states)
    if (!o.includePrivate) qb = qb.where('packages.private', '=', false)
  } else {
    const orgs = user && o.includePrivate ? await readableOrgIds(db, user) : []
    qb = qb.where((eb) => {
      const visible: Expression<SqlBool>[] = [eb.and([eb('packages.state', '=', 'active'), eb('packages.private', '=', false)])]
      if (orgs.length) visible.push(eb.and([eb('packages.state', '=', 'active'), eb('packages.owner_org', 'in', orgs)]))
      // a user's own drafts (CKAN: creator-<id> label)
      if (user && o.includeDrafts) visible.push(eb.and([eb('packages.state', '=', 'draft'), eb('packages.creator_user_id', '=', user.id)]))
      return eb.or(visible)
    })
  }
  if (o.q) qb = applyQuery(qb, o.q)
  for (const f of o.fq ?? []) qb = applyQuery(qb, f)
  const sorts = parseSort(o.sort)
  const countRow = await qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()
  const facets = new Map<string, FacetItem[]>()
  for (const field of o.facets?.fields ?? []) facets.set(field, await facetCounts(db, qb, field, o.facets!))
  if (o.rows === 0) return { count: countRow.n, dicts: [], facets }
  let page = qb.select('packages.dict')
  for (const s of sorts) page = page.orderBy(sql.ref('packages.' + s.column), s.dir)
  const rows = await page.orderBy('packages.id').limit(o.rows).offset(o.start).execute()
  return { count: countRow.n, dicts: rows.map((r) => r.dict), facets }
}

/**
 * Counts of one facet field over the whole filtered result, most frequent
 * first, as Solr returns them. display_name is the organization or group
 * title, or the licence title, as in CKAN.
 */
async function facetCounts (db: Kysely<Database>, filtered: QB, field: string, o: FacetOptions): Promise<FacetItem[]> {
  const ids = filtered.select('packages.id')
  const limit = o.limit < 0 ? null : o.limit
  let query
  switch (field) {
    case 'organization':
      query = sql<{ name: string, display: string, n: number }>`SELECT g.name, coalesce(nullif(g.title, ''), g.name) AS display, count(*)::int AS n
        FROM packages p JOIN groups g ON g.id = p.owner_org WHERE p.id IN (${ids}) GROUP BY g.name, g.title`
      break
    case 'groups':
      query = sql<{ name: string, display: string, n: number }>`SELECT g.name, coalesce(nullif(g.title, ''), g.name) AS display, count(*)::int AS n
        FROM package_groups pg JOIN groups g ON g.id = pg.group_id WHERE pg.package_id IN (${ids}) GROUP BY g.name, g.title`
      break
    case 'tags':
      query = sql<{ name: string, display: string, n: number }>`SELECT t.name, t.name AS display, count(*)::int AS n
        FROM package_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.package_id IN (${ids}) GROUP BY t.name`
      break
    case 'res_format':
      query = sql<{ name: string, display: string, n: number }>`SELECT r.format AS name, r.format AS display, count(DISTINCT r.package_id)::int AS n
        FROM resources r WHERE r.state = 'active' AND coalesce(r.format, '') <> '' AND r.package_id IN (${ids}) GROUP BY r.format`
      break
    case 'license_id':
      query = sql<{ name: string, display: string, n: number }>`SELECT p.license_id AS name, coalesce(l.title, p.license_id) AS display, count(*)::int AS n
        FROM packages p LEFT JOIN licenses l ON l.id = p.license_id WHERE p.license_id IS NOT NULL AND p.license_id <> '' AND p.id IN (${ids}) GROUP BY p.license_id, l.title`
      break
    default:
      if (!/^[a-z_][a-z0-9_]{0,63}$/.test(field)) return []
      // Thai GDC fields: single values, or lists for the multiple-choice ones
      query = sql<{ name: string, display: string, n: number }>`SELECT v AS name, v AS display, count(*)::int AS n FROM (
          SELECT CASE jsonb_typeof(p.gdc -> ${field}) WHEN 'array' THEN e.value ELSE p.gdc ->> ${field} END AS v
          FROM packages p LEFT JOIN LATERAL jsonb_array_elements_text(CASE jsonb_typeof(p.gdc -> ${field}) WHEN 'array' THEN p.gdc -> ${field} ELSE '[]'::jsonb END) e(value) ON true
          WHERE p.gdc ? ${field} AND p.id IN (${ids})
        ) x WHERE v IS NOT NULL AND v <> '' GROUP BY v`
  }
  const rows = (await sql<{ name: string, display: string, n: number }>`SELECT * FROM (${query}) f WHERE n >= ${o.mincount}
    ORDER BY n DESC, name ${limit === null ? sql`` : sql`LIMIT ${limit}`}`.execute(db)).rows
  return rows.map((r) => ({ name: r.name, display_name: r.display, count: r.n }))
}
