/**
 * Injection and abuse through every DataStore parameter: filters, q, sort,
 * fields, distinct, language, records and sql, with Thai and odd Unicode
 * identifiers, huge limits, write attempts, slow functions and catalog
 * access. Every answer must be a CKAN-style error (or a harmless success),
 * never a 500, and afterwards every table must be as it was.
 */
import t from 'tap'
import { sql } from 'kysely'
import { build, json, ok } from '../helper.js'
import { datastoreSchema } from '../../src/datastore/schema.js'

t.setTimeout(300_000)

t.test('abuse leaves every table as it was', async (t) => {
  const app = await build(t, { OPEND_DATASTORE_SQL: 'true', OPEND_DATASTORE_SQL_TIMEOUT: '2' })
  ok(await app.call('organization_create', { name: 'gov', title: 'หน่วยงาน' }))
  ok(await app.call('package_create', { name: 'open', owner_org: 'gov' }))
  ok(await app.call('package_create', { name: 'secret', owner_org: 'gov', private: true }))
  // a field name with a double quote is refused (it could not be an identifier inside quotes)
  const quoted = json(await app.call('datastore_create', { resource: { package_id: 'open', name: 'x' }, fields: [{ id: 'a"b', type: 'text' }] }))
  t.same(quoted.error, { fields: ['"a"b" is not a valid field name'], __type: 'Validation Error' })
  const made = ok(await app.call('datastore_create', {
    resource: { package_id: 'open', name: 'เปิด' },
    fields: [{ id: 'id', type: 'int' }, { id: 'ชื่อ', type: 'text' }, { id: 'x; DROP TABLE users; --', type: 'text' }, { id: '🙂 ช่อง\u200b', type: 'text' }, { id: 'tags', type: 'text[]' }],
    primary_key: 'id',
    records: [{ id: 1, ชื่อ: 'หนึ่ง', tags: ['ก'] }, { id: 2, ชื่อ: "O'Brien; DELETE FROM packages", 'x; DROP TABLE users; --': "'); DROP TABLE users; --", tags: [] }]
  }))
  const rid = made.resource_id as string
  const secret = ok(await app.call('datastore_create', { resource: { package_id: 'secret', name: 'ลับ' }, fields: [{ id: 'v', type: 'text' }], records: [{ v: 'ความลับ' }] })).resource_id as string
  const db = app.db.kysely
  const schema = await datastoreSchema(db)

  const snapshot = async () => {
    const { rows } = await sql<{ s: string }>`SELECT concat_ws('|',
      (SELECT md5(string_agg(t::text, ',' ORDER BY _id)) FROM ${sql.id(schema, rid)} t),
      (SELECT md5(string_agg(t::text, ',' ORDER BY _id)) FROM ${sql.id(schema, secret)} t),
      (SELECT count(*) FROM users), (SELECT count(*) FROM api_tokens), (SELECT md5(string_agg(dict, ',' ORDER BY id)) FROM packages),
      (SELECT count(*) FROM resources), (SELECT count(*) FROM datastore_tables), (SELECT count(*) FROM pg_tables WHERE schemaname = ${schema})) AS s`.execute(db)
    return rows[0].s
  }
  const outsider = (await app.user('outsider')).token
  const before = await snapshot()

  const attacks: [string, Record<string, unknown>][] = []
  const add = (action: string, params: Record<string, unknown>) => attacks.push([action, params])
  const nasty = ["'", '"', '";--', '1; DROP TABLE users', "') OR 1=1 --", '\\', '%', '_', '*', '$1', '$' + '{x}', 'ก\u0e3a\u0e4e', '\u202e', '\ud83d\ude00', 'a\u0000b', ' ', '', 'x'.repeat(10000)]
  for (const n of nasty) {
    add('datastore_search', { resource_id: rid, filters: { ชื่อ: n } })
    add('datastore_search', { resource_id: rid, filters: { id: n } })
    add('datastore_search', { resource_id: rid, filters: { [n]: 1 } })
    add('datastore_search', { resource_id: rid, q: n })
    add('datastore_search', { resource_id: rid, q: n, plain: false })
    add('datastore_search', { resource_id: rid, q: { ชื่อ: n } })
    add('datastore_search', { resource_id: rid, q: { [n]: 'x' } })
    add('datastore_search', { resource_id: rid, sort: n })
    add('datastore_search', { resource_id: rid, sort: `id ${n}` })
    add('datastore_search', { resource_id: rid, sort: `"${n}" desc` })
    add('datastore_search', { resource_id: rid, fields: n })
    add('datastore_search', { resource_id: rid, fields: [n], distinct: true })
    add('datastore_search', { resource_id: rid, language: n, q: 'x' })
    add('datastore_search', { resource_id: n })
    add('datastore_info', { id: n })
    add('datastore_upsert', { resource_id: rid, method: 'update', records: [{ id: n, ชื่อ: n }] })
    add('datastore_delete', { resource_id: rid, filters: { id: n } })
    add('datastore_create', { resource_id: rid, fields: [{ id: n, type: 'text' }] })
    add('datastore_create', { resource_id: rid, fields: [{ id: 'ok', type: n }] })
    add('datastore_create', { resource_id: rid, aliases: n })
    add('datastore_search_sql', { sql: n })
  }
  for (const limit of [-1, 2 ** 31, 2 ** 53, '1e9', 'NaN']) add('datastore_search', { resource_id: rid, limit, offset: limit })
  add('datastore_search', { resource_id: rid, sort: 'id; DROP TABLE users' })
  add('datastore_search', { resource_id: rid, fields: 'id, (SELECT 1)' })
  add('datastore_search', { resource_id: rid, filters: { tags: ["'}", '{"a"'] } })
  add('datastore_search', { resource_id: rid, q: 'x:* & !y | (z <-> w)', plain: false })
  add('datastore_search', { resource_id: secret })
  add('datastore_search', { resource_id: secret, filters: { v: 'ความลับ' } })
  add('datastore_search', { resource_id: 'pg_class' })
  add('datastore_search', { resource_id: '_table_metadata' })
  const sqls = [
    'SELECT "pg_sleep"(10)', 'SELECT pg_sleep(10)', `SELECT * FROM "${rid}" WHERE pg_sleep(10) IS NULL`,
    `SELECT "query_to_xml"('SELECT * FROM "${secret}"', true, true, '')`,
    `SELECT * FROM "${secret}"`, `SELECT * FROM "${rid}" UNION ALL SELECT 1, null, null, null, null, null, v FROM "${secret}"`,
    `SELECT * FROM "${rid}" r WHERE EXISTS (SELECT 1 FROM "${secret}")`,
    `WITH s AS (SELECT * FROM "${secret}") SELECT * FROM s`,
    'SELECT * FROM users', 'SELECT * FROM api_tokens', 'SELECT * FROM public.users', `SELECT * FROM ${schema === 'datastore' ? 'public' : schema}.users`,
    'SELECT * FROM pg_authid', 'SELECT * FROM pg_catalog.pg_user', 'SELECT * FROM information_schema.tables', "SELECT 'users'::regclass",
    "SELECT current_setting('data_directory')", "SELECT set_config('search_path', 'public', false)", "SELECT lo_import('/etc/passwd')",
    "SELECT pg_read_file('/etc/passwd')", 'SELECT version()', "SELECT dblink('x', 'y')",
    `DELETE FROM "${rid}"`, `UPDATE "${rid}" SET id = 3`, `INSERT INTO "${rid}" (id) VALUES (9)`, `DROP TABLE "${rid}"`, `TRUNCATE "${rid}"`,
    `SELECT * INTO newtable FROM "${rid}"`, `SELECT * FROM "${rid}" FOR UPDATE`, `WITH d AS (DELETE FROM "${rid}" RETURNING *) SELECT * FROM d`,
    `SELECT 1; DELETE FROM "${rid}"`, `COPY "${rid}" TO STDOUT`, 'SET search_path = public', `EXPLAIN ANALYZE DELETE FROM "${rid}"`,
    `SELECT * FROM "${rid}" --`, `SELECT * FROM "${rid}" /*`, `SELECT * FROM "${rid}") blah; DELETE FROM "${rid}"; SELECT * FROM ("${rid}"`,
    `SELECT a.id FROM "${rid}" a, "${rid}" b, "${rid}" c, "${rid}" d`
  ]
  // PGlite cannot interrupt a running statement (which is why datastore_search_sql
  // is off there by default): the statement timeout is PostgreSQL's to test
  if (process.env.DATABASE_URL) sqls.push('SELECT count(*) FROM generate_series(1, 100000000000)')
  for (const s of sqls) add('datastore_search_sql', { sql: s })

  // reads as anonymous and as a sysadmin; writes as anonymous and as a user
  // of no organization, whom they must all refuse (a sysadmin's odd but
  // valid writes, a column named '%', would change the table legitimately)
  const writes = new Set(['datastore_create', 'datastore_upsert', 'datastore_delete'])
  const statuses = new Map<number, number>()
  for (const [action, params] of attacks) {
    for (const token of [null, writes.has(action) ? outsider : app.admin]) {
      const res = await app.call(action, params, token)
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      if (res.statusCode >= 500 || !/^application\/json/.test(String(res.headers['content-type']))) {
        t.fail(`${action} ${JSON.stringify(params).slice(0, 200)} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
        continue
      }
      const body = json(res)
      if (typeof body === 'object' && body !== null && body.success === false) {
        if (typeof body.error?.__type !== 'string') t.fail(`${action}: an error without a __type: ${res.body.slice(0, 300)}`)
      }
    }
  }
  t.pass(`${attacks.length * 2} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.same((await snapshot()).split('|'), before.split('|'), 'every table is as it was')

  // the refusals that matter, precisely
  const sqlError = async (statement: string, token: string | null = null) => json(await app.call('datastore_search_sql', { sql: statement }, token))
  t.same((await sqlError('SELECT "pg_sleep"(10)')).error, { __type: 'Authorization Error', message: 'Access denied: Not authorized to call function pg_sleep' })
  t.same((await sqlError('SELECT "query_to_xml"(\'SELECT 1\', true, true, \'\')')).error, { __type: 'Authorization Error', message: 'Access denied: Not authorized to call function query_to_xml' })
  t.same((await sqlError(`SELECT * FROM "${secret}"`)).error, { __type: 'Authorization Error', message: 'Access denied: Not authorized to read resource.' })
  t.same((await sqlError('SELECT * FROM users', app.admin)).error, { __type: 'Validation Error', query: ['relation "users" does not exist'] })
  t.same((await sqlError('SELECT * FROM pg_authid', app.admin)).error, { __type: 'Authorization Error', message: 'Access denied: Not authorized to access system tables' })
  t.same((await sqlError(`SELECT 1; DELETE FROM "${rid}"`)).error, { __type: 'Validation Error', query: ['Query is not a single statement.'] })
})
