import t from 'tap'
import { AuthorizationError, type CkanError, ValidationError } from '../../src/ckan/errors.js'
import { checkSearchSql, MAX_SQL_LENGTH } from '../../src/datastore/sql-guard.js'

const SCHEMA = 'datastore'
const check = (sql: string) => checkSearchSql(sql, SCHEMA)
const refusal = (sql: string, schema = SCHEMA) => checkSearchSql(sql, schema).then(() => undefined, (err: unknown) => err)

/** a statement and the tables it reads, in the order of the text */
const ACCEPTED: Array<[string, string[]]> = [
  ['SELECT * FROM t', ['t']],
  ['SELECT 1', []],
  ['SELECT 1;', []],
  // date_part, as PostgreSQL before 14 made of it
  ['SELECT EXTRACT(year FROM d) FROM t', ['t']],
  ['  SELECT a FROM t ;  ', ['t']],
  ['TABLE t', ['t']],
  ['VALUES (1), (2)', []],
  ['SELECT * FROM MyTable', ['mytable']],
  ['SELECT * FROM "MyTable"', ['MyTable']],
  ['SELECT * FROM datastore.t', ['t']],
  ['SELECT * FROM "datastore"."5f3c8a2e-1b4d-4c6e-9f0a-123456789abc"', ['5f3c8a2e-1b4d-4c6e-9f0a-123456789abc']],
  ['SELECT * FROM "5f3c8a2e-1b4d-4c6e-9f0a-123456789abc" LIMIT 5', ['5f3c8a2e-1b4d-4c6e-9f0a-123456789abc']],
  // Thai: quoted and unquoted identifiers, string literals
  ['SELECT "จังหวัด", count(*) FROM "ข้อมูลประชากร" WHERE "จังหวัด" = \'กรุงเทพมหานคร\' GROUP BY 1', ['ข้อมูลประชากร']],
  ['SELECT จังหวัด FROM ประชากร WHERE เขต LIKE \'%บาง%\'', ['ประชากร']],
  ["SELECT ';' AS semi, 'pg_sleep(1)' AS text, $$DELETE FROM x$$ FROM t", ['t']],
  ['SELECT 1 -- pg_sleep(1); DELETE FROM x', []],
  // joins, subqueries, set operations
  ['SELECT a.x, b.y FROM t1 a JOIN t2 b ON a.id = b.id LEFT JOIN t3 USING (id) CROSS JOIN t1', ['t1', 't2', 't3']],
  ['SELECT * FROM t WHERE id IN (SELECT id FROM u) AND EXISTS (SELECT 1 FROM v WHERE v.id = t.id)', ['t', 'u', 'v']],
  ['SELECT (SELECT max(x) FROM u) FROM (SELECT * FROM t) s ORDER BY (SELECT 1 FROM w)', ['u', 't', 'w']],
  ['SELECT a FROM t UNION ALL SELECT a FROM u EXCEPT (SELECT a FROM v INTERSECT SELECT a FROM w)', ['t', 'u', 'v', 'w']],
  ['SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.id = t.id) l', ['t', 'u']],
  ['SELECT * FROM t, LATERAL unnest(t.tags) AS tag', ['t']],
  ['SELECT * FROM generate_series(1, 10) g', []],
  ['SELECT * FROM ROWS FROM (generate_series(1, 2), unnest(ARRAY[1])) r', []],
  ['SELECT * FROM t TABLESAMPLE SYSTEM (10)', ['t']],
  // WITH: names in scope are not tables, the same name out of scope is
  ['WITH x AS (SELECT * FROM t) SELECT * FROM x', ['t']],
  ['WITH x AS (SELECT * FROM t), y AS (SELECT * FROM x) SELECT * FROM y JOIN x ON true', ['t']],
  ['WITH y AS (SELECT * FROM x), x AS (SELECT 1) SELECT * FROM y', ['x']],
  ['WITH t AS (SELECT * FROM t) SELECT * FROM t', ['t']],
  ['WITH x AS (SELECT 1) SELECT * FROM x, datastore.x', ['x']],
  ['SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) s, x', ['x']],
  ['(WITH x AS (SELECT 1) SELECT * FROM x) UNION SELECT * FROM x', ['x']],
  ['WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r', []],
  // aggregates, windows, expressions
  ["SELECT a, count(*), sum(b), avg(b), string_agg(c, ',' ORDER BY c), array_agg(d) FILTER (WHERE d > 0) FROM t GROUP BY a HAVING count(*) > 1", ['t']],
  ['SELECT row_number() OVER (PARTITION BY a ORDER BY b), rank() OVER w, lag(b) OVER w FROM t WINDOW w AS (ORDER BY c)', ['t']],
  ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t', ['t']],
  ["SELECT CASE WHEN a > 0 THEN upper(b) ELSE lower(b) END, coalesce(c, 0), nullif(d, ''), greatest(1, 2) FROM t", ['t']],
  ["SELECT '1'::int, CAST(a AS text), a::numeric(10, 2), date '2024-01-01', now(), current_date FROM t", ['t']],
  ["SELECT trim(both ' ' FROM a), substring(a FROM 1 FOR 2), date_trunc('month', d) FROM t", ['t']],
  ['SELECT pg_catalog.count(*), "count"(*) FROM t', ['t']],
  ["SELECT to_tsvector('english', a) @@ plainto_tsquery('english', 'water') FROM t", ['t']],
  ["SELECT a->>'x', b #> '{a,b}' FROM t WHERE a ? 'x'", ['t']],
  // nested far deeper than the main thread's stack allows the parser
  ['SELECT ' + Array(9990).fill('a').join('+') + ' FROM t', ['t']]
]

type Expected = [typeof AuthorizationError | typeof ValidationError, Record<string, unknown>]
const fn = (name: string): Expected => [AuthorizationError, { message: `Access denied: Not authorized to call function ${name}` }]
const denied = (detail: string): Expected => [AuthorizationError, { message: `Access denied: ${detail}` }]
const invalid = (field: string, message: string): Expected => [ValidationError, { [field]: [message] }]
const SYSTEM = denied('Not authorized to access system tables')
const OTHER_SCHEMA = denied('Not authorized to read resource.')
const NOT_SELECT = invalid('query', 'Only a single SELECT statement is allowed.')
const NOT_SINGLE = invalid('query', 'Query is not a single statement.')

const REFUSED: Array<[string, Expected]> = [
  // functions outside the allow-list, however spelled
  ['SELECT "pg_sleep"(10)', fn('pg_sleep')],
  ['SELECT pg_sleep(1)', fn('pg_sleep')],
  ['SELECT PG_SLEEP(1)', fn('pg_sleep')],
  ['SELECT "PG_SLEEP"(1)', fn('PG_SLEEP')],
  ['SELECT pg_catalog.pg_sleep(1)', fn('pg_sleep')],
  ['SELECT "pg_catalog"."pg_sleep"(1)', fn('pg_sleep')],
  ['SELECT "COUNT"(*) FROM t', fn('COUNT')],
  ['SELECT public.count(a) FROM t', fn('public.count')],
  ['SELECT db.pg_catalog.count(a) FROM t', fn('db.pg_catalog.count')],
  ["SELECT \"query_to_xml\"('select 1', true, true, '')", fn('query_to_xml')],
  ["SELECT query_to_xml('select * from pg_authid', true, true, '')", fn('query_to_xml')],
  ["SELECT current_setting('x')", fn('current_setting')],
  ["SELECT lo_import('/etc/passwd')", fn('lo_import')],
  ["SELECT * FROM dblink('host=example.org', 'select 1') AS r(a int)", fn('dblink')],
  ["SELECT set_config('search_path', 'public', false)", fn('set_config')],
  ['SELECT version()', fn('version')],
  // ... wherever the call sits
  ['SELECT * FROM t WHERE a IN (SELECT pg_sleep(1))', fn('pg_sleep')],
  ['WITH x AS (SELECT pg_sleep(1)) SELECT * FROM t', fn('pg_sleep')],
  ['WITH RECURSIVE x AS (SELECT 1 UNION SELECT pg_sleep(1) FROM x) SELECT 1', fn('pg_sleep')],
  ['SELECT * FROM t ORDER BY pg_sleep(1)', fn('pg_sleep')],
  ['SELECT a FROM t GROUP BY a HAVING count(pg_sleep(1)) > 0', fn('pg_sleep')],
  ["SELECT * FROM pg_ls_dir('.')", fn('pg_ls_dir')],
  ['SELECT * FROM ROWS FROM (generate_series(1, 2), pg_sleep(1))', fn('pg_sleep')],
  ['SELECT * FROM t, LATERAL (SELECT version()) v', fn('version')],
  ['SELECT * FROM t, LATERAL pg_sleep(1)', fn('pg_sleep')],
  ['SELECT sum(a) OVER (ORDER BY pg_backend_pid()) FROM t', fn('pg_backend_pid')],
  ['SELECT sum(a) OVER w FROM t WINDOW w AS (PARTITION BY inet_server_addr())', fn('inet_server_addr')],
  ['SELECT CASE WHEN true THEN inet_server_addr() END', fn('inet_server_addr')],
  ['SELECT count(*) FILTER (WHERE txid_current() > 0) FROM t', fn('txid_current')],
  ['SELECT a FROM t UNION SELECT pg_sleep(1)', fn('pg_sleep')],
  ['SELECT ARRAY[1, pg_sleep(1)]', fn('pg_sleep')],
  ["SELECT 'x' || abs(pg_sleep(1))", fn('pg_sleep')],
  // XML documents and catalog lookups
  ["SELECT xmlparse(document '<a/>')", fn('xmlparse')],
  ['SELECT xmlelement(name a)', fn('xmlelement')],
  ["SELECT xmlserialize(content '<a/>' AS text)", fn('xmlserialize')],
  ["SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)", fn('xmltable')],
  ["SELECT 'users'::regclass", denied('Not authorized to use type regclass')],
  ["SELECT CAST('pg_sleep' AS regproc)", denied('Not authorized to use type regproc')],
  ["SELECT regtype 'int'", denied('Not authorized to use type regtype')],
  ["SELECT '{}'::pg_catalog.regrole[]", denied('Not authorized to use type regrole')],
  ["SELECT JSON_VALUE('1', '$' RETURNING regnamespace)", denied('Not authorized to use type regnamespace')],
  // statements other than one SELECT
  ['SELECT 1; DELETE FROM x', NOT_SINGLE],
  ['SELECT 1; SELECT 2', NOT_SINGLE],
  [';', NOT_SINGLE],
  ['-- nothing', NOT_SINGLE],
  ['DELETE FROM x', NOT_SELECT],
  ['INSERT INTO x VALUES (1)', NOT_SELECT],
  ['UPDATE x SET a = 1', NOT_SELECT],
  ['MERGE INTO x USING y ON true WHEN MATCHED THEN DELETE', NOT_SELECT],
  ['DROP TABLE x', NOT_SELECT],
  ['CREATE TABLE y AS SELECT 1', NOT_SELECT],
  ['SELECT * INTO t2 FROM t', NOT_SELECT],
  ['SELECT * FROM t FOR UPDATE', NOT_SELECT],
  ['SELECT * FROM t FOR SHARE', NOT_SELECT],
  ['SELECT * FROM (SELECT * FROM t FOR UPDATE) s', NOT_SELECT],
  ['WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d', NOT_SELECT],
  ['WITH u AS (UPDATE x SET a = 1 RETURNING a) SELECT 1', NOT_SELECT],
  ['COPY t TO STDOUT', NOT_SELECT],
  ["COPY (SELECT 1) TO '/tmp/x'", NOT_SELECT],
  ['SET search_path = public', NOT_SELECT],
  ['SHOW ALL', NOT_SELECT],
  ['EXPLAIN SELECT 1', NOT_SELECT],
  ['VACUUM', NOT_SELECT],
  ['CALL p()', NOT_SELECT],
  ['DO $$ BEGIN END $$', NOT_SELECT],
  ['BEGIN', NOT_SELECT],
  // relations outside the DataStore
  ['SELECT * FROM pg_class', SYSTEM],
  ['SELECT * FROM PG_CLASS', SYSTEM],
  ['SELECT * FROM pg_catalog.pg_authid', SYSTEM],
  ['SELECT * FROM pg_catalog.t', SYSTEM],
  ['SELECT * FROM information_schema.tables', SYSTEM],
  ['SELECT * FROM pg_toast.x', SYSTEM],
  ['SELECT * FROM t JOIN pg_roles ON true', SYSTEM],
  ['SELECT * FROM t WHERE a IN (SELECT rolname FROM pg_roles)', SYSTEM],
  ['WITH x AS (SELECT * FROM pg_user) SELECT * FROM x', SYSTEM],
  ['SELECT * FROM public.users', OTHER_SCHEMA],
  ['SELECT * FROM other_schema.t', OTHER_SCHEMA],
  ['SELECT * FROM "Datastore".t', OTHER_SCHEMA],
  ['SELECT * FROM db.datastore.t', OTHER_SCHEMA],
  // text that does not get as far as the parser, or that the parser refuses
  ['', invalid('sql', 'Missing value')],
  ['  \n\t ', invalid('sql', 'Missing value')],
  ['SELECT 1 ' + ' '.repeat(MAX_SQL_LENGTH), invalid('sql', `Query is longer than ${MAX_SQL_LENGTH} characters.`)],
  ['SELECT 1\0; DELETE FROM x', invalid('sql', 'Query contains a NUL character.')],
  ['SELECT * FROM FROM t', invalid('query', 'syntax error at or near "FROM"')],
  ['SELECT * FROM', invalid('query', 'syntax error at end of input')],
  ["SELECT 'unterminated", invalid('query', 'unterminated quoted string at or near "\'unterminated"')],
  ['"pg_sleep"(10)', invalid('query', 'syntax error at or near ""pg_sleep""')],
  ['SELECT ' + '+-'.repeat(9000) + '1', invalid('query', 'memory exhausted at or near "+"')]
]

t.test('accepted statements and the tables they read', async (t) => {
  for (const [sql, tables] of ACCEPTED) t.strictSame(await check(sql), { tables }, sql.slice(0, 120))
})

t.test('refused statements: CKAN error class, status and body', async (t) => {
  for (const [sql, [cls, body]] of REFUSED) {
    const err = await refusal(sql)
    const name = sql.slice(0, 120)
    if (!(err instanceof cls)) {
      t.fail(`${name}: expected ${cls.name}, got ${String(err)}`)
      continue
    }
    t.equal(err.status, cls === AuthorizationError ? 403 : 409, name)
    t.strictSame(err.body(), body, name)
  }
})

t.test('the datastore schema is a parameter', async (t) => {
  t.strictSame(await checkSearchSql('SELECT * FROM ds_2.t', 'ds_2'), { tables: ['t'] })
  const err = await refusal('SELECT * FROM datastore.t', 'ds_2')
  t.ok(err instanceof AuthorizationError)
  t.strictSame((err as CkanError).body(), { message: 'Access denied: Not authorized to read resource.' })
})

t.test('concurrent checks each get their own answer', async (t) => {
  const names = Array.from({ length: 50 }, (_, i) => `t${i}`)
  const results = await Promise.all(names.map((n) => check(`SELECT * FROM ${n}`).then((r) => r.tables[0], () => 'error')))
  t.strictSame(results, names)
})

// Random edits of valid statements: whatever comes out, the guard answers
// with a table list or one of the CKAN errors, never anything else.
t.test('fuzz: mutations never escape as other errors', async (t) => {
  let seed = 20241127
  const random = () => { // mulberry32, so a failure can be replayed
    seed = (seed + 0x6D2B79F5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]
  const PIECES = [
    '(', ')', ',', ';', "'", '"', '$$', '--', '/*', '*/', '.', '::', '[', ']', ' ', '\n', '\\', 'E\'', 'U&"',
    'SELECT', 'FROM', 'WITH', 'AS', 'UNION', 'WHERE', 'JOIN', 'LATERAL', 'INTO', 'FOR UPDATE', 'DELETE', 'RETURNING',
    'pg_sleep(1)', '"pg_sleep"', 'pg_catalog.', 'pg_class', 'public.', 'regclass', 'xmlparse(', 'count(*)',
    'ก', 'ข้อมูล', '"ตาราง"', '1', 'NULL', 'OVER ()', '*'
  ]
  const bases = ACCEPTED.map(([sql]) => sql).filter((sql) => sql.length < 300)
  const seen = new Map<string, number>()
  for (let i = 0; i < 1000; i++) {
    let sql = pick(bases)
    for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
      const at = Math.floor(random() * (sql.length + 1))
      const op = random()
      if (op < 0.4) sql = sql.slice(0, at) + pick(PIECES) + sql.slice(at)
      else if (op < 0.7) sql = sql.slice(0, at) + sql.slice(at + 1 + Math.floor(random() * 8))
      else sql = sql.slice(0, at) + sql.slice(Math.floor(random() * sql.length))
    }
    const outcome = await check(sql).then((r) => r, (err: unknown) => err)
    const kind = outcome instanceof ValidationError || outcome instanceof AuthorizationError
      ? outcome.constructor.name
      : Array.isArray((outcome as { tables?: unknown }).tables) ? 'accepted' : undefined
    if (kind === undefined) t.fail(`${JSON.stringify(sql)} → ${String(outcome)}`)
    else seen.set(kind, (seen.get(kind) ?? 0) + 1)
  }
  t.comment(JSON.stringify(Object.fromEntries(seen)))
  // the edits reach every outcome, not only syntax errors
  t.strictSame([...seen.keys()].sort(), ['AuthorizationError', 'ValidationError', 'accepted'])
})
