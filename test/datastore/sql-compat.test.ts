/**
 * datastore_search_sql's records and fields as CKAN 2.10 gives them: values
 * as convert() in ckanext/datastore/backend/postgres.py turns what psycopg2
 * read into JSON, and whatever the caller names the result's columns.
 */
import t from 'tap'
import { build, fails, ok } from '../helper.js'

async function sqlApp (t: Parameters<typeof build>[0]) {
  const app = await build(t, { OPEND_DATASTORE_SQL: 'true', OPEND_DATASTORE_ROWS_MAX: '3' })
  ok(await app.call('organization_create', { name: 'nso' }))
  ok(await app.call('package_create', { name: 'population', owner_org: 'nso' }))
  const q = async (statement: string) => ok(await app.call('datastore_search_sql', { sql: statement }))
  return { ...app, q }
}

t.test('a column may have any name, the wrapper\'s own included', async (t) => {
  const app = await sqlApp(t)
  // the wrapper's aliases and column names, and others PostgreSQL could resolve a bare name to
  const names = ['b', 'x', 'j', 'n', 'r', 'one', 'd', 'k', 'u', 'e', 'i', 't', 'c0', 't0', 'blah', 'records']
  const rid = ok(await app.call('datastore_create', {
    resource: { package_id: 'population' },
    fields: names.map((id) => ({ id, type: 'int' })),
    records: [Object.fromEntries(names.map((id, i) => [id, i])), Object.fromEntries(names.map((id, i) => [id, 100 + i]))]
  })).resource_id
  const all = await app.q(`SELECT * FROM "${rid}" ORDER BY _id`)
  t.same(all.fields.map((f: { id: string }) => f.id), ['_id', '_full_text', ...names])
  t.same(all.records.map((r: Record<string, unknown>) => names.map((id) => r[id])), [names.map((_, i) => i), names.map((_, i) => 100 + i)])
  for (const name of names) {
    const r = await app.q(`SELECT 1 AS "${name}"`)
    t.same([r.records, r.fields], [[{ [name]: 1 }], [{ id: name, type: 'int4' }]], `select 1 as ${name}`)
  }
  const x = await app.q(`SELECT "x", "b" * 2 AS "n", now()::date - now()::date AS "r" FROM "${rid}" ORDER BY "x" DESC`)
  t.same(x.records, [{ x: 101, n: 200, r: 0 }, { x: 1, n: 0, r: 0 }])
  const none = await app.q(`SELECT "b", "x" FROM "${rid}" WHERE false`)
  t.same([none.records, none.fields], [[], [{ id: 'b', type: 'int4' }, { id: 'x', type: 'int4' }]], 'no rows, but the fields')
  const capped = await app.q(`SELECT "b" FROM "${rid}", generate_series(1, 5) x ORDER BY 1`)
  t.same([capped.records.length, capped.records_truncated], [3, true], 'the cap holds')
  const twice = await app.q('SELECT 1 AS a, 2 AS a')
  t.same(twice.fields, [{ id: 'a', type: 'int4' }, { id: 'a', type: 'int4' }], 'a name twice is two fields')
  t.same((await app.q(`SELECT FROM "${rid}"`)).records, [{}, {}], 'no columns at all')
})

t.test('values as CKAN\'s convert() renders them', async (t) => {
  const app = await sqlApp(t)
  const one = async (expr: string, from = '') => {
    const r = await app.q(`SELECT ${expr} AS v ${from}`)
    return [r.records[0].v, r.fields[0].type]
  }
  // str(Decimal)
  t.same(await one('avg(g)', 'FROM generate_series(0, 1999) g'), ['999.5000000000000000', 'numeric'])
  t.same(await one('1.50::numeric'), ['1.50', 'numeric'])
  t.same(await one('\'{1.5,2}\'::numeric[]'), [['1.5', '2'], '_numeric'])
  // datetime.isoformat(): six fractional digits when there is a fraction, none when there is not
  t.same(await one('\'2020-01-02 03:04:05.845\'::timestamp'), ['2020-01-02T03:04:05.845000', 'timestamp'])
  t.same(await one('\'2020-01-02 03:04:05\'::timestamp'), ['2020-01-02T03:04:05', 'timestamp'])
  t.same(await one('\'2020-01-02 03:04:05.000001\'::timestamp'), ['2020-01-02T03:04:05.000001', 'timestamp'])
  t.same(await one('ARRAY[\'2020-01-02 03:04:05.5\'::timestamp, NULL, \'2021-01-01\']'), [['2020-01-02T03:04:05.500000', null, '2021-01-01T00:00:00'], '_timestamp'])
  t.same(await one('\'{}\'::timestamp[]'), [[], '_timestamp'])
  const tz = (await one('\'2020-01-02 03:04:05.845+07\'::timestamptz'))
  t.match(tz, [/^2020-01-0[12]T\d\d:04:05\.845000[+-]\d\d:\d\d$/, 'timestamptz'], 'timestamptz: with the session\'s offset as ±HH:MM')
  // str(time), str(date)
  t.same(await one('\'03:04:05.845\'::time'), ['03:04:05.845000', 'time'])
  t.same(await one('\'03:04:05\'::time'), ['03:04:05', 'time'])
  t.same(await one('\'03:04:05.5+07\'::timetz'), ['03:04:05.500000+07:00', 'timetz'])
  t.same(await one('\'03:04:05-05:30\'::timetz'), ['03:04:05-05:30', 'timetz'])
  t.same(await one('\'2020-01-02\'::date'), ['2020-01-02', 'date'])
  // bool, int and float go through as they are
  t.same(await one('true'), [true, 'bool'])
  t.match((await app.call('datastore_search_sql', { sql: 'SELECT 9007199254740993::int8 AS v' })).body, '"records": [{"v":9007199254740993}]', 'int8 digits kept')
  t.same(await one('2.5::float8'), [2.5, 'float8'])
  t.same(await one('\'{1,2}\'::int[]'), [[1, 2], '_int4'])
  t.same(await one('\'ก\'::text'), ['ก', 'text'])
  t.same(await one('NULL::numeric'), [null, 'numeric'])
  t.same(await one('NULL::timestamp'), [null, 'timestamp'])
  // CKAN reads json undecoded and passes its text on
  t.same(await one('json_build_object(\'a\', 1)'), ['{"a" : 1}', 'json'])
  t.same(await one('\'[1, {"b": null}]\'::json'), ['[1, {"b": null}]', 'json'])
})

t.test('a DataStore table\'s columns', async (t) => {
  const app = await sqlApp(t)
  const rid = ok(await app.call('datastore_create', {
    resource: { package_id: 'population' },
    fields: [{ id: 'n', type: 'numeric' }, { id: 'ts', type: 'timestamp' }, { id: 'j', type: 'json' }, { id: 'tags', type: '_text' }, { id: 'ns', type: '_numeric' }],
    records: [{ n: '12.50', ts: '2020-01-02T03:04:05.845', j: { a: [1, 'ข'] }, tags: ['ก', 'ข'], ns: [1, 2.5] }, { n: null, ts: '2020-01-02T03:04:05', j: null, tags: null, ns: null }]
  })).resource_id
  const r = await app.q(`SELECT n, ts, j, tags, ns FROM "${rid}" ORDER BY _id`)
  t.same(r.fields, [{ id: 'n', type: 'numeric' }, { id: 'ts', type: 'timestamp' }, { id: 'j', type: 'json' }, { id: 'tags', type: '_text' }, { id: 'ns', type: '_numeric' }],
    'a json column is reported as json, as CKAN reports its own json columns')
  t.same(r.records, [
    { n: '12.50', ts: '2020-01-02T03:04:05.845000', j: { a: [1, 'ข'] }, tags: ['ก', 'ข'], ns: ['1', '2.5'] },
    { n: null, ts: '2020-01-02T03:04:05', j: null, tags: null, ns: null }
  ], 'a json column\'s values are JSON, as convert() decodes CKAN\'s json columns')
  t.same(fails(await app.call('datastore_search_sql', { sql: `SELECT nope FROM "${rid}"` }), 409), { query: ['column "nope" does not exist'], __type: 'Validation Error' })
})
