/**
 * Dataset actions over HTTP: package_show/list/search, current_package_list_
 * with_resources, package_create/update/patch/delete and dataset_purge,
 * checked against CKAN 2.10's observed bodies (shared/reference).
 */
import t from 'tap'
import { build, fails, fixture, get, json, ok, rawFixture, type TestApp } from '../helper.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** package dict keys of CKAN 2.10.10 (package_show.json), scalars and lists apart */
const REFERENCE_PACKAGE = fixture('package_show.json').result
const REF_KEYS: string[] = Object.keys(REFERENCE_PACKAGE)
const LIST_KEYS = ['resources', 'tags', 'extras', 'groups', 'relationships_as_subject', 'relationships_as_object']
const REF_SCALARS = REF_KEYS.filter((k) => !LIST_KEYS.includes(k))

interface Users { somchai: { token: string, id: string }, malee: { token: string, id: string }, prasert: { token: string, id: string }, nobody: { token: string, id: string } }

/**
 * Two organizations (EXAT and the Pollution Control Department) and a group,
 * created through the actions; somchai edits for EXAT, malee is a plain EXAT
 * member, prasert edits for PCD, nobody belongs nowhere. somchai may also put
 * datasets in the group.
 */
async function catalog (app: TestApp): Promise<Users> {
  const { call, user } = app
  const somchai = await user('somchai')
  const malee = await user('malee')
  const prasert = await user('prasert')
  const nobody = await user('nobody')
  ok(await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย', description: 'หน่วยงานระดับกรม สังกัดกระทรวงคมนาคม' }))
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ', description: 'สังกัดกระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม' }))
  ok(await call('group_create', { name: 'transport', title: 'คมนาคมขนส่ง', description: 'ข้อมูลด้านการคมนาคมและการขนส่ง' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'somchai', role: 'editor' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'malee', role: 'member' }))
  ok(await call('organization_member_create', { id: 'pcd', username: 'prasert', role: 'editor' }))
  ok(await call('member_create', { id: 'transport', object: 'somchai', object_type: 'user', capacity: 'member' }))
  return { somchai, malee, prasert, nobody }
}

const GDC_VALID = {
  data_type: 'ข้อมูลสถิติ',
  objective: ['ยุทธศาสตร์ชาติ', 'เพื่อการให้บริการประชาชน'],
  update_frequency_unit: 'เดือน',
  update_frequency_interval: '1',
  geo_coverage: 'ประเทศ',
  data_source: 'การทางพิเศษแห่งประเทศไทย',
  data_format: ['CSV', 'XLS'],
  data_category: 'ข้อมูลสาธารณะ',
  data_classification: 'เปิดเผย',
  first_year_of_data: '2560',
  last_year_of_data: '2566',
  official_statistics: 'True',
  last_updated_date: '2024-03-31'
}

t.test('reading datasets', async (t) => {
  const app = await build(t)
  const { call, admin } = app
  const u = await catalog(app)

  const accident = ok(await call('package_create', {
    name: 'exat-accident',
    title: 'ข้อมูลอุบัติเหตุบนทางพิเศษ',
    notes: 'สถิติอุบัติเหตุบนทางพิเศษ จำแนกตามสายทาง รายเดือน',
    owner_org: 'exat',
    tags: [{ name: 'ทางด่วน' }, { name: 'อุบัติเหตุ' }],
    groups: [{ name: 'transport' }],
    resources: [{ name: 'อุบัติเหตุ ปี 2566', url: 'https://data.exat.co.th/accident-2566.csv' }]
  }, u.somchai.token))
  const traffic = ok(await call('package_create', {
    name: 'exat-traffic-volume',
    title: 'ปริมาณจราจรบนทางพิเศษรายวัน',
    owner_org: 'exat',
    license_id: 'cc-by',
    tags: [{ name: 'ทางด่วน' }, { name: 'จราจร' }],
    ...GDC_VALID
  }, u.somchai.token))
  const pm25 = ok(await call('package_create', {
    name: 'pm25-bangkok',
    title: 'คุณภาพอากาศ PM2.5 กรุงเทพมหานคร',
    owner_org: 'pcd',
    tags: [{ name: 'คุณภาพอากาศ' }]
  }, u.prasert.token))
  const toll = ok(await call('package_create', {
    name: 'exat-toll-revenue', title: 'รายได้ค่าผ่านทางพิเศษ', owner_org: 'exat', private: true
  }, u.somchai.token))
  const exatDraft = ok(await call('package_create', {
    name: 'exat-expressway-plan', title: 'แผนพัฒนาทางพิเศษ (ร่าง)', owner_org: 'exat', state: 'draft'
  }, u.somchai.token))
  const pcdDraft = ok(await call('package_create', {
    name: 'pcd-water-quality', title: 'คุณภาพน้ำแม่น้ำเจ้าพระยา (ร่าง)', owner_org: 'pcd', state: 'draft'
  }, u.prasert.token))
  t.equal(toll.private, true)
  t.equal(exatDraft.state, 'draft')

  t.test('package_show: CKAN 2.10 key set and order', async (t) => {
    const pkg = ok(await get(app, 'package_show', { id: 'exat-accident' }))
    // no licence and no GDC field: exactly CKAN's keys, in CKAN's order
    t.same(Object.keys(pkg), REF_KEYS)
    t.same(Object.keys(pkg.organization), Object.keys(REFERENCE_PACKAGE.organization))
    t.same(Object.keys(pkg.resources[0]), Object.keys(REFERENCE_PACKAGE.resources[0]))
    t.same(Object.keys(pkg.tags[0]), ['display_name', 'id', 'name', 'state', 'vocabulary_id'])
    t.same(Object.keys(pkg.groups[0]), ['description', 'display_name', 'id', 'image_display_url', 'name', 'title'])
    t.same(pkg, accident, 'package_create answers with the package_show dict')
    t.match(pkg, {
      name: 'exat-accident',
      title: 'ข้อมูลอุบัติเหตุบนทางพิเศษ',
      type: 'dataset',
      state: 'active',
      private: false,
      isopen: false,
      license_id: null,
      license_title: null,
      author: null,
      url: null,
      version: null,
      num_resources: 1,
      num_tags: 2,
      owner_org: pkg.organization.id,
      organization: { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย', type: 'organization', is_organization: true, approval_status: 'approved', state: 'active' },
      relationships_as_subject: [],
      relationships_as_object: []
    })
    t.match(pkg.metadata_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    t.equal(pkg.creator_user_id, u.somchai.id)
    // the tags come sorted by name
    t.same(pkg.tags.map((x: any) => x.name), ['ทางด่วน', 'อุบัติเหตุ'].sort())
    t.equal(pkg.groups[0].display_name, 'คมนาคมขนส่ง')
  })

  t.test('package_show: licence and Thai GDC fields, only when set', async (t) => {
    const pkg = ok(await get(app, 'package_show', { id: traffic.id }))
    const gdcKeys = Object.keys(GDC_VALID)
    // GDC fields sit among the scalars, which stay alphabetical
    t.same(Object.keys(pkg), [...[...REF_SCALARS, 'license_url', ...gdcKeys].sort(), ...LIST_KEYS])
    t.match(pkg, {
      license_id: 'cc-by',
      license_title: 'Creative Commons Attribution',
      license_url: 'http://www.opendefinition.org/licenses/cc-by',
      isopen: true,
      ...GDC_VALID
    })
    t.same(pkg.objective, GDC_VALID.objective)
    t.same(pkg.data_format, GDC_VALID.data_format)
    const plain = ok(await get(app, 'package_show', { id: 'pm25-bangkok' }))
    for (const k of [...gdcKeys, 'data_support', 'high_value_dataset', 'telephone_number', 'license_url']) t.notOk(k in plain, `${k} absent when unset`)
  })

  t.test('package_show: id, name_or_id and the errors', async (t) => {
    t.equal(ok(await get(app, 'package_show', { id: pm25.id })).name, 'pm25-bangkok')
    t.equal(ok(await get(app, 'package_show', { name_or_id: 'pm25-bangkok' })).id, pm25.id)
    t.equal(ok(await call('package_show', { name_or_id: pm25.id }, null)).name, 'pm25-bangkok')

    const missing = await get(app, 'package_show', {})
    t.same(fails(missing, 409), { name_or_id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await call('package_show', { id: '' }), 409), { name_or_id: ['Missing value'], __type: 'Validation Error' })

    const unknown = await get(app, 'package_show', { id: 'no-such-dataset' })
    const expected = fixture('package_show_missing.json')
    t.same(fails(unknown, 404), expected.error)
    t.equal(unknown.body, rawFixture('package_show_missing.json', 'http://127.0.0.1:55000'), 'byte-for-byte as CKAN, but for the host')
  })

  t.test('package_show: private and draft datasets', async (t) => {
    t.same(fails(await get(app, 'package_show', { id: toll.id }), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to read package ${toll.id}` })
    t.same(fails(await get(app, 'package_show', { id: 'exat-toll-revenue' }, u.prasert.token), 403),
      { __type: 'Authorization Error', message: `Access denied: User prasert not authorized to read package ${toll.id}` })
    t.equal(ok(await get(app, 'package_show', { id: 'exat-toll-revenue' }, u.malee.token)).private, true, 'an org member reads private datasets')
    t.equal(ok(await get(app, 'package_show', { id: 'exat-toll-revenue' }, admin)).name, 'exat-toll-revenue')
    fails(await get(app, 'package_show', { id: exatDraft.id }), 403)
    t.equal(ok(await get(app, 'package_show', { id: exatDraft.id }, u.somchai.token)).state, 'draft')
  })

  t.test('package_show: include_tracking', async (t) => {
    const pkg = ok(await get(app, 'package_show', { id: 'exat-accident', include_tracking: 'true' }))
    t.same(pkg.tracking_summary, { total: 0, recent: 0 })
    t.same(pkg.resources[0].tracking_summary, { total: 0, recent: 0 })
    // CKAN emits it among the alphabetical scalars, between title and type
    const keys = Object.keys(pkg)
    t.equal(keys.indexOf('tracking_summary'), keys.indexOf('title') + 1)
    t.equal(keys.indexOf('type'), keys.indexOf('tracking_summary') + 1)
    t.notOk('tracking_summary' in ok(await get(app, 'package_show', { id: 'exat-accident', include_tracking: 'false' })))
    t.notOk('tracking_summary' in ok(await get(app, 'package_show', { id: 'exat-accident' })))
    t.same(fails(await get(app, 'package_show', { id: 'exat-accident', include_tracking: 'maybe' }), 409).include_tracking, ['Parameter is not an bool'])
  })

  t.test('package_list', async (t) => {
    const all = ['exat-accident', 'exat-traffic-volume', 'pm25-bangkok']
    t.same(ok(await get(app, 'package_list', {})), all, 'active public datasets by name; private and drafts left out')
    t.same(ok(await call('package_list', {}, admin)), all, 'not even a sysadmin sees private ones here')
    t.same(ok(await get(app, 'package_list', { limit: '2' })), all.slice(0, 2))
    t.same(ok(await get(app, 'package_list', { limit: '2', offset: '1' })), all.slice(1, 3))
    t.same(ok(await get(app, 'package_list', { limit: '0' })), all, 'limit 0 is ignored')
    t.same(ok(await get(app, 'package_list', { offset: '2' })), all, 'an offset without a limit is ignored')
    t.same(ok(await call('package_list', { limit: 1, offset: 2 })), ['pm25-bangkok'])

    const invalid = await get(app, 'package_list', { limit: '-1' })
    t.same(fails(invalid, 409), fixture('package_list_invalid_limit.json').error)
    t.same(fails(await get(app, 'package_list', { limit: 'abc' }), 409), { limit: ['Invalid integer'], __type: 'Validation Error' })
    t.same(fails(await get(app, 'package_list', { offset: 'x' }), 409), { offset: ['Invalid integer'], __type: 'Validation Error' })
  })

  t.test('package_search', async (t) => {
    const names = (r: any) => r.results.map((p: any) => p.name).sort()

    const thai = ok(await get(app, 'package_search', { q: 'ทางพิเศษ' }))
    t.equal(thai.count, 2, 'a Thai word inside Thai titles')
    t.same(names(thai), ['exat-accident', 'exat-traffic-volume'])
    t.same(Object.keys(thai), ['count', 'facets', 'results', 'sort', 'search_facets'])
    t.equal(thai.sort, 'score desc, metadata_modified desc')
    t.same(Object.keys(thai.results[0]), Object.keys(ok(await get(app, 'package_show', { id: thai.results[0].id }))), 'results are package dicts')

    t.equal(ok(await get(app, 'package_search', { q: 'อากาศ' })).results[0].name, 'pm25-bangkok')
    t.same(names(ok(await get(app, 'package_search', { fq: 'organization:exat' }))), ['exat-accident', 'exat-traffic-volume'])
    t.same(names(ok(await get(app, 'package_search', { fq: 'tags:ทางด่วน' }))), ['exat-accident', 'exat-traffic-volume'])
    t.same(names(ok(await get(app, 'package_search', { fq: 'tags:คุณภาพอากาศ' }))), ['pm25-bangkok'])
    t.same(names(ok(await get(app, 'package_search', { q: 'ทางพิเศษ', fq: 'tags:จราจร' }))), ['exat-traffic-volume'])
    t.same(names(ok(await call('package_search', { fq: 'groups:transport' }))), ['exat-accident'])
    t.equal(ok(await get(app, 'package_search', { q: 'ไม่มีคำนี้ในแคตตาล็อก' })).count, 0)

    const everything = ok(await get(app, 'package_search', {}))
    t.equal(everything.count, 3)
    const page1 = ok(await get(app, 'package_search', { rows: '2', sort: 'name asc' }))
    t.equal(page1.count, 3, 'count is the total, not the page')
    t.same(page1.results.map((p: any) => p.name), ['exat-accident', 'exat-traffic-volume'])
    t.same(ok(await get(app, 'package_search', { rows: '2', start: '2', sort: 'name asc' })).results.map((p: any) => p.name), ['pm25-bangkok'])
    t.same(ok(await get(app, 'package_search', { rows: '0' })), { count: 3, facets: {}, results: [], sort: 'score desc, metadata_modified desc', search_facets: {} })
    t.equal(ok(await get(app, 'package_search', { rows: '5000' })).results.length, 3, 'rows over 1000 is capped, not refused')
    t.same(fails(await get(app, 'package_search', { rows: '-1' }), 409), { rows: ['Must be a natural number'], __type: 'Validation Error' })

    const weird = await get(app, 'package_search', { weird: '1' })
    const expected = fixture('package_search_invalid_param.json')
    t.equal(weird.statusCode, 400)
    t.same(json(weird).error, expected.error)
    t.same(Object.keys(json(weird)), ['help', 'error', 'success'])
    t.equal(weird.body, rawFixture('package_search_invalid_param.json', 'http://127.0.0.1:55001'))

    t.same(fails(await get(app, 'package_search', { sort: 'name' }), 400),
      { __type: 'Search Query Error', message: 'Search Query is invalid: \'Invalid "sort" parameter\'' })
    t.same(fails(await get(app, 'package_search', { sort: 'name sideways' }), 400).__type, 'Search Query Error')
  })

  t.test('package_search: private datasets and drafts', async (t) => {
    const names = (r: any) => r.results.map((p: any) => p.name).sort()
    const q = { q: 'ทางพิเศษ' }
    // anonymous callers never see private or draft datasets, whatever they ask
    t.same(names(ok(await get(app, 'package_search', { ...q, include_private: 'true', include_drafts: 'true' }))),
      ['exat-accident', 'exat-traffic-volume'])
    t.same(names(ok(await get(app, 'package_search', q, u.malee.token))), ['exat-accident', 'exat-traffic-volume'],
      'members see private datasets only when they ask')
    t.same(names(ok(await get(app, 'package_search', { ...q, include_private: 'true' }, u.malee.token))),
      ['exat-accident', 'exat-toll-revenue', 'exat-traffic-volume'])
    t.same(names(ok(await get(app, 'package_search', { ...q, include_private: 'true' }, u.prasert.token))),
      ['exat-accident', 'exat-traffic-volume'], 'another organization\'s private datasets stay hidden')
    t.same(names(ok(await get(app, 'package_search', { ...q, include_private: 'true' }, admin))),
      ['exat-accident', 'exat-toll-revenue', 'exat-traffic-volume'])
    const privateOne = ok(await get(app, 'package_search', { fq: 'name:exat-toll-revenue', include_private: 'true' }, u.malee.token))
    t.equal(privateOne.results[0].private, true)

    // drafts: one's own only, a sysadmin all of them
    t.same(names(ok(await get(app, 'package_search', { include_drafts: 'true' }, u.somchai.token))),
      ['exat-accident', 'exat-expressway-plan', 'exat-traffic-volume', 'pm25-bangkok'])
    t.same(names(ok(await get(app, 'package_search', { include_drafts: 'true' }, u.prasert.token))),
      ['exat-accident', 'exat-traffic-volume', 'pcd-water-quality', 'pm25-bangkok'])
    t.same(names(ok(await get(app, 'package_search', { include_drafts: 'true' }, admin))),
      ['exat-accident', 'exat-expressway-plan', 'exat-traffic-volume', 'pcd-water-quality', 'pm25-bangkok'])
    t.same(names(ok(await get(app, 'package_search', {}, u.somchai.token))), ['exat-accident', 'exat-traffic-volume', 'pm25-bangkok'],
      'no drafts unless asked')
    t.ok(pcdDraft.id)
  })

  t.test('current_package_list_with_resources', async (t) => {
    // eleven more public datasets: more than the default page of 10
    for (let i = 1; i <= 11; i++) {
      // distinct metadata_modified values, so that the order is defined
      await sleep(2)
      ok(await call('package_create', {
        name: `pm25-station-${String(i).padStart(2, '0')}`,
        title: `ค่าฝุ่น PM2.5 สถานีตรวจวัดที่ ${i}`,
        owner_org: 'pcd',
        resources: [{ name: 'รายชั่วโมง', url: `https://air4thai.pcd.go.th/station-${i}.json` }]
      }, u.prasert.token))
    }
    const page = ok(await get(app, 'current_package_list_with_resources', {}))
    t.equal(page.length, 10, 'ten by default')
    t.same(page.map((p: any) => p.name), Array.from({ length: 10 }, (_, i) => `pm25-station-${String(11 - i).padStart(2, '0')}`),
      'most recently modified first')
    t.equal(page[0].resources[0].format, 'JSON', 'with their resources')
    t.same(Object.keys(page[0]), REF_KEYS)

    await sleep(5)
    ok(await call('package_patch', { id: 'exat-accident', notes: 'ปรับปรุงข้อมูลถึงเดือนมีนาคม 2567' }))
    const after = ok(await get(app, 'current_package_list_with_resources', { limit: '3' }))
    t.same(after.map((p: any) => p.name), ['exat-accident', 'pm25-station-11', 'pm25-station-10'])
    t.same(ok(await get(app, 'current_package_list_with_resources', { limit: '2', offset: '1' })).map((p: any) => p.name),
      ['pm25-station-11', 'pm25-station-10'])
    t.same(ok(await get(app, 'current_package_list_with_resources', { limit: '2', page: '2' })).map((p: any) => p.name),
      ['pm25-station-10', 'pm25-station-09'], 'page is 1-based')
    t.equal(ok(await get(app, 'current_package_list_with_resources', { limit: '100' })).length, 14)
    t.notOk(ok(await get(app, 'current_package_list_with_resources', { limit: '100' })).some((p: any) => p.private),
      'anonymous callers get no private datasets')
    t.ok(ok(await call('current_package_list_with_resources', { limit: 100 }, admin)).some((p: any) => p.name === 'exat-toll-revenue'),
      'sysadmins do')
    t.same(fails(await get(app, 'current_package_list_with_resources', { limit: '-1' }), 409), { limit: ['Must be a natural number'], __type: 'Validation Error' })
  })
})

t.test('package_create validation', async (t) => {
  const app = await build(t)
  const { call, admin } = app
  const u = await catalog(app)
  const create = (body: Record<string, unknown>, token: string | null = u.somchai.token) =>
    call('package_create', { owner_org: 'exat', ...body }, token)
  const errorOf = async (body: Record<string, unknown>, token?: string | null) => fails(await create(body, token), 409)

  t.test('auth comes first', async (t) => {
    const res = await call('package_create', { name: 'Bad Name' }, null)
    t.equal(res.statusCode, 403)
    t.same(json(res).error, fixture('package_create_noauth.json').error)
    t.same(fails(await call('package_create', { name: 'rice-price' }, u.nobody.token), 403),
      { __type: 'Authorization Error', message: 'Access denied: User nobody not authorized to create packages' })
    t.same(fails(await call('package_create', { name: 'rice-price', owner_org: 'exat' }, u.malee.token), 403).__type,
      'Authorization Error', 'a plain member cannot create')
  })

  t.test('names', async (t) => {
    t.same(await errorOf({ title: 'ไม่มีชื่อ' }), { name: ['Missing value'], __type: 'Validation Error' })
    t.same((await errorOf({ name: '' })).name, ['Missing value'])
    t.same((await errorOf({ name: 'a' })).name, ['Must be at least 2 characters long', 'Name "a" length is less than minimum 2'],
      'messages accumulate')
    const long = 'x'.repeat(101)
    t.same((await errorOf({ name: long })).name, ['Name must be a maximum of 100 characters long', `Name "${long}" length is more than maximum 100`])
    for (const reserved of ['new', 'edit', 'search']) t.same((await errorOf({ name: reserved })).name, ['That name cannot be used'])
    const ascii = 'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'
    t.same((await errorOf({ name: 'Rice-Price' })).name, [ascii])
    t.same((await errorOf({ name: 'ราคาข้าว' })).name, [ascii], 'Thai names are not URL names')
    t.same((await errorOf({ name: 'rice price' })).name, [ascii])

    const invalid = await call('package_create', { name: 'Bad Name' }, u.somchai.token)
    t.same(fails(invalid, 409), fixture('package_create_invalid.json').error)

    t.equal(ok(await create({ name: 'x'.repeat(100) })).name.length, 100)
    const first = ok(await create({ name: 'rice-price_2567' }))
    t.equal(first.title, 'rice-price_2567', 'title defaults to the name')
    t.same((await errorOf({ name: 'rice-price_2567' })).name, ['That URL is already in use.'])
    t.same((await errorOf({ name: 'rice-price_2567' }, u.prasert.token)).owner_org, ['You cannot add a dataset to this organization'])
  })

  t.test('owner_org and private', async (t) => {
    t.same(await errorOf({ name: 'rice-exports', owner_org: undefined }), { owner_org: ['An organization must be provided'], __type: 'Validation Error' })
    t.same((await errorOf({ name: 'rice-exports', owner_org: '' })).owner_org, ['An organization must be provided'])
    t.same((await errorOf({ name: 'rice-exports', owner_org: 'rice-department' })).owner_org, ['Organization does not exist'])
    t.same((await errorOf({ name: 'rice-exports', owner_org: 'pcd' })).owner_org, ['You cannot add a dataset to this organization'])
    t.same((await errorOf({ name: 'rice-exports', owner_org: 'transport' })).owner_org, ['Organization does not exist'], 'a group is not an organization')
    const pcd = ok(await call('organization_show', { id: 'pcd' }))
    const byId = ok(await create({ name: 'pcd-noise', owner_org: pcd.id }, u.prasert.token))
    t.equal(byId.owner_org, pcd.id)
    t.equal(byId.organization.name, 'pcd')
    t.equal(ok(await create({ name: 'pcd-waste', owner_org: 'pcd' }, admin)).owner_org, pcd.id, 'a sysadmin may use any organization')
    t.equal(ok(await create({ name: 'exat-private', private: 'true' })).private, true)
    t.equal(ok(await create({ name: 'exat-public', private: 'no' })).private, false)
  })

  t.test('other fields', async (t) => {
    t.same(await errorOf({ name: 'rice-yield', author_email: 'somchai-at-exat' }),
      { author_email: ['Email somchai-at-exat is not a valid format'], __type: 'Validation Error' })
    t.same((await errorOf({ name: 'rice-yield', maintainer_email: 'กรมการข้าว@' })).maintainer_email, ['Email กรมการข้าว@ is not a valid format'])
    t.same((await errorOf({ name: 'rice-yield', version: '1'.repeat(101) })).version, ['Version must be a maximum of 100 characters long'])
    t.same(await errorOf({ name: 'rice-yield', id: '0d1b5b3f-8a6e-4b54-9c8e-3f6a1f2d4e5a' }),
      { id: ['The input field id was not expected.'], __type: 'Validation Error' })

    const pkg = ok(await create({
      name: 'rice-yield',
      title: '  ผลผลิตข้าวนาปี รายจังหวัด  ',
      notes: 'ผลผลิตข้าวนาปีต่อไร่ จำแนกรายจังหวัด',
      author: 'กรมการข้าว',
      author_email: 'rice@example.go.th',
      maintainer: 'ศูนย์เทคโนโลยีสารสนเทศ',
      maintainer_email: 'data@example.go.th',
      url: 'https://www.ricethailand.go.th',
      version: '2567.1',
      license_id: 'DGA Open Government License'
    }))
    t.match(pkg, {
      title: 'ผลผลิตข้าวนาปี รายจังหวัด',
      author: 'กรมการข้าว',
      author_email: 'rice@example.go.th',
      maintainer_email: 'data@example.go.th',
      url: 'https://www.ricethailand.go.th',
      version: '2567.1',
      license_title: 'DGA Open Government License',
      isopen: true
    })
    const unknownLicence = ok(await create({ name: 'rice-area', license_id: 'my-own-licence' }))
    t.equal(unknownLicence.license_title, 'my-own-licence', 'an unknown licence id is its own title')
    t.equal(unknownLicence.isopen, false)

    const id = '7f0c2b9e-41a5-4d0b-a3a8-5c1e6f2b9d10'
    t.equal(ok(await create({ name: 'rice-imported', id }, admin)).id, id, 'sysadmins may choose the id')
  })

  t.test('tags', async (t) => {
    // stock CKAN refuses Thai tags with tone and vowel marks; opend accepts them
    const pkg = ok(await create({ name: 'thai-tourism', tags: [{ name: 'ท่องเที่ยว' }, { name: 'ข้าว' }, { name: 'คุณภาพอากาศ' }, { name: 'PM2.5' }, { name: 'open data' }] }))
    t.same(pkg.tags.map((x: any) => x.name), ['PM2.5', 'open data', 'คุณภาพอากาศ', 'ท่องเที่ยว', 'ข้าว'].sort())
    t.equal(pkg.num_tags, 5)
    t.match(pkg.tags[0], { display_name: pkg.tags[0].name, state: 'active', vocabulary_id: null })

    const bang = await errorOf({ name: 'bad-tags', tags: [{ name: 'ท่องเที่ยว' }, { name: 'ทางด่วน!' }] })
    t.same(bang, {
      tags: ['Tag "ทางด่วน!" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")'],
      __type: 'Validation Error'
    }, 'tag errors are flattened to strings, valid tags add nothing')
    t.same((await errorOf({ name: 'bad-tags', tags: [{ name: 'ข้าว,ข้าวโพด' }] })).tags,
      ['Tag "ข้าว,ข้าวโพด" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")'])
    t.same((await errorOf({ name: 'bad-tags', tags: [{ name: 'ก' }] })).tags, ['Tag "ก" length is less than minimum 2'])

    const fromString = ok(await create({ name: 'rice-tags', tag_string: 'ข้าว, ท่องเที่ยว,เกษตร' }))
    t.same(fromString.tags.map((x: any) => x.name), ['ข้าว', 'ท่องเที่ยว', 'เกษตร'].sort())
    t.ok((await errorOf({ name: 'rice-tags-2', tag_string: 'ข้าว, ราคา!' })).tag_string[0].startsWith('Tag "ราคา!" can only contain'))

    const byTag = ok(await call('package_search', { fq: 'tags:ท่องเที่ยว' }))
    t.same(byTag.results.map((p: any) => p.name).sort(), ['rice-tags', 'thai-tourism'])
  })

  t.test('extras', async (t) => {
    // CKAN test F7: a quoted value round-trips unchanged
    const pkg = ok(await create({
      name: 'museum-books',
      extras: [
        { key: 'original media', value: '"book"' },
        { key: 'ปีงบประมาณ', value: '2567' },
        { key: 'coverage', value: 'ทั่วประเทศ' }
      ]
    }))
    t.same(pkg.extras, [
      { key: 'coverage', value: 'ทั่วประเทศ' },
      { key: 'original media', value: '"book"' },
      { key: 'ปีงบประมาณ', value: '2567' }
    ], 'sorted by key')
    t.same(ok(await call('package_show', { id: 'museum-books' })).extras, pkg.extras)

    t.same(await errorOf({ name: 'museum-dup', extras: [{ key: 'coverage', value: 'a' }, { key: 'coverage', value: 'b' }] }),
      { extras_validation: ['Duplicate key "coverage"'], __type: 'Validation Error' })
    t.same((await errorOf({ name: 'museum-core', extras: [{ key: 'title', value: 'x' }] })).extras_validation,
      ['There is a schema field with the same name'])
    t.same((await errorOf({ name: 'museum-gdc', extras: [{ key: 'data_type', value: 'ข้อมูลสถิติ' }] })).extras_validation,
      ['There is a schema field with the same name'], 'GDC fields are schema fields too')
  })

  t.test('resources', async (t) => {
    const pkg = ok(await create({
      name: 'expressway-toll-rates',
      title: 'อัตราค่าผ่านทางพิเศษ',
      resources: [
        { name: 'อัตราค่าผ่านทาง', url: 'https://data.exat.co.th/toll-rates.csv' },
        { name: 'แผนที่ด่าน', url: 'https://data.exat.co.th/toll-plazas.geojson', description: 'ตำแหน่งด่านเก็บเงิน' },
        { name: 'รายงานประจำปี', url: 'https://data.exat.co.th/annual-report.xlsx', format: 'xlsx' },
        { name: 'หน้าเว็บ', url: 'https://www.exat.co.th/' }
      ]
    }))
    t.equal(pkg.num_resources, 4)
    t.same(pkg.resources.map((r: any) => r.position), [0, 1, 2, 3])
    t.same(pkg.resources.map((r: any) => r.format), ['CSV', 'GEOJSON', 'XLSX', null], 'format guessed from the URL, then cleaned')
    t.match(pkg.resources[0], { package_id: pkg.id, state: 'active', hash: '', datastore_active: false, mimetype: 'text/csv', url_type: null, size: null })
    t.same(Object.keys(pkg.resources[1]), Object.keys(REFERENCE_PACKAGE.resources[0]))
    t.equal(pkg.resources[1].description, 'ตำแหน่งด่านเก็บเงิน')

    const bad = await errorOf({ name: 'bad-resources', resources: [{ url: 'https://x.go.th/a.csv' }, { url: 'https://x.go.th/b.csv', size: 'ใหญ่' }] })
    t.same(bad, { resources: [{}, { size: ['Invalid integer'] }], __type: 'Validation Error' })
  })

  t.test('groups', async (t) => {
    const pkg = ok(await create({ name: 'expressway-network', groups: [{ name: 'transport' }] }, admin))
    t.equal(pkg.groups.length, 1)
    t.match(pkg.groups[0], { name: 'transport', title: 'คมนาคมขนส่ง', display_name: 'คมนาคมขนส่ง', description: 'ข้อมูลด้านการคมนาคมและการขนส่ง', image_display_url: '' })
    t.same((await errorOf({ name: 'no-group', groups: [{ name: 'agriculture' }] }, admin)).groups, ['Group "agriculture" does not exist'])
  })

  t.test('Thai GDC fields', async (t) => {
    const pkg = ok(await create({ name: 'expressway-stats', ...GDC_VALID, high_value_dataset: true }))
    t.match(pkg, GDC_VALID, 'stored and returned at the top level')
    t.equal(pkg.high_value_dataset, 'True', 'booleans are stored as CKAN scheming stores them')
    t.same(pkg.extras, [], 'not as extras')
    t.same(ok(await call('package_show', { id: 'expressway-stats' })).objective, GDC_VALID.objective)
    t.same(ok(await create({ name: 'expressway-single-objective', objective: 'พันธกิจหน่วยงาน' })).objective, ['พันธกิจหน่วยงาน'],
      'one choice of a multiple-choice field becomes a list')

    t.same(await errorOf({ name: 'gdc-bad', data_type: 'ข้อมูลลับ' }), { data_type: ['unexpected choice "ข้อมูลลับ"'], __type: 'Validation Error' })
    t.same((await errorOf({ name: 'gdc-bad', objective: ['ยุทธศาสตร์ชาติ', 'อยากรู้'] })).objective, ['unexpected choice "อยากรู้"'])
    t.same((await errorOf({ name: 'gdc-bad', update_frequency_unit: 'ทุกวัน' })).update_frequency_unit, ['unexpected choice "ทุกวัน"'])
    t.same((await errorOf({ name: 'gdc-bad', last_updated_date: '31/03/2567' })).last_updated_date, ['Date format incorrect'])
    t.same((await errorOf({ name: 'gdc-bad', first_year_of_data: '67' })).first_year_of_data, ['Must be a four-digit year'])
    t.same((await errorOf({ name: 'gdc-bad', high_value_dataset: 'ใช่' })).high_value_dataset, ['unexpected choice "ใช่"'])
    // without OPEND_REQUIRE_GDC_METADATA a stock CKAN client needs none of them
    const plain = ok(await create({ name: 'gdc-not-required' }))
    t.notOk('data_type' in plain)
  })
})

t.test('package_create: datasets without an organization', async (t) => {
  const app = await build(t, { OPEND_CREATE_UNOWNED_DATASET: 'true' })
  const { call, user } = app
  const somsri = await user('somsri')
  t.same(fails(await call('package_create', { name: 'my-notes', private: true }, somsri.token), 409),
    { private: ["Datasets with no organization can't be private."], __type: 'Validation Error' })
  const pkg = ok(await call('package_create', { name: 'my-notes', title: 'บันทึกส่วนตัว' }, somsri.token))
  t.equal(pkg.owner_org, null)
  t.equal(pkg.organization, null)
  t.equal(pkg.creator_user_id, somsri.id)
  const other = await user('somporn')
  t.same(fails(await call('package_patch', { id: 'my-notes', title: 'แก้ไข' }, other.token), 403).__type, 'Authorization Error',
    'only the creator edits a dataset without organization')
  t.equal(ok(await call('package_patch', { id: 'my-notes', notes: 'ใช้ทดสอบ' }, somsri.token)).notes, 'ใช้ทดสอบ')
})

t.test('package_create: required GDC metadata', async (t) => {
  const app = await build(t, { OPEND_REQUIRE_GDC_METADATA: 'true' })
  const { call } = app
  ok(await call('organization_create', { name: 'nso', title: 'สำนักงานสถิติแห่งชาติ' }))
  const err = fails(await call('package_create', { name: 'labour-force-survey', owner_org: 'nso' }), 409)
  t.same(err, {
    data_type: ['Missing value'],
    objective: ['Missing value'],
    update_frequency_unit: ['Missing value'],
    geo_coverage: ['Missing value'],
    data_source: ['Missing value'],
    data_format: ['Missing value'],
    data_category: ['Missing value'],
    __type: 'Validation Error'
  })
  const partial = fails(await call('package_create', { name: 'labour-force-survey', owner_org: 'nso', ...GDC_VALID, data_source: '', objective: [] }), 409)
  t.same(partial, { objective: ['Missing value'], data_source: ['Missing value'], __type: 'Validation Error' })
  const pkg = ok(await call('package_create', { name: 'labour-force-survey', title: 'การสำรวจภาวะการทำงานของประชากร', owner_org: 'nso', ...GDC_VALID }))
  t.equal(pkg.data_type, 'ข้อมูลสถิติ')
  // an update that drops a required field is refused too
  t.same(fails(await call('package_update', { id: pkg.id, name: pkg.name, owner_org: 'nso' }), 409).data_type, ['Missing value'])
  t.equal(ok(await call('package_patch', { id: pkg.id, notes: 'สำรวจรายไตรมาส' })).data_category, 'ข้อมูลสาธารณะ')
})

t.test('updating, patching, deleting and purging', async (t) => {
  const app = await build(t)
  const { call, admin } = app
  const u = await catalog(app)

  const full = {
    name: 'exat-incidents',
    title: 'ข้อมูลรถขัดข้องบนทางพิเศษ',
    notes: 'เหตุรถขัดข้องรายเดือน',
    owner_org: 'exat',
    license_id: 'cc-by',
    tags: [{ name: 'ทางด่วน' }, { name: 'รถขัดข้อง' }],
    groups: [{ name: 'transport' }],
    extras: [{ key: 'ปีงบประมาณ', value: '2567' }],
    resources: [
      { name: 'ปี 2565', url: 'https://data.exat.co.th/incidents-2565.csv' },
      { name: 'ปี 2566', url: 'https://data.exat.co.th/incidents-2566.csv' }
    ],
    data_category: 'ข้อมูลสาธารณะ'
  }
  const created = ok(await call('package_create', full, admin))

  t.test('package_update replaces the whole dataset', async (t) => {
    await sleep(5)
    const res = ok(await call('package_update', { id: created.id, name: 'exat-incidents', title: 'รถขัดข้องบนทางพิเศษ', owner_org: 'exat' }, u.somchai.token))
    t.equal(res.title, 'รถขัดข้องบนทางพิเศษ')
    t.same(res.resources, [], 'omitted resources are deleted')
    t.same(res.tags, [])
    t.same(res.groups, [])
    t.same(res.extras, [])
    t.equal(res.num_resources, 0)
    t.equal(res.num_tags, 0)
    t.equal(res.notes, null)
    t.equal(res.license_id, null)
    t.notOk('data_category' in res, 'omitted GDC fields are cleared')
    t.equal(res.metadata_created, created.metadata_created)
    t.ok(res.metadata_modified > created.metadata_modified)
    t.equal(res.creator_user_id, created.creator_user_id)
    t.same(ok(await call('package_show', { id: created.id }, null)), res)
    t.same(ok(await call('tag_list', {}, null)), [], 'tags no longer used are gone from tag_list')

    // by name alone; a sysadmin, since somchai may not put datasets in the group
    const restored = ok(await call('package_update', { ...full, name: 'exat-incidents', tags: [{ name: 'ทางด่วน' }] }))
    t.equal(restored.id, created.id)
    t.equal(restored.num_resources, 2)
    const keep = restored.resources[0]
    const again = ok(await call('package_update', {
      ...full, id: created.id, resources: [{ id: keep.id, name: 'ปี 2565 (ฉบับแก้ไข)', url: keep.url }, { name: 'ปี 2567', url: 'https://data.exat.co.th/incidents-2567.csv' }]
    }))
    t.equal(again.resources[0].id, keep.id, 'a resource sent with its id is updated in place')
    t.equal(again.resources[0].name, 'ปี 2565 (ฉบับแก้ไข)')
    t.equal(again.resources[0].created, keep.created)
    t.equal(again.resources[1].name, 'ปี 2567')
    t.same(fails(await call('resource_show', { id: restored.resources[1].id }), 404).message, 'Not found: Resource was not found.')
  })

  t.test('package_update errors', async (t) => {
    t.same(fails(await call('package_update', { title: 'ไม่มีรหัส' }), 409), { id: 'Missing value', __type: 'Validation Error' },
      'CKAN\'s bare-string message')
    t.same(fails(await call('package_update', { id: 'no-such-dataset', name: 'no-such-dataset' }), 404),
      { __type: 'Not Found Error', message: 'Not found: Package was not found.' })
    t.same(fails(await call('package_update', { id: created.id, name: 'exat-incidents', owner_org: 'exat' }, null), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to edit package ${created.id}` })
    t.same(fails(await call('package_update', { id: created.id, name: 'exat-incidents', owner_org: 'exat' }, u.malee.token), 403).message,
      `Access denied: User malee not authorized to edit package ${created.id}`, 'members read, they do not edit')
    t.same(fails(await call('package_update', { id: created.id, name: 'exat-incidents', owner_org: 'exat' }, u.prasert.token), 403).__type, 'Authorization Error')
    t.same(fails(await call('package_update', { id: created.id, name: 'exat-incidents', owner_org: 'pcd' }, u.somchai.token), 409).owner_org,
      ['You cannot add a dataset to this organization'], 'moving to an organization one cannot edit')
    ok(await call('package_create', { name: 'exat-other', owner_org: 'exat' }))
    t.same(fails(await call('package_update', { id: created.id, name: 'exat-other', owner_org: 'exat' }), 409).name, ['That URL is already in use.'])
    t.same(fails(await call('package_update', { id: created.id, name: 'ข้อมูล', owner_org: 'exat' }), 409).name,
      ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'])
    const renamed = ok(await call('package_update', { id: created.id, name: 'exat-breakdowns', owner_org: 'exat' }))
    t.equal(renamed.name, 'exat-breakdowns')
    t.equal(renamed.id, created.id)
  })

  t.test('package_patch changes only the given keys', async (t) => {
    const base = ok(await call('package_update', { ...full, id: created.id, name: 'exat-incidents' }))
    await sleep(5)
    const patched = ok(await call('package_patch', { id: 'exat-incidents', notes: 'ข้อมูลรถขัดข้องบนทางพิเศษ รายเดือน ปรับปรุงทุกไตรมาส' }, u.somchai.token))
    t.equal(patched.notes, 'ข้อมูลรถขัดข้องบนทางพิเศษ รายเดือน ปรับปรุงทุกไตรมาส')
    for (const k of ['title', 'license_id', 'owner_org', 'resources', 'tags', 'groups', 'extras', 'data_category', 'metadata_created']) {
      t.same(patched[k], base[k], `${k} kept`)
    }
    t.ok(patched.metadata_modified > base.metadata_modified)

    const one = ok(await call('package_patch', { id: created.id, resources: [{ name: 'รวมทุกปี', url: 'https://data.exat.co.th/incidents-all.json' }] }))
    t.equal(one.num_resources, 1, 'a resources list replaces the old one')
    t.equal(one.resources[0].format, 'JSON')
    t.equal(one.resources[0].position, 0)
    t.same(one.tags, base.tags, 'other lists stay')

    t.same(ok(await call('package_patch', { id: created.id, tags: [{ name: 'ท่องเที่ยว' }] })).tags.map((x: any) => x.name), ['ท่องเที่ยว'])
    t.same(ok(await call('package_patch', { id: created.id, private: true })).private, true)
    t.same(fails(await call('package_show', { id: created.id }, null), 403).__type, 'Authorization Error')
    ok(await call('package_patch', { id: created.id, private: false }))

    t.same(fails(await call('package_patch', { notes: 'x' }), 409), { id: ['Missing value'], __type: 'Validation Error' })
    t.same(fails(await call('package_patch', { id: 'no-such-dataset' }), 404).message, 'Not found: Package was not found.')
    t.same(fails(await call('package_patch', { id: created.id, notes: 'x' }, u.malee.token), 403).__type, 'Authorization Error')
    t.same(fails(await call('package_patch', { id: created.id, data_type: 'อื่นๆ' }), 409).data_type, ['unexpected choice "อื่นๆ"'])
  })

  t.test('organization and group changes show in the dataset', async (t) => {
    ok(await call('organization_update', { id: 'exat', title: 'การทางพิเศษแห่งประเทศไทย (กทพ.)', description: 'รัฐวิสาหกิจ สังกัดกระทรวงคมนาคม' }))
    const pkg = ok(await call('package_show', { id: 'exat-incidents' }, null))
    t.equal(pkg.organization.title, 'การทางพิเศษแห่งประเทศไทย (กทพ.)')
    t.equal(pkg.organization.description, 'รัฐวิสาหกิจ สังกัดกระทรวงคมนาคม')
    const found = ok(await call('package_search', { fq: 'name:exat-incidents' }, null))
    t.equal(found.results[0].organization.title, 'การทางพิเศษแห่งประเทศไทย (กทพ.)', 'search results are rebuilt too')

    ok(await call('group_update', { id: 'transport', title: 'การคมนาคม', description: 'ข้อมูลการคมนาคม' }))
    const grouped = ok(await call('package_show', { id: 'exat-incidents' }, null))
    t.match(grouped.groups, [{ name: 'transport', title: 'การคมนาคม', display_name: 'การคมนาคม' }])
  })

  t.test('package_delete', async (t) => {
    const pkg = ok(await call('package_create', { name: 'exat-old-tolls', title: 'อัตราค่าผ่านทางเดิม', owner_org: 'exat', groups: [{ name: 'transport' }] }))
    t.ok(ok(await call('package_list', {}, null)).includes('exat-old-tolls'))
    t.same(fails(await call('package_delete', { id: pkg.id }, null), 403).message, `Access denied: User  not authorized to delete package ${pkg.id}`)
    t.same(fails(await call('package_delete', { id: pkg.id }, u.malee.token), 403).__type, 'Authorization Error')
    const res = await call('package_delete', { id: 'exat-old-tolls' }, u.somchai.token)
    t.equal(ok(res), null)
    t.match(res.body, /"result": null}$/)

    t.same(fails(await call('package_show', { id: pkg.id }, null), 403),
      { __type: 'Authorization Error', message: `Access denied: User  not authorized to read package ${pkg.id}` }, 'deleted is hidden, not missing')
    const asAdmin = ok(await call('package_show', { id: 'exat-old-tolls' }))
    t.equal(asAdmin.state, 'deleted')
    t.equal(asAdmin.name, 'exat-old-tolls', 'a deleted dataset keeps its name')
    t.same(asAdmin.groups, [], 'memberships are removed')
    t.notOk(ok(await call('package_list', {}, null)).includes('exat-old-tolls'))
    t.equal(ok(await call('package_search', { q: 'อัตราค่าผ่านทางเดิม' }, null)).count, 0)
    t.equal(ok(await call('package_search', { q: 'อัตราค่าผ่านทางเดิม', include_drafts: true, include_private: true })).count, 0)
    t.same(fails(await call('package_delete', { id: 'no-such-dataset' }), 404).message, 'Not found: Package was not found.')
    t.same(fails(await call('package_delete', {}), 409), { id: ['Missing value'], __type: 'Validation Error' })

    // a new dataset may take the name; the deleted one is renamed to its id
    const reborn = ok(await call('package_create', { name: 'exat-old-tolls', title: 'อัตราค่าผ่านทางพิเศษ (ฉบับใหม่)', owner_org: 'exat' }, u.somchai.token))
    t.not(reborn.id, pkg.id)
    t.equal(ok(await call('package_show', { id: 'exat-old-tolls' }, null)).id, reborn.id)
    const old = ok(await call('package_show', { id: pkg.id }))
    t.equal(old.name, pkg.id)
    t.equal(old.state, 'deleted')
  })

  t.test('dataset_purge', async (t) => {
    const pkg = ok(await call('package_create', { name: 'exat-to-purge', owner_org: 'exat', resources: [{ url: 'https://data.exat.co.th/x.csv' }] }))
    t.same(fails(await call('dataset_purge', { id: pkg.id }, u.somchai.token), 403),
      { __type: 'Authorization Error', message: 'Access denied: User somchai not authorized to purge packages' }, 'sysadmins only')
    t.same(fails(await call('dataset_purge', { id: pkg.id }, null), 403).__type, 'Authorization Error')
    t.equal(ok(await call('dataset_purge', { id: 'exat-to-purge' })), null)
    t.same(fails(await call('package_show', { id: pkg.id }), 404), { __type: 'Not Found Error', message: 'Not found' })
    t.same(fails(await call('resource_show', { id: pkg.resources[0].id }), 404).__type, 'Not Found Error')
    t.same(fails(await call('dataset_purge', { id: pkg.id }), 404).__type, 'Not Found Error')
    t.equal(ok(await call('package_create', { name: 'exat-to-purge', owner_org: 'exat' })).name, 'exat-to-purge', 'the name is free again')

    // purging works on deleted datasets as well
    ok(await call('package_delete', { id: 'exat-to-purge' }))
    t.equal(ok(await call('dataset_purge', { id: 'exat-to-purge' })), null)
    fails(await call('package_show', { id: 'exat-to-purge' }), 404)
  })

  t.test('write actions are POST only', async (t) => {
    for (const action of ['package_create', 'package_update', 'package_patch', 'package_delete', 'dataset_purge']) {
      const res = await app.app.inject({ method: 'GET', url: `/api/3/action/${action}?id=exat-incidents` })
      t.equal(res.statusCode, 400)
      t.equal(json(res), 'Bad request - JSON Error: Invalid request. Please use POST method for your request')
    }
  })
})

t.test('package_search fq alternatives and negation', async (t) => {
  const { app, call } = await build(t)
  for (const [name, title] of [['exat', 'การทางพิเศษแห่งประเทศไทย'], ['dlt', 'กรมการขนส่งทางบก'], ['pcd', 'กรมควบคุมมลพิษ']]) {
    await call('organization_create', { name, title })
  }
  await call('package_create', { name: 'expressway-breakdowns', owner_org: 'exat', tags: [{ name: 'ทางด่วน' }] })
  await call('package_create', { name: 'registered-vehicles', owner_org: 'dlt', tags: [{ name: 'รถยนต์' }] })
  await call('package_create', { name: 'pm25-hourly', owner_org: 'pcd', tags: [{ name: 'คุณภาพอากาศ' }] })
  const names = async (query: string) => {
    const res = await app.inject(`/api/3/action/package_search?${query}&sort=name asc`)
    t.equal(res.statusCode, 200, query)
    return JSON.parse(res.body).result.results.map((r: { name: string }) => r.name)
  }
  t.same(await names(`fq=${encodeURIComponent('organization:(exat OR dlt)')}`), ['expressway-breakdowns', 'registered-vehicles'])
  t.same(await names(`fq=${encodeURIComponent('-organization:exat')}`), ['pm25-hourly', 'registered-vehicles'])
  t.same(await names(`fq=${encodeURIComponent('NOT organization:exat')}`), ['pm25-hourly', 'registered-vehicles'])
  t.same(await names(`fq=${encodeURIComponent('+tags:"คุณภาพอากาศ"')}`), ['pm25-hourly'])
  t.same(await names(`q=${encodeURIComponent('organization:dlt AND tags:รถยนต์')}`), ['registered-vehicles'])
})
