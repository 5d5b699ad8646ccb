/**
 * CSV and TSV records written by PostgreSQL's COPY, as CKAN writes them,
 * streamed inside the JSON answer; and the pages and counts datastore_search
 * remembers between requests (src/datastore/search-memo.ts), which must give
 * what OFFSET and count(*) give, also after writes.
 */
import t from 'tap'
import { sql } from 'kysely'
import { build, ok } from '../helper.js'
import { inlineStatement, literal } from '../../src/db/inline.js'
import { asciiJson, jsonStringBody } from '../../src/ckan/json.js'

t.test('literal and inlineStatement: values as literals, identifiers untouched', async (t) => {
  t.equal(literal("o'k\\z"), "E'o\\'k\\\\z'")
  t.equal(literal(null), 'NULL')
  t.equal(literal(3.5), '3.5')
  t.equal(literal(true), 'true')
  t.equal(literal(['a', 'b"c', null]), "E'{\"a\",\"b\\\\\"c\",NULL}'")
  t.throws(() => literal(Number.NaN))
  t.throws(() => literal({}))
  t.equal(inlineStatement(sql`SELECT ${sql.id('$1 "x"')} FROM t WHERE a = ${'$1'} AND b = ${2}`),
    'SELECT "$1 ""x""" FROM t WHERE a = E\'$1\' AND b = 2')
})

t.test('jsonStringBody: chunks split inside a Thai character come out whole and escaped', async (t) => {
  const bytes = Buffer.from('ก,"a""b"\nข\\\n', 'utf8')
  async function * chunks () { for (let i = 0; i < bytes.length; i += 1) yield bytes.subarray(i, i + 1) }
  let text = ''
  for await (const part of jsonStringBody(chunks())) text += part
  t.equal(text, '\\u0e01,\\"a\\"\\"b\\"\\n\\u0e02\\\\\\n')
  t.equal(JSON.parse(`"${text}"`), 'ก,"a""b"\nข\\\n')
})

t.test('jsonStringBody writes what asciiJson writes, however the bytes are cut', async (t) => {
  const pieces = ['ก', 'a', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0001', '\u007f', 'é', '😀', ',', 'ข้าว']
  let seed = 7
  const random = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n }
  for (let n = 0; n < 500; n++) {
    const s = Array.from({ length: random(40) }, () => pieces[random(pieces.length)]).join('')
    const bytes = Buffer.from(s, 'utf8')
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length;) {
      const k = 1 + random(7)
      chunks.push(bytes.subarray(i, i + k))
      i += k
    }
    let out = ''
    for await (const part of jsonStringBody((async function * () { yield * chunks })())) out += part.toString()
    if (out !== asciiJson(s).slice(1, -1)) {
      t.fail(`${JSON.stringify(s)}: ${out}`)
      return
    }
  }
  let out = ''
  for await (const part of jsonStringBody((async function * () { yield Buffer.from([0x41, 0x80, 0x42, 0xe0, 0xb8]) })())) out += part.toString()
  t.equal(out, 'A\\ufffdB\\ufffd', 'bytes that are not UTF-8 become U+FFFD, as a decoder makes them')
})

async function table (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const app = await build(t, env)
  ok(await app.call('organization_create', { name: 'org' }))
  ok(await app.call('package_create', { name: 'ds', owner_org: 'org' }))
  return app
}

t.test('CSV and TSV as CKAN\'s COPY writes them, values that need care in SQL survive', async (t) => {
  const app = await table(t)
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'ds' },
    fields: [{ id: 'ชื่อ', type: 'text' }, { id: 'เมื่อ', type: 'timestamp' }, { id: 'รายการ', type: '_text' }, { id: 'ใช่', type: 'bool' }, { id: 'n', type: 'numeric' }],
    records: [
      { ชื่อ: "ก'ข\\ค, \"ง\"", เมื่อ: '2020-01-02T03:04:05', รายการ: ['หนึ่ง', 'two'], ใช่: true, n: 1.5 },
      { ชื่อ: '', เมื่อ: null, รายการ: null, ใช่: false, n: null },
      { ชื่อ: 'บรรทัด\nใหม่', เมื่อ: '2021-12-31T23:59:59', รายการ: [], ใช่: null, n: 0 }
    ]
  }))
  const rid = created.resource_id as string
  const csv = ok(await app.call('datastore_search', { resource_id: rid, records_format: 'csv' }))
  t.equal(csv.records,
    '1,"ก\'ข\\ค, ""ง""",2020-01-02T03:04:05,"[""หนึ่ง"",""two""]",t,1.5\n' +
    '2,"",,null,f,\n' +
    '3,"บรรทัด\nใหม่",2021-12-31T23:59:59,[],,0\n',
    'timestamps ISO, arrays as JSON, empty text quoted, NULL empty, booleans t/f')
  t.equal(csv.total, 3)
  const tsv = ok(await app.call('datastore_search', { resource_id: rid, records_format: 'tsv', fields: ['ชื่อ', 'n'], filters: { ใช่: 'true' } }))
  t.equal(tsv.records, '"ก\'ข\\ค, ""ง"""\t1.5\n')
  const raw = await app.app.inject({ method: 'GET', url: `/api/3/action/datastore_search?resource_id=${rid}&records_format=csv&filters=${encodeURIComponent(JSON.stringify({ ชื่อ: "ก'ข\\ค, \"ง\"" }))}` })
  t.equal(raw.statusCode, 200)
  t.match(raw.body, /"records": "1,\\"\\u0e01'\\u0e02\\\\\\u0e04, \\"\\"\\u0e07\\"\\"\\",2020/, 'Thai escaped in the JSON string, as CKAN writes it')
  const bad = await app.call('datastore_search', { resource_id: rid, records_format: 'csv', filters: { n: 'not a number' } })
  t.equal(bad.statusCode, 409, 'a value PostgreSQL refuses is an error before the answer starts')
  t.same(JSON.parse(bad.body).error.query, ['Invalid query'])
  const empty = ok(await app.call('datastore_search', { resource_id: rid, records_format: 'csv', filters: { n: 99 } }))
  t.equal(empty.records, '')
  t.equal(empty.total, 0)
})

t.test('a CSV larger than any buffer streams inside the envelope', async (t) => {
  const rows = 40_000
  const app = await table(t, { OPEND_DATASTORE_ROWS_MAX: String(rows) })
  const created = ok(await app.call('datastore_create', { resource: { package_id: 'ds' }, fields: [{ id: 'id', type: 'int' }, { id: 'จังหวัด', type: 'text' }] }))
  const rid = created.resource_id as string
  for (let i = 0; i < rows; i += 10_000) {
    ok(await app.call('datastore_upsert', { resource_id: rid, method: 'insert', records: Array.from({ length: 10_000 }, (_, j) => ({ id: i + j, จังหวัด: `เชียงใหม่ ${i + j}` })) }))
  }
  const res = await app.app.inject({ method: 'GET', url: `/api/3/action/datastore_search?resource_id=${rid}&records_format=csv&limit=${rows}` })
  t.equal(res.statusCode, 200)
  t.notOk(res.headers['content-length'], 'sent as it is produced')
  t.notOk([...res.body].some((c) => c.charCodeAt(0) > 0x7f), 'ASCII only, as CKAN\'s JSON')
  const r = JSON.parse(res.body).result
  const lines = r.records.split('\n')
  t.equal(lines.length, rows + 1)
  t.equal(lines[0], '1,0,เชียงใหม่ 0')
  t.equal(lines[rows - 1], `${rows},${rows - 1},เชียงใหม่ ${rows - 1}`)
  t.equal(r.total, rows)
  t.same(Object.keys(r), ['include_total', 'limit', 'records_format', 'resource_id', 'total_estimation_threshold', 'records', 'fields', '_links', 'total', 'total_was_estimated'])
})

t.test('remembered pages and counts give what OFFSET and count(*) give, also after writes', async (t) => {
  const app = await table(t)
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'ds' },
    fields: [{ id: 'id', type: 'int' }, { id: 'kind', type: 'text' }],
    primary_key: 'id',
    records: Array.from({ length: 250 }, (_, i) => ({ id: i, kind: i % 2 ? 'odd' : 'even' }))
  }))
  const rid = created.resource_id as string
  const page = async (url: string) => JSON.parse((await app.app.inject({ method: 'GET', url })).body).result
  const walk = async () => {
    const seen: number[] = []
    let r = await page(`/api/3/action/datastore_search?resource_id=${rid}&filters=${encodeURIComponent('{"kind":"odd"}')}&limit=30`)
    const total = r.total as number
    while (r.records.length > 0) {
      seen.push(...r.records.map((x: { id: number }) => x.id))
      r = await page(r._links.next)
    }
    return { seen, total }
  }
  const odd = (ids: number[]) => ids.filter((i) => i % 2 === 1)
  const first = await walk()
  t.same(first.seen, odd(Array.from({ length: 250 }, (_, i) => i)))
  t.equal(first.total, 125)
  t.same(await walk(), first, 'the same again, from what was remembered')

  ok(await app.call('datastore_delete', { resource_id: rid, filters: { id: [1, 3, 61, 63] } }))
  ok(await app.call('datastore_upsert', { resource_id: rid, method: 'upsert', records: [{ id: 1001, kind: 'odd' }, { id: 2, kind: 'odd' }] }))
  const expected = [...odd(Array.from({ length: 250 }, (_, i) => i)).filter((i) => ![1, 3, 61, 63].includes(i)), 2, 1001].sort((a, b) => a - b)
  // _id order: row 2 keeps its _id, 1001 is new and last
  const byId = [...expected.filter((i) => i !== 1001), 1001]
  const after = await walk()
  t.same(after.seen, byId, 'writes retire what was remembered')
  t.equal(after.total, 123)
  ok(await app.call('datastore_upsert', { resource_id: rid, method: 'update', records: [{ id: 5, kind: 'even' }] }))
  const updated = await walk()
  t.equal(updated.total, 122, 'an update that moves no count still retires it')
  t.notOk(updated.seen.includes(5))
})

t.test('remembered pages of ranked searches follow the table', async (t) => {
  const app = await table(t)
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'ds' },
    fields: [{ id: 'id', type: 'int' }, { id: 'หัวข้อ', type: 'text' }],
    primary_key: 'id',
    records: [{ id: 1, หัวข้อ: 'สถิติการท่องเที่ยว' }, { id: 2, หัวข้อ: 'การท่องเที่ยว การท่องเที่ยว' }, { id: 3, หัวข้อ: 'ปริมาณน้ำฝน' }]
  }))
  const rid = created.resource_id as string
  const q = async () => {
    const r = ok(await app.call('datastore_search', { resource_id: rid, q: 'ท่องเที่ยว', fields: 'id,rank' }))
    return { ids: r.records.map((x: { id: number }) => x.id), total: r.total }
  }
  const first = await q()
  t.same(first, { ids: [2, 1], total: 2 }, 'ranked: more matches first')
  t.same(await q(), first, 'the same again')
  ok(await app.call('datastore_upsert', { resource_id: rid, method: 'upsert', records: [{ id: 3, หัวข้อ: 'ท่องเที่ยว ท่องเที่ยว ท่องเที่ยว' }] }))
  t.same(await q(), { ids: [3, 2, 1], total: 3 }, 'a write is seen at once')
  const other = ok(await app.call('datastore_search', { resource_id: rid, q: 'ท่องเที่ยว', fields: 'id', limit: 1 }))
  t.same(other.records, [{ id: 3 }], 'another page of the same search is its own')
  t.equal(other.total, 3)
})

t.test('/datastore/dump/<id>: the whole table as CKAN writes the file, streamed', async (t) => {
  const app = await table(t)
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'ds' },
    fields: [{ id: 'จังหวัด', type: 'text' }, { id: 'ค่า, หน่วย', type: 'numeric' }, { id: 'เมื่อ', type: 'timestamp' }],
    records: [
      { จังหวัด: 'เชียงใหม่', 'ค่า, หน่วย': 1.5, เมื่อ: '2024-01-02T03:04:05' },
      { จังหวัด: 'น่าน "เมือง"', 'ค่า, หน่วย': null, เมื่อ: null },
      { จังหวัด: 'ตาก', 'ค่า, หน่วย': 3, เมื่อ: '2024-02-01T00:00:00' }
    ]
  }))
  const rid = created.resource_id as string
  const dump = (query = '', token?: string) => app.app.inject({ method: 'GET', url: `/datastore/dump/${rid}${query}`, headers: token ? { authorization: token } : {} })
  const csv = await dump()
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(csv.headers['content-disposition'], `attachment; filename="${rid}.csv"`)
  t.equal(csv.body, '_id,จังหวัด,"ค่า, หน่วย",เมื่อ\r\n1,เชียงใหม่,1.5,2024-01-02T03:04:05\n2,"น่าน ""เมือง""",,\n3,ตาก,3,2024-02-01T00:00:00\n',
    'a header of field ids ended as Python\'s csv module ends it, then the rows as COPY writes them')
  t.equal((await dump('?bom=true&format=tsv&fields=จังหวัด&sort=_id desc&limit=2')).body, '\ufeffจังหวัด\r\nตาก\n"น่าน ""เมือง"""\n')
  t.equal((await dump(`?offset=1&filters=${encodeURIComponent('{"จังหวัด":"ตาก"}')}`)).body, '_id,จังหวัด,"ค่า, หน่วย",เมื่อ\r\n', 'offset and filters, as a search')
  t.equal((await dump(`?q=${encodeURIComponent('เชียงใหม่')}&fields=_id`)).body, '_id\r\n1\n')
  const json = await dump('?format=json')
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(json.body, '{\n  "fields": [{"id":"_id","type":"int"},{"id":"จังหวัด","type":"text"},{"id":"ค่า, หน่วย","type":"numeric"},{"id":"เมื่อ","type":"timestamp"}],\n' +
    '  "records": [\n    [1,"เชียงใหม่",1.5,"2024-01-02T03:04:05"],\n    [2,"น่าน \\"เมือง\\"",null,null],\n    [3,"ตาก",3,"2024-02-01T00:00:00"]\n]}\n')
  t.same(JSON.parse(json.body).records.length, 3)
  t.equal((await dump('?format=json&filters=' + encodeURIComponent('{"จังหวัด":"ไม่มี"}'))).body, '{\n  "fields": [{"id":"_id","type":"int"},{"id":"จังหวัด","type":"text"},{"id":"ค่า, หน่วย","type":"numeric"},{"id":"เมื่อ","type":"timestamp"}],\n  "records": [\n]}\n')

  for (const [query, message] of [['?format=xls', 'format: Value must be one of csv, tsv, json'], ['?limit=x', 'limit: Invalid integer'], ['?offset=-1', 'offset: Must be a natural number'],
    ['?filters=nope', 'filters: Cannot parse JSON'], ['?fields=nope', 'fields: invalid value "nope"'], ['?filters=' + encodeURIComponent('{"ค่า, หน่วย":"x"}'), 'query: Invalid query']]) {
    const res = await dump(query)
    t.equal(res.statusCode, 400, query)
    t.match(res.body, message)
  }
  t.equal((await app.app.inject({ method: 'GET', url: '/datastore/dump/nope' })).statusCode, 404)
  ok(await app.call('package_patch', { id: 'ds', private: true }))
  t.equal((await dump()).statusCode, 404, 'a private dataset\'s table is not found by an anonymous caller')
  t.equal((await dump('', app.admin)).statusCode, 200, 'and is found by one who may read it')
})
