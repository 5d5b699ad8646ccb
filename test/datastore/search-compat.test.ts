/**
 * datastore_search against real CKAN 2.10 answers (ckan-2.10-responses/):
 * the reference's table rebuilt row for row, its requests sent again through
 * HTTP and the results compared whole; then what the fixtures do not show of
 * the same behaviours: a dict q's per-field parsing, DISTINCT over the page,
 * `_links` encoded as Python's urlencode does, timestamps to the second,
 * and a table whose full text an older opend made, searched as before.
 */
import t from 'tap'
import { sql } from 'kysely'
import { datastoreSchema } from '../../src/datastore/schema.js'
import { TS_CONFIG, segment } from '../../src/search/analyzer.js'
import { build, fixture, ok } from '../helper.js'

/** The reference's resource id, replaced by the test table's in the fixtures. */
const CKAN_RID = '8ff74001-c855-4ea4-8248-0d64a24ee741'
const ROWS = 100_000
const DAY = 24 * 3600 * 1000

const app = await build(t)
ok(await app.call('organization_create', { name: 'bench-org', title: 'Bench' }))
ok(await app.call('package_create', { name: 'bench-ds', owner_org: 'bench-org', title: 'Bench dataset' }))
const rid: string = ok(await app.call('datastore_create', {
  resource: { package_id: 'bench-ds', name: 'rows' },
  force: true,
  primary_key: 'id',
  fields: [{ id: 'id', type: 'int4' }, { id: 'label', type: 'text' }, { id: 'score', type: 'float8' }, { id: 'day', type: 'date' }]
})).resource_id
// as the reference was filled: row i has id i, _id i + 1, in 10 batches of inserts
for (let from = 0; from < ROWS; from += 10_000) {
  ok(await app.call('datastore_upsert', {
    resource_id: rid,
    method: 'insert',
    force: true,
    records: Array.from({ length: 10_000 }, (_, j) => {
      const i = from + j
      return { id: i, label: `cat-${i % 50}`, score: (i * 7919 % 100000) / 100, day: new Date(Date.UTC(2000, 0, 1) + (i % 9000) * DAY).toISOString().slice(0, 10) }
    })
  }))
}

/** A fixture's result, about the test table. */
const expected = (name: string) => JSON.parse(JSON.stringify(fixture(name).result).replaceAll(CKAN_RID, rid))
const search = async (query: string) => ok(await app.app.inject(`/api/3/action/datastore_search?resource_id=${rid}&${query}`))

t.test('the reference requests give the reference results', async (t) => {
  for (const [name, query] of [
    ['datastore_search_q_dict.json', `limit=1&q=${encodeURIComponent('{"label":"cat-3"}')}`],
    ['datastore_search_distinct.json', 'fields=label&distinct=true&limit=2'],
    ['datastore_search_csv.json', 'limit=2&records_format=csv&fields=id,label'],
    ['datastore_search_lists_offset.json', 'limit=2&records_format=lists&offset=200'],
    ['datastore_search_no_total_prev_link.json', 'limit=1&include_total=false&offset=5']
  ]) {
    t.same(await search(query), expected(name), name)
  }
  t.same(ok(await app.call('datastore_search', { resource_id: rid, filters: { label: 'cat-3' }, limit: 3 })), expected('datastore_search_filter_limit3.json'),
    'a POST: links without a query string but the offset')
  // the full text leaves `cat-7` to PostgreSQL's parser, `cat` and `-7` as in CKAN: the row whose score is 7 is not a match
  t.same(await search('q=cat-7&limit=2&sort=score desc'), expected('datastore_search_get_q.json'))
  t.same((await search('limit=1&total_estimation_threshold=1000'))._links, expected('datastore_search_estimated_total.json')._links)
})

t.test('a dict q: each value parsed by PostgreSQL as its column is', async (t) => {
  const posted = ok(await app.call('datastore_search', { resource_id: rid, q: { label: 'cat-3' }, limit: 1 }))
  t.same(posted.records, expected('datastore_search_q_dict.json').records, 'a dict in a JSON body')
  t.equal(posted.total, 2000)
  t.equal((await search(`q=${encodeURIComponent('{"label":"CAT-49"}')}&limit=0`)).total, 2000, 'case does not matter')
  t.equal((await search(`q=${encodeURIComponent('{"label":"cat-3","id":"53"}')}&limit=0`)).total, 1, 'fields ANDed, a number column as its text')
  const words = await search(`q=${encodeURIComponent('{"label":"cat"}')}&limit=1&fields=_id,rank label`)
  t.equal(words.total, ROWS, 'a word of the value')
  t.same(words.fields, [{ id: '_id', type: 'int' }, { id: 'rank label', type: 'float' }])
  t.equal((await search(`q=${encodeURIComponent('{"label":"cat-3 | cat-4"}')}&plain=false&limit=0`)).total, 4000, 'tsquery syntax with plain=false')
  t.equal((await search(`q=${encodeURIComponent('{"label":"dog-3"}')}&limit=0`)).total, 0)
})

t.test('distinct: the values of the page of rows, counted over the whole table', async (t) => {
  const page = await search('fields=label&distinct=true&limit=3&offset=49')
  t.same(page.records.map((r: any) => r.label).sort(), ['cat-0', 'cat-1', 'cat-49'], 'rows 49 to 51, as CKAN pages before DISTINCT')
  t.equal(page.total, 50)
  const sorted = await search('fields=label&distinct=true&sort=label desc&limit=100')
  t.same(sorted.records, [{ label: 'cat-9' }], 'the 100 first rows by label desc are all cat-9')
  t.equal(sorted.total, 50)
  const two = await search('fields=label,day&distinct=true&limit=2&records_format=lists&sort=id')
  t.same(two.records, [['cat-0', '2000-01-01'], ['cat-1', '2000-01-02']], 'lists')
  t.equal(two.total, 9000, 'distinct pairs of values: label repeats every 50 rows, day every 9000')
  const ranked = await search(`fields=label&distinct=true&limit=5&q=${encodeURIComponent('{"label":"cat-7"}')}`)
  t.same(ranked.records, [{ label: 'cat-7' }], 'a text query\'s page')
  t.equal(ranked.total, 1)
  const csv = await search('fields=label&distinct=true&limit=2&records_format=csv')
  t.equal(csv.records, 'cat-0\ncat-1\n')
})

t.test('_links: the query string as Python reads and writes it', async (t) => {
  const links = async (query: string) => (await search(query))._links
  const base = `/api/3/action/datastore_search?resource_id=${rid}`
  t.same(await links("offset=4&fields=id,label&limit=3&sort=label%20desc&q=&full_text=a+b!'()*~%2B%E0%B8%9D%zz"), {
    start: `${base}&fields=id%2Clabel&limit=3&sort=label+desc&full_text=a+b%21%27%28%29%2A~%2B%E0%B8%9D%25zz`,
    next: `${base}&offset=7&fields=id%2Clabel&limit=3&sort=label+desc&full_text=a+b%21%27%28%29%2A~%2B%E0%B8%9D%25zz`,
    prev: `${base}&offset=1&fields=id%2Clabel&limit=3&sort=label+desc&full_text=a+b%21%27%28%29%2A~%2B%E0%B8%9D%25zz`
  }, 'blank values dropped, an offset in the middle kept in its place, quote_plus\'s escapes')
  t.same(await links('fields=id&limit=2&fields=label&q'), {
    start: `${base}&fields=label&limit=2`,
    next: `${base}&fields=label&limit=2&offset=2`
  }, 'a repeated key: its last value in its first place; a key without "=" dropped')
  const post = ok(await app.call('datastore_search', { resource_id: rid, limit: 2, offset: 3 }))._links
  t.same(post, { start: '/api/3/action/datastore_search', next: '/api/3/action/datastore_search?offset=5', prev: '/api/3/action/datastore_search?offset=1' })
})

t.test('timestamps: to the second in objects and lists, as in CSV; sorted and counted as CKAN does', async (t) => {
  const ts: string = ok(await app.call('datastore_create', {
    resource: { package_id: 'bench-ds', name: 'times' },
    fields: [{ id: 'n', type: 'int' }, { id: 'at', type: 'timestamp' }],
    records: [{ n: 1, at: '2020-01-02T03:04:05.678' }, { n: 2, at: '2020-01-02T03:04:05.9' }, { n: 3, at: null }, { n: 4, at: '2020-01-02T03:04:05.1' }]
  })).resource_id
  const find = async (params: Record<string, unknown>) => ok(await app.call('datastore_search', { resource_id: ts, ...params }))
  t.same((await find({})).records, [
    { _id: 1, n: 1, at: '2020-01-02T03:04:05' }, { _id: 2, n: 2, at: '2020-01-02T03:04:05' }, { _id: 3, n: 3, at: null }, { _id: 4, n: 4, at: '2020-01-02T03:04:05' }
  ])
  t.same((await find({ records_format: 'lists', fields: 'n,at', limit: 1 })).records, [[1, '2020-01-02T03:04:05']])
  t.equal((await find({ records_format: 'csv', fields: 'at', limit: 1 })).records, '2020-01-02T03:04:05\n')
  t.same((await find({ fields: 'n', sort: 'at desc nulls last' })).records.map((r: any) => r.n), [2, 1, 4, 3], 'sorted by the timestamp, not its text')
  t.same((await find({ records_format: 'csv', fields: 'n,at', sort: 'at' })).records, '4,2020-01-02T03:04:05\n1,2020-01-02T03:04:05\n2,2020-01-02T03:04:05\n3,\n')
  const distinct = await find({ fields: 'at', distinct: true, sort: 'at' })
  t.equal(distinct.total, 2, 'DISTINCT over the text CKAN selects: the same second once, and null')
})

t.test('a filter may name _id, as CKAN\'s field types include it', async (t) => {
  const one = await search(`filters=${encodeURIComponent('{"_id": 5}')}`)
  t.same([one.total, one.records.map((r: { id: number }) => r.id)], [1, [4]])
  t.equal((await search(`filters=${encodeURIComponent('{"_id": ["5", 6]}')}&limit=0`)).total, 2, 'a list, numbers as text too')
})

t.test('a table whose full text an older opend made (version 1, every word segmented) is searched as it was made', async (t) => {
  const { db } = app
  const old: string = ok(await app.call('datastore_create', {
    resource: { package_id: 'bench-ds', name: 'old' },
    force: true,
    fields: [{ id: 'label', type: 'text' }, { id: 'score', type: 'float8' }],
    records: [{ label: 'cat-7', score: 1 }, { label: 'cat-8', score: 7 }, { label: 'สถิติการท่องเที่ยว', score: 2 }]
  })).resource_id
  const total = async (q: string) => ok(await app.app.inject(`/api/3/action/datastore_search?resource_id=${old}&q=${encodeURIComponent(q)}&limit=0`)).total
  t.equal(await total('cat-7'), 1, 'version 2: cat and -7')
  t.equal(await total('ท่องเที่ยว'), 1, 'Thai words found inside Thai values')
  // what an older opend left: ICU's words for everything, and the table marked so
  await sql`UPDATE datastore_tables SET full_text_version = 1 WHERE resource_id = ${old}`.execute(db.kysely)
  const schema = await datastoreSchema(db.kysely)
  for (const [label, score] of [['cat-7', 1], ['cat-8', 7], ['สถิติการท่องเที่ยว', 2]]) {
    await sql`UPDATE ${sql.id(schema, old)} SET _full_text = to_tsvector(${TS_CONFIG}::regconfig, ${segment(`${label} ${score}`)}) WHERE label = ${label}`.execute(db.kysely)
  }
  await sql`UPDATE datastore_tables SET modified = clock_timestamp() WHERE resource_id = ${old}`.execute(db.kysely)
  t.equal(await total('cat-7'), 2, 'version 1: cat and 7, as the table was made')
  t.equal(await total('ท่องเที่ยว'), 1)
  ok(await app.call('datastore_upsert', { resource_id: old, method: 'insert', force: true, records: [{ label: 'dog-7', score: 3 }] }))
  t.equal(await total('dog 7'), 1, 'rows added later are analysed as the table\'s others')
})
