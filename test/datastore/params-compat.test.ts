/**
 * datastore_search's parameters as CKAN 2.10's schema validates and echoes
 * them (ckanext/datastore/logic/schema.py, ckan/logic/validators.py,
 * ckan/lib/navl/validators.py), checked through HTTP against the real
 * answers in ckan-2.10-responses/ where there is one.
 */
import t from 'tap'
import { build, fails, fixture, get, json, ok } from '../helper.js'

/** A dataset with a small DataStore table and an alias of it. */
async function fixtureApp (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const app = await build(t, env)
  ok(await app.call('organization_create', { name: 'nso' }))
  ok(await app.call('package_create', { name: 'population', owner_org: 'nso' }))
  const created = ok(await app.call('datastore_create', {
    resource: { package_id: 'population', name: 'ประชากร' },
    fields: [{ id: 'id', type: 'int' }, { id: 'จังหวัด', type: 'text' }],
    records: [{ id: 1, จังหวัด: 'กรุงเทพมหานคร' }, { id: 2, จังหวัด: 'เชียงใหม่' }, { id: 3, จังหวัด: 'ขอนแก่น' }],
    aliases: 'ประชากร-จังหวัด'
  }))
  return { ...app, rid: created.resource_id as string }
}

t.test('limit: natural_number_validator, then limit_to_configured_maximum', async (t) => {
  const app = await fixtureApp(t, { OPEND_DATASTORE_ROWS_MAX: '2' })
  const getError = async (limit: string) => fails(await get(app, 'datastore_search', { resource_id: app.rid, limit }), 409)
  const postError = async (limit: unknown) => fails(await app.call('datastore_search', { resource_id: app.rid, limit }), 409)

  const reference = fixture('datastore_search_limit_invalid.json').error
  t.same(await getError('abc'), reference, 'GET limit=abc: both validators\' messages, as CKAN answers')
  t.same(await postError('abc'), reference, 'and in a JSON body')
  t.same(await getError('1.5'), { limit: ['Invalid integer', 'Please enter an integer value'], __type: 'Validation Error' }, 'int() refuses a decimal string too')
  t.same(await getError('-1.5'), { limit: ['Invalid integer', 'Please enter an integer value'], __type: 'Validation Error' })
  t.same(await getError('-1'), { limit: ['Must be a natural number'], __type: 'Validation Error' }, 'a negative integer only fails the first')
  t.same(await postError(-3), { limit: ['Must be a natural number'], __type: 'Validation Error' })
  t.same(await postError(1.5), { limit: ['Invalid integer'], __type: 'Validation Error' }, 'int(1.5) truncates, so a JSON decimal only fails the first')
  t.same(await postError([1]), { limit: ['Invalid integer'], __type: 'Validation Error' })

  t.equal(ok(await get(app, 'datastore_search', { resource_id: app.rid, limit: ' 1 ' })).limit, 1, 'whitespace around digits is fine')
  t.equal(ok(await app.call('datastore_search', { resource_id: app.rid, limit: 2.0 })).limit, 2, 'a whole JSON number is an integer')
  const capped = ok(await get(app, 'datastore_search', { resource_id: app.rid, limit: '99999999999999999999999' }))
  t.equal(capped.limit, 2, 'any number of digits is an integer, capped at the configured maximum')
  t.equal(capped.records.length, 2)
  t.equal(ok(await get(app, 'datastore_search', { resource_id: app.rid, limit: '' })).limit, 2, 'empty is the default (100), capped')
})

t.test('limit of package_list keeps its own single message', async (t) => {
  const app = await build(t)
  t.same(fails(await get(app, 'package_list', { limit: '-1' }), 409), fixture('package_list_invalid_limit.json').error)
  t.same(fails(await get(app, 'package_list', { limit: 'abc' }), 409), { limit: ['Invalid integer'], __type: 'Validation Error' })
})

t.test('offset: int_validator, and the backend refuses a negative one', async (t) => {
  const app = await fixtureApp(t)
  const getError = async (offset: string) => fails(await get(app, 'datastore_search', { resource_id: app.rid, offset }), 409)
  t.same(await getError('-1'), fixture('datastore_search_offset_negative.json').error)
  for (const bad of ['abc', '1.5', '0x10', '1e2']) {
    t.same(await getError(bad), { offset: ['Invalid integer'], __type: 'Validation Error' }, `offset=${bad}: Python's int() refuses it`)
  }
  const r = ok(await get(app, 'datastore_search', { resource_id: app.rid, offset: ' 2 ' }))
  t.equal(r.offset, 2, 'echoed as the integer')
  t.same(r.records.map((x: any) => x.id), [3])
})

t.test('total_estimation_threshold: int_validator, echoed as the integer', async (t) => {
  const app = await fixtureApp(t)
  const res = await get(app, 'datastore_search', { resource_id: app.rid, limit: '1', total_estimation_threshold: '1000' })
  t.match(res.body, /"total_estimation_threshold": 1000, "records"/, 'a number in the answer, as in datastore_search_estimated_total.json')
  t.equal(json(res).result.total_estimation_threshold, fixture('datastore_search_estimated_total.json').result.total_estimation_threshold)
  t.equal(ok(await app.call('datastore_search', { resource_id: app.rid, total_estimation_threshold: 5 })).total_estimation_threshold, 5)
  t.equal(ok(await get(app, 'datastore_search', { resource_id: app.rid, total_estimation_threshold: '' })).total_estimation_threshold, null, 'empty is default(None)')
  t.equal(ok(await get(app, 'datastore_search', { resource_id: app.rid })).total_estimation_threshold, null)
  for (const bad of ['abc', '1.5']) {
    t.same(fails(await get(app, 'datastore_search', { resource_id: app.rid, total_estimation_threshold: bad }), 409),
      { total_estimation_threshold: ['Invalid integer'], __type: 'Validation Error' }, `total_estimation_threshold=${bad}`)
  }
})

t.test('one_of messages print the choices as Python prints a list', async (t) => {
  const app = await fixtureApp(t)
  t.same(fails(await get(app, 'datastore_search', { resource_id: app.rid, records_format: 'xml' }), 409),
    { records_format: ["Value must be one of ['objects', 'lists', 'csv', 'tsv']"], __type: 'Validation Error' })
  t.same(fails(await app.call('datastore_upsert', { resource_id: app.rid, method: 'merge', records: [] }), 409),
    { method: ["Value must be one of ['upsert', 'insert', 'update']"], __type: 'Validation Error' })
})

t.test('datastore_search by an alias answers with the real resource id', async (t) => {
  const app = await fixtureApp(t)
  const byAlias = ok(await get(app, 'datastore_search', { resource_id: 'ประชากร-จังหวัด', limit: '1' }))
  t.equal(byAlias.resource_id, app.rid)
  t.equal(byAlias._links.start, `/api/3/action/datastore_search?resource_id=${encodeURIComponent('ประชากร-จังหวัด')}&limit=1`, 'the links keep the request\'s own query')
  t.equal(ok(await app.call('datastore_search', { id: 'ประชากร-จังหวัด' })).resource_id, app.rid, 'named by id, too')
  t.equal(ok(await app.call('datastore_search', { resource_id: app.rid })).resource_id, app.rid)
  t.equal(ok(await app.call('datastore_info', { id: 'ประชากร-จังหวัด' })).meta.id, app.rid, 'datastore_info already names the real id')
})

t.test('datastore_search_sql without sql: get_or_bust\'s not_missing, a list', async (t) => {
  const app = await build(t, { OPEND_DATASTORE_SQL: 'true' })
  t.same(fails(await app.call('datastore_search_sql', {}), 409), { sql: ['Missing value'], __type: 'Validation Error' })
})
