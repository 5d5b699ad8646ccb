import t from 'tap'
import { parseDismax, parseLucene, QuerySyntaxError, usesDismax, type Clause, type QueryNode } from '../../src/search/lucene.js'

const term = (text: string, field: string | null = null): QueryNode => ({ type: 'term', field, text, phrase: false, prefix: false })
const phrase = (text: string, field: string | null = null): QueryNode => ({ type: 'term', field, text, phrase: true, prefix: false })
const prefix = (text: string, field: string | null = null): QueryNode => ({ type: 'term', field, text, phrase: false, prefix: true })
const wildcard = (pattern: string, field: string | null = null): QueryNode => ({ type: 'wildcard', field, pattern })
const exists = (field: string): QueryNode => ({ type: 'exists', field })
const range = (field: string | null, lower: string | null, upper: string | null, includeLower = true, includeUpper = true): QueryNode =>
  ({ type: 'range', field, lower, upper, includeLower, includeUpper })
const ALL: QueryNode = { type: 'all' }
const must = (node: QueryNode): Clause => ({ occur: 'must', node })
const should = (node: QueryNode): Clause => ({ occur: 'should', node })
const not = (node: QueryNode): Clause => ({ occur: 'must_not', node })
const bool = (...clauses: Clause[]): QueryNode => ({ type: 'bool', clauses })
/** a purely negative bool, as Solr runs it: everything except */
const except = (...clauses: Clause[]): QueryNode => bool(...clauses, must(ALL))

const CASES: Array<[string, QueryNode]> = [
  // single terms and the special forms
  ['water', term('water')],
  ['  water  ', term('water')],
  ['*:*', ALL],
  ['*', ALL],
  ['tags:*', exists('tags')],
  ['tags:[* TO *]', exists('tags')],
  ['tags:{* TO *}', exists('tags')],
  ['tags:eco*', prefix('eco', 'tags')],
  ['foo*bar', wildcard('foo*bar')],
  ['f?o', wildcard('f?o')],
  ['*foo', wildcard('*foo')],
  ['fo*o*', wildcard('fo*o*')],
  ['foo\\*', term('foo*')],
  ['foo\\**', prefix('foo*')],
  ['f\\?o*x', wildcard('f\\?o*x')],
  ['a\\\\b*c', wildcard('a\\\\b*c')],
  ['a\\:b\\(c*d', wildcard('a:b(c*d')],
  ['name:x\\:y', term('x:y', 'name')],
  ['name:x\\ y', term('x y', 'name')],
  ['\\(a\\)', term('(a)')],
  ['"a \\"b\\" c"', phrase('a "b" c')],
  ['title:"ฝุ่น ละออง"', phrase('ฝุ่น ละออง', 'title')],
  ['"ฝุ่น ละออง"', phrase('ฝุ่น ละออง')],
  ['tags:ท่องเที่ยว', term('ท่องเที่ยว', 'tags')],
  ['ท่อง*', prefix('ท่อง')],
  ['extras_foo.bar-baz:1', term('1', 'extras_foo.bar-baz')],
  ['a-b+c', term('a-b+c')],
  ['a/b', term('a/b')],
  ['/regex/', term('/regex/')],
  ['ANDROID', term('ANDROID')],
  ['\\AND', term('AND')],
  ['a&&b', term('a&&b')],
  // boosts and fuzziness are parsed and ignored
  ['foo^2', term('foo')],
  ['foo~', term('foo')],
  ['foo~2^1.5', term('foo')],
  ['"a b"~3', phrase('a b')],
  ['(a b)^2', bool(must(term('a')), must(term('b')))],
  ['x:[1 TO 2]^3', range('x', '1', '2')],
  // ranges
  ['num_resources:[2 TO *]', range('num_resources', '2', null)],
  ['num_resources:{* TO 5]', range('num_resources', null, '5', false, true)],
  ['num_resources:[1 TO 5}', range('num_resources', '1', '5', true, false)],
  ['metadata_modified:[NOW-1YEAR TO NOW]', range('metadata_modified', 'NOW-1YEAR', 'NOW')],
  ['metadata_created:[2020-01-01T00:00:00Z TO NOW/DAY+1DAY}', range('metadata_created', '2020-01-01T00:00:00Z', 'NOW/DAY+1DAY', true, false)],
  ['title_string:["a b" TO "*"]', range('title_string', 'a b', '*')],
  ['[a\\]b TO c]', range(null, 'a]b', 'c')],
  ['x:[  a   TO   b  ]', range('x', 'a', 'b')],
  // boolean combination: QueryParserBase.addClause with q.op=AND
  ['a b', bool(must(term('a')), must(term('b')))],
  ['a OR b', bool(should(term('a')), should(term('b')))],
  ['a || b', bool(should(term('a')), should(term('b')))],
  ['a OR b c', bool(should(term('a')), should(term('b')), must(term('c')))],
  ['a AND b OR c', bool(must(term('a')), should(term('b')), should(term('c')))],
  ['a OR b AND c', bool(should(term('a')), must(term('b')), must(term('c')))],
  ['a && b', bool(must(term('a')), must(term('b')))],
  ['-a OR b', bool(not(term('a')), should(term('b')))],
  ['NOT a', except(not(term('a')))],
  ['!a', except(not(term('a')))],
  ['-a -b', except(not(term('a')), not(term('b')))],
  ['a AND NOT b', bool(must(term('a')), not(term('b')))],
  ['a NOT b', bool(must(term('a')), not(term('b')))],
  ['a !b', bool(must(term('a')), not(term('b')))],
  ['+a', term('a')],
  ['+a b', bool(must(term('a')), must(term('b')))],
  ['a - b', bool(must(term('a')), must(term('-')), must(term('b')))],
  ['+(a OR b)', bool(should(term('a')), should(term('b')))],
  ['+(a OR b) c', bool(must(bool(should(term('a')), should(term('b')))), must(term('c')))],
  ['-organization:(x OR y)', except(not(bool(should(term('x', 'organization')), should(term('y', 'organization')))))],
  ['((a))', term('a')],
  ['-(a)', except(not(term('a')))],
  ['a (-b)', bool(must(term('a')), must(except(not(term('b')))))],
  // field groups: the field applies to every term without its own
  ['title:(roads bridges)', bool(must(term('roads', 'title')), must(term('bridges', 'title')))],
  ['title:(roads OR name:x OR "a b" OR br* OR [a TO b])', bool(
    should(term('roads', 'title')), should(term('x', 'name')), should(phrase('a b', 'title')), should(prefix('br', 'title')), should(range('title', 'a', 'b'))
  )],
  ['title:(a (b c))', bool(must(term('a', 'title')), must(bool(must(term('b', 'title')), must(term('c', 'title')))))],
  // CKAN-typical fq strings
  ['+organization:exat +groups:logistic', bool(must(term('exat', 'organization')), must(term('logistic', 'groups')))],
  ['capacity:public +state:(active OR draft)', bool(
    must(term('public', 'capacity')), must(bool(should(term('active', 'state')), should(term('draft', 'state'))))
  )],
  ['res_format:"CSV" AND -tags:old', bool(must(phrase('CSV', 'res_format')), not(term('old', 'tags')))],
  ['+dataset_type:dataset +site_id:"default" +capacity:public', bool(
    must(term('dataset', 'dataset_type')), must(phrase('default', 'site_id')), must(term('public', 'capacity'))
  )],
  ['tags:"ท่องเที่ยว" OR tags:ฝุ่น', bool(should(phrase('ท่องเที่ยว', 'tags')), should(term('ฝุ่น', 'tags')))],
  ['name:""', phrase('', 'name')]
]

t.test('parseLucene: input → AST', async (t) => {
  for (const [input, expected] of CASES) t.strictSame(parseLucene(input), expected, input)
})

t.test('parseLucene with q.op=OR', async (t) => {
  const OR = { defaultOperator: 'OR' } as const
  t.strictSame(parseLucene('a b', OR), bool(should(term('a')), should(term('b'))))
  t.strictSame(parseLucene('a OR b c', OR), bool(should(term('a')), should(term('b')), should(term('c'))))
  t.strictSame(parseLucene('a AND b c', OR), bool(must(term('a')), must(term('b')), should(term('c'))))
  t.strictSame(parseLucene('+a b -c', OR), bool(must(term('a')), should(term('b')), not(term('c'))))
  t.strictSame(parseLucene('a AND NOT b', OR), bool(must(term('a')), not(term('b'))))
})

t.test('parseLucene: syntax errors', async (t) => {
  const ERRORS = [
    '', '   ', '"unterminated', 'name:"unterminated', '(a', 'a)', '(a b', '((a)', 'a))', '()', 'foo:', 'foo: ', 'a:b:c', ':a',
    'a AND', 'a OR', 'AND a', 'OR', 'NOT', 'a NOT', '+', '-a +', 'a -', '--a', '+-a', 'NOT NOT a',
    '[a TO]', '[a TO ]', '[TO b]', '[a b]', '[a TO b', '[a TO b c]', 'x:[a TO', '[', ']', '{', '}', 'a]',
    'foo^', 'foo^x', 'foo^ 2', '^2', '~', 'a\\', '*:foo', '*:[a TO b]', '*:"a"', '1x:foo', 'ท:foo', 'a*:b', '"a":b',
    'name:AND', 'x:(', 'x:()', 'a ( b'
  ]
  for (const input of ERRORS) t.throws(() => parseLucene(input), QuerySyntaxError, JSON.stringify(input))
  t.throws(() => parseLucene(''), { message: 'empty query' })
})

t.test('deep nesting is refused, not a stack overflow', async (t) => {
  t.throws(() => parseLucene('('.repeat(10_000) + 'a' + ')'.repeat(10_000)), QuerySyntaxError)
  t.throws(() => parseLucene('-('.repeat(10_000) + 'a' + ')'.repeat(10_000)), QuerySyntaxError)
  t.strictSame(parseLucene('('.repeat(100) + 'a' + ')'.repeat(100)), term('a'))
  t.throws(() => parseLucene('('.repeat(101) + 'a' + ')'.repeat(101)), QuerySyntaxError)
  // long flat queries are iterative
  const long = parseLucene(Array.from({ length: 20_000 }, (_, i) => `t${i}`).join(' OR '))
  t.equal(long.type === 'bool' && long.clauses.length, 20_000)
})

t.test('parseDismax', async (t) => {
  t.strictSame(parseDismax('water'), term('water'))
  t.strictSame(parseDismax('+water'), term('water'))
  t.strictSame(parseDismax('-water'), except(not(term('water'))))
  t.strictSame(parseDismax('"air quality"'), phrase('air quality'))
  t.strictSame(parseDismax('a b'), { type: 'bool', clauses: [should(term('a')), should(term('b'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('a b c'), { type: 'bool', clauses: [should(term('a')), should(term('b')), should(term('c'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('+a b -"c d"'), { type: 'bool', clauses: [must(term('a')), should(term('b')), not(phrase('c d'))], minShouldMatch: 1 })
  t.strictSame(parseDismax('+a -b'), bool(must(term('a')), not(term('b'))))
  t.strictSame(parseDismax('-a -b'), except(not(term('a')), not(term('b'))))
  // Solr escapes everything but + - and quotes: operators, wildcards and parens are text
  t.strictSame(parseDismax('a AND (b*)'), { type: 'bool', clauses: [should(term('a')), should(term('AND')), should(term('(b*)'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('NOT a'), { type: 'bool', clauses: [should(term('NOT')), should(term('a'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('*'), term('*'))
  // an unbalanced quote drops them all; dangling operators are ignored
  t.strictSame(parseDismax('"air quality'), { type: 'bool', clauses: [should(term('air')), should(term('quality'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('a - b +'), { type: 'bool', clauses: [should(term('a')), should(term('b'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('foo"bar baz"'), { type: 'bool', clauses: [should(term('foo')), should(phrase('bar baz'))], minShouldMatch: 2 })
  t.strictSame(parseDismax('ฝุ่น "ท่อง เที่ยว"'), { type: 'bool', clauses: [should(term('ฝุ่น')), should(phrase('ท่อง เที่ยว'))], minShouldMatch: 2 })
  for (const q of ['', '  ', '+', '- +', '""', '" "']) t.throws(() => parseDismax(q), QuerySyntaxError, JSON.stringify(q))
})

t.test('dismax mm "2<-1 5<80%" over the optional clauses', async (t) => {
  const EXPECTED: Record<number, number> = { 2: 2, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 10: 8, 11: 8 }
  for (const [n, mm] of Object.entries(EXPECTED)) {
    const words = Array.from({ length: Number(n) }, (_, i) => `w${i}`)
    const node = parseDismax(['+required', ...words, '-excluded'].join(' '))
    t.equal(node.type === 'bool' && node.minShouldMatch, mm, `${n} optional clauses`)
  }
})

t.test('usesDismax follows CKAN: no colon anywhere', async (t) => {
  t.equal(usesDismax('air quality'), true)
  t.equal(usesDismax('ฝุ่น'), true)
  t.equal(usesDismax('tags:air'), false)
  t.equal(usesDismax('"a:b"'), false)
  t.equal(usesDismax('*:*'), false)
})

t.test('fuzz: a node or a QuerySyntaxError, never anything else', async (t) => {
  const ALPHABET = [
    ...'+-!():^[]"{}~*?\\/:&|', ' ', ' ', ' ', '\t', '\u3000',
    'AND', 'OR', 'NOT', 'TO', '&&', '||', '*:*', 'NOW/DAY', 'title:', 'x',
    ...'abcXYZ019._', 'ท่อง', 'เที่ยว', 'ฝุ่น', '\ud83d\ude00', '\ud800'
  ]
  // a fixed-seed LCG keeps failures reproducible
  let seed = 20261127
  const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n }
  let parsed = 0
  for (let i = 0; i < 5000; i++) {
    const input = Array.from({ length: 1 + rand(24) }, () => ALPHABET[rand(ALPHABET.length)]).join('')
    for (const parse of [(q: string) => parseLucene(q), (q: string) => parseLucene(q, { defaultOperator: 'OR' }), parseDismax]) {
      try {
        const node = parse(input)
        if (typeof node?.type !== 'string') t.fail(`no node for ${JSON.stringify(input)}`)
        parsed++
      } catch (err) {
        if (!(err instanceof QuerySyntaxError)) t.fail(`${JSON.stringify(input)} threw ${String(err)}`)
      }
    }
  }
  t.ok(parsed > 5000, `${parsed} of 15000 parsed`)
})
