/**
 * datastore_search over one DataStore table: CKAN's parameters checked
 * against the table (ckanext/datastore/backend/postgres.py), compiled into
 * one statement whose records are JSON text built by PostgreSQL, embedded in
 * the answer as they are (CKAN's LazyJSONObject does the same: compact, with
 * Thai left as UTF-8).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely'
import { ValidationError } from '../ckan/errors.js'
import type { Database, DatastoreField } from '../db/database.js'
import { TS_CONFIG, hasThai, segment } from '../search/analyzer.js'
import { containsPattern } from '../catalog/like.js'
import { columnType } from './schema.js'
import type { TableMeta } from './tables.js'

export type RecordsFormat = 'objects' | 'lists' | 'csv' | 'tsv'

export interface DatastoreQuery {
  filters?: Record<string, unknown>
  q?: string | Record<string, unknown>
  fullText?: string
  plain: boolean
  language?: string
  distinct: boolean
  fields?: string[]
  sort?: string[]
  limit: number
  offset: number
  recordsFormat: RecordsFormat
  includeTotal: boolean
  totalEstimationThreshold: number | null
}

export interface DatastoreAnswer {
  /** JSON text: a list of objects or lists, or a JSON string of CSV/TSV */
  records: string
  fields: { id: string, type: string, info?: Record<string, unknown> }[]
  total?: number
  totalWasEstimated?: boolean
}

type Cond = RawBuilder<unknown>

const invalid = (param: string, value: string) => new ValidationError({ [param]: [`invalid value "${value}"`] })

const SORT = /^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$/i

interface Column { id: string, type: string, expr: RawBuilder<unknown>, info?: Record<string, unknown> }

/** The ts config a query is parsed with: `language`, which must name one the database has. */
async function tsConfig (db: Kysely<Database>, language: string | undefined): Promise<RawBuilder<unknown>> {
  if (language === undefined) return sql`${TS_CONFIG}::regconfig`
  const { rows } = await sql`SELECT 1 FROM pg_ts_config WHERE cfgname = ${language}`.execute(db)
  if (rows.length === 0) throw invalid('language', language)
  return sql`${language}::regconfig`
}

/** A full-text query over a text: words ANDed (plain), or PostgreSQL's tsquery syntax. */
function tsquery (config: RawBuilder<unknown>, text: string, plain: boolean): RawBuilder<unknown> {
  return plain ? sql`plainto_tsquery(${config}, ${segment(text)})` : sql`to_tsquery(${config}, ${text})`
}

/** The condition of one filter: equality, or IN for a list (a whole-array comparison on array columns). */
function filterCondition (f: DatastoreField, value: unknown): Cond {
  const col = sql.id(f.id)
  if (value === null) return sql`${col} IS NULL`
  const type = sql.raw(columnType(f.type))
  const isArray = f.type.startsWith('_')
  const text = (v: unknown) => typeof v === 'string' ? v : JSON.stringify(v)
  if (Array.isArray(value) && !isArray) {
    return sql`${col} = ANY(CAST(${value.map(text)}::text[] AS ${sql.raw(columnType(f.type))}[]))`
  }
  if (isArray) {
    const items = Array.isArray(value) ? value : [value]
    return sql`${col} = CAST(${items.map(text)}::text[] AS ${type})`
  }
  if (f.type === 'json') return sql`${col} = ${JSON.stringify(value)}::jsonb`
  return sql`${col} = CAST(${text(value)} AS ${type})`
}

/** The conditions of `filters`; a field the table does not have is CKAN's 409. */
export function filterConditions (meta: TableMeta, filters: Record<string, unknown>): Cond[] {
  const byId = new Map(meta.fields.map((f) => [f.id, f]))
  return Object.entries(filters).map(([k, v]) => {
    const f = byId.get(k)
    if (!f) throw invalid('filters', k)
    return filterCondition(f, v)
  })
}

/** Check a search against the table and compile it; CKAN's 409s for what the table does not have. */
export async function searchTable (db: Kysely<Database>, meta: TableMeta, o: DatastoreQuery): Promise<DatastoreAnswer> {
  const byId = new Map(meta.fields.map((f) => [f.id, f]))
  const where = filterConditions(meta, o.filters ?? {})
  const config = await tsConfig(db, o.language)
  const ranks: Column[] = []
  const qText = typeof o.q === 'string' ? o.q : undefined
  for (const text of [qText, o.fullText]) {
    if (text === undefined || text.trim() === '') continue
    const q = tsquery(config, text, o.plain)
    where.push(sql`_full_text @@ ${q}`)
    if (!ranks.some((r) => r.id === 'rank')) ranks.push({ id: 'rank', type: 'float', expr: sql`ts_rank(_full_text, ${q}, 32)` })
  }
  if (o.q !== undefined && typeof o.q === 'object') {
    for (const [k, v] of Object.entries(o.q)) {
      if (!byId.has(k)) throw invalid('q', k)
      if (typeof v !== 'string') throw invalid('q', k)
      const col = sql`CAST(${sql.id(k)} AS text)`
      const q = tsquery(config, v, o.plain)
      if (hasThai(v) && o.plain) {
        // Thai is not spaced: the table's segmented _full_text finds the
        // words, the column decides, word by word
        const words = segment(v).split(' ').filter(Boolean)
        where.push(sql`_full_text @@ ${q}`, ...words.map((w) => sql`${col} LIKE ${containsPattern(w)}`))
        ranks.push({ id: `rank ${k}`, type: 'float', expr: sql`ts_rank(_full_text, ${q}, 32)` })
      } else {
        where.push(sql`to_tsvector(${config}, ${col}) @@ ${q}`)
        ranks.push({ id: `rank ${k}`, type: 'float', expr: sql`ts_rank(to_tsvector(${config}, ${col}), ${q}, 32)` })
      }
    }
  }

  const available = new Map<string, Column>([
    ['_id', { id: '_id', type: 'int', expr: sql`_id` }],
    ...meta.fields.map((f): [string, Column] => [f.id, { id: f.id, type: f.type, expr: sql.id(f.id), ...(f.info ? { info: f.info } : {}) }]),
    ...ranks.map((r): [string, Column] => [r.id, r])
  ])
  let columns: Column[]
  if (o.fields) {
    columns = o.fields.map((id) => {
      const c = available.get(id)
      if (!c) throw invalid('fields', id)
      return c
    })
  } else {
    columns = [...available.values()]
  }

  const order: RawBuilder<unknown>[] = []
  for (const clause of o.sort ?? []) {
    const m = SORT.exec(clause.trim())
    let field = m ? m[1].trim() : clause
    if (field.length > 1 && field.startsWith('"') && field.endsWith('"')) field = field.slice(1, -1).replaceAll('""', '"')
    const c = available.get(field)
    if (!m || !c) throw invalid('sort', clause)
    const dir = m[3]?.toLowerCase() === 'desc' ? sql`DESC` : sql`ASC`
    const nulls = m[5] ? (m[5].toLowerCase() === 'first' ? sql` NULLS FIRST` : sql` NULLS LAST`) : sql``
    // DISTINCT sorts only by what it selects: a sort on a column outside `fields` is refused by PostgreSQL
    order.push(o.distinct ? sql`${sql.id(c.id)} ${dir}${nulls}` : sql`${c.expr} ${dir}${nulls}`)
  }
  const idOrder = order.length === 0 && !o.distinct && ranks.length === 0
  if (order.length === 0 && !o.distinct) order.push(ranks.length ? sql`${ranks[0].expr} DESC, _id` : sql`_id`)

  const table = sql.id(meta.schema, meta.resourceId)
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``
  const select = sql.join(columns.map((c) => sql`${c.expr} AS ${sql.id(c.id)}`))
  // Deep pages in the default order (clients page with limit=1000&offset=N):
  // the first _id of the page is found by walking the _id index alone, then
  // the page starts there, instead of reading and discarding N whole rows
  const page = idOrder && o.offset > 0
    ? sql`SELECT ${select} FROM ${table} ${where.length ? sql`${cond} AND` : sql`WHERE`}
        _id >= (SELECT _id FROM ${table} ${cond} ORDER BY _id LIMIT 1 OFFSET ${o.offset}) ORDER BY _id LIMIT ${o.limit}`
    : sql`SELECT ${o.distinct ? sql`DISTINCT ` : sql``}${select} FROM ${table} ${cond}
        ${order.length ? sql`ORDER BY ${sql.join(order)}` : sql``} LIMIT ${o.limit} OFFSET ${o.offset}`
  const records = recordsOf(o.recordsFormat)
  const total = !o.includeTotal
    ? sql`NULL::bigint`
    : o.distinct
      ? sql`(SELECT count(*) FROM (SELECT DISTINCT ${select} FROM ${table} ${cond}) d)`
      // the whole table's count is kept by every write: no scan
      : where.length === 0 ? sql`${meta.rowCount}::bigint` : sql`(SELECT count(*) FROM ${table} ${cond})`
  const estimate = o.includeTotal && o.totalEstimationThreshold !== null && where.length === 0 && !o.distinct
    ? await estimatedRows(db, meta)
    : null
  const useEstimate = estimate !== null && estimate >= o.totalEstimationThreshold!
  try {
    const { rows } = await sql<{ records: string, total: string | null }>`
      SELECT (SELECT ${records} FROM (${page}) y) AS records, ${useEstimate ? sql`NULL::bigint` : total} AS total`.execute(db)
    const answer: DatastoreAnswer = {
      records: o.recordsFormat === 'csv' || o.recordsFormat === 'tsv' ? JSON.stringify(rows[0].records) : rows[0].records,
      fields: columns.map((c) => ({ id: c.id, type: c.type, ...(c.info ? { info: c.info } : {}) }))
    }
    if (o.includeTotal) {
      answer.total = useEstimate ? estimate! : Number(rows[0].total)
      answer.totalWasEstimated = useEstimate
    }
    return answer
  } catch (err) {
    throw queryError(err)
  }
}

/**
 * The page's rows as one JSON (or CSV/TSV) text. Objects keep the selected
 * columns' order (row_to_json of the page's rows); CSV quotes as Python's
 * csv module does (CKAN writes it with csv.writer): a value with the
 * delimiter, a quote or a line break is quoted and its quotes doubled.
 */
function recordsOf (format: RecordsFormat): RawBuilder<string> {
  const entries = sql`json_each(row_to_json(y)) WITH ORDINALITY e(key, value, n)`
  switch (format) {
    case 'objects':
      return sql<string>`'[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']'`
    case 'lists':
      return sql<string>`'[' || coalesce(string_agg((SELECT '[' || string_agg(e.value::text, ',' ORDER BY e.n) || ']' FROM ${entries}), ','), '') || ']'`
    case 'csv':
    case 'tsv': {
      const delimiter = format === 'csv' ? ',' : '\t'
      const text = sql`CASE json_typeof(e.value) WHEN 'null' THEN '' WHEN 'string' THEN e.value #>> '{}' ELSE e.value::text END`
      const quoted = sql`CASE WHEN ${text} ~ ${`[${delimiter}"\r\n]`} THEN '"' || replace(${text}, '"', '""') || '"' ELSE ${text} END`
      return sql<string>`coalesce(string_agg((SELECT string_agg(${quoted}, ${delimiter} ORDER BY e.n) FROM ${entries}) || E'\\n', ''), '')`
    }
  }
}

/** PostgreSQL's row estimate for the table (CKAN's total estimation). */
async function estimatedRows (db: Kysely<Database>, meta: TableMeta): Promise<number | null> {
  const { rows } = await sql<{ n: number }>`SELECT c.reltuples::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = ${meta.schema} AND c.relname = ${meta.resourceId}`.execute(db)
  const n = rows[0] ? Number(rows[0].n) : -1
  return n >= 0 ? n : null
}

/** The DataStore's answers to what PostgreSQL refused in a search (a value of the wrong type, a bad tsquery). */
export function queryError (err: unknown): unknown {
  const e = err as { code?: string, message?: string }
  if (typeof e?.code !== 'string') return err
  if (e.code === '57014') return new ValidationError({ query: ['Search took too long'] })
  // data exceptions (22xxx) and syntax errors in a tsquery: the client's values
  if (e.code.startsWith('22') || e.code === '42601') return new ValidationError({ query: ['Invalid query'], info: { orig: [e.message ?? ''] } as never })
  return err
}

/** CKAN's `_links`: the request's own URL without `offset`, and the next and previous pages. */
export function pageLinks (url: string, offset: number, limit: number): Record<string, string> {
  const [path, query = ''] = url.split('?', 2)
  const kept = query.split('&').filter((p) => p !== '' && !/^offset(=|$)/.test(p))
  const start = kept.length ? `${path}?${kept.join('&')}` : path
  const at = (n: number) => `${start}${kept.length ? '&' : '?'}offset=${n}`
  const links: Record<string, string> = { start, next: at(offset + limit) }
  if (offset - limit > 0) links.prev = at(offset - limit)
  return links
}
