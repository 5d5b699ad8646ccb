/**
 * A parsed Solr query (lucene.ts) compiled into a condition over one
 * search_index row, aliased `si`. Every value is a bound parameter; field
 * names only ever choose between fixed SQL fragments or travel as parameters
 * themselves (a JSON key), so nothing a client sends is spliced into SQL.
 *
 * What a field means follows CKAN's Solr schema (ckan/config/solr/schema.xml):
 * - text fields (the default field, `text`, title, notes, author, maintainer,
 *   res_name, res_description, extras_*) are analysed: segmented, stemmed,
 *   matched as phrases; Thai terms also match as substrings, which is what
 *   data.go.th's search does (Thai GDC turns every term into `*term*`) and
 *   which finds words inside compounds the segmenter keeps whole;
 * - dates and counts compare as such, with Solr date math;
 * - everything else is an exact, case-sensitive string, as Solr's `string`
 *   fields (the catch-all dynamic field `*` included) are.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import { parseSolrDate } from './date-math.js'
import { QuerySyntaxError, type QueryNode } from './lucene.js'
import { TEXT_FIELDS } from './index-document.js'
import { TS_CONFIG, hasThai, segment } from './analyzer.js'
import { containsPattern, escapeLike, prefixPattern } from '../catalog/like.js'

type Cond = RawBuilder<SqlBool>

export interface Compiled {
  where: Cond
  /** text queries that count towards the score (not under a NOT) */
  scored: ScoredTerm[]
  /** the condition reads search_text (aliased `st`: exact field values and the smaller text fields), which must then be joined */
  usesText: boolean
}

interface Ctx { now: Date, scored: ScoredTerm[], usesText: boolean }

/** A column of search_text, noting that the query needs the join. */
function st (ctx: Ctx, column: 'fields' | 'texts'): RawBuilder<unknown> {
  ctx.usesText = true
  return sql.ref(`st.${column}`)
}

export interface ScoredTerm {
  tsquery: RawBuilder<unknown>
  /** Thai substring, lower-cased, when the term has one */
  substring: string | null
}

const CONFIG = sql.lit(TS_CONFIG)
const FTS = sql.ref('si.fts')
const BODY = sql.ref('si.body')
const TRUE: Cond = sql<SqlBool>`true`
const FALSE: Cond = sql<SqlBool>`false`

/** fields with a search_index column of the same name, compared as dates and as integers */
const DATE_FIELDS = new Set(['metadata_created', 'metadata_modified'])
const INT_FIELDS = new Set(['num_resources', 'num_tags'])

/** A Solr wildcard pattern (`*`, `?`, with `\*`, `\?`, `\\` literal) as a LIKE pattern. */
function wildcardToLike (pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\' && i + 1 < pattern.length) out += escapeLike(pattern[++i])
    else if (c === '*') out += '%'
    else if (c === '?') out += '_'
    else out += escapeLike(c)
  }
  return out
}

export interface CompileOptions {
  now: Date
  /** collect text terms for ranking (q does; fq filters only, as in Solr) */
  score: boolean
}

export function compileQuery (node: QueryNode, o: CompileOptions): Compiled {
  const ctx: Ctx = { now: o.now, scored: [], usesText: false }
  const where = walk(node, o.score, ctx)
  return { where: where ?? TRUE, scored: ctx.scored, usesText: ctx.usesText }
}

/** null: the node analysed to nothing (a term of punctuation only), and Solr drops such clauses. */
function walk (node: QueryNode, scoring: boolean, ctx: Ctx): Cond | null {
  switch (node.type) {
    case 'all':
      return TRUE
    case 'bool':
      return boolean(node, scoring, ctx)
    case 'term':
      return term(node.field, node.text, node.phrase, node.prefix, scoring, ctx)
    case 'wildcard':
      return wildcard(node.field, node.pattern, ctx)
    case 'exists':
      return exists(node.field, ctx)
    case 'range':
      return range(node.field, node.lower, node.upper, node.includeLower, node.includeUpper, ctx)
  }
}

function boolean (node: Extract<QueryNode, { type: 'bool' }>, scoring: boolean, ctx: Ctx): Cond | null {
  const must: Cond[] = []
  const should: Cond[] = []
  const mustNot: Cond[] = []
  let droppedShould = 0
  for (const c of node.clauses) {
    const cond = walk(c.node, scoring && c.occur !== 'must_not', ctx)
    if (cond === null) {
      if (c.occur === 'should') droppedShould++
      continue
    }
    if (c.occur === 'must') must.push(cond)
    else if (c.occur === 'should') should.push(cond)
    else mustNot.push(sql<SqlBool>`NOT coalesce(${cond}, false)`)
  }
  const parts = [...must, ...mustNot]
  if (should.length) {
    const any = should.length === 1 ? should[0] : sql<SqlBool>`(${sql.join(should, sql` OR `)})`
    // a clause that analysed to nothing no longer counts towards dismax's mm
    const mm = node.minShouldMatch === undefined ? undefined : Math.max(1, node.minShouldMatch - droppedShould)
    if (mm !== undefined && mm >= should.length) {
      // every word of a short free-text query is required: a plain AND, which
      // PostgreSQL answers by intersecting its index scans
      parts.push(...should)
    } else if (mm !== undefined && mm === should.length - 1 && should.length <= 5) {
      // all but one of three to five words: the OR of each way to leave one
      // out, still answerable from the indexes
      const combos = should.map((_, skip) => sql<SqlBool>`(${sql.join(should.filter((__, i) => i !== skip), sql` AND `)})`)
      parts.push(sql<SqlBool>`(${sql.join(combos, sql` OR `)})`)
    } else if (mm !== undefined && mm > 1) {
      // the OR lets PostgreSQL narrow the rows with its indexes before counting
      const count = sql.join(should.map((s) => sql`coalesce(${s}, false)::int`), sql` + `)
      parts.push(any, sql<SqlBool>`(${count}) >= ${mm}`)
    } else if (must.length === 0 || (mm ?? 0) > 0) {
      // Lucene: without a required clause, at least one optional clause must match
      parts.push(any)
    }
  }
  if (parts.length === 0) return null
  return parts.length === 1 ? parts[0] : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`
}

const isTextField = (field: string | null) => field === null || TEXT_FIELDS.has(field) || field.startsWith('extras_')

/**
 * The tsquery of an analysed term. A quoted phrase keeps its words in order;
 * an unquoted term needs all its words anywhere, because the words of an
 * unspaced Thai query (รายได้ครัวเรือน) need not be adjacent in a title
 * (รายได้และรายจ่ายของครัวเรือน); ranking by cover density still puts adjacent
 * words first. A trailing `*` makes the last word a prefix.
 */
function tsquery (words: string[], phrase: boolean, prefix: boolean): RawBuilder<unknown> {
  const all = phrase ? 'phraseto_tsquery' : 'plainto_tsquery'
  if (!prefix) return sql`${sql.raw(all)}(${CONFIG}::regconfig, ${words.join(' ')})`
  // a prefix is matched unstemmed, as Solr does not analyse wildcard terms
  const last = sql`${`'${words[words.length - 1].replaceAll("'", "''")}':*`}::tsquery`
  if (words.length === 1) return last
  const head = sql`${sql.raw(all)}(${CONFIG}::regconfig, ${words.slice(0, -1).join(' ')})`
  return phrase ? sql`tsquery_phrase(${head}, ${last})` : sql`(${head} && ${last})`
}

/** tsvector weights of the text fields that have one (index-document.ts) */
const WEIGHTS: Record<string, string> = { title: '{a}', notes: '{c}' }

function term (field: string | null, text: string, phrase: boolean, prefix: boolean, scoring: boolean, ctx: Ctx): Cond | null {
  if (field !== null && DATE_FIELDS.has(field)) {
    if (prefix) throw new QuerySyntaxError(`Invalid Date String: '${text}*'`)
    return sql<SqlBool>`${sql.ref('si.' + field)} = ${parseSolrDate(text, ctx.now)}`
  }
  if (field !== null && INT_FIELDS.has(field)) return sql<SqlBool>`${sql.ref('si.' + field)} = ${integer(text)}`
  if (!isTextField(field)) return exact(field!, text, prefix, ctx)
  const words = segment(text)
  if (words === '') return null
  const q = tsquery(words.split(' '), phrase, prefix)
  const substring = hasThai(text) ? text.toLowerCase().trim() : null
  if (scoring) ctx.scored.push({ tsquery: q, substring })
  const like = substring === null ? null : containsPattern(substring)
  const anywhere = sql<SqlBool>`${FTS} @@ ${q}`
  // the substring first: a trigram match is rechecked row by row, and a row
  // whose short body holds the word then never reads its out-of-line fts
  if (field === null || field === 'text') return like === null ? anywhere : sql<SqlBool>`(${BODY} LIKE ${like} OR ${anywhere})`
  // field-restricted: the whole-document index narrows, the field's own words decide
  const own = field in WEIGHTS
    ? sql<SqlBool>`(${anywhere} AND ts_filter(${FTS}, ${WEIGHTS[field]}) @@ ${q})`
    : sql<SqlBool>`(${anywhere} AND to_tsvector(${CONFIG}::regconfig, coalesce(${st(ctx, 'texts')} ->> ${field}, '')) @@ ${q})`
  if (like === null) return own
  const substringIn = field === 'title'
    ? sql<SqlBool>`si.title_string LIKE ${like}`
    : field === 'notes'
      ? notesLike(like)
      : sql<SqlBool>`replace(${st(ctx, 'texts')} ->> ${field}, ' ', '') LIKE ${containsPattern(substring!.replace(/\s+/g, ''))}`
  return sql<SqlBool>`(${own} OR ${substringIn})`
}

/**
 * A substring of the description. The substring net leaves descriptions out
 * (migrations/20261127T180000-search-narrow.ts), so this reads the datasets'
 * notes: only `notes:` queries with Thai or wildcards come here.
 */
const notesLike = (like: string): Cond => sql<SqlBool>`EXISTS (SELECT 1 FROM packages p WHERE p.id = si.package_id AND lower(p.notes) LIKE ${like})`

function integer (text: string): number {
  if (!/^[+-]?\d{1,9}$/.test(text.trim())) throw new QuerySyntaxError(`Invalid Number: ${text}`)
  return Number(text)
}

/** Solr string fields: exact and case-sensitive; the columns that have an index of their own use it. */
function exact (field: string, value: string, prefix: boolean, ctx: Ctx): Cond {
  if (prefix) {
    return sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements_text(${st(ctx, 'fields')} -> ${field}) v WHERE v LIKE ${prefixPattern(value)})`
  }
  switch (field) {
    case 'organization':
      return sql<SqlBool>`si.organization = ${value}`
    case 'capacity':
      return value === 'public' ? sql<SqlBool>`NOT si.private` : value === 'private' ? sql<SqlBool>`si.private` : FALSE
    case 'state':
      return sql<SqlBool>`si.state = ${value}`
    default:
      return sql<SqlBool>`${st(ctx, 'fields')} @> ${JSON.stringify({ [field]: [value] })}::jsonb`
  }
}

function wildcard (field: string | null, pattern: string, ctx: Ctx): Cond {
  const like = wildcardToLike(pattern)
  if (isTextField(field)) {
    // Solr matches wildcards against single indexed words; the substring net is the closest here
    const contains = `%${like.toLowerCase()}%`
    if (field === 'notes') return notesLike(contains)
    const column = field === null || field === 'text'
      ? BODY
      : field === 'title' ? sql`si.title_string` : sql`lower(${st(ctx, 'texts')} ->> ${field})`
    return sql<SqlBool>`${column} LIKE ${contains}`
  }
  return sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements_text(${st(ctx, 'fields')} -> ${field}) v WHERE v LIKE ${like})`
}

function exists (field: string, ctx: Ctx): Cond {
  if (DATE_FIELDS.has(field) || INT_FIELDS.has(field) || ['capacity', 'state', 'text', 'title'].includes(field)) return TRUE
  if (field === 'notes') return sql<SqlBool>`length(ts_filter(${FTS}, '{c}')) > 0`
  if (isTextField(field)) return sql<SqlBool>`${st(ctx, 'texts')} ? ${field}`
  return sql<SqlBool>`${st(ctx, 'fields')} ? ${field}`
}

function range (field: string | null, lower: string | null, upper: string | null, incLower: boolean, incUpper: boolean, ctx: Ctx): Cond {
  const now = ctx.now
  if (field === null) throw new QuerySyntaxError('a range needs a field')
  const gt = incLower ? sql`>=` : sql`>`
  const lt = incUpper ? sql`<=` : sql`<`
  const bounds = (column: RawBuilder<unknown>, lo: unknown, hi: unknown): Cond => {
    const parts: Cond[] = []
    if (lo !== null) parts.push(sql<SqlBool>`${column} ${gt} ${lo}`)
    if (hi !== null) parts.push(sql<SqlBool>`${column} ${lt} ${hi}`)
    return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` AND `)})` : TRUE
  }
  if (DATE_FIELDS.has(field)) {
    const date = (s: string | null) => s === null ? null : parseSolrDate(s, now)
    return bounds(sql.ref('si.' + field), date(lower), date(upper))
  }
  if (INT_FIELDS.has(field)) {
    return bounds(sql.ref('si.' + field), lower === null ? null : integer(lower), upper === null ? null : integer(upper))
  }
  // string order, as Solr compares string fields (by code point: COLLATE "C")
  if (field === 'title') return bounds(sql`si.title COLLATE "C"`, lower, upper)
  const inner = bounds(sql`v COLLATE "C"`, lower, upper)
  const source = isTextField(field) ? sql`jsonb_build_array(${st(ctx, 'texts')} -> ${field})` : sql`${st(ctx, 'fields')} -> ${field}`
  return sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements_text(${source}) v WHERE ${inner})`
}
