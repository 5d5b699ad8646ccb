/**
 * Solr's query syntaxes as CKAN clients send them in package_search `q` and
 * `fq`: the standard (Lucene classic) parser and dismax, parsed into a small
 * AST that the SQL translator walks. Hand-written because the npm `lucene`
 * package rejects `+(a OR b)` and `NOW/DAY` and folds `+`/`-` prefixes into
 * the field name, all of which CKAN users send.
 *
 * Deliberate differences from Lucene: `/` is an ordinary term character (no
 * regular-expression queries, so `/foo/` is the term "/foo/"), escapes are
 * honoured inside range bounds, a range must spell out `TO`, and analysis is
 * left to the caller (so `a - b` yields the term "-", as Lucene's grammar
 * does before its analyzer drops it, and `""` yields an empty phrase).
 */

export type Occur = 'must' | 'should' | 'must_not'
export interface Clause { occur: Occur, node: QueryNode }
export type QueryNode =
  | { type: 'bool', clauses: Clause[], minShouldMatch?: number }
  | { type: 'all' }
  /** field null = default field; text unescaped; prefix = trailing `*`, not included in text */
  | { type: 'term', field: string | null, text: string, phrase: boolean, prefix: boolean }
  /** unescaped `*` and `?` are wildcards; a literal `*`, `?` or `\` is kept as `\*`, `\?`, `\\` */
  | { type: 'wildcard', field: string | null, pattern: string }
  | { type: 'exists', field: string }
  /** null bound = open (`*`); bounds unescaped, quotes removed */
  | { type: 'range', field: string | null, lower: string | null, upper: string | null, includeLower: boolean, includeUpper: boolean }

export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError'
}

/** Nested groups deeper than this are refused rather than risking the stack. */
const MAX_DEPTH = 100

const FIELD_NAME = /^[A-Za-z_][\w.-]*$/
const WHITESPACE = /\s/
/** Characters that end a bare term (Lucene's _TERM_CHAR complement, minus `/`, `*`, `?`). */
const TERM_STOP = new Set([...'!():^[]"{}~'])
/** Characters that cannot start a bare term; `+`, `-` and `!` are operators there. */
const TERM_START_STOP = new Set([...TERM_STOP, '+', '-'])

type Token =
  | { kind: 'word', raw: string, pos: number }
  | { kind: 'quoted', text: string, pos: number }
  | { kind: 'range', lower: RangeBound, upper: RangeBound, includeLower: boolean, includeUpper: boolean, pos: number }
  | { kind: 'bare', text: string, pos: number } // `+`, `-` or `!` followed by whitespace: a term
  | { kind: 'and' | 'or' | 'not' | 'plus' | 'minus' | 'lparen' | 'rparen' | 'colon' | 'boost' | 'slop', pos: number }

/** `quoted` keeps a quoted "*" a literal star rather than an open bound */
interface RangeBound { text: string, quoted: boolean }

function fail (message: string, pos?: number): never {
  throw new QuerySyntaxError(pos === undefined ? message : `${message} at position ${pos}`)
}

function tokenize (text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const n = text.length

  /** a `\x` escape starting at i; returns the index after it */
  const escape = (at: number): number => {
    if (at + 1 >= n) fail('backslash at end of query', at)
    return at + 2
  }

  const readQuoted = (start: number): { text: string, end: number } => {
    let out = ''
    let j = start + 1
    while (j < n && text[j] !== '"') {
      if (text[j] === '\\') {
        j = escape(j)
        out += text[j - 1]
      } else {
        out += text[j++]
      }
    }
    if (j >= n) fail('unterminated phrase', start)
    return { text: out, end: j + 1 }
  }

  const skipSpace = () => { while (i < n && WHITESPACE.test(text[i])) i++ }

  /** one bound of a range: "quoted", or anything up to whitespace, `]` or `}` */
  const readBound = (open: number): RangeBound | null => {
    skipSpace()
    if (i >= n) fail('unterminated range', open)
    if (text[i] === ']' || text[i] === '}') return null
    if (text[i] === '"') {
      const q = readQuoted(i)
      i = q.end
      return { text: q.text, quoted: true }
    }
    let out = ''
    while (i < n && !WHITESPACE.test(text[i]) && text[i] !== ']' && text[i] !== '}') {
      if (text[i] === '\\') {
        i = escape(i)
        out += text[i - 1]
      } else {
        out += text[i++]
      }
    }
    return { text: out, quoted: false }
  }

  while (i < n) {
    const c = text[i]
    const pos = i
    if (WHITESPACE.test(c)) { i++; continue }
    const next = text[i + 1]
    const nextIsSpace = next !== undefined && WHITESPACE.test(next)
    switch (c) {
      case '(': tokens.push({ kind: 'lparen', pos }); i++; continue
      case ')': tokens.push({ kind: 'rparen', pos }); i++; continue
      case ':': tokens.push({ kind: 'colon', pos }); i++; continue
      case ']': case '}': return fail(`unexpected '${c}'`, pos)
      case '+': case '-': case '!':
        if (nextIsSpace) tokens.push({ kind: 'bare', text: c, pos })
        else tokens.push({ kind: c === '+' ? 'plus' : c === '-' ? 'minus' : 'not', pos })
        i++
        continue
      case '"': {
        const q = readQuoted(i)
        tokens.push({ kind: 'quoted', text: q.text, pos })
        i = q.end
        continue
      }
      case '^': {
        // Lucene's Boost state: a number must follow immediately
        const m = /^\d+(?:\.\d+)?/.exec(text.slice(i + 1, i + 40))
        if (!m) fail('boost must be a number', pos)
        tokens.push({ kind: 'boost', pos })
        i += 1 + m[0].length
        continue
      }
      case '~': {
        // fuzziness or phrase slop: digits and term characters, ignored
        i++
        while (i < n && !WHITESPACE.test(text[i]) && !TERM_START_STOP.has(text[i]) && text[i] !== '*' && text[i] !== '?') {
          i = text[i] === '\\' ? escape(i) : i + 1
        }
        tokens.push({ kind: 'slop', pos })
        continue
      }
      case '[': case '{': {
        i++
        const lower = readBound(pos)
        if (lower === null) fail('empty range', pos)
        const to = readBound(pos)
        if (to === null || to.quoted || to.text !== 'TO') fail('missing TO in range', pos)
        const upper = readBound(pos)
        if (upper === null) fail('empty range', pos)
        skipSpace()
        if (i >= n) fail('unterminated range', pos)
        if (text[i] !== ']' && text[i] !== '}') fail('range must have exactly two bounds', pos)
        tokens.push({ kind: 'range', lower, upper, includeLower: c === '[', includeUpper: text[i] === ']', pos })
        i++
        continue
      }
    }
    // a bare term, or a keyword spelled as one
    while (i < n && !WHITESPACE.test(text[i]) && !TERM_STOP.has(text[i])) {
      i = text[i] === '\\' ? escape(i) : i + 1
    }
    const raw = text.slice(pos, i)
    if (raw === 'AND' || raw === '&&') tokens.push({ kind: 'and', pos })
    else if (raw === 'OR' || raw === '||') tokens.push({ kind: 'or', pos })
    else if (raw === 'NOT') tokens.push({ kind: 'not', pos })
    else tokens.push({ kind: 'word', raw, pos })
  }
  return tokens
}

/** builds a bool node, making a purely negative one mean "everything except" as Solr does */
function bool (clauses: Clause[], minShouldMatch?: number): QueryNode {
  const node: QueryNode = { type: 'bool', clauses }
  if (clauses.every((c) => c.occur === 'must_not')) clauses.push({ occur: 'must', node: { type: 'all' } })
  if (minShouldMatch !== undefined) node.minShouldMatch = minShouldMatch
  return node
}

/** one clause alone stands for itself, unless it is negated */
function combine (clauses: Clause[]): QueryNode {
  if (clauses.length === 1 && clauses[0].occur !== 'must_not') return clauses[0].node
  return bool(clauses)
}

function unescape (raw: string): string {
  return raw.replace(/\\(.)/gsu, '$1')
}

/** a bare term: plain, prefix (`eco*`), wildcard (`e?o*x`), exists (`field:*`) or all (`*`) */
function wordNode (raw: string, field: string | null, pos: number): QueryNode {
  if (field === '*') {
    if (raw === '*') return { type: 'all' }
    fail("field '*' is only allowed in *:*", pos)
  }
  if (raw === '*') return field === null ? { type: 'all' } : { type: 'exists', field }
  let pattern = ''
  let wildcards = 0
  let trailingStar = false
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    trailingStar = false
    if (c === '\\') {
      const e = raw[++i]
      pattern += e === '*' || e === '?' || e === '\\' ? '\\' + e : e
    } else {
      if (c === '*' || c === '?') {
        wildcards++
        trailingStar = c === '*'
      }
      pattern += c
    }
  }
  if (wildcards === 0) return { type: 'term', field, text: unescape(raw), phrase: false, prefix: false }
  if (wildcards === 1 && trailingStar) return { type: 'term', field, text: unescape(raw.slice(0, -1)), phrase: false, prefix: true }
  return { type: 'wildcard', field, pattern }
}

type Conj = 'none' | 'and' | 'or'
type Mod = 'none' | 'req' | 'not'

class Parser {
  private i = 0
  constructor (private readonly tokens: Token[], private readonly defaultAnd: boolean, private readonly textLength: number) {}

  parse (): QueryNode {
    const q = this.query(null, 0)
    const t = this.tokens[this.i]
    if (t) fail(t.kind === 'rparen' ? "unbalanced ')'" : `unexpected ${describe(t)}`, t.pos)
    return q
  }

  private peek (offset = 0): Token | undefined { return this.tokens[this.i + offset] }

  /** QueryParser.jj Query(): Modifiers Clause (Conjunction Modifiers Clause)* */
  private query (field: string | null, depth: number): QueryNode {
    const clauses: Clause[] = []
    for (let first = true; ; first = false) {
      const t = this.peek()
      if (!first && (t === undefined || t.kind === 'rparen')) break
      let conj: Conj = 'none'
      if (!first && (t?.kind === 'and' || t?.kind === 'or')) {
        conj = t.kind
        this.i++
      }
      let mod: Mod = 'none'
      const m = this.peek()
      if (m?.kind === 'plus') mod = 'req'
      else if (m?.kind === 'minus' || m?.kind === 'not') mod = 'not'
      if (mod !== 'none') this.i++
      this.addClause(clauses, conj, mod, this.clause(field, depth))
    }
    return combine(clauses)
  }

  /** QueryParserBase.addClause, verbatim in effect */
  private addClause (clauses: Clause[], conj: Conj, mod: Mod, node: QueryNode) {
    const last = clauses[clauses.length - 1]
    // AND makes the preceding clause required, unless it is prohibited
    if (last && conj === 'and' && last.occur !== 'must_not') last.occur = 'must'
    // with default AND, OR makes the preceding clause optional (a OR b is not +a b)
    if (last && this.defaultAnd && conj === 'or' && last.occur !== 'must_not') last.occur = 'should'
    const prohibited = mod === 'not'
    const required = this.defaultAnd
      ? !prohibited && conj !== 'or'
      : mod === 'req' || (conj === 'and' && !prohibited)
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', node })
  }

  /** [field ':'] ( Term | '(' Query ')' ['^' boost] ) */
  private clause (inherited: string | null, depth: number): QueryNode {
    let field = inherited
    const t = this.peek()
    if (t?.kind === 'word' && this.peek(1)?.kind === 'colon') {
      if (t.raw !== '*' && !FIELD_NAME.test(t.raw)) fail(`invalid field name '${t.raw}'`, t.pos)
      field = t.raw
      this.i += 2
      if (this.peek() === undefined) fail(`nothing after '${t.raw}:'`, t.pos)
    }
    const v = this.peek()
    if (v === undefined) fail('unexpected end of query', this.textLength)
    if (v.kind === 'lparen') {
      if (depth >= MAX_DEPTH) fail(`groups nested deeper than ${MAX_DEPTH}`, v.pos)
      this.i++
      if (this.peek()?.kind === 'rparen') fail('empty group', v.pos)
      const q = this.query(field, depth + 1)
      if (this.peek()?.kind !== 'rparen') fail("unbalanced '('", v.pos)
      this.i++
      this.suffixes(false)
      return q
    }
    return this.term(field)
  }

  private term (field: string | null): QueryNode {
    const t = this.peek()
    if (t === undefined) fail('unexpected end of query', this.textLength)
    let node: QueryNode
    switch (t.kind) {
      case 'word':
        node = wordNode(t.raw, field, t.pos)
        break
      case 'bare':
      case 'quoted':
        if (field === '*') fail("field '*' is only allowed in *:*", t.pos)
        node = { type: 'term', field, text: t.text, phrase: t.kind === 'quoted', prefix: false }
        break
      case 'range': {
        if (field === '*') fail("field '*' is only allowed in *:*", t.pos)
        const open = (b: RangeBound) => !b.quoted && b.text === '*'
        const lower = open(t.lower) ? null : t.lower.text
        const upper = open(t.upper) ? null : t.upper.text
        node = field !== null && lower === null && upper === null
          ? { type: 'exists', field }
          : { type: 'range', field, lower, upper, includeLower: t.includeLower, includeUpper: t.includeUpper }
        this.i++
        this.suffixes(false)
        return node
      }
      default:
        fail(`unexpected ${describe(t)}`, t.pos)
    }
    this.i++
    this.suffixes(true)
    return node
  }

  /** boosts and fuzziness/slop are accepted and ignored: there is no scoring to apply them to */
  private suffixes (slopAllowed: boolean) {
    const allowed = (t: Token | undefined) => t?.kind === 'boost' || (slopAllowed && t?.kind === 'slop')
    while (allowed(this.peek())) this.i++
  }
}

function describe (t: Token): string {
  switch (t.kind) {
    case 'word': return `'${t.raw}'`
    case 'quoted': return 'phrase'
    case 'bare': return `'${t.text}'`
    case 'range': return 'range'
    case 'and': return 'AND'
    case 'or': return 'OR'
    case 'not': return 'NOT'
    case 'plus': return "'+'"
    case 'minus': return "'-'"
    case 'lparen': return "'('"
    case 'rparen': return "')'"
    case 'colon': return "':'"
    case 'boost': return "'^'"
    case 'slop': return "'~'"
  }
}

/**
 * Solr standard (lucene) query parser; q.op defaults to AND because CKAN
 * always sends q.op=AND. Empty or blank input is a QuerySyntaxError: the
 * caller decides what an empty q means (CKAN makes it *:*).
 */
export function parseLucene (text: string, opts: { defaultOperator?: 'AND' | 'OR' } = {}): QueryNode {
  if (text.trim() === '') fail('empty query')
  const tokens = tokenize(text)
  return new Parser(tokens, (opts.defaultOperator ?? 'AND') === 'AND', text.length).parse()
}

/** CKAN's `mm` for dismax, "2<-1 5<80%", applied to n optional clauses */
function dismaxMinShouldMatch (n: number): number {
  if (n <= 2) return n
  if (n <= 5) return n - 1
  return Math.floor((n * 80) / 100)
}

/**
 * Solr dismax as CKAN uses it for a q without ':': whitespace-separated
 * terms and "phrases", each optionally prefixed by + (must) or - (must not).
 * Everything else, AND/OR/NOT and wildcards included, is plain text, as Solr
 * escapes it; unbalanced quotes are dropped and dangling +/- ignored, so only
 * an empty query fails. minShouldMatch follows CKAN's mm over the optional clauses.
 */
export function parseDismax (text: string): QueryNode {
  // SolrPluginUtils.stripUnbalancedQuotes: an odd number of quotes drops them all
  if (((text.match(/"/g)?.length ?? 0) % 2) === 1) text = text.replaceAll('"', '')
  const clauses: Clause[] = []
  const n = text.length
  let i = 0
  while (i < n) {
    if (WHITESPACE.test(text[i])) { i++; continue }
    let occur: Occur = 'should'
    if (text[i] === '+' || text[i] === '-') occur = text[i] === '+' ? 'must' : 'must_not'
    while (i < n && (text[i] === '+' || text[i] === '-')) i++
    let node: QueryNode | undefined
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1)
      const phrase = text.slice(i + 1, end)
      i = end + 1
      if (phrase.trim() !== '') node = { type: 'term', field: null, text: phrase, phrase: true, prefix: false }
    } else {
      const start = i
      while (i < n && !WHITESPACE.test(text[i]) && text[i] !== '"') i++
      if (i > start) node = { type: 'term', field: null, text: text.slice(start, i), phrase: false, prefix: false }
    }
    if (node) clauses.push({ occur, node })
  }
  if (clauses.length === 0) fail('empty query')
  if (clauses.length === 1 && clauses[0].occur !== 'must_not') return clauses[0].node
  const optional = clauses.filter((c) => c.occur === 'should').length
  return bool(clauses, optional > 0 ? dismaxMinShouldMatch(optional) : undefined)
}

/** ckan/lib/search/query.py: `if ':' not in query['q']` → defType dismax */
export function usesDismax (q: string): boolean {
  return !q.includes(':')
}
