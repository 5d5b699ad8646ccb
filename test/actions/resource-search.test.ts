/**
 * resource_search over HTTP: field:term criteria, paging, visibility and
 * CKAN 2.10's bare-string errors, against the recorded CKAN answers.
 */
import t from 'tap'
import { build, fails, fixture, get, json, ok, rawFixture } from '../helper.js'

const CKAN_HOST = 'http://127.0.0.1:55001'

t.test('resource_search', async (t) => {
  const app = await build(t)
  const { call, admin, user } = app
  const somchai = await user('somchai')
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_member_create', { id: 'pcd', username: 'somchai', role: 'editor' }))

  const air = ok(await call('package_create', {
    name: 'pm25-bangkok',
    title: 'คุณภาพอากาศ PM2.5 กรุงเทพมหานคร',
    owner_org: 'pcd',
    resources: [
      { name: 'ค่าเฉลี่ยรายชั่วโมง ปี 2566', url: 'https://air4thai.pcd.go.th/pm25-hourly.csv', description: 'ค่าฝุ่นละออง 100% จากสถานีตรวจวัด', hash: 'ABC123def' },
      { name: 'ตำแหน่งสถานี', url: 'https://air4thai.pcd.go.th/stations.json', size: 2048, description: 'index_of stations' },
      { name: 'ค่าเฉลี่ยรายวัน ปี 2566', url: 'https://air4thai.pcd.go.th/pm25-daily.csv' }
    ]
  }, somchai.token))
  const water = ok(await call('package_create', {
    name: 'water-quality',
    title: 'คุณภาพน้ำแม่น้ำเจ้าพระยา',
    owner_org: 'pcd',
    resources: [{ name: 'ค่าเฉลี่ยคุณภาพน้ำ', url: 'https://data.pcd.go.th/water.xlsx' }]
  }, somchai.token))
  ok(await call('package_create', {
    name: 'pcd-complaints',
    title: 'เรื่องร้องเรียนมลพิษ (ภายใน)',
    owner_org: 'pcd',
    private: true,
    resources: [{ name: 'ค่าเฉลี่ยเรื่องร้องเรียน', url: 'https://data.pcd.go.th/complaints.csv' }]
  }, somchai.token))
  const gone = ok(await call('package_create', {
    name: 'pcd-old', title: 'ข้อมูลเก่า', owner_org: 'pcd', resources: [{ name: 'ค่าเฉลี่ยเก่า', url: 'https://data.pcd.go.th/old.csv' }]
  }, somchai.token))
  ok(await call('package_delete', { id: gone.id }, somchai.token))
  ok(await call('resource_delete', { id: water.resources[0].id }, somchai.token))

  const names = (result: any) => result.results.map((r: any) => r.name)

  t.test('CKAN 2.10 body: same keys, order and values but for ids and times', async (t) => {
    const pkg = ok(await call('package_create', { name: 'rows-sample', title: 'rows', owner_org: 'pcd', resources: [{ name: 'rows', url: 'http://example.invalid/x.csv' }] }))
    // as if the DataStore held the resource's rows, as in the recorded answer
    await app.db.kysely.updateTable('resources').set({ datastore_active: true }).where('id', '=', pkg.resources[0].id).execute()
    const ours = json(await get(app, 'resource_search', { query: 'url:example.invalid' }))
    const ckan = fixture('resource_search.json')
    const [mine, theirs] = [ours.result.results[0], ckan.result.results[0]]
    for (const key of ['id', 'package_id', 'created', 'metadata_modified']) theirs[key] = mine[key]
    ckan.help = ckan.help.replace(CKAN_HOST, 'http://test.opend')
    // opend writes success bodies without CKAN's blanks after , and :
    t.equal(JSON.stringify(ours), JSON.stringify(ckan))
    ok(await call('dataset_purge', { id: pkg.id }))
  })

  t.test('text fields: case-insensitive substrings, Thai included', async (t) => {
    const r = ok(await get(app, 'resource_search', { query: 'name:ค่าเฉลี่ย' }))
    t.equal(r.count, 2, 'private datasets, deleted datasets and deleted resources are left out')
    t.same(names(r), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566', 'ค่าเฉลี่ยรายวัน ปี 2566'])
    t.same(r.results.map((x: any) => x.package_id), [air.id, air.id])
    t.same(names(ok(await get(app, 'resource_search', { query: 'format:csv' }))), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566', 'ค่าเฉลี่ยรายวัน ปี 2566'])
    t.same(names(ok(await get(app, 'resource_search', { query: 'url:STATIONS.JSON' }))), ['ตำแหน่งสถานี'])
    t.same(names(ok(await call('resource_search', { query: 'name:ค่าเฉลี่ย' }, null))), names(r), 'anonymous sees the same')
    t.same(names(ok(await call('resource_search', { query: 'name:เรื่องร้องเรียน' }, admin))), [], 'private datasets stay hidden, even from sysadmins (as in CKAN)')
    t.same(names(ok(await call('resource_search', { query: 'name:เรื่องร้องเรียน' }, somchai.token))), [], 'and from their editors')
  })

  t.test('LIKE wildcards match themselves', async (t) => {
    t.same(names(ok(await call('resource_search', { query: 'description:100%' }))), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566'])
    t.same(names(ok(await call('resource_search', { query: 'description:index%' }))), [])
    t.same(names(ok(await call('resource_search', { query: 'description:index_of' }))), ['ตำแหน่งสถานี'])
    t.same(names(ok(await call('resource_search', { query: 'description:index_o_' }))), [])
  })

  t.test('hash is a prefix; size and timestamps are equalities', async (t) => {
    t.same(names(ok(await call('resource_search', { query: 'hash:abc' }))), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566'])
    t.same(names(ok(await call('resource_search', { query: 'hash:123' }))), [], 'not a substring')
    t.same(names(ok(await call('resource_search', { query: 'size:2048' }))), ['ตำแหน่งสถานี'])
    t.same(names(ok(await call('resource_search', { query: 'size:204' }))), [])
    t.same(names(ok(await call('resource_search', { query: 'size:big' }))), [], 'not a number: nothing (CKAN: 500)')
    // one package_create gives its resources one creation time
    const created: string = air.resources[1].created
    t.same(ok(await call('resource_search', { query: `created:${created}` })).results.map((r: any) => r.id), air.resources.map((r: any) => r.id))
    const later = new Date(Date.parse(created + 'Z') + 1).toISOString().replace('Z', '')
    t.same(names(ok(await call('resource_search', { query: `created:${later}` }))), [])
    t.same(names(ok(await call('resource_search', { query: 'created:yesterday' }))), [])
  })

  t.test('several criteria are ANDed; an empty term matches every value', async (t) => {
    t.same(names(ok(await call('resource_search', { query: ['name:ค่าเฉลี่ย', 'url:daily'] }))), ['ค่าเฉลี่ยรายวัน ปี 2566'])
    t.same(names(ok(await call('resource_search', { query: ['name:ค่าเฉลี่ย', 'name:ชั่วโมง'] }))), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566'])
    const all = ok(await call('resource_search', { query: 'name:' }))
    t.equal(all.count, 3)
    t.equal(ok(await call('resource_search', { query: [] })).count, 3, 'an empty list: no criteria, as in CKAN')
    // repeated query keys on GET make a list
    const res = await app.app.inject({ method: 'GET', url: `/api/3/action/resource_search?query=${encodeURIComponent('name:ค่าเฉลี่ย')}&query=url:hourly` })
    t.same(names(ok(res)), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566'])
    // the deprecated fields dict: string terms are split on whitespace
    t.same(names(ok(await call('resource_search', { fields: { name: 'ค่าเฉลี่ย ชั่วโมง' } }))), ['ค่าเฉลี่ยรายชั่วโมง ปี 2566'])
  })

  t.test('paging and order', async (t) => {
    const first = ok(await call('resource_search', { query: 'name:', order_by: 'name', limit: 2 }))
    t.equal(first.count, 3, 'count is the total, not the page')
    t.equal(first.results.length, 2)
    const rest = ok(await call('resource_search', { query: 'name:', order_by: 'name', limit: 2, offset: 2 }))
    t.equal(rest.results.length, 1)
    const byName = ['ค่าเฉลี่ยรายชั่วโมง ปี 2566', 'ค่าเฉลี่ยรายวัน ปี 2566', 'ตำแหน่งสถานี'].sort()
    t.same([...names(first), ...names(rest)].sort(), byName, 'pages do not overlap')
    // each page is re-sorted by position, as CKAN's resource_list_dictize does
    t.same(first.results.map((r: any) => r.position), [...first.results.map((r: any) => r.position)].sort())
    const unknown = ok(await call('resource_search', { query: 'name:', order_by: 'nonsense' }))
    t.equal(unknown.count, 3, 'an unknown order_by is ignored')
    t.same(fails(await call('resource_search', { query: 'name:', limit: -1 }), 409), { limit: ['Must be a natural number'], __type: 'Validation Error' })
    t.same(fails(await get(app, 'resource_search', { query: 'name:', offset: 'x' }), 409), { offset: ['Invalid integer'], __type: 'Validation Error' })
  })

  t.test('errors carry bare strings, as CKAN', async (t) => {
    const missing = await get(app, 'resource_search', {})
    t.equal(missing.statusCode, 409)
    t.equal(missing.body, rawFixture('resource_search_missing_query.json', CKAN_HOST), 'byte for byte')
    t.same(fails(await call('resource_search', { query: 'ค่าเฉลี่ย' }), 409), { query: 'Must be <field>:<value> pair(s)', __type: 'Validation Error' })
    t.same(fails(await call('resource_search', { query: ['name:x', 'oops'] }), 409), { query: 'Must be <field>:<value> pair(s)', __type: 'Validation Error' })
    t.same(fails(await call('resource_search', { query: 'foo:bar' }), 409), { query: 'Field "foo" not recognised in resource_search.', __type: 'Validation Error' })
    t.same(fails(await call('resource_search', { query: 'id:x' }), 409), { query: 'Field "id" not recognised in resource_search.', __type: 'Validation Error' }, 'only the columns CKAN lists')
    t.same(fails(await call('resource_search', { query: 'name:x', fields: { name: 'x' } }), 409), { fields: 'Do not specify if using "query" parameter', __type: 'Validation Error' })
  })
})
