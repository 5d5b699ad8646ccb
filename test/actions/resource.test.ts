/**
 * Resource actions over HTTP: resource_show, resource_create, resource_update,
 * resource_patch and resource_delete, and what each does to its dataset.
 */
import t from 'tap'
import { build, fails, fixture, get, json, ok } from '../helper.js'

/** resource dict keys of CKAN 2.10.10 with the datastore plugin, in order */
const RESOURCE_KEYS: string[] = Object.keys(fixture('resource_show.json').result)

// timestamps have millisecond resolution: keep successive writes apart
const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

t.test('resources', async (t) => {
  const app = await build(t)
  const { call, admin, user } = app
  const somchai = await user('somchai')
  const malee = await user('malee')
  const prasert = await user('prasert')
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_create', { name: 'rid', title: 'กรมชลประทาน' }))
  ok(await call('organization_member_create', { id: 'pcd', username: 'somchai', role: 'editor' }))
  ok(await call('organization_member_create', { id: 'pcd', username: 'malee', role: 'member' }))
  ok(await call('organization_member_create', { id: 'rid', username: 'prasert', role: 'editor' }))

  const air = ok(await call('package_create', {
    name: 'pm25-bangkok',
    title: 'คุณภาพอากาศ PM2.5 กรุงเทพมหานคร',
    owner_org: 'pcd',
    resources: [
      { name: 'ค่าเฉลี่ยรายชั่วโมง', url: 'https://air4thai.pcd.go.th/pm25-hourly.csv', description: 'ค่าฝุ่นละอองขนาดไม่เกิน 2.5 ไมครอน' },
      { name: 'ตำแหน่งสถานี', url: 'https://air4thai.pcd.go.th/stations.json', station_count: '72' }
    ]
  }, somchai.token))
  const internal = ok(await call('package_create', {
    name: 'pcd-complaints',
    title: 'เรื่องร้องเรียนมลพิษ (ภายใน)',
    owner_org: 'pcd',
    private: true,
    resources: [{ name: 'เรื่องร้องเรียน ปี 2566', url: 'https://data.pcd.go.th/complaints-2566.xlsx' }]
  }, somchai.token))

  const showPackage = async (id: string) => ok(await call('package_show', { id }))

  t.test('resource_show', async (t) => {
    const pkg = await showPackage(air.id)
    for (const entry of pkg.resources) {
      const res = ok(await get(app, 'resource_show', { id: entry.id }))
      t.same(res, entry, 'the entry of package_show.resources')
      t.same(Object.keys(res).filter((k) => k !== 'station_count'), RESOURCE_KEYS, 'CKAN 2.10 keys, in order')
    }
    const stations = ok(await call('resource_show', { id: pkg.resources[1].id }, null))
    t.equal(stations.station_count, '72', 'extras at the top level')
    t.same(Object.keys(stations), [...RESOURCE_KEYS, 'station_count'].sort(), 'extras sorted in among the core keys')
    t.match(stations, { package_id: air.id, position: 1, format: 'JSON', mimetype: 'application/json', datastore_active: false, hash: '', state: 'active' })

    const tracked = ok(await get(app, 'resource_show', { id: pkg.resources[0].id, include_tracking: 'true' }))
    t.same(tracked.tracking_summary, { total: 0, recent: 0 })
    const keys = Object.keys(tracked)
    t.equal(keys.indexOf('tracking_summary'), keys.indexOf('state') + 1, 'between state and url, as CKAN')
    t.equal(keys.indexOf('url'), keys.indexOf('tracking_summary') + 1)

    t.same(fails(await get(app, 'resource_show', {}), 409), { id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await get(app, 'resource_show', { id: '7a4e2b1c-0000-4000-8000-000000000000' }), 404), { __type: 'Not Found Error', message: 'Not found' })
    t.same(fails(await get(app, 'resource_show', { id: 'pm25-bangkok' }), 404).__type, 'Not Found Error', 'a dataset name is not a resource id')

    const secret = internal.resources[0].id
    t.same(fails(await get(app, 'resource_show', { id: secret }), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to read resource ${secret}` })
    t.same(fails(await get(app, 'resource_show', { id: secret }, prasert.token), 403).message,
      `Access denied: User prasert not authorized to read resource ${secret}`)
    t.equal(ok(await get(app, 'resource_show', { id: secret }, malee.token)).name, 'เรื่องร้องเรียน ปี 2566', 'an organization member reads it')
    t.equal(ok(await get(app, 'resource_show', { id: secret }, admin)).format, 'XLSX')
  })

  t.test('resource_create', async (t) => {
    const before = await showPackage(air.id)
    await tick()
    const created = ok(await call('resource_create', {
      package_id: 'pm25-bangkok',
      name: 'ค่าเฉลี่ยรายวัน ปี 2566',
      url: 'https://air4thai.pcd.go.th/pm25-daily-2566.csv',
      description: 'ค่าเฉลี่ย 24 ชั่วโมง',
      size: '1048576',
      coverage: 'กรุงเทพมหานครและปริมณฑล',
      measurement_unit: 'ไมโครกรัมต่อลูกบาศก์เมตร',
      resource_first_year_of_data: '2566',
      resource_unit_of_multiplier: 'หน่วย',
      resource_data_collect: 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่',
      resource_last_updated_date: '2024-01-15'
    }, somchai.token))
    t.match(created, {
      package_id: air.id,
      position: 2,
      name: 'ค่าเฉลี่ยรายวัน ปี 2566',
      format: 'CSV',
      mimetype: 'text/csv',
      size: 1048576,
      state: 'active',
      coverage: 'กรุงเทพมหานครและปริมณฑล',
      measurement_unit: 'ไมโครกรัมต่อลูกบาศก์เมตร',
      resource_first_year_of_data: '2566',
      resource_unit_of_multiplier: 'หน่วย',
      resource_data_collect: 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่',
      resource_last_updated_date: '2024-01-15'
    })
    t.notOk('resource_official_statistics' in created, 'unset GDC resource fields are absent')
    t.equal(created.created, created.metadata_modified)

    const after = await showPackage(air.id)
    t.same(after.resources[2], created, 'the result is the entry package_show shows')
    t.same(ok(await call('resource_show', { id: created.id }, null)), created)
    t.equal(after.num_resources, 3)
    t.ok(after.metadata_modified > before.metadata_modified, 'the dataset is modified')
    t.same(after.resources.slice(0, 2), before.resources, 'the other resources are untouched')
    const found = ok(await call('package_search', { fq: 'name:pm25-bangkok' }, null))
    t.equal(found.results[0].num_resources, 3, 'search results see it')
    t.same(ok(await call('resource_create', { package_id: air.id, url: 'https://air4thai.pcd.go.th/aqi.xml', size: 2048 })).size, 2048)
    const site = ok(await call('resource_create', { package_id: air.id, url: 'https://air4thai.pcd.go.th' }))
    t.equal(site.format, null, 'a host name has no extension')
    t.equal(site.mimetype, null)
    const named = ok(await call('resource_create', { package_id: air.id, name: 'ลิงก์ระบบ Air4Thai' }))
    t.equal(named.url, '', 'url defaults to ""')
    t.equal(named.position, 5)

    t.same(fails(await call('resource_create', { name: 'ไม่มีชุดข้อมูล', url: 'https://x.go.th/a.csv' }), 409),
      { package_id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await call('resource_create', { package_id: 'no-such-dataset', url: 'https://x.go.th/a.csv' }), 404),
      { __type: 'Not Found Error', message: 'Not found: Package was not found.' })
    t.same(fails(await call('resource_create', { package_id: 'pm25-bangkok', url: 'https://x.go.th/a.csv' }, null), 403),
      { __type: 'Authorization Error', message: 'Access denied: User  not authorized to create resources on dataset pm25-bangkok' })
    t.same(fails(await call('resource_create', { package_id: air.id, url: 'https://x.go.th/a.csv' }, malee.token), 403).message,
      `Access denied: User malee not authorized to create resources on dataset ${air.id}`)
    t.same(fails(await call('resource_create', { package_id: air.id, url: 'https://x.go.th/a.csv' }, prasert.token), 403).__type, 'Authorization Error')

    t.same(fails(await call('resource_create', { package_id: air.id, url: 'https://x.go.th/a.csv', size: 'ประมาณ 1 MB' }), 409),
      { size: ['Invalid integer'], __type: 'Validation Error' })
    t.same(fails(await call('resource_create', { package_id: air.id, size: -5 }), 409).size, ['Invalid integer'])
    t.same(fails(await call('resource_create', { package_id: air.id, size: 1.5 }), 409).size, ['Invalid integer'])
    t.same(fails(await call('resource_create', { package_id: air.id, resource_data_collect: 'ทุกคน' }), 409),
      { resource_data_collect: ['unexpected choice "ทุกคน"'], __type: 'Validation Error' })
    t.same(fails(await call('resource_create', { package_id: air.id, resource_first_year_of_data: '66' }), 409).resource_first_year_of_data,
      ['Must be a four-digit year'])
    t.same(fails(await call('resource_create', { package_id: air.id, resource_last_updated_date: '2024-02-30' }), 409).resource_last_updated_date,
      ['Date format incorrect'])
    t.same(fails(await call('resource_create', { package_id: air.id, resource_official_statistics: 'ใช่' }), 409).resource_official_statistics,
      ['unexpected choice "ใช่"'])
    t.same(fails(await call('resource_create', { package_id: air.id, last_modified: 'เมื่อวาน' }), 409).last_modified, ['Date format incorrect'])
    t.equal((await showPackage(air.id)).num_resources, 6, 'refused writes add nothing')

    const res = await app.app.inject({ method: 'GET', url: `/api/3/action/resource_create?package_id=${air.id}` })
    t.equal(res.statusCode, 400)
    t.equal(json(res), 'Bad request - JSON Error: Invalid request. Please use POST method for your request')
  })

  t.test('resource_update replaces the resource', async (t) => {
    const pkg = ok(await call('package_create', {
      name: 'chao-phraya-water-level',
      title: 'ระดับน้ำแม่น้ำเจ้าพระยา',
      owner_org: 'pcd',
      resources: [
        { name: 'สถานีบางไทร', url: 'https://data.pcd.go.th/bangsai.csv' },
        {
          name: 'สถานีสะพานพุทธ',
          url: 'https://data.pcd.go.th/memorial-bridge.csv',
          description: 'ระดับน้ำรายชั่วโมง',
          last_modified: '2024-03-31T10:00:00',
          river: 'เจ้าพระยา',
          resource_data_collect: 'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ'
        }
      ]
    }))
    const old = pkg.resources[1]
    await tick()
    const updated = ok(await call('resource_update', { id: old.id, name: 'สถานีสะพานพุทธ (ปรับปรุง)', url: 'https://data.pcd.go.th/memorial-bridge.json' }, somchai.token))
    t.match(updated, { id: old.id, package_id: pkg.id, position: 1, name: 'สถานีสะพานพุทธ (ปรับปรุง)', url: 'https://data.pcd.go.th/memorial-bridge.json' })
    t.equal(updated.description, null, 'fields not sent are cleared')
    t.equal(updated.last_modified, null)
    t.equal(updated.format, null, 'no format guess on update')
    t.notOk('river' in updated, 'extras not sent are removed')
    t.notOk('resource_data_collect' in updated)
    t.equal(updated.created, old.created, 'created is kept')
    t.ok(updated.metadata_modified > old.metadata_modified)
    t.same(Object.keys(updated), RESOURCE_KEYS)

    const after = await showPackage(pkg.id)
    t.same(after.resources[1], updated)
    t.same(after.resources[0], pkg.resources[0], 'its sibling is untouched')
    t.ok(after.metadata_modified > pkg.metadata_modified, 'the dataset is modified')
    t.same(ok(await get(app, 'resource_show', { id: old.id })), updated)

    const withExtras = ok(await call('resource_update', { ...updated, format: 'json', station_code: 'C.29' }))
    t.equal(withExtras.format, 'JSON', 'format is cleaned')
    t.equal(withExtras.station_code, 'C.29')
    t.equal(withExtras.created, old.created, 'sending the show dict back keeps it valid')

    t.same(fails(await call('resource_update', { name: 'x' }), 409), { id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await call('resource_update', { id: '7a4e2b1c-0000-4000-8000-000000000000', name: 'x' }), 404),
      { __type: 'Not Found Error', message: 'Not found: Resource was not found.' })
    t.same(fails(await call('resource_update', { id: old.id, name: 'x' }, null), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to edit resource ${old.id}` })
    t.same(fails(await call('resource_update', { id: old.id, name: 'x' }, malee.token), 403).__type, 'Authorization Error')
    t.same(fails(await call('resource_update', { id: old.id, size: 'มาก' }), 409).size, ['Invalid integer'])
    t.same(fails(await call('resource_update', { id: old.id, resource_equivalent_scale: '1:1' }), 409).resource_equivalent_scale,
      ['unexpected choice "1:1"'])
    t.equal(ok(await call('resource_show', { id: old.id })).station_code, 'C.29', 'refused updates change nothing')
  })

  t.test('resource_patch merges', async (t) => {
    const pkg = ok(await call('package_create', {
      name: 'rid-reservoirs',
      title: 'ปริมาณน้ำในอ่างเก็บน้ำขนาดใหญ่',
      owner_org: 'rid',
      resources: [{
        name: 'ปริมาณน้ำรายวัน',
        url: 'https://data.rid.go.th/reservoirs.csv',
        description: 'ปริมาณน้ำกักเก็บรายวัน',
        last_modified: '2024-03-31T10:00:00',
        size: 5120,
        basin: 'ลุ่มน้ำเจ้าพระยา',
        resource_data_collect: 'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ'
      }]
    }, prasert.token))
    const old = pkg.resources[0]
    await tick()
    const patched = ok(await call('resource_patch', { id: old.id, description: 'ปริมาณน้ำกักเก็บและน้ำใช้การรายวัน' }, prasert.token))
    t.equal(patched.description, 'ปริมาณน้ำกักเก็บและน้ำใช้การรายวัน')
    for (const k of ['name', 'url', 'format', 'mimetype', 'size', 'created', 'last_modified', 'position', 'basin', 'resource_data_collect']) {
      t.same(patched[k], old[k], `${k} kept`)
    }
    t.match(patched.last_modified, /^2024-03-31T10:00:00/)
    t.ok(patched.metadata_modified > old.metadata_modified)
    const after = await showPackage(pkg.id)
    t.same(after.resources[0], patched)
    t.ok(after.metadata_modified > pkg.metadata_modified, 'the dataset is modified')

    t.equal(ok(await call('resource_patch', { id: old.id, basin: 'ลุ่มน้ำปิง' })).basin, 'ลุ่มน้ำปิง', 'an extra can be changed')
    t.equal(ok(await call('resource_patch', { id: old.id, format: 'xlsx', url: 'https://data.rid.go.th/reservoirs.xlsx' })).format, 'XLSX')

    t.same(fails(await call('resource_patch', { description: 'x' }), 409), { id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await call('resource_patch', { id: '7a4e2b1c-0000-4000-8000-000000000000' }), 404).message, 'Not found: Resource was not found.')
    t.same(fails(await call('resource_patch', { id: old.id, name: 'x' }, somchai.token), 403).message,
      `Access denied: User somchai not authorized to edit resource ${old.id}`, 'an editor of another organization')
    t.same(fails(await call('resource_patch', { id: old.id, resource_created_date: '31/03/2567' }), 409).resource_created_date, ['Date format incorrect'])
  })

  t.test('resource_delete', async (t) => {
    const pkg = ok(await call('package_create', {
      name: 'pcd-noise-levels',
      title: 'ระดับเสียงในเขตเมือง',
      owner_org: 'pcd',
      resources: [
        { name: 'ปี 2564', url: 'https://data.pcd.go.th/noise-2564.csv' },
        { name: 'ปี 2565', url: 'https://data.pcd.go.th/noise-2565.csv' },
        { name: 'ปี 2566', url: 'https://data.pcd.go.th/noise-2566.csv' }
      ]
    }))
    const [first, middle, last] = pkg.resources
    t.same(fails(await call('resource_delete', { id: middle.id }, null), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to delete resource ${middle.id}` })
    t.same(fails(await call('resource_delete', { id: middle.id }, malee.token), 403).message,
      `Access denied: User malee not authorized to delete resource ${middle.id}`)

    await tick()
    const res = await call('resource_delete', { id: middle.id }, somchai.token)
    t.equal(ok(res), null)
    t.match(res.body, /"result": null}$/)

    const after = await showPackage(pkg.id)
    t.equal(after.num_resources, 2)
    t.same(after.resources.map((r: any) => r.id), [first.id, last.id])
    t.same(after.resources.map((r: any) => r.position), [0, 1], 'positions renumbered')
    t.ok(after.metadata_modified > pkg.metadata_modified, 'the dataset is modified')
    t.equal(ok(await call('resource_show', { id: last.id })).position, 1)

    t.same(fails(await call('resource_show', { id: middle.id }), 404), { __type: 'Not Found Error', message: 'Not found: Resource was not found.' })
    t.same(fails(await call('resource_delete', { id: middle.id }), 404).message, 'Not found: Resource was not found.')
    t.same(fails(await call('resource_update', { id: middle.id, name: 'x' }), 404).message, 'Not found: Resource was not found.')
    t.same(fails(await call('resource_delete', {}), 409), { id: ['Missing value'], __type: 'Validation Error' })

    // a new resource goes after the remaining ones
    t.equal(ok(await call('resource_create', { package_id: pkg.id, name: 'ปี 2567', url: 'https://data.pcd.go.th/noise-2567.csv' })).position, 2)
    ok(await call('resource_delete', { id: first.id }))
    t.same((await showPackage(pkg.id)).resources.map((r: any) => [r.name, r.position]), [['ปี 2566', 0], ['ปี 2567', 1]])
  })

  t.test('resources of deleted and private datasets', async (t) => {
    const pkg = ok(await call('package_create', {
      name: 'pcd-old-stations', owner_org: 'pcd', resources: [{ name: 'สถานีเดิม', url: 'https://data.pcd.go.th/old.csv' }]
    }))
    const rid = pkg.resources[0].id
    ok(await call('package_delete', { id: pkg.id }))
    t.same(fails(await call('resource_show', { id: rid }, null), 403).message, `Access denied: User  not authorized to read resource ${rid}`)
    t.same(fails(await call('resource_create', { package_id: pkg.id, url: 'https://data.pcd.go.th/new.csv' }), 404).message,
      'Not found: Package was not found.')

    // a member reads a private dataset's resources but may not write them
    const secret = internal.resources[0].id
    t.same(fails(await call('resource_patch', { id: secret, name: 'x' }, malee.token), 403).__type, 'Authorization Error')
    const renamed = ok(await call('resource_patch', { id: secret, name: 'เรื่องร้องเรียน ปี 2566 (ปรับปรุง)' }, somchai.token))
    t.equal(ok(await call('resource_show', { id: secret }, malee.token)).name, renamed.name)
  })
})
