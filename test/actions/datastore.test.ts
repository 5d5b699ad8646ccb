/**
 * The DataStore actions through HTTP, checked against CKAN 2.10's documented
 * and observed answers (../shared/reference/ckan-action-api.md section 6 and
 * ckan-2.10-responses/): create, upsert, delete, info and search, with Thai
 * column names and values throughout.
 */
import t from 'tap'
import { build, fails, json, ok } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>

/** A dataset with a DataStore-only resource holding a small Thai table. */
async function fixture (t: Parameters<typeof build>[0]) {
  const app = await build(t)
  ok(await app.call('organization_create', { name: 'nso', title: 'สำนักงานสถิติแห่งชาติ' }))
  ok(await app.call('package_create', { name: 'population', owner_org: 'nso', title: 'ประชากร' }))
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'population', name: 'ประชากรรายจังหวัด' },
    fields: [{ id: 'id', type: 'int' }, { id: 'จังหวัด', type: 'text' }, { id: 'ประชากร', type: 'int8' }, { id: 'ความหนาแน่น', type: 'float' }, { id: 'วันที่', type: 'date' }],
    primary_key: 'id',
    records: [
      { id: 1, จังหวัด: 'กรุงเทพมหานคร', ประชากร: 5494932, ความหนาแน่น: 3502.5, วันที่: '2023-12-31' },
      { id: 2, จังหวัด: 'เชียงใหม่', ประชากร: 1797074, ความหนาแน่น: 89.6, วันที่: '2023-12-31' },
      { id: 3, จังหวัด: 'ขอนแก่น', ประชากร: 1784641, ความหนาแน่น: 164.8, วันที่: '2023-12-31' },
      { id: 4, จังหวัด: 'สงขลา', ประชากร: 1436393, ความหนาแน่น: 193.3, วันที่: '2022-12-31' },
      { id: 5, จังหวัด: 'ภูเก็ต, ฝั่งตะวันตก', ประชากร: 417891, ความหนาแน่น: 768.2, วันที่: null }
    ]
  }))
  return { ...app, rid: created.resource_id as string }
}

const search = (app: App, params: Record<string, unknown>, token?: string | null) => app.call('datastore_search', params, token)

t.test('datastore_create makes a resource, a table and its rows', async (t) => {
  const app = await fixture(t)
  const res = ok(await app.call('resource_show', { id: app.rid }))
  t.equal(res.datastore_active, true, 'the resource is DataStore-active')
  t.equal(res.url_type, 'datastore')
  const pkg = ok(await app.call('package_show', { id: 'population' }))
  t.equal(pkg.resources[0].datastore_active, true, 'and so is it in the dataset')
  const r = ok(await search(app, { resource_id: app.rid }))
  t.equal(r.total, 5)
  t.same(r.fields, [{ id: '_id', type: 'int' }, { id: 'id', type: 'int4' }, { id: 'จังหวัด', type: 'text' }, { id: 'ประชากร', type: 'int8' },
    { id: 'ความหนาแน่น', type: 'float8' }, { id: 'วันที่', type: 'date' }])
  t.same(r.records[0], { _id: 1, id: 1, จังหวัด: 'กรุงเทพมหานคร', ประชากร: 5494932, ความหนาแน่น: 3502.5, วันที่: '2023-12-31' })
  t.equal(r.records[4].วันที่, null)
})

t.test('datastore_search: CKAN\'s answer shape', async (t) => {
  const app = await fixture(t)
  const res = await app.app.inject(`/api/3/action/datastore_search?resource_id=${app.rid}&limit=2&offset=1`)
  const body = res.body
  t.match(body, /"records": \[\{"_id":2,"id":2,"จังหวัด":"เชียงใหม่"/, 'records are compact JSON with Thai as UTF-8, as CKAN embeds them')
  t.match(body, /\{"id":"\\u0e08\\u0e31\\u0e07\\u0e2b\\u0e27\\u0e31\\u0e14","type":"text"\}/, 'field ids are \\u-escaped like the rest of the envelope')
  const r = json(res).result
  t.same(Object.keys(r), ['include_total', 'limit', 'offset', 'records_format', 'resource_id', 'total_estimation_threshold', 'records', 'fields', '_links', 'total', 'total_was_estimated'])
  t.same(r._links, {
    start: `/api/3/action/datastore_search?resource_id=${app.rid}&limit=2`,
    next: `/api/3/action/datastore_search?resource_id=${app.rid}&limit=2&offset=3`
  })
  const post = ok(await search(app, { resource_id: app.rid, limit: 1, offset: 3 }))
  t.same(post._links, { start: '/api/3/action/datastore_search', next: '/api/3/action/datastore_search?offset=4', prev: '/api/3/action/datastore_search?offset=2' }, 'a POST has no query string')
  const noTotal = ok(await search(app, { resource_id: app.rid, include_total: false }))
  t.notOk('total' in noTotal)
  t.notOk('total_was_estimated' in noTotal)
})

t.test('datastore_search: filters, q, fields, sort, distinct, formats', async (t) => {
  const app = await fixture(t)
  const names = (r: any) => r.records.map((x: any) => x.จังหวัด)
  t.same(names(ok(await search(app, { resource_id: app.rid, filters: { จังหวัด: 'เชียงใหม่' } }))), ['เชียงใหม่'], 'a Thai filter')
  t.same(names(ok(await search(app, { resource_id: app.rid, filters: { id: [1, 3] } }))), ['กรุงเทพมหานคร', 'ขอนแก่น'], 'a list is IN')
  t.same(names(ok(await search(app, { resource_id: app.rid, filters: JSON.stringify({ id: '2' }) }))), ['เชียงใหม่'], 'JSON text, a string for an int column')
  const q = ok(await search(app, { resource_id: app.rid, q: 'เชียงใหม่' }))
  t.same(names(q), ['เชียงใหม่'], 'a Thai word')
  t.equal(q.fields[q.fields.length - 1].id, 'rank')
  t.same(names(ok(await search(app, { resource_id: app.rid, q: { จังหวัด: 'ขอน' } }))), [], 'a dict q needs the word in that field')
  t.same(names(ok(await search(app, { resource_id: app.rid, q: JSON.stringify({ จังหวัด: 'ขอนแก่น' }) }))), ['ขอนแก่น'])
  const f = ok(await search(app, { resource_id: app.rid, fields: 'จังหวัด,ประชากร', sort: 'ประชากร desc', limit: 2 }))
  t.same(f.records, [{ จังหวัด: 'กรุงเทพมหานคร', ประชากร: 5494932 }, { จังหวัด: 'เชียงใหม่', ประชากร: 1797074 }])
  t.same(f.fields, [{ id: 'จังหวัด', type: 'text' }, { id: 'ประชากร', type: 'int8' }])
  t.same(ok(await search(app, { resource_id: app.rid, sort: ['"วันที่" asc nulls first', 'id desc'], fields: ['id'] })).records.map((x: any) => x.id), [5, 4, 3, 2, 1])
  const d = ok(await search(app, { resource_id: app.rid, fields: ['วันที่'], distinct: true, sort: 'วันที่' }))
  t.same(d.records, [{ วันที่: '2022-12-31' }, { วันที่: '2023-12-31' }, { วันที่: null }])
  t.equal(d.total, 3)
  t.same(ok(await search(app, { resource_id: app.rid, records_format: 'lists', fields: 'id,จังหวัด', limit: 2 })).records, [[1, 'กรุงเทพมหานคร'], [2, 'เชียงใหม่']])
  const csv = ok(await search(app, { resource_id: app.rid, records_format: 'csv', fields: 'id,จังหวัด,วันที่', filters: { id: [4, 5] } }))
  t.equal(csv.records, '4,สงขลา,2022-12-31\n5,"ภูเก็ต, ฝั่งตะวันตก",\n', 'CSV without a header, quoted as Python\'s csv module does')
  const tsv = ok(await search(app, { resource_id: app.rid, records_format: 'tsv', fields: 'id,ความหนาแน่น', limit: 1 }))
  t.equal(tsv.records, '1\t3502.5\n')
  t.equal(ok(await search(app, { resource_id: app.rid, limit: 999999 })).limit, 32000, 'limit is capped silently')
  const est = ok(await search(app, { resource_id: app.rid, total_estimation_threshold: 0 }))
  t.equal(typeof est.total_was_estimated, 'boolean')
})

t.test('datastore_search: a text q ranks, counts and pages its matches', async (t) => {
  const app = await build(t)
  ok(await app.call('organization_create', { name: 'tmd' }))
  ok(await app.call('package_create', { name: 'rain', owner_org: 'tmd' }))
  // ฝน once, twice or three times in a row: the more, the higher ts_rank puts it
  const times = [1, 3, 0, 2, 1, 3, 2, 0, 1]
  const { resource_id: rid } = ok(await app.call('datastore_create', {
    resource: { package_id: 'rain' },
    fields: [{ id: 'n', type: 'int' }, { id: 'ข้อความ', type: 'text' }],
    records: times.map((k, n) => ({ n, ข้อความ: `ปริมาณ${' ฝน'.repeat(k)} สถานี ${n}` }))
  }))
  const expected = times.map((k, n) => ({ k, n })).filter(({ k }) => k > 0).sort((a, b) => b.k - a.k || a.n - b.n).map(({ n }) => n)
  const q = async (params: Record<string, unknown>) => ok(await search(app, { resource_id: rid, q: 'ฝน', ...params }))
  const all = await q({})
  t.same(all.records.map((r: any) => r.n), expected, 'by rank, then _id')
  t.equal(all.total, 7)
  t.ok(all.records.every((r: any, i: number) => i === 0 || r.rank <= all.records[i - 1].rank), 'rank descends')
  t.ok(all.records.every((r: any) => r.rank > 0 && r.rank < 1))
  for (const [offset, limit] of [[0, 3], [3, 3], [6, 3], [7, 3], [20, 5]]) {
    const page = await q({ offset, limit })
    t.same(page.records.map((r: any) => r.n), expected.slice(offset, offset + limit), `offset ${offset}, limit ${limit}`)
    t.equal(page.total, 7, 'the total of every page, an empty one too')
    const again = await q({ offset, limit })
    t.same(again.records, page.records, 'the same page again, now remembered')
    t.equal(again.total, 7)
  }
  const plain = await q({ q: 'สถานี ฝน', fields: ['n'], limit: 2 })
  t.same(plain.records, expected.slice(0, 2).map((n) => ({ n })), 'without the rank among the fields, still by rank')
  t.same(plain.fields, [{ id: 'n', type: 'int4' }])
  const lists = await q({ fields: 'n,rank', records_format: 'lists', limit: 2, offset: 1 })
  t.same(lists.records.map((r: any) => r[0]), expected.slice(1, 3))
  t.equal(lists.total, 7)
  t.same((await q({ q: 'ไม่มีคำนี้' })).records, [])
  t.equal((await q({ q: 'ไม่มีคำนี้' })).total, 0)
})

t.test('datastore_search: CKAN\'s errors', async (t) => {
  const app = await fixture(t)
  const err = async (params: Record<string, unknown>, status = 409) => fails(await search(app, { resource_id: app.rid, ...params }), status)
  t.same(await err({ filters: { nocol: 1 } }), { filters: ['invalid value "nocol"'], __type: 'Validation Error' })
  t.same(await err({ filters: 'not json' }), { filters: ['Cannot parse JSON'], __type: 'Validation Error' })
  t.same(await err({ sort: 'nocol asc' }), { sort: ['invalid value "nocol asc"'], __type: 'Validation Error' })
  t.same(await err({ fields: 'id,nocol' }), { fields: ['invalid value "nocol"'], __type: 'Validation Error' })
  t.same(await err({ q: { nocol: 'x' } }), { q: ['invalid value "nocol"'], __type: 'Validation Error' })
  t.same(await err({ foo: 1 }), { __extras: ['invalid value "foo"'], __type: 'Validation Error' })
  t.same(await err({ offset: -1 }), { offset: ['invalid value "-1"'], __type: 'Validation Error' })
  t.same(await err({ limit: 'abc' }), { limit: ['Invalid integer', 'Please enter an integer value'], __type: 'Validation Error' })
  t.same(await err({ records_format: 'xml' }), { records_format: ["Value must be one of ['objects', 'lists', 'csv', 'tsv']"], __type: 'Validation Error' })
  t.same(await err({ filters: { id: 'abc' } }), { query: ['Invalid query'], info: { orig: ['invalid input syntax for type integer: "abc"'] }, __type: 'Validation Error' })
  t.same(await err({ q: 'a & | b', plain: false }), { query: ['Invalid query'], info: { orig: ['syntax error in tsquery: "a & | b"'] }, __type: 'Validation Error' })
  t.same(await err({ language: 'klingon' }), { language: ['invalid value "klingon"'], __type: 'Validation Error' })
  t.same(fails(await search(app, { resource_id: 'nope' }), 404), { __type: 'Not Found Error', message: 'Not found: Resource "nope" was not found.' })
  t.same(fails(await search(app, {}), 409), { resource_id: ['Missing value'], __type: 'Validation Error' })
})

t.test('private datasets\' tables are their members\' only', async (t) => {
  const app = await fixture(t)
  ok(await app.call('package_patch', { id: 'population', private: true }))
  fails(await search(app, { resource_id: app.rid }, null), 403)
  fails(await app.call('datastore_info', { id: app.rid }, null), 403)
  const outsider = await app.user('outsider')
  fails(await search(app, { resource_id: app.rid }, outsider.token), 403)
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 5, 'a sysadmin reads it')
})

t.test('datastore_upsert: upsert, insert, update, dry_run and their errors', async (t) => {
  const app = await fixture(t)
  const upsert = (body: Record<string, unknown>, token?: string | null) => app.call('datastore_upsert', { resource_id: app.rid, ...body }, token)
  ok(await upsert({ records: [{ id: 2, ประชากร: 1800000 }, { id: 6, จังหวัด: 'นครราชสีมา', ประชากร: 2630000 }] }))
  const rows = async () => ok(await search(app, { resource_id: app.rid, fields: 'id,จังหวัด,ประชากร', sort: 'id' })).records
  t.same((await rows()).slice(1, 2), [{ id: 2, จังหวัด: 'เชียงใหม่', ประชากร: 1800000 }], 'upsert changes the fields given and keeps the rest')
  t.same((await rows())[5], { id: 6, จังหวัด: 'นครราชสีมา', ประชากร: 2630000 }, 'and inserts a new key')
  t.same(ok(await search(app, { resource_id: app.rid, q: 'นครราชสีมา' })).records.map((r: any) => r.id), [6], 'the full text follows the row')
  ok(await upsert({ method: 'update', records: [{ id: 6, จังหวัด: 'โคราช' }] }))
  t.same(ok(await search(app, { resource_id: app.rid, q: 'โคราช', fields: 'id' })).records, [{ id: 6 }], 'an update rebuilds the full text')
  t.same(ok(await search(app, { resource_id: app.rid, q: 'นครราชสีมา' })).records, [], 'the old words are gone')
  ok(await upsert({ method: 'insert', records: [{ id: 7, จังหวัด: 'ตาก (สถิติการท่องเที่ยวภายในจังหวัด)' }] }))
  t.same(ok(await search(app, { resource_id: app.rid, q: 'ท่องเที่ยว', fields: 'id' })).records, [{ id: 7 }], 'a Thai word inside unspaced Thai text')
  const tsq = async (q: string) => ok(await search(app, { resource_id: app.rid, q, plain: false, fields: 'id', sort: 'id' })).records.map((r: any) => r.id)
  t.same(await tsq('ท่องเที่ยว & ตาก'), [7], 'plain=false: Thai inside tsquery syntax is segmented too')
  t.same(await tsq('ท่องเที่ยวภาย:* | โคราช'), [6, 7], 'with a prefix on the last Thai word, and OR')
  t.same(await tsq('จังหวัด & !ท่องเที่ยว'), [], 'and NOT')
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 7)
  const echoed = ok(await upsert({ records: [{ id: 8, จังหวัด: 'น่าน' }], dry_run: true }))
  t.same(echoed.records, [{ id: 8, จังหวัด: 'น่าน' }], 'the records are echoed')
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 7, 'dry_run writes nothing')

  t.same(fails(await upsert({ method: 'update', records: [{ id: 99, จังหวัด: 'x' }] }), 409), { key: ['key "[99]" not found'], __type: 'Validation Error' })
  t.same(fails(await upsert({ records: [{ จังหวัด: 'x' }] }), 409), { key: ['fields "id" are missing\n                            but needed as key'], __type: 'Validation Error' })
  t.same(fails(await upsert({ records: [{ id: 9, nocol: 1 }] }), 409), { fields: ['fields "nocol" do not exist'], __type: 'Validation Error' })
  t.same(fails(await upsert({ method: 'insert', records: [{ id: 1 }] }), 409).constraints, ['Cannot insert records or create index because of uniqueness constraint'])
  t.same(fails(await upsert({ method: 'insert', records: [{ id: 10, ประชากร: 'many' }] }), 409).records, ['invalid input syntax for type bigint: "many"'])
  t.same(fails(await upsert({ method: 'merge', records: [] }), 409), { method: ["Value must be one of ['upsert', 'insert', 'update']"], __type: 'Validation Error' })
  t.same(fails(await upsert({ records: [1] }), 409), { records: ['The first row is not a json object'], __type: 'Validation Error' })
  fails(await upsert({ records: [{ id: 11 }] }, null), 403)
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 7, 'nothing refused was written')
  fails(await app.call('datastore_upsert', { resource_id: 'nope', records: [] }), 404)
})

t.test('datastore_create on an existing table, aliases, force, and its errors', async (t) => {
  const app = await fixture(t)
  ok(await app.call('datastore_create', { resource_id: app.rid, fields: [{ id: 'ภาค', type: 'text' }], records: [{ id: 20, ภาค: 'เหนือ' }], aliases: 'population-by-province' }))
  const r = ok(await search(app, { resource_id: 'population-by-province', filters: { ภาค: 'เหนือ' } }))
  t.same(r.records.map((x: any) => x.id), [20], 'an alias reads the table; new fields are added at the end')
  t.equal(r.fields[r.fields.length - 1].id, 'ภาค')
  const info = ok(await app.call('datastore_info', { id: 'population-by-province' }))
  t.equal(info.meta.count, 6)
  t.same(info.meta.aliases, ['population-by-province'])
  t.equal(info.meta.table_type, 'BASE TABLE')
  t.same(info.fields[0], { id: 'id', type: 'int4', schema: { native_type: 'integer', notnull: false, index_name: info.fields[0].schema.index_name, is_index: true, uniquekey: false } })
  t.same(info.fields[3].schema.native_type, 'double precision')

  ok(await app.call('resource_create', { package_id: 'population', url: 'http://example.org/x.csv', name: 'from a file' }))
  const fileRes = ok(await app.call('package_show', { id: 'population' })).resources[1].id
  t.same(fails(await app.call('datastore_create', { resource_id: fileRes, records: [{ a: 1 }] }), 409)['read-only'].length, 1, 'a resource with a file needs force')
  const guessed = ok(await app.call('datastore_create', { resource_id: fileRes, force: true, records: [{ a: 1, b: 1.5, c: 'x', d: '2024-01-02', e: { k: 1 }, f: '12' }] }))
  t.equal(guessed.resource_id, fileRes)
  t.same(ok(await search(app, { resource_id: fileRes })).fields.map((f: any) => f.type), ['int', 'int4', 'float8', 'text', 'timestamp', 'json', 'int4'], 'types guessed from the first record')

  const err = async (body: Record<string, unknown>, status = 409) => fails(await app.call('datastore_create', body), status)
  t.same(await err({}), { resource_id: ['resource_id or resource required'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, resource: { package_id: 'population' } }), { resource: ['resource cannot be used with resource_id'], __type: 'Validation Error' })
  t.same(await err({ resource_id: 'nope' }), { resource_id: ['Not found: Resource'], __type: 'Validation Error' })
  t.same(await err({ resource: { package_id: 'population', url: 'http://x' } }), { resource: ['The datapusher has to be enabled.'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, fields: [{ id: 'x', type: 'int[' }] }), { fields: ['"int[" is not a valid field type'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, fields: [{ id: 'x', type: 'regclass' }] }), { fields: ['"regclass" is not a valid field type'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, fields: [{ id: 'y' }, { id: 'y' }] }), { field: ['Duplicate column names are not supported'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, fields: [{ id: '_bad' }] }), { fields: ['"_bad" is not a valid field name'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, fields: [{ id: 'z' }] }), { fields: ['"z" type not guessable'], __type: 'Validation Error' })
  t.match(await err({ resource_id: app.rid, fields: [{ id: 'ก'.repeat(22), type: 'text' }] }), { fields: [/exceeds limit of 63 bytes/] })
  t.same(await err({ resource_id: app.rid, records: [{ id: 30 }, { id: 31, extra: 1 }] }), { records: ['row "2" has extra keys "extra"'], __type: 'Validation Error' })
  t.same(await err({ resource_id: app.rid, aliases: 'bad%alias' }), { alias: ['"bad%alias" is not a valid alias name'], __type: 'Validation Error' })
  t.same(await err({ resource_id: fileRes, force: true, aliases: 'population-by-province' }), { alias: ['The alias "population-by-province" already exists.'], __type: 'Validation Error' })
  fails(await app.call('datastore_create', { resource_id: app.rid, records: [] }, null), 403)
})

t.test('datastore_delete: rows by filter, then the whole table', async (t) => {
  const app = await fixture(t)
  t.same(ok(await app.call('datastore_delete', { resource_id: app.rid, filters: { จังหวัด: 'สงขลา' } })), { resource_id: app.rid, filters: { จังหวัด: 'สงขลา' } })
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 4)
  t.same(fails(await app.call('datastore_delete', { resource_id: app.rid, filters: { nocol: 1 } }), 409), { filters: ['invalid value "nocol"'], __type: 'Validation Error' })
  t.same(fails(await app.call('datastore_delete', { resource_id: app.rid, filters: [1] }), 409), { filters: ['filters must be either a dict or null.'], __type: 'Validation Error' })
  fails(await app.call('datastore_delete', { resource_id: app.rid }, null), 403)
  ok(await app.call('datastore_delete', { resource_id: app.rid }))
  fails(await search(app, { resource_id: app.rid }), 404)
  t.equal(ok(await app.call('resource_show', { id: app.rid })).datastore_active, false)
  t.same(fails(await app.call('datastore_info', { id: app.rid }), 404), { __type: 'Not Found Error', message: `Not found: Resource/Alias "${app.rid}" was not found.` })
})

t.test('datastore_search_sql', async (t) => {
  const sqlApp = await build(t, { OPEND_DATASTORE_SQL: 'true', OPEND_DATASTORE_ROWS_MAX: '3', OPEND_DATASTORE_SQL_TIMEOUT: '1' })
  ok(await sqlApp.call('organization_create', { name: 'nso' }))
  ok(await sqlApp.call('package_create', { name: 'population', owner_org: 'nso' }))
  const rid = ok(await sqlApp.call('datastore_create', {
    resource: { package_id: 'population' },
    fields: [{ id: 'จังหวัด', type: 'text' }, { id: 'ประชากร', type: 'int8' }, { id: 'วันที่', type: 'date' }],
    records: [{ จังหวัด: 'เชียงใหม่', ประชากร: 1797074, วันที่: '2023-12-31' }, { จังหวัด: 'สงขลา', ประชากร: 1436393 }, { จังหวัด: 'ตาก', ประชากร: 600000 }, { จังหวัด: 'น่าน', ประชากร: 470000 }],
    aliases: 'ประชากร-จังหวัด'
  })).resource_id
  const q = (statement: string, token?: string | null) => sqlApp.call('datastore_search_sql', { sql: statement }, token)
  const r = ok(await q(`SELECT "จังหวัด", "ประชากร" * 2 AS สองเท่า, "วันที่" FROM "${rid}" WHERE "ประชากร" > 1000000 ORDER BY 1;`, null))
  t.same(r.records, [{ จังหวัด: 'สงขลา', สองเท่า: 2872786, วันที่: null }, { จังหวัด: 'เชียงใหม่', สองเท่า: 3594148, วันที่: '2023-12-31' }])
  t.same(r.fields, [{ id: 'จังหวัด', type: 'text' }, { id: 'สองเท่า', type: 'int8' }, { id: 'วันที่', type: 'date' }])
  t.notOk('records_truncated' in r)
  t.same(ok(await q(`SELECT EXTRACT(year FROM "วันที่") AS ปี FROM "${rid}" WHERE "วันที่" IS NOT NULL`)).records, [{ ปี: 2023 }], 'EXTRACT, the date_part CKAN allows')
  const all = ok(await q('SELECT count(*) AS n, upper(\'x\') AS u FROM "ประชากร-จังหวัด"'))
  t.same(all.records, [{ n: 4, u: 'X' }], 'an alias is a table name too')
  const empty = ok(await q(`SELECT "จังหวัด" FROM "${rid}" WHERE false`))
  t.same([empty.records, empty.fields], [[], [{ id: 'จังหวัด', type: 'text' }]], 'no rows, but the fields')
  const capped = ok(await q(`SELECT _id FROM "${rid}" ORDER BY _id`))
  t.same([capped.records.length, capped.records_truncated], [3, true], 'at most OPEND_DATASTORE_ROWS_MAX records')
  t.same(fails(await q(`SELECT nocol FROM "${rid}"`), 409), { query: ['column "nocol" does not exist'], __type: 'Validation Error' })
  t.same(fails(await q('SELECT FROM WHERE'), 409), { query: ['syntax error at or near "WHERE"'], __type: 'Validation Error' })
  if (process.env.DATABASE_URL) {
    t.same(fails(await q('SELECT count(*) FROM generate_series(1, 10000000000)'), 409), { query: ['Query took too long'], __type: 'Validation Error' }, 'the statement timeout holds')
  }
  const byDefault = await (await build(t)).call('datastore_search_sql', { sql: 'SELECT 1 AS one' })
  if (process.env.DATABASE_URL) t.same(json(byDefault).result?.records, [{ one: 1 }], `served by default on PostgreSQL: ${byDefault.body}`)
  else t.same([byDefault.statusCode, json(byDefault)], [400, 'Bad request - Action name not known: datastore_search_sql'], 'off by default on PGlite, as in CKAN without sqlsearch.enabled')
})

t.test('concurrent upserts lose no row; a search during a load sees the old rows or the new', async (t) => {
  const app = await fixture(t)
  const writers = Array.from({ length: 8 }, (_, w) => app.call('datastore_upsert', {
    resource_id: app.rid,
    method: 'insert',
    records: Array.from({ length: 50 }, (_, i) => ({ id: 1000 + w * 50 + i, จังหวัด: `แถว ${w}-${i}` }))
  }))
  const upserts = Array.from({ length: 8 }, (_, i) => app.call('datastore_upsert', { resource_id: app.rid, records: [{ id: 2000 + i, ประชากร: i }, { id: 1, ประชากร: i }] }))
  for (const res of await Promise.all([...writers, ...upserts])) ok(res)
  t.equal(ok(await search(app, { resource_id: app.rid })).total, 5 + 400 + 8, 'every inserted and upserted row is there')
  const ids = ok(await search(app, { resource_id: app.rid, fields: '_id', limit: 1000 })).records.map((r: any) => r._id)
  t.equal(new Set(ids).size, ids.length, '_id values are unique')

  const { loadFile } = await import('../../src/datastore/load.js')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const path = join(mkdtempSync(join(tmpdir(), 'opend-swap-')), 'new.csv')
  writeFileSync(path, 'id,จังหวัด\n' + Array.from({ length: 3000 }, (_, i) => `${i},ใหม่ ${i}`).join('\n') + '\n')
  const state = { done: false }
  const load = loadFile(app.db, app.rid, path, { siteUrl: 'http://test.opend' }).finally(() => { state.done = true })
  const seen = new Set<number>()
  while (!state.done) {
    seen.add(ok(await search(app, { resource_id: app.rid, limit: 0 })).total)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await load
  seen.add(ok(await search(app, { resource_id: app.rid, limit: 0 })).total)
  t.same([...seen].filter((n) => n !== 413 && n !== 3000), [], `only the old total or the new one was ever seen (${[...seen].join(', ')})`)
  t.ok(seen.has(3000))
})

t.test('deleting or purging a resource drops its table, as CKAN does', async (t) => {
  const app = await fixture(t)
  const { sql } = await import('kysely')
  const { datastoreSchema } = await import('../../src/datastore/schema.js')
  const schema = await datastoreSchema(app.db.kysely)
  const tables = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = ${schema}`.execute(app.db.kysely)).rows[0].n
  const second = ok(await app.call('datastore_create', { resource: { package_id: 'population', name: 'สอง' }, fields: [{ id: 'a', type: 'int' }], aliases: 'second-table' })).resource_id
  const third = ok(await app.call('datastore_create', { resource: { package_id: 'population', name: 'สาม' }, fields: [{ id: 'a', type: 'int' }] })).resource_id
  t.equal(await tables(), 3)
  ok(await app.call('resource_delete', { id: second }))
  t.equal(await tables(), 2, 'resource_delete')
  fails(await search(app, { resource_id: 'second-table' }), 404)
  const kept = ok(await app.call('package_show', { id: 'population' })).resources.filter((r: any) => r.id !== third)
  ok(await app.call('package_update', { name: 'population', owner_org: 'nso', resources: kept }))
  t.equal(await tables(), 1, 'a resource left out of package_update')
  ok(await app.call('dataset_purge', { id: 'population' }))
  t.equal(await tables(), 0, 'dataset_purge')
})

t.test('deep pages in _id order are the same rows as OFFSET gives', async (t) => {
  const app = await fixture(t)
  ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', records: Array.from({ length: 300 }, (_, i) => ({ id: 100 + i, จังหวัด: i % 3 === 0 ? 'ตาก' : 'น่าน' })) }))
  ok(await app.call('datastore_delete', { resource_id: app.rid, filters: { id: [150, 151, 152] } }))
  const ids = async (params: Record<string, unknown>) => ok(await search(app, { resource_id: app.rid, fields: '_id,id', ...params })).records.map((r: any) => r.id)
  const all = await ids({ limit: 1000 })
  t.equal(all.length, 302)
  for (const [offset, limit] of [[1, 5], [150, 7], [299, 10], [302, 5], [400, 5]]) {
    t.same(await ids({ offset, limit }), all.slice(offset, offset + limit), `offset ${offset}`)
  }
  const taks = await ids({ filters: { จังหวัด: 'ตาก' }, limit: 1000 })
  t.same(await ids({ filters: { จังหวัด: 'ตาก' }, offset: 40, limit: 5 }), taks.slice(40, 45), 'with a filter')
  t.same(await ids({ sort: 'id desc', offset: 3, limit: 2 }), [...all].reverse().slice(3, 5), 'another order keeps OFFSET')
})
