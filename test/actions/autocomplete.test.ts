/**
 * The autocompletes over HTTP: package_autocomplete, format_autocomplete,
 * organization_autocomplete, group_autocomplete, tag_autocomplete, and
 * tag_search, which shares tag_autocomplete's parameters. Thai prefixes and
 * substrings, visibility, and CKAN 2.10's errors.
 */
import t from 'tap'
import Value from 'typebox/value'
import { ACTIONS } from '../../src/actions/index.js'
import { loadDemo } from '../../src/demo/load.js'
import { build, fails, get, ok, rawFixture } from '../helper.js'

t.test('autocompletes', async (t) => {
  const app = await build(t)
  const { call, admin, user } = app
  const somchai = await user('somchai')
  const malee = await user('malee')
  const nobody = await user('nobody')
  ok(await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' }))
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_create', { name: 'old-dept', title: 'กรมเก่า' }))
  ok(await call('organization_delete', { id: 'old-dept' }))
  ok(await call('group_create', { name: 'transport', title: 'คมนาคมขนส่ง' }))
  ok(await call('group_create', { name: 'tourism', title: 'ท่องเที่ยวและกีฬา' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'somchai', role: 'editor' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'malee', role: 'member' }))

  ok(await call('package_create', {
    name: 'exat-accident',
    title: 'ข้อมูลอุบัติเหตุบนทางพิเศษ',
    owner_org: 'exat',
    tags: [{ name: 'ทางด่วน' }, { name: 'อุบัติเหตุ' }],
    resources: [{ name: 'อุบัติเหตุ 2566', url: 'https://data.exat.co.th/accident.csv', format: 'CSV' }, { name: 'สรุป', url: 'https://data.exat.co.th/summary.xlsx', format: 'XLSX' }]
  }, somchai.token))
  const traffic = ok(await call('package_create', {
    name: 'exat-traffic-volume',
    title: 'ปริมาณจราจรบนทางพิเศษรายวัน',
    owner_org: 'exat',
    tags: [{ name: 'ทางด่วน' }, { name: 'จราจร' }],
    resources: [
      { name: 'รายวัน', url: 'https://data.exat.co.th/traffic.csv', format: 'csv' },
      { name: 'API', url: 'https://data.exat.co.th/traffic.json', format: 'JSON' },
      { name: 'แผนที่', url: 'https://data.exat.co.th/map.geojson', format: 'GeoJSON' }
    ]
  }, somchai.token))
  ok(await call('resource_delete', { id: traffic.resources[2].id }, somchai.token))
  ok(await call('package_create', { name: 'sirat-expressway', title: 'ทางพิเศษศรีรัช', owner_org: 'exat' }, somchai.token))
  ok(await call('package_create', {
    name: 'exat-toll-revenue',
    title: 'รายได้ค่าผ่านทางพิเศษ',
    owner_org: 'exat',
    private: true,
    tags: [{ name: 'ค่าผ่านทาง' }],
    resources: [{ name: 'รายได้', url: 'https://data.exat.co.th/toll.pdf', format: 'PDF' }]
  }, somchai.token))
  ok(await call('package_create', { name: 'exat-plan', title: 'แผนพัฒนาทางพิเศษ (ร่าง)', owner_org: 'exat', state: 'draft' }, somchai.token))
  ok(await call('package_create', {
    name: 'pm25-bangkok',
    title: 'คุณภาพอากาศ PM2.5 กรุงเทพมหานคร',
    owner_org: 'pcd',
    tags: [{ name: 'คุณภาพอากาศ' }],
    resources: [{ name: 'รายชั่วโมง', url: 'https://air4thai.pcd.go.th/pm25.csv', format: 'CSV' }]
  }))
  const old = ok(await call('package_create', { name: 'exat-old-road', title: 'ทางพิเศษสายเก่า', owner_org: 'exat', tags: [{ name: 'ทางเก่า' }] }, somchai.token))
  ok(await call('package_delete', { id: old.id }, somchai.token))

  t.test('package_autocomplete', async (t) => {
    const names = (list: any[]) => list.map((p) => p.name)

    const byName = ok(await get(app, 'package_autocomplete', { q: 'exat' }))
    t.same(byName, [
      { name: 'exat-accident', title: 'ข้อมูลอุบัติเหตุบนทางพิเศษ', match_field: 'name', match_displayed: 'exat-accident' },
      { name: 'exat-traffic-volume', title: 'ปริมาณจราจรบนทางพิเศษรายวัน', match_field: 'name', match_displayed: 'exat-traffic-volume' }
    ], 'anonymous: active public datasets only, shortest name first')
    t.same(names(ok(await get(app, 'package_autocomplete', { q: 'EXAT-T' }))), ['exat-traffic-volume'], 'case-insensitive')

    const thai = ok(await get(app, 'package_autocomplete', { q: 'ทาง' }))
    t.same(names(thai).sort(), ['exat-accident', 'exat-traffic-volume', 'sirat-expressway'], 'a Thai prefix and Thai substrings of titles')
    t.same(thai.find((p: any) => p.name === 'sirat-expressway'),
      { name: 'sirat-expressway', title: 'ทางพิเศษศรีรัช', match_field: 'title', match_displayed: 'ทางพิเศษศรีรัช (sirat-expressway)' })
    t.same(names(ok(await get(app, 'package_autocomplete', { q: 'pm2.5' }))), ['pm25-bangkok'], 'title matched in any case')
    t.same(ok(await get(app, 'package_autocomplete', { q: 'ทาง', limit: '1' })).length, 1)
    t.same(ok(await get(app, 'package_autocomplete', { q: '%' })), [], 'wildcards match themselves')

    const member = names(ok(await call('package_autocomplete', { q: 'ทาง' }, malee.token)))
    t.same(member.sort(), ['exat-accident', 'exat-toll-revenue', 'exat-traffic-volume', 'sirat-expressway'], 'an organization member also finds its private datasets')
    t.same(names(ok(await call('package_autocomplete', { q: 'ทาง' }, nobody.token))).sort(), ['exat-accident', 'exat-traffic-volume', 'sirat-expressway'], 'other users do not')
    t.same(names(ok(await call('package_autocomplete', { q: 'ทาง' }, admin))).sort(),
      ['exat-accident', 'exat-toll-revenue', 'exat-traffic-volume', 'sirat-expressway'], 'sysadmins see private ones; drafts and deleted datasets stay out')
    t.same(ok(await call('package_autocomplete', { q: 'toll' }, somchai.token)),
      [{ name: 'exat-toll-revenue', title: 'รายได้ค่าผ่านทางพิเศษ', match_field: 'name', match_displayed: 'exat-toll-revenue' }])

    const missing = await get(app, 'package_autocomplete', {})
    t.equal(missing.statusCode, 409)
    t.equal(missing.body, rawFixture('package_autocomplete_missing_q.json', 'http://127.0.0.1:55001'), 'byte for byte as CKAN, but for the host')
    t.same(fails(await get(app, 'package_autocomplete', { q: 'exat', limit: 'x' }), 409), { limit: ['Invalid integer'], __type: 'Validation Error' })
  })

  t.test('format_autocomplete', async (t) => {
    t.same(ok(await get(app, 'format_autocomplete', { q: 'cs' })), ['csv'], 'lower-cased, CSV and csv counted together')
    t.same(ok(await get(app, 'format_autocomplete', { q: 'S' })), ['csv', 'json', 'xlsx'], 'most used first')
    t.same(ok(await get(app, 'format_autocomplete', { q: 's', limit: '1' })), ['csv'])
    t.same(ok(await get(app, 'format_autocomplete', { q: 'pdf' })), ['pdf'], 'formats of private datasets count, as in CKAN')
    t.same(ok(await get(app, 'format_autocomplete', { q: 'geo' })), [], 'deleted resources do not')
    t.same(ok(await get(app, 'format_autocomplete', { q: '_' })), [])
    t.same(fails(await get(app, 'format_autocomplete', {}), 409), { q: ['Missing value'], __type: 'Validation Error' })
  })

  t.test('organization_autocomplete and group_autocomplete', async (t) => {
    const pcd = ok(await call('organization_show', { id: 'pcd' }))
    t.same(ok(await get(app, 'organization_autocomplete', { q: 'กรม' })), [{ id: pcd.id, name: 'pcd', title: 'กรมควบคุมมลพิษ' }], 'active organizations only')
    t.same(ok(await get(app, 'organization_autocomplete', { q: ' EXAT ' })).map((o: any) => o.name), ['exat'], 'the name contains the stripped, lower-cased text')
    t.same(ok(await get(app, 'organization_autocomplete', { q: 'ทางพิเศษ' })).map((o: any) => o.name), ['exat'], 'or the title contains it')
    t.same(ok(await get(app, 'organization_autocomplete', { q: 'คมนาคม' })), [], 'groups are not organizations')
    t.same(ok(await get(app, 'organization_autocomplete', { q: 'ก', limit: '1' })).length, 1)
    t.same(fails(await get(app, 'organization_autocomplete', {}), 409), { q: ['Missing value'], __type: 'Validation Error' })

    const tourism = ok(await call('group_show', { id: 'tourism' }))
    t.same(ok(await get(app, 'group_autocomplete', { q: 'ท่องเที่ยว' })), [{ id: tourism.id, name: 'tourism', title: 'ท่องเที่ยวและกีฬา' }])
    t.same(ok(await get(app, 'group_autocomplete', { q: 'TRANS' })).map((g: any) => g.name), ['transport'])
    t.same(ok(await get(app, 'group_autocomplete', { q: 'กรม' })), [], 'organizations are not groups')
    t.same(fails(await call('group_autocomplete', { limit: 5 }), 409), { q: ['Missing value'], __type: 'Validation Error' })
  })

  t.test('tag_search', async (t) => {
    const found = ok(await get(app, 'tag_search', { query: 'ทาง' }))
    t.equal(found.count, 2)
    t.same(found.results.map((r: any) => r.name).sort(), ['ค่าผ่านทาง', 'ทางด่วน'], 'tags of deleted datasets are left out')
    t.same(Object.keys(found.results[0]), ['id', 'name', 'vocabulary_id'])
    t.equal(found.results[0].vocabulary_id, null)
    t.same(ok(await call('tag_search', { query: ['ทาง', 'ด่วน'] })).results.map((r: any) => r.name), ['ทางด่วน'], 'every term must match')
    t.same(ok(await call('tag_search', { q: 'อุบัติ' })).results.map((r: any) => r.name), ['อุบัติเหตุ'], 'q is an alias')
    t.same(ok(await call('tag_search', { query: 'ทาง', fields: { tags: 'ด่วน' } })).results.map((r: any) => r.name), ['ทางด่วน'], 'deprecated fields add terms')
    const page = ok(await call('tag_search', { query: 'ทาง', limit: 1, offset: 1 }))
    t.equal(page.count, 2, 'the count ignores paging')
    t.equal(page.results.length, 1)
    t.same(ok(await call('tag_search', {})), { count: 0, results: [] }, 'no terms, no tags')
    t.same(ok(await call('tag_search', { query: '   ' })), { count: 0, results: [] })
    t.same(ok(await call('tag_search', { query: 'ทาง', vocabulary_id: 'genre' })), { count: 0, results: [] }, 'unknown vocabularies hold nothing')
    t.same(fails(await call('tag_search', { query: 'ทาง', limit: 'many' }), 409), { limit: ['Invalid integer'], __type: 'Validation Error' })
  })

  t.test('tag_autocomplete', async (t) => {
    t.same(ok(await get(app, 'tag_autocomplete', { query: 'ทาง' })).sort(), ['ค่าผ่านทาง', 'ทางด่วน'])
    t.same(ok(await get(app, 'tag_autocomplete', { q: 'คุณภาพ' })), ['คุณภาพอากาศ'])
    t.same(ok(await get(app, 'tag_autocomplete', { query: '%' })), [])
    t.same(ok(await get(app, 'tag_autocomplete', {})), [])
  })
})

t.test('each example finds something in the demo catalog, in the declared result shape', async (t) => {
  const { app, db, config, call } = await build(t)
  await loadDemo(db.kysely, config, app.log)
  const names = ['format_autocomplete', 'group_autocomplete', 'organization_autocomplete', 'package_autocomplete', 'resource_search', 'tag_autocomplete', 'tag_search']
  for (const name of names) {
    const action = ACTIONS.find((a) => a.name === name)!
    const result = ok(await call(name, action.example, null))
    t.ok(Value.Check(action.result, result), `${name}: ${JSON.stringify([...Value.Errors(action.result, result)].slice(0, 3))}`)
    t.ok(Array.isArray(result) ? result.length > 0 : result.count > 0, `${name} ${JSON.stringify(action.example)} finds something`)
  }
})
