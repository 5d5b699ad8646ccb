/**
 * The DataStore's write actions as CKAN 2.10 answers them
 * (ckanext/datastore/logic/action.py, backend/postgres.py): the primary key
 * as a unique index, calculate_record_count, anonymous and unauthorized
 * writers, what the actions echo, and datastore_upsert's key messages.
 */
import { createHash } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { build, fails, fixture, ok } from '../helper.js'
import { datastoreSchema } from '../../src/datastore/schema.js'

/** The reference's table: `id` int4 as the primary key, `label` text, `score` float8, `day` date. */
async function benchTable (t: Parameters<typeof build>[0], extra: Record<string, unknown> = {}) {
  const app = await build(t)
  ok(await app.call('organization_create', { name: 'bench-org', title: 'Bench' }))
  ok(await app.call('package_create', { name: 'bench-ds', owner_org: 'bench-org', title: 'Bench dataset' }))
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'bench-ds', name: 'rows' },
    fields: [{ id: 'id', type: 'int4' }, { id: 'label', type: 'text' }, { id: 'score', type: 'float8' }, { id: 'day', type: 'date' }],
    primary_key: 'id',
    records: Array.from({ length: 20 }, (_, i) => ({ id: i, label: `cat-${i % 5}`, score: i / 2, day: '2000-01-01' })),
    ...extra
  }))
  return { ...app, rid: created.resource_id as string }
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex')

t.test('the primary key is a unique index under CKAN\'s name, as datastore_info shows', async (t) => {
  const app = await benchTable(t)
  const info = ok(await app.call('datastore_info', { id: app.rid }))
  const reference = fixture('datastore_info.json').result.fields
  reference[0].schema.index_name = sha1(`${app.rid}"id"`)
  t.same(info.fields, reference, 'the field schema of CKAN\'s datastore_info, index name included')
  t.equal(sha1('8ff74001-c855-4ea4-8248-0d64a24ee741"id"'), fixture('datastore_info.json').result.fields[0].schema.index_name, 'CKAN\'s name for the reference\'s key')

  ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', records: [{ id: null, label: 'no key' }, { id: null, label: 'no key either' }] }))
  ok(await app.call('datastore_upsert', { resource_id: app.rid, records: [{ id: 3, label: 'three' }, { id: 100, label: 'new' }] }))
  const rows = ok(await app.call('datastore_search', { resource_id: app.rid, filters: { id: [3, 100] }, fields: 'id,label', sort: 'id' })).records
  t.same(rows, [{ id: 3, label: 'three' }, { id: 100, label: 'new' }], 'upsert still goes by the key')
  t.equal(ok(await app.call('datastore_search', { resource_id: app.rid, limit: 0 })).total, 23, 'NULL keys are accepted, as a unique index takes them')
  t.same(fails(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', records: [{ id: 1 }] }), 409).constraints,
    ['Cannot insert records or create index because of uniqueness constraint'], 'and duplicates are refused')

  t.same(fails(await app.call('datastore_create', { resource_id: app.rid, primary_key: ['label', 'day'] }), 409).constraints,
    ['Cannot insert records or create indexbecause of uniqueness constraint'], 'a key the rows break is refused')
  ok(await app.call('datastore_delete', { resource_id: app.rid, filters: { label: ['cat-0', 'cat-1', 'cat-2', 'cat-3', 'cat-4'] } }))
  ok(await app.call('datastore_create', { resource_id: app.rid, primary_key: ['label', 'day'] }))
  const changed = ok(await app.call('datastore_info', { id: app.rid })).fields
  t.same(changed.map((f: any) => [f.id, f.schema.index_name, f.schema.is_index, f.schema.uniquekey, f.schema.notnull]), [
    ['id', null, false, false, false],
    ['label', sha1(`${app.rid}"label", "day"`), true, false, false],
    ['score', null, false, false, false],
    ['day', sha1(`${app.rid}"label", "day"`), true, false, false]
  ], 'a new key replaces the old index with its own, named for both columns')
  ok(await app.call('datastore_upsert', { resource_id: app.rid, records: [{ label: 'three', day: null, score: 1 }, { label: 'new', day: '2001-01-01', score: 2 }] }))
  ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'update', records: [{ label: 'new', day: '2001-01-01', score: 3 }] }))
  t.same(ok(await app.call('datastore_search', { resource_id: app.rid, filters: { label: 'new' }, fields: 'id,day,score', sort: 'day' })).records,
    [{ id: null, day: '2001-01-01', score: 3 }, { id: 100, day: null, score: null }], 'a two-column key upserts and updates')
  ok(await app.call('datastore_create', { resource_id: app.rid, primary_key: ['day', 'label'] }))
  t.equal(ok(await app.call('datastore_info', { id: app.rid })).fields[1].schema.index_name, sha1(`${app.rid}"label", "day"`), 'the same columns in another order keep the index')
  ok(await app.call('datastore_create', { resource_id: app.rid, primary_key: [] }))
  t.same(ok(await app.call('datastore_info', { id: app.rid })).fields.map((f: any) => f.schema.is_index), [false, false, false, false], 'an empty key drops it')
})

t.test('a table an older opend made, with a PRIMARY KEY constraint, still upserts and changes its key', async (t) => {
  const app = await benchTable(t)
  const table = sql.id(await datastoreSchema(app.db.kysely), app.rid)
  await sql`DROP INDEX ${sql.id(await datastoreSchema(app.db.kysely), sha1(`${app.rid}"id"`))}`.execute(app.db.kysely)
  await sql`ALTER TABLE ${table} ADD PRIMARY KEY (id)`.execute(app.db.kysely)
  t.same(ok(await app.call('datastore_info', { id: app.rid })).fields[0].schema, { native_type: 'integer', notnull: true, index_name: `${app.rid}_pkey`, is_index: true, uniquekey: true })
  ok(await app.call('datastore_upsert', { resource_id: app.rid, records: [{ id: 1, label: 'one' }, { id: 50, label: 'fifty' }] }))
  t.same(ok(await app.call('datastore_search', { resource_id: app.rid, filters: { id: [1, 50] }, fields: 'id,label', sort: 'id' })).records, [{ id: 1, label: 'one' }, { id: 50, label: 'fifty' }])
  ok(await app.call('datastore_create', { resource_id: app.rid, primary_key: 'score' }))
  const fields = ok(await app.call('datastore_info', { id: app.rid })).fields
  t.same(fields[0].schema, { native_type: 'integer', notnull: false, index_name: null, is_index: false, uniquekey: false }, 'the constraint and its NOT NULL are gone')
  t.equal(fields[2].schema.index_name, sha1(`${app.rid}"score"`))
  ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', records: [{ id: null, score: 1000 }] }))
})

t.test('calculate_record_count: ANALYZE, which total_estimation_threshold then reads', async (t) => {
  const app = await benchTable(t)
  const estimate = async () => {
    const r = ok(await app.call('datastore_search', { resource_id: app.rid, limit: 1, total_estimation_threshold: 10 }))
    return [r.total, r.total_was_estimated]
  }
  t.same(await estimate(), [20, false], 'never analyzed: counted')
  const echoed = ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', calculate_record_count: true, records: Array.from({ length: 10 }, (_, i) => ({ id: 100 + i })) }))
  t.equal(echoed.calculate_record_count, true)
  t.same(await estimate(), [30, true], 'estimated, as in datastore_search_estimated_total.json')
  const reference = fixture('datastore_search_estimated_total.json').result
  t.same([reference.total, reference.total_was_estimated], [100000, true])
  t.same(ok(await app.call('datastore_delete', { resource_id: app.rid, filters: { id: [100, 101] }, calculate_record_count: true })),
    { resource_id: app.rid, filters: { id: [100, 101] }, calculate_record_count: true })
  t.same(await estimate(), [28, true], 'datastore_delete analyzes too')
  ok(await app.call('datastore_create', { resource_id: app.rid, records: [{ id: 200 }, { id: 201 }, { id: 202 }, { id: 203 }], calculate_record_count: true }))
  t.same(await estimate(), [32, true], 'and datastore_create')
  const under = ok(await app.call('datastore_search', { resource_id: app.rid, limit: 1, total_estimation_threshold: 1000 }))
  t.same([under.total, under.total_was_estimated], [32, false], 'an estimate under the threshold is not used')
  t.same(ok(await app.call('datastore_delete', { resource_id: app.rid, calculate_record_count: true })), { resource_id: app.rid, calculate_record_count: true }, 'a dropped table is not analyzed')
})

t.test('writes need a user; one without rights gets CKAN\'s messages', async (t) => {
  const app = await benchTable(t)
  const anonymous = async (action: string, body: Record<string, unknown>) => fails(await app.call(action, body, null), 403)
  for (const action of ['datastore_create', 'datastore_upsert', 'datastore_delete']) {
    t.same(await anonymous(action, { resource_id: app.rid, records: [] }), { __type: 'Authorization Error', message: `Access denied: Action ${action} requires an authenticated user` }, action)
  }
  t.same(await anonymous('datastore_upsert', { resource_id: 'nope', records: [] }), { __type: 'Authorization Error', message: 'Access denied: Action datastore_upsert requires an authenticated user' }, 'before a missing table')
  t.same(await anonymous('datastore_delete', { resource_id: 'nope' }), { __type: 'Authorization Error', message: 'Access denied: Action datastore_delete requires an authenticated user' })
  t.same(await anonymous('datastore_create', { resource: { package_id: 'bench-ds' } }), { __type: 'Authorization Error', message: 'Access denied: Action datastore_create requires an authenticated user' })
  t.same(fails(await app.call('datastore_create', { resource_id: 'nope' }, null), 409), { resource_id: ['Not found: Resource'], __type: 'Validation Error' }, 'CKAN\'s schema checks the resource first')
  t.same(fails(await app.call('datastore_upsert', { records: [] }, null), 409), { resource_id: ['Missing value'], __type: 'Validation Error' })

  const outsider = await app.user('outsider')
  t.same(fails(await app.call('datastore_create', { resource_id: app.rid, records: [] }, outsider.token), 403),
    { __type: 'Authorization Error', message: `Access denied: User outsider not authorized to edit resource ${app.rid}` })
  for (const action of ['datastore_upsert', 'datastore_delete']) {
    t.same(fails(await app.call(action, { resource_id: app.rid, records: [{ id: 1 }], force: true }, outsider.token), 403),
      { __type: 'Authorization Error', message: `Access denied: User outsider not authorized to edit resource ${app.rid}` }, `${action}: resource_update's message`)
  }
  const pkg = ok(await app.call('package_show', { id: 'bench-ds' }))
  t.same(fails(await app.call('datastore_create', { resource: { package_id: 'bench-ds' } }, outsider.token), 403),
    { __type: 'Authorization Error', message: `Access denied: User outsider not authorized to edit package ${pkg.id}` })
})

t.test('what datastore_create and datastore_upsert echo', async (t) => {
  const app = await benchTable(t)
  const made = ok(await app.call('datastore_create', {
    resource: { package_id: 'bench-ds', name: 'guessed' },
    fields: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }, { id: 'e' }, { id: 'f', type: 'text' }],
    records: [{ a: 1, b: '12', c: 1.5, d: 'x', e: { k: 1 }, f: 'y', g: 2 }],
    force: true
  }))
  t.same(made, {
    fields: [{ id: 'a', type: 'int' }, { id: 'b', type: 'integer' }, { id: 'c', type: 'float' }, { id: 'd', type: 'text' }, { id: 'e', type: 'json' }, { id: 'f', type: 'text' }],
    force: true,
    resource: { package_id: 'bench-ds', name: 'guessed', url: '_datastore_only_resource' },
    resource_id: made.resource_id,
    method: 'insert'
  }, 'guessed types under _guess_type\'s names, the resource with its URL, method insert, no records')
  t.same(ok(await app.call('datastore_create', { resource_id: app.rid, force: true, fields: [{ id: 'n' }], records: [{ id: 500, n: '1.5' }] })),
    { resource_id: app.rid, fields: [{ id: 'n', type: 'numeric' }], method: 'insert' }, 'force is not echoed when a resource_id is given')
  t.same(ok(await app.call('datastore_create', { resource_id: app.rid, fields: [{ id: 'n' }] })),
    { resource_id: app.rid, fields: [{ id: 'n' }], method: 'insert' }, 'an existing field is echoed as given')

  t.same(ok(await app.call('datastore_upsert', { resource_id: app.rid, force: true, records: [{ id: 1, label: 'x' }] })),
    { resource_id: app.rid, records: [{ id: 1, label: 'x' }] }, 'no force, no method when none is given')
  t.same(ok(await app.call('datastore_upsert', { resource_id: app.rid, method: 'insert', records: [], dry_run: true })),
    { resource_id: app.rid, method: 'insert', dry_run: true }, 'the method given; no records when none')
})

t.test('datastore_upsert: CKAN\'s key messages, and _id as the key', async (t) => {
  const app = await benchTable(t)
  const upsert = (body: Record<string, unknown>) => app.call('datastore_upsert', { resource_id: app.rid, ...body })
  t.same(fails(await upsert({ method: 'update', records: [{ id: 999999, label: 'x' }] }), 409), { key: ['key "[999999]" not found'], __type: 'Validation Error' })
  t.same(fails(await upsert({ records: [{ label: 'x' }] }), 409),
    { key: ['fields "id" are missing\n                            but needed as key'], __type: 'Validation Error' })
  const id5 = ok(await app.call('datastore_search', { resource_id: app.rid, filters: { id: 5 } })).records[0]._id
  ok(await upsert({ method: 'update', records: [{ _id: id5, id: 555, label: 'by _id' }] }))
  t.same(ok(await app.call('datastore_search', { resource_id: app.rid, filters: { id: 555 }, fields: '_id,label' })).records, [{ _id: id5, label: 'by _id' }],
    'update goes by _id when a record has it, key columns included')
  t.same(fails(await upsert({ method: 'update', records: [{ _id: 424242, label: 'x' }] }), 409), { key: ['key "[424242]" not found'], __type: 'Validation Error' })
  t.same(fails(await upsert({ method: 'update', records: [{ id: 1, label: 'kept?' }, { id: 777, label: 'x' }] }), 409).key, ['key "[777]" not found'])
  t.equal(ok(await app.call('datastore_search', { resource_id: app.rid, filters: { id: 1 } })).records[0].label, 'cat-1', 'a refused update writes nothing')
})
