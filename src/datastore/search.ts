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
import { inlineStatement, literal } from '../db/inline.js'
import { columnType } from './schema.js'
import { SearchMemo } from './search-memo.js'
import { ID_FIELD, type TableMeta } from './tables.js'

/** CKAN's records formats, and `lines`: JSON lists one per line, for the dump's JSON (datastore-dump.ts) */
export type RecordsFormat = 'objects' | 'lists' | 'csv' | 'tsv' | 'lines'

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
  /** objects and lists: JSON text; CSV, TSV and lines: the text itself, in chunks, as PostgreSQL's COPY writes it */
  records: string | AsyncIterable<Buffer>
  fields: { id: string, type: string, info?: Record<string, unknown> }[]
  total?: number
  totalWasEstimated?: boolean
}

type Cond = RawBuilder<unknown>

const invalid = (param: string, value: string) => new ValidationError({ [param]: [`invalid value "${value}"`] })

const SORT = /^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$/i

interface Column { id: string, type: string, expr: RawBuilder<unknown>, info?: Record<string, unknown> }

/** Where COPY output comes from (Db.copyTo): CSV and TSV records are written by PostgreSQL. */
export type CopyTo = (query: string, options: string) => AsyncIterable<Buffer>

/** The ts config a query is parsed with: `language`, which must name one the database has. */
async function tsConfig (db: Kysely<Database>, language: string | undefined): Promise<RawBuilder<unknown>> {
  if (language === undefined) return sql`${TS_CONFIG}::regconfig`
  const { rows } = await sql`SELECT 1 FROM pg_ts_config WHERE cfgname = ${language}`.execute(db)
  if (rows.length === 0) throw invalid('language', language)
  return sql`${language}::regconfig`
}

/**
 * A full-text query over a text: words ANDed (plain), analysed as the
 * table's full text was (TableMeta.analyze), or PostgreSQL's tsquery syntax.
 */
function tsquery (config: RawBuilder<unknown>, text: string, plain: boolean, analyze: (text: string) => string): RawBuilder<unknown> {
  return plain ? sql`plainto_tsquery(${config}, ${analyze(text)})` : sql`to_tsquery(${config}, ${segmentedTsquery(text)})`
}

const THAI_RUN = /([\u0E00-\u0E7F]+)(:[*a-dA-D]+)?/g

/**
 * tsquery syntax with each Thai run split into its words as the index has
 * them, kept together as a phrase (`ท่องเที่ยว` → `(ท่อง <-> เที่ยว)`); a
 * prefix or weight mark goes on the last word (`ท่องเที่ยว:*` finds
 * `ท่องเที่ยวไทย`). Everything else is left to PostgreSQL's parser.
 */
export function segmentedTsquery (text: string): string {
  return text.replace(THAI_RUN, (run: string, thai: string, mark: string | undefined) => {
    const words = segment(thai).split(' ').filter(Boolean)
    if (words.length === 0) return run
    words[words.length - 1] += mark ?? ''
    return words.length === 1 ? words[0] : `(${words.join(' <-> ')})`
  })
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
  // the value travels as text: PGlite would otherwise encode it as the column's type, and refuse "true" for a boolean
  return sql`${col} = CAST(${text(value)}::text AS ${type})`
}

/** The conditions of `filters`; a field the table does not have is CKAN's 409. */
export function filterConditions (meta: TableMeta, filters: Record<string, unknown>): Cond[] {
  // CKAN's field types include _id, so a filter may name it
  const byId = new Map([ID_FIELD, ...meta.fields].map((f) => [f.id, f]))
  return Object.entries(filters).map(([k, v]) => {
    const f = byId.get(k)
    if (!f) throw invalid('filters', k)
    return filterCondition(f, v)
  })
}

/** Check a search against the table and compile it; CKAN's 409s for what the table does not have. */
export async function searchTable (db: Kysely<Database>, copyTo: CopyTo | undefined, meta: TableMeta, o: DatastoreQuery): Promise<DatastoreAnswer> {
  const byId = new Map(meta.fields.map((f) => [f.id, f]))
  const where = filterConditions(meta, o.filters ?? {})
  const config = await tsConfig(db, o.language)
  const ranks: Column[] = []
  const qText = typeof o.q === 'string' ? o.q : undefined
  for (const text of [qText, o.fullText]) {
    if (text === undefined || text.trim() === '') continue
    const q = tsquery(config, text, o.plain, meta.analyze)
    where.push(sql`_full_text @@ ${q}`)
    if (!ranks.some((r) => r.id === 'rank')) ranks.push({ id: 'rank', type: 'float', expr: sql`ts_rank(_full_text, ${q}, 32)` })
  }
  if (o.q !== undefined && typeof o.q === 'object') {
    for (const [k, v] of Object.entries(o.q)) {
      if (!byId.has(k)) throw invalid('q', k)
      if (typeof v !== 'string') throw invalid('q', k)
      const col = sql`CAST(${sql.id(k)} AS text)`
      if (hasThai(v) && o.plain) {
        // Thai is not spaced: the table's segmented _full_text finds the
        // words, the column decides, word by word
        const q = tsquery(config, v, true, meta.analyze)
        const words = segment(v).split(' ').filter(Boolean)
        where.push(sql`_full_text @@ ${q}`, ...words.map((w) => sql`${col} LIKE ${containsPattern(w)}`))
        ranks.push({ id: `rank ${k}`, type: 'float', expr: sql`ts_rank(_full_text, ${q}, 32)` })
      } else {
        // the value parsed by PostgreSQL alone, as the column beside it is
        // (CKAN's per-field search): the column's `cat-3` is `cat` and `-3`,
        // which the segmented `cat 3` would not find
        const q = o.plain ? sql`plainto_tsquery(${config}, ${v})` : tsquery(config, v, false, meta.analyze)
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

  // A rank the page selects is sorted by its output column: its own
  // expression again would be a second ts_rank per match (its query's
  // parameters are new ones, so PostgreSQL cannot see the two are the same)
  const ranked = (c: Column) => ranks.includes(c) && columns.includes(c)
  const order: RawBuilder<unknown>[] = []
  for (const clause of o.sort ?? []) {
    const m = SORT.exec(clause.trim())
    let field = m ? m[1].trim() : clause
    if (field.length > 1 && field.startsWith('"') && field.endsWith('"')) field = field.slice(1, -1).replaceAll('""', '"')
    const c = available.get(field)
    if (!m || !c) throw invalid('sort', clause)
    const dir = m[3]?.toLowerCase() === 'desc' ? sql`DESC` : sql`ASC`
    const nulls = m[5] ? (m[5].toLowerCase() === 'first' ? sql` NULLS FIRST` : sql` NULLS LAST`) : sql``
    // a table column by its qualified name: the bare one would be the output
    // column, a timestamp's text (selected) rather than the timestamp itself
    const expr = byId.has(c.id) ? sql.id(meta.resourceId, c.id) : c.expr
    order.push(!o.distinct && ranked(c) ? sql`${sql.id(c.id)} ${dir}${nulls}` : sql`${expr} ${dir}${nulls}`)
  }
  // no sort asked for: by rank for a text query, else by _id; CKAN's DISTINCT
  // page is by rank or in no order at all (search_data)
  if (order.length === 0 && o.distinct) order.push(...ranks.map((r) => sql`${r.expr} DESC`))
  const defaultOrder = order.length === 0 && !o.distinct
  const idOrder = defaultOrder && ranks.length === 0
  const rankOrder = defaultOrder && ranks.length > 0
  if (defaultOrder) order.push(rankOrder ? sql`${ranked(ranks[0]) ? sql.id(ranks[0].id) : ranks[0].expr} DESC, _id` : sql`_id`)

  const table = sql.id(meta.schema, meta.resourceId)
  const cond = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``
  const memo = new SearchMemo(meta.resourceId, meta.version, cond.compile(db))
  const copied = o.recordsFormat === 'csv' || o.recordsFormat === 'tsv'
  const select = sql.join(columns.map((c) => sql`${selected(c, copied)} AS ${sql.id(c.id)}`))
  let page: RawBuilder<unknown>
  if (idOrder) {
    // Pages in the default order (clients page with limit=1000&offset=N)
    // start after the last _id of the page before when a search has served
    // it (search-memo.ts); otherwise the first _id of the page is found by
    // walking the _id index alone, instead of reading and discarding N rows.
    const before = o.offset > 0 ? memo.before(o.offset) : undefined
    const start = before !== undefined
      ? sql`_id > ${before}`
      : o.offset > 0 ? sql`_id >= (SELECT _id FROM ${table} ${cond} ORDER BY _id LIMIT 1 OFFSET ${o.offset})` : sql`true`
    page = sql`SELECT _id AS _cursor, ${select} FROM ${table} ${where.length ? sql`${cond} AND` : sql`WHERE`} ${start} ORDER BY _id LIMIT ${o.limit}`
  } else if (o.distinct) {
    // CKAN takes the page of rows first and DISTINCT of that page after, in
    // whatever order DISTINCT leaves them (search_data): `limit=2` gives at
    // most the 2 first rows' values, not 2 distinct values
    page = sql`SELECT DISTINCT ${select} FROM (SELECT * FROM ${table} ${cond}
        ${order.length ? sql`ORDER BY ${sql.join(order)}` : sql``} LIMIT ${o.limit} OFFSET ${o.offset}) z`
  } else {
    page = sql`SELECT ${select} FROM ${table} ${cond} ORDER BY ${sql.join(order)} LIMIT ${o.limit} OFFSET ${o.offset}`
  }
  const estimate = o.includeTotal && o.totalEstimationThreshold !== null && where.length === 0 && !o.distinct
    ? await estimatedRows(db, meta)
    : null
  const useEstimate = estimate !== null && estimate >= o.totalEstimationThreshold!
  // the whole table's count is kept by every write, a filter's is remembered until the next write
  const known = !o.includeTotal || useEstimate ? null : where.length === 0 && !o.distinct ? meta.rowCount : o.distinct ? undefined : memo.count()
  const total = known !== null && known !== undefined
    ? sql`${known}::bigint`
    : !o.includeTotal || useEstimate
        ? sql`NULL::bigint`
        : o.distinct
          ? sql`(SELECT count(*) FROM (SELECT DISTINCT ${select} FROM ${table} ${cond}) d)`
          : sql`(SELECT count(*) FROM ${table} ${cond})`
  /**
   * A ranked page and its total from one pass over the matches: each is
   * rechecked against the query and ranked once, where the page and a
   * count(*) beside it would each find and recheck every match (a Thai word
   * is a phrase, which the GIN index cannot decide alone); the page's rows
   * are then read back by _id. About a quarter faster for a search that is
   * new to the memo (bench/README.md).
   */
  const rankedAndCounted = (format: 'objects' | 'lists') => {
    const rank = ranks[0]
    const pageColumns = sql.join(columns.map((c) => sql`${c === rank ? sql`p."_opend_rank"` : selected(c, false)} AS ${sql.id(c.id)}`))
    return sql`WITH m AS MATERIALIZED (SELECT _id AS "_opend_match", ${rank.expr} AS "_opend_rank" FROM ${table} ${cond}),
      p AS (SELECT * FROM m ORDER BY "_opend_rank" DESC, "_opend_match" LIMIT ${o.limit} OFFSET ${o.offset})
      SELECT (SELECT ${recordsOf(format)} FROM (SELECT ${pageColumns} FROM p JOIN ${table} ON _id = p."_opend_match"
        ORDER BY p."_opend_rank" DESC, p."_opend_match") y) AS records, (SELECT count(*) FROM m) AS total`
  }
  const answer: DatastoreAnswer = {
    records: '',
    fields: columns.map((c) => ({ id: c.id, type: c.type, ...(c.info ? { info: c.info } : {}) }))
  }
  const counted = (n: string | null) => {
    if (!o.includeTotal) return
    answer.total = useEstimate ? estimate! : Number(n)
    answer.totalWasEstimated = useEstimate
    if (known === undefined && !o.distinct) memo.setCount(answer.total)
  }
  try {
    const names = sql.join(columns.map((c) => sql.id(c.id)))
    if (o.recordsFormat === 'csv' || o.recordsFormat === 'tsv' || o.recordsFormat === 'lines') {
      if (!copyTo) throw new Error('CSV records need the database\'s COPY (Db.copyTo)')
      // COPY answers rows only: a count not already known is its own statement
      counted(known === undefined ? (await sql<{ total: string }>`SELECT ${total} AS total`.execute(db)).rows[0].total : known === null ? null : String(known))
      const rows = idOrder ? sql`SELECT ${names} FROM (${page}) p ORDER BY _cursor` : page
      answer.records = o.recordsFormat === 'lines'
        // A JSON text never holds a raw control character, so CSV with
        // \x01 as its quote and \x02 as its delimiter writes each row's list
        // as it is, one per line (COPY's text format would escape backslashes)
        ? await started(copyTo(inlineStatement(sql`SELECT ${listOf(sql`y`)} FROM (${rows}) y`), '(FORMAT csv, DELIMITER E\'\\x02\', QUOTE E\'\\x01\')'))
        : await started(copyTo(inlineStatement(rows), `(FORMAT csv, DELIMITER ${literal(o.recordsFormat === 'csv' ? ',' : '\t')})`))
    } else if (idOrder) {
      const { rows: [row] } = await sql<{ records: string, last: number | null, total: string | null }>`
        WITH p AS MATERIALIZED (${page})
        SELECT (SELECT ${recordsOf(o.recordsFormat)} FROM (SELECT ${names} FROM p ORDER BY _cursor) y) AS records,
          (SELECT max(_cursor) FROM p) AS last, ${total} AS total`.execute(db)
      answer.records = row.records
      if (row.last !== null) memo.setBefore(o.offset + o.limit, row.last)
      counted(row.total)
    } else {
      const records = sql<string>`(SELECT ${recordsOf(o.recordsFormat)} FROM (${page}) y)`
      const rankedPage = ranks.length > 0 ? records.compile(db) : null
      const kept = rankedPage ? memo.page(rankedPage) : undefined
      if (kept !== undefined && known !== undefined) {
        answer.records = kept
        counted(known === null ? null : String(known))
      } else {
        const counting = rankOrder && known === undefined
        const { rows: [row] } = await sql<{ records: string, total: string | null }>`${counting ? rankedAndCounted(o.recordsFormat) : sql`SELECT ${records} AS records, ${total} AS total`}`.execute(db)
        answer.records = row.records
        if (rankedPage) memo.setPage(rankedPage, row.records)
        counted(row.total)
      }
    }
    return answer
  } catch (err) {
    throw queryError(err)
  }
}

/**
 * A COPY whose first chunk has arrived: what PostgreSQL refuses (a filter
 * value of the wrong type) is refused before the answer starts, as an error
 * the client can read; what fails later can only cut the answer short.
 */
async function started (chunks: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer>> {
  const it = chunks[Symbol.asyncIterator]()
  const first = await it.next()
  return {
    async * [Symbol.asyncIterator] () {
      if (first.done === true) return
      yield first.value
      for (let next = await it.next(); next.done !== true; next = await it.next()) yield next.value
    }
  }
}

/**
 * A column as CKAN selects it (the backend's datastore_search in
 * ckanext/datastore/backend/postgres.py): timestamps ISO-8601 to the second,
 * without a zone, in every format; for CSV, whose COPY this is, arrays as
 * JSON (`null` for none) and everything else in PostgreSQL's own text form,
 * quoted by COPY as CSV needs.
 */
function selected (c: Column, copied: boolean): RawBuilder<unknown> {
  if (c.type === 'timestamp') return sql`to_char(${c.expr}, 'YYYY-MM-DD"T"HH24:MI:SS')`
  if (copied && c.type.startsWith('_')) return sql`coalesce(array_to_json(${c.expr})::text, 'null')`
  return c.expr
}

/**
 * The page's rows as one JSON text. Objects keep the selected columns' order
 * (row_to_json of the page's rows).
 */
function recordsOf (format: 'objects' | 'lists'): RawBuilder<string> {
  if (format === 'objects') return sql<string>`'[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']'`
  return sql<string>`'[' || coalesce(string_agg(${listOf(sql`y`)}, ','), '') || ']'`
}

/** One row as a JSON list of its values, in the selected columns' order. */
function listOf (row: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`(SELECT '[' || string_agg(e.value::text, ',' ORDER BY e.n) || ']' FROM json_each(row_to_json(${row})) WITH ORDINALITY e(key, value, n))`
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

/**
 * CKAN's `_links` (_insert_links in ckanext/datastore/backend/postgres.py):
 * the request's query string read by Python's `dict(parse_qsl(...))` and
 * written again by `urlencode`, without `offset` for the start and with
 * the next and previous pages' `offset`.
 */
export function pageLinks (url: string, offset: number, limit: number): Record<string, string> {
  const at = url.indexOf('?')
  const path = at < 0 ? url : url.slice(0, at)
  const args = new Map(parseQsl(at < 0 ? '' : url.slice(at + 1)))
  const link = (n?: number) => {
    const a = new Map(args)
    if (n === undefined) a.delete('offset')
    else a.set('offset', String(n))
    const query = [...a].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&')
    return query === '' ? path : `${path}?${query}`
  }
  const links: Record<string, string> = { start: link(), next: link(offset + limit) }
  if (offset - limit > 0) links.prev = link(offset - limit)
  return links
}

/** Python's `parse_qsl`: pairs without `=` or with an empty value are dropped. */
function parseQsl (query: string): [string, string][] {
  const pairs: [string, string][] = []
  for (const part of query.split('&')) {
    const eq = part.indexOf('=')
    if (eq < 0 || eq === part.length - 1) continue
    pairs.push([unquotePlus(part.slice(0, eq)), unquotePlus(part.slice(eq + 1))])
  }
  return pairs
}

/** Python's `unquote_plus`: `+` is a space, and bytes that are not UTF-8 are U+FFFD. */
function unquotePlus (text: string): string {
  return text.replaceAll('+', ' ').replace(/(%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'))
}

const QUOTE_SAFE = /^[A-Za-z0-9_.~-]$/

/** Python's `quote_plus`: fewer characters are left as they are than by encodeURIComponent (`!'()*` are not). */
function quotePlus (text: string): string {
  let out = ''
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b)
    out += QUOTE_SAFE.test(c) ? c : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
