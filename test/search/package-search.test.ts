/**
 * package_search over HTTP, against CKAN 2.10's behaviour
 * (shared/reference/ckan-action-api.md §4.7) and issue #3: parameters and
 * their errors, the Solr query language in q and fq, Thai and English text,
 * ranking, facets, visibility and the index kept up to date by every write.
 * Datasets are made with the real write actions.
 */
import { sql } from 'kysely'
import t from 'tap'
import { build, fails, fixture, get, json, ok, rawFixture, type TestApp } from '../helper.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const names = (r: any): string[] => r.results.map((p: any) => p.name)
const sorted = (r: any): string[] => names(r).sort()
const DEFAULT_SORT = 'score desc, metadata_modified desc'

/** GET package_search with a query string; lists become repeated keys. */
function search (app: TestApp, query: Record<string, string | string[]>, token?: string) {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x)
  return app.app.inject({ method: 'GET', url: `/api/3/action/package_search?${qs.toString()}`, headers: token ? { authorization: token } : {} })
}

const res = (name: string, format: string, more: Record<string, unknown> = {}) =>
  ({ name, url: `https://data.example.go.th/${encodeURIComponent(name)}.${format.toLowerCase()}`, format, ...more })

/**
 * A small public catalog of four agencies. Created in this order, a few
 * milliseconds apart, so metadata_modified orders them.
 */
const DATASETS: Record<string, unknown>[] = [
  {
    name: 'road-accidents',
    title: 'Road accident statistics',
    notes: 'Number of accidents on national highways, by province and month.',
    owner_org: 'dlt',
    groups: [{ name: 'transport' }],
    tags: [{ name: 'transport' }, { name: 'road-safety' }],
    license_id: 'cc-by',
    author: 'Somchai Jaidee',
    maintainer: 'DLT Data Center',
    extras: [{ key: 'source_system', value: 'dlt-ris' }],
    data_type: 'ข้อมูลสถิติ',
    resources: [res('Accidents 2566', 'CSV', { description: 'Monthly counts for fiscal year 2566' }), res('Accidents 2567', 'CSV')]
  },
  {
    name: 'new-vehicles',
    title: 'รถจดทะเบียนใหม่ รายเดือน',
    notes: 'จำนวนรถจดทะเบียนใหม่ทั่วประเทศ จำแนกตามประเภทรถ (new vehicle registrations)',
    owner_org: 'dlt',
    groups: [{ name: 'transport' }],
    tags: [{ name: 'รถยนต์' }, { name: 'transport' }],
    license_id: 'DGA Open Government License',
    data_type: 'ข้อมูลสถิติ',
    resources: [res('ข้อมูลรายเดือน', 'XLSX')]
  },
  {
    name: 'domestic-tourism',
    title: 'สถิติการท่องเที่ยวภายในประเทศ',
    notes: 'จำนวนผู้เยี่ยมเยือนและรายได้ จำแนกรายจังหวัด',
    owner_org: 'tat',
    groups: [{ name: 'economy' }],
    tags: [{ name: 'นักท่องเที่ยว' }],
    license_id: 'cc-by',
    data_type: 'ข้อมูลสถิติ',
    resources: [res('รายจังหวัด', 'XLSX')]
  },
  {
    name: 'tourism-attractions',
    title: 'แหล่งท่องเที่ยวทั่วประเทศ',
    notes: 'รายชื่อและพิกัดของแหล่งท่องเที่ยว',
    owner_org: 'tat',
    tags: [{ name: 'ท่องเที่ยว' }],
    data_type: 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่',
    resources: [res('พิกัด', 'KML')]
  },
  {
    name: 'budget-2567',
    title: 'รายงานการใช้จ่ายปีงบประมาณ 2567',
    notes: 'ผลการเบิกจ่ายรายไตรมาส',
    owner_org: 'nso',
    tags: [{ name: 'การเงิน' }],
    resources: [res('รายงาน', 'PDF')]
  },
  {
    name: 'unemployment',
    title: 'อัตราการว่างงาน',
    notes: 'ผลการสำรวจภาวะการทำงานของประชากร (Labour Force Survey)',
    owner_org: 'nso',
    groups: [{ name: 'economy' }],
    tags: [{ name: 'แรงงาน' }],
    license_id: 'odc-by',
    data_type: 'ข้อมูลสถิติ',
    resources: [res('ไตรมาส', 'XLSX')]
  },
  {
    name: 'pm25-bangkok',
    title: 'ค่าฝุ่น PM2.5 กรุงเทพมหานคร',
    notes: 'ข้อมูลคุณภาพอากาศรายชั่วโมงจากสถานีตรวจวัด',
    owner_org: 'pcd',
    groups: [{ name: 'environment' }],
    tags: [{ name: 'PM2.5' }, { name: 'คุณภาพอากาศ' }],
    license_id: 'odc-by',
    resources: [res('รายชั่วโมง', 'JSON'), res('รายวัน', 'CSV')]
  },
  {
    name: 'pm25-chiangmai',
    title: 'ค่าฝุ่น PM2.5 เชียงใหม่',
    owner_org: 'pcd',
    groups: [{ name: 'environment' }],
    tags: [{ name: 'PM2.5' }],
    resources: [res('รายวัน', 'CSV')]
  },
  // the ranking trio: "water" in the title, in a tag, in the description only
  {
    name: 'water-quality',
    title: 'Water quality of rivers',
    notes: 'Dissolved oxygen, measured monthly',
    owner_org: 'pcd',
    groups: [{ name: 'environment' }],
    tags: [{ name: 'environment' }],
    resources: [res('monthly', 'CSV')]
  },
  {
    name: 'river-stations',
    title: 'River monitoring stations',
    notes: 'Locations of the monitoring stations',
    owner_org: 'pcd',
    tags: [{ name: 'water' }]
  },
  {
    name: 'canal-survey',
    title: 'Canal survey',
    notes: 'Field measurements of water in the canals of Bangkok',
    owner_org: 'pcd',
    tags: [{ name: 'survey' }]
  },
  // equal relevance for "noise": the order falls to metadata_modified
  { name: 'noise-east', title: 'Noise levels', owner_org: 'pcd', tags: [{ name: 'sound' }] },
  { name: 'noise-west', title: 'Noise levels', owner_org: 'pcd', tags: [{ name: 'sound' }] }
]
const ALL = DATASETS.map((d) => d.name as string)

async function catalog (app: TestApp): Promise<void> {
  const { call } = app
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_create', { name: 'nso', title: 'สำนักงานสถิติแห่งชาติ' }))
  ok(await call('organization_create', { name: 'tat', title: 'การท่องเที่ยวแห่งประเทศไทย' }))
  ok(await call('organization_create', { name: 'dlt', title: 'กรมการขนส่งทางบก' }))
  ok(await call('group_create', { name: 'environment', title: 'สิ่งแวดล้อม' }))
  ok(await call('group_create', { name: 'transport', title: 'คมนาคมขนส่ง' }))
  ok(await call('group_create', { name: 'economy', title: 'Economy' }))
  for (const d of DATASETS) {
    await sleep(3)
    ok(await call('package_create', d))
  }
  // deleted datasets are never found
  ok(await call('package_create', { name: 'withdrawn-water', title: 'Withdrawn water dataset', owner_org: 'pcd' }))
  ok(await call('package_delete', { id: 'withdrawn-water' }))
}

t.test('parameters, defaults and errors', async (t) => {
  const app = await build(t)
  await catalog(app)

  t.test('rows, start and the result shape', async (t) => {
    const all = ok(await search(app, {}))
    t.same(Object.keys(all), ['count', 'facets', 'results', 'sort', 'search_facets'])
    t.equal(all.count, ALL.length)
    t.equal(all.results.length, 10, 'ten rows by default')
    t.equal(all.sort, DEFAULT_SORT)
    t.same(all.facets, {}, 'no facet.field, no facets')
    t.same(all.search_facets, {})
    t.same(names(all), [...ALL].reverse().slice(0, 10), 'without a query: most recently modified first')
    t.same(Object.keys(all.results[0]), Object.keys(ok(await get(app, 'package_show', { id: all.results[0].name }))), 'full package dicts')

    t.equal(ok(await search(app, { rows: '1001' })).results.length, ALL.length, 'rows above 1000 is capped, not refused')
    t.equal(ok(await search(app, { rows: '1000000' })).results.length, ALL.length)
    t.equal(ok(await app.call('package_search', { rows: 3 })).results.length, 3, 'POST JSON numbers')

    const none = ok(await search(app, { rows: '0', 'facet.field': '["organization"]' }))
    t.equal(none.count, ALL.length, 'rows=0: the count')
    t.same(none.results, [])
    t.same(none.facets.organization, { pcd: 7, dlt: 2, nso: 2, tat: 2 }, 'and the facets')

    const byName = [...ALL].sort()
    const pages: string[] = []
    for (let start = 0; start < ALL.length; start += 4) {
      const page = ok(await search(app, { sort: 'name asc', rows: '4', start: String(start) }))
      t.equal(page.count, ALL.length, 'count is the total, not the page')
      pages.push(...names(page))
    }
    t.same(pages, byName, 'pages of 4 cover the catalog once, in order')
    const beyond = ok(await search(app, { start: '100' }))
    t.same(beyond.results, [])
    t.equal(beyond.count, ALL.length)
    t.same(fails(await search(app, { start: '-1' }), 409), { start: ['Must be a natural number'], __type: 'Validation Error' })
    t.same(fails(await search(app, { rows: 'ten' }), 409).rows, ['Invalid integer'])
  })

  t.test('sort', async (t) => {
    const sortBy = async (sort: string, extra: Record<string, string> = {}) => {
      const r = ok(await search(app, { sort, rows: '100', ...extra }))
      t.equal(r.sort, sort, `sort ${sort} echoed`)
      return names(r)
    }
    const byName = [...ALL].sort()
    t.same(await sortBy('name asc'), byName)
    t.same(await sortBy('name desc'), [...byName].reverse())
    const titles = DATASETS.map((d) => [String(d.title), d.name as string]).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    t.same((await sortBy('title_string asc')).filter((n) => !n.startsWith('noise-')),
      titles.map((x) => x[1]).filter((n) => !n.startsWith('noise-')), 'title_string: the title as written, in code point order (a Solr string field)')
    t.same(await sortBy('metadata_modified desc'), [...ALL].reverse())
    t.same(await sortBy('metadata_modified asc'), ALL)
    t.same(await sortBy('metadata_created asc'), ALL)
    t.same(await sortBy('metadata_created desc'), [...ALL].reverse())
    const byResources = await sortBy('num_resources desc, name asc')
    t.same(byResources.slice(0, 2), ['pm25-bangkok', 'road-accidents'], 'two resources first, then by name')
    t.same(byResources.slice(-4), ['canal-survey', 'noise-east', 'noise-west', 'river-stations'],
      'no resources last, by name')
    t.same((await sortBy('num_resources asc, name desc')).slice(0, 1), ['river-stations'])

    t.same(ok(await search(app, { sort: 'rank', rows: '100' })).results.map((p: any) => p.name), [...ALL].reverse(), 'rank is the default')
    t.equal(ok(await search(app, { sort: '' })).sort, DEFAULT_SORT, 'an empty sort is the default')

    const invalid = { __type: 'Search Query Error', message: 'Search Query is invalid: \'Invalid "sort" parameter\'' }
    t.same(fails(await search(app, { sort: 'name' }), 400), invalid, 'a field without a direction')
    t.same(fails(await search(app, { sort: 'name sideways' }), 400), invalid)
    t.same(fails(await search(app, { sort: 'name asc, title_string' }), 400), invalid, 'every pair needs its direction')
    t.same(fails(await app.call('package_search', { sort: 'metadata_modified' }), 400), invalid, 'POST too')
    const unknown = fails(await search(app, { sort: 'popularity desc' }), 409)
    t.equal(unknown.__type, 'Search Error', 'an unknown field is Solr\'s refusal')
    t.match(unknown.message, /popularity/)
  })

  t.test('unknown parameters, cache-busters and local parameters', async (t) => {
    const weird = await search(app, { weird: '1' })
    t.equal(weird.statusCode, 400)
    t.equal(weird.body, rawFixture('package_search_invalid_param.json', 'http://127.0.0.1:55001'), 'byte for byte CKAN\'s answer')
    t.same(json(weird).error, fixture('package_search_invalid_param.json').error)
    t.same(fails(await app.call('package_search', { weird: 1 }), 400), fixture('package_search_invalid_param.json').error, 'POST too')

    t.same(fails(await search(app, { q: 'water', _: '1700000000000' }), 400),
      { __type: 'Search Query Error', message: 'Search Query is invalid: "Invalid search parameters: [\'_\']"' }, 'jQuery\'s cache-buster is unknown to CKAN too')
    t.equal(ok(await search(app, { q: 'water', ext_bbox: '1,2,3,4' })).count > 0, true, 'ext_* parameters are allowed and ignored')
    for (const p of ['qf', 'wt', 'bf', 'boost', 'tie', 'defType', 'mm', 'df', 'q.op']) {
      const r = await search(app, { [p]: 'x' })
      t.not(json(r).error?.message ?? '', `Search Query is invalid: "Invalid search parameters: ['${p}']"`, `${p} is a Solr parameter CKAN passes on`)
    }

    // api.py: 'Search error: %r' % e.args
    const local = (param: string) => ({ __type: 'Search Error', message: `Search error: "Local parameters are not supported in param '${param}'."` })
    t.same(fails(await search(app, { q: '{!lucene}water' }), 409), local('q'))
    t.same(fails(await search(app, { q: ' {!bool must=test}' }), 409), local('q'), 'leading whitespace does not hide them')
    t.same(fails(await search(app, { fq: '{!bool must=test} +site_id:default' }), 409), local('fq'))
    const listed = await app.call('package_search', { fq_list: ['+site_id:default', '{!bool must=test}'] })
    t.same({ status: listed.statusCode, error: json(listed).error }, { status: 409, error: local('fq_list') },
      'fq_list items are checked too (CKAN test_local_params_not_allowed_by_default_different_field_list)')
  })

  t.test('facet.field, facet.limit, facet.mincount', async (t) => {
    t.same(fails(await search(app, { 'facet.field': 'organization' }), 409),
      { 'facet.field': ['Could not parse as valid JSON'], __type: 'Validation Error' })
    t.same(fails(await search(app, { 'facet.field': '{"organization": 1}' }), 409), { 'facet.field': ['Not a list'], __type: 'Validation Error' })
    t.same(fails(await search(app, { 'facet.field': '"organization"' }), 409), { 'facet.field': ['Not a list'], __type: 'Validation Error' })
    t.same(fails(await app.call('package_search', { 'facet.field': 'tags' }), 409).__type, 'Validation Error')

    const limited = ok(await search(app, { 'facet.field': '["tags"]', 'facet.limit': '2' }))
    t.same(limited.facets.tags, { 'PM2.5': 2, sound: 2 }, 'the two most frequent, ties by value')
    t.same(limited.search_facets.tags.items.map((i: any) => i.name), ['sound', 'PM2.5'], 'search_facets: display_name descending')
    const allTags = ok(await search(app, { 'facet.field': '["tags"]', 'facet.limit': '-1' }))
    t.equal(Object.keys(allTags.facets.tags).length, 13, 'facet.limit=-1: every tag')
    const twice = ok(await search(app, { 'facet.field': '["tags"]', 'facet.mincount': '2' }))
    t.same(twice.facets.tags, { 'PM2.5': 2, sound: 2, transport: 2 }, 'facet.mincount')
    t.same(Object.keys(ok(await app.call('package_search', { 'facet.field': ['organization'], rows: 0 })).facets), ['organization'],
      'POST may send a real list')
  })

  t.test('facet.limit defaults to 50', async (t) => {
    const tags = Array.from({ length: 60 }, (_, i) => ({ name: `keyword-${String(i).padStart(2, '0')}` }))
    ok(await app.call('package_create', { name: 'many-tags', title: 'Many tags', owner_org: 'nso', tags }))
    t.teardown(async () => { ok(await app.call('dataset_purge', { id: 'many-tags' })) })
    const r = ok(await search(app, { fq: 'name:many-tags', 'facet.field': '["tags"]' }))
    t.equal(Object.keys(r.facets.tags).length, 50)
    t.equal(r.search_facets.tags.items.length, 50)
    t.equal(Object.keys(ok(await search(app, { fq: 'name:many-tags', 'facet.field': '["tags"]', 'facet.limit': '-1' })).facets.tags).length, 60)
  })

  t.test('fl and fq_list', async (t) => {
    const fl = ok(await app.call('package_search', { q: 'name:road-accidents', fl: ['title', 'name'] }))
    t.same(fl.results, [{ title: 'Road accident statistics', name: 'road-accidents' }], 'fl: only those fields')
    t.same(ok(await search(app, { q: 'name:road-accidents', fl: 'name,num_resources' })).results, [{ name: 'road-accidents', num_resources: 2 }],
      'fl as a comma separated string')

    const both = ['organization:pcd', 'tags:PM2.5']
    t.same(sorted(ok(await app.call('package_search', { fq_list: both }))), ['pm25-bangkok', 'pm25-chiangmai'], 'fq_list: every filter applies')
    t.same(sorted(ok(await search(app, { fq_list: both }))), ['pm25-bangkok', 'pm25-chiangmai'], 'repeated GET keys')
    t.same(sorted(ok(await search(app, { fq_list: 'groups:economy' }))), ['domestic-tourism', 'unemployment'], 'a single GET value is one filter')
    t.same(sorted(ok(await search(app, { fq: 'organization:pcd', fq_list: ['groups:environment', 'res_format:JSON'] }))), ['pm25-bangkok'],
      'fq and fq_list together')
    const comma = await search(app, { fq_list: 'notes:"highways, by province"' })
    t.same({ status: comma.statusCode, names: comma.statusCode === 200 ? sorted(json(comma).result) : json(comma).error }, { status: 200, names: ['road-accidents'] },
      'a single GET value that holds a comma is still one filter (CKAN accepts both forms)')
  })
})

t.test('the query language in q and fq', async (t) => {
  const app = await build(t)
  await catalog(app)
  const q = async (query: string, extra: Record<string, string> = {}) => sorted(ok(await search(app, { q: query, rows: '100', ...extra })))
  const fq = async (filter: string) => sorted(ok(await search(app, { fq: filter, rows: '100' })))
  const both = async (t: Tap, query: string, expected: string[], message?: string) => {
    t.same(await q(query), [...expected].sort(), `q=${query}${message ? ': ' + message : ''}`)
    t.same(await fq(query), [...expected].sort(), `fq=${query}`)
    t.same(sorted(ok(await app.call('package_search', { q: query, rows: 100 }))), [...expected].sort(), `POST q=${query}`)
  }
  type Tap = typeof t

  t.test('fields', async (t) => {
    await both(t, 'name:road-accidents', ['road-accidents'])
    await both(t, 'name:road', [], 'name is an exact string')
    await both(t, 'title:road', ['road-accidents'], 'title is text')
    await both(t, 'title:roads', ['road-accidents'], 'stemmed')
    await both(t, 'title:ROAD', ['road-accidents'], 'case-insensitive')
    await both(t, 'title:"accident statistics"', ['road-accidents'])
    await both(t, 'title:"statistics accident"', [], 'a phrase keeps its order')
    await both(t, 'notes:highways', ['road-accidents'])
    await both(t, 'notes:ท่องเที่ยว', ['tourism-attractions'], 'a Thai word in notes')
    await both(t, 'tags:transport', ['new-vehicles', 'road-accidents'])
    await both(t, 'tags:Transport', [], 'tags are exact strings')
    await both(t, 'tags:PM2.5', ['pm25-bangkok', 'pm25-chiangmai'])
    await both(t, 'tags:ท่องเที่ยว', ['tourism-attractions'], 'a whole Thai tag, not part of one')
    await both(t, 'tags:"road-safety"', ['road-accidents'])
    await both(t, 'organization:tat', ['domestic-tourism', 'tourism-attractions'])
    await both(t, 'groups:economy', ['domestic-tourism', 'unemployment'])
    await both(t, 'res_format:XLSX', ['domestic-tourism', 'new-vehicles', 'unemployment'])
    await both(t, 'res_format:KML', ['tourism-attractions'])
    await both(t, 'res_name:accidents', ['road-accidents'])
    await both(t, 'res_name:รายวัน', ['pm25-bangkok', 'pm25-chiangmai'])
    await both(t, 'res_description:monthly', ['road-accidents'])
    await both(t, 'license_id:cc-by', ['domestic-tourism', 'road-accidents'])
    await both(t, 'license_id:"DGA Open Government License"', ['new-vehicles'])
    await both(t, 'author:somchai', ['road-accidents'])
    await both(t, 'maintainer:"data center"', ['road-accidents'])
    await both(t, 'state:active', ALL)
    await both(t, 'type:dataset', ALL)
    await both(t, 'data_type:ข้อมูลสถิติ', ['domestic-tourism', 'new-vehicles', 'road-accidents', 'unemployment'], 'a Thai GDC field')
    await both(t, 'data_type:ข้อมูลภูมิสารสนเทศเชิงพื้นที่', ['tourism-attractions'])
    await both(t, 'extras_source_system:dlt-ris', ['road-accidents'])
    await both(t, 'source_system:dlt-ris', ['road-accidents'], 'an extra under its own key')
    await both(t, 'capacity:public', ALL)
    await both(t, 'num_resources:2', ['pm25-bangkok', 'road-accidents'])
    await both(t, 'num_tags:2', ['new-vehicles', 'pm25-bangkok', 'road-accidents'])
    await both(t, 'site_id:default', ALL)
    await both(t, 'text:highways', ['road-accidents'])
    await both(t, 'organization:*', ALL, 'field:* means the field exists')
    await both(t, 'groups:*', ['domestic-tourism', 'new-vehicles', 'pm25-bangkok', 'pm25-chiangmai', 'road-accidents', 'unemployment', 'water-quality'])
    await both(t, 'nonexistent_field:x', [])
  })

  t.test('operators, groups and *:*', async (t) => {
    await both(t, '*:*', ALL)
    await both(t, 'tags:transport AND organization:dlt', ['new-vehicles', 'road-accidents'])
    await both(t, 'tags:transport organization:tat', [], 'q.op=AND between bare clauses')
    await both(t, 'organization:nso OR organization:tat', ['budget-2567', 'domestic-tourism', 'tourism-attractions', 'unemployment'])
    await both(t, 'organization:tat || organization:nso', ['budget-2567', 'domestic-tourism', 'tourism-attractions', 'unemployment'])
    await both(t, 'organization:pcd NOT tags:PM2.5', ['canal-survey', 'noise-east', 'noise-west', 'river-stations', 'water-quality'])
    await both(t, '+organization:pcd -tags:PM2.5 -tags:sound', ['canal-survey', 'river-stations', 'water-quality'])
    await both(t, '-organization:pcd', ['budget-2567', 'domestic-tourism', 'new-vehicles', 'road-accidents', 'tourism-attractions', 'unemployment'],
      'a purely negative query: everything except')
    await both(t, '(organization:pcd OR organization:dlt) AND res_format:CSV', ['pm25-bangkok', 'pm25-chiangmai', 'road-accidents', 'water-quality'])
    await both(t, '+(organization:tat OR organization:nso) +res_format:XLSX', ['domestic-tourism', 'unemployment'])
    await both(t, 'organization:(tat OR nso)', ['budget-2567', 'domestic-tourism', 'tourism-attractions', 'unemployment'], 'a field over a group')
    await both(t, 'tags:(PM2.5 AND คุณภาพอากาศ)', ['pm25-bangkok'])
    await both(t, 'organization:pcd AND (water OR noise)', ['canal-survey', 'noise-east', 'noise-west', 'river-stations', 'water-quality'])
    await both(t, 'organization:pcd water', ['canal-survey', 'river-stations', 'water-quality'], 'a bare term beside a field: both required')
    await both(t, 'organization:dlt water', [])
  })

  t.test('dismax for a q without a colon', async (t) => {
    t.same(await q('water rivers'), ['river-stations', 'water-quality'], 'two terms: both needed')
    t.same(await q('water rivers canals'), ['canal-survey', 'river-stations', 'water-quality'], 'three terms: any two (mm 2<-1)')
    t.same(await q('water -canals'), ['river-stations', 'water-quality'])
    t.same(await q('+noise levels'), ['noise-east', 'noise-west'])
    t.same(await q('"accident statistics"'), ['road-accidents'])
    t.same(await q('"statistics accident"'), [])
    t.same(await q('water AND noise'), [], 'AND is a word in dismax, not an operator: 2 of 3 words must match, and no dataset has two')
    t.same(await q('"water'), ['canal-survey', 'river-stations', 'water-quality'], 'an unbalanced quote is dropped')
    t.same(await q(''), [...ALL].sort())
    t.same(await q('""'), [...ALL].sort())
    t.same(await q('  '), [...ALL].sort())
  })

  t.test('wildcards', async (t) => {
    await both(t, 'tags:road*', ['road-accidents'])
    await both(t, 'tags:trans*', ['new-vehicles', 'road-accidents'])
    await both(t, 'tags:ท่อง*', ['tourism-attractions'])
    await both(t, 'tags:นัก*', ['domestic-tourism'])
    await both(t, 'title:ท่อง*', ['domestic-tourism', 'tourism-attractions'], 'a Thai prefix in text')
    await both(t, 'name:pm25-*', ['pm25-bangkok', 'pm25-chiangmai'])
    await both(t, 'name:noise-?ast', ['noise-east'])
    await both(t, 'title:accid*', ['road-accidents'])
  })

  t.test('ranges', async (t) => {
    await both(t, 'num_resources:[2 TO *]', ['pm25-bangkok', 'road-accidents'])
    await both(t, 'num_resources:[* TO 0]', ['canal-survey', 'noise-east', 'noise-west', 'river-stations'])
    await both(t, 'num_resources:{0 TO 2}', ALL.filter((n) => !['pm25-bangkok', 'road-accidents', 'canal-survey', 'noise-east', 'noise-west', 'river-stations'].includes(n)))
    await both(t, 'metadata_created:[NOW-1YEAR TO NOW]', ALL)
    await both(t, 'metadata_created:[* TO NOW-1YEAR]', [])
    await both(t, 'metadata_modified:[NOW/DAY TO *]', ALL)
    await both(t, 'metadata_modified:[NOW/DAY-7DAYS TO NOW/DAY+1DAY]', ALL)
    await both(t, 'metadata_created:[2020-01-01T00:00:00Z TO *]', ALL)
    await both(t, 'metadata_created:{* TO 2020-01-01T00:00:00Z}', [])

    // a dataset last written a year and a half ago, as an imported catalog holds them
    const old = new Date(Date.now() - 550 * 24 * 3600 * 1000)
    await sql`UPDATE search_index SET metadata_created = ${old}, metadata_modified = ${old} WHERE name = 'canal-survey'`.execute(app.db.kysely)
    await both(t, 'metadata_modified:[* TO NOW-1YEAR]', ['canal-survey'])
    await both(t, 'metadata_modified:[NOW-1YEAR TO *]', ALL.filter((n) => n !== 'canal-survey'))
    await both(t, 'metadata_created:[NOW-2YEARS TO NOW-1YEAR]', ['canal-survey'])
    const day = old.toISOString().slice(0, 10)
    await both(t, `metadata_modified:[${day}T00:00:00Z TO ${day}T23:59:59.999Z]`, ['canal-survey'], 'explicit dates')
    await both(t, `metadata_modified:[${day}T00:00:00Z/DAY TO ${day}T00:00:00Z/DAY+1DAY}`, ['canal-survey'], 'date math on an explicit date')
  })

  t.test('malformed queries are 400 Search Query Error, never 500', async (t) => {
    // with a colon, q is a Lucene query as fq always is; without one, q is dismax, which takes anything
    const lucene = ['title:(unclosed', 'title:"unterminated', 'a:b:c', 'tags:', 'title:[a TO', 'metadata_created:[yesterday TO *]',
      'metadata_modified:[NOW-1YEAR TO tomorrow]', 'num_resources:[two TO *]', 'num_resources:many', ':water', 'tags:transport AND',
      'metadata_created:NOW-1PARSEC', 'metadata_created:2024-13-45T00:00:00Z', 'title:x^', 'title:[* TO *', 'tags:transport)']
    for (const bad of [...lucene, '(', ')', 'AND', '"unterminated', '\\', 'OR water']) {
      for (const param of lucene.includes(bad) ? ['q', 'fq'] : ['fq']) {
        const r = await search(app, { [param]: bad })
        t.same([r.statusCode, json(r).error?.__type], [400, 'Search Query Error'], `${param}=${bad}: ${r.body.slice(0, 200)}`)
      }
    }
    t.equal(fails(await app.call('package_search', { fq_list: ['title:(unclosed'] }), 400).__type, 'Search Query Error', 'fq_list too')
  })

  t.test('SQL in values is only ever text', async (t) => {
    for (const query of ["name:x' OR 1=1", "name:x'OR'1'='1", 'tags:"\\\'); DROP TABLE packages; --"', 'title:"\'; DELETE FROM search_index; --"',
      'extras_x:"1\'::int; SELECT pg_sleep(5); --"', 'organization:pcd\\\'']) {
      for (const param of ['q', 'fq']) {
        const r = ok(await search(app, { [param]: query }))
        t.equal(r.count, 0, `${param}=${query}`)
      }
    }
    const dismax = ok(await search(app, { q: "x' OR 1=1 --" }))
    t.equal(dismax.count, 0, 'dismax text with SQL in it')
    t.equal(ok(await search(app, { sort: 'name asc', rows: '1000' })).count, ALL.length, 'the catalog is intact')
    t.equal(ok(await get(app, 'package_list', {})).length, ALL.length)
    t.same(fails(await search(app, { sort: 'name asc; DROP TABLE packages' }), 400).__type, 'Search Query Error')
    t.same(fails(await search(app, { sort: 'name) desc' }), 409).__type, 'Search Error')
    const field = 'organization"; DROP TABLE packages; --'
    t.same(ok(await search(app, { 'facet.field': JSON.stringify([field]) })).facets, { [field]: {} }, 'a facet field is a value too')
  })
})

t.test('text search and ranking', async (t) => {
  const app = await build(t)
  await catalog(app)
  const q = async (query: string) => names(ok(await search(app, { q: query, rows: '100' })))

  t.same(await q('roads'), ['road-accidents'], 'English stemming: roads finds road')
  t.same(await q('accidents'), ['road-accidents'])
  t.same(await q('ROAD'), ['road-accidents'], 'Latin case-folded')
  t.same(await q('Highways'), ['road-accidents'])
  t.same((await q('ท่องเที่ยว')).sort(), ['domestic-tourism', 'tourism-attractions'], 'a Thai word inside a Thai compound title')
  t.same(await q('ภายในประเทศ'), ['domestic-tourism'])
  t.same(await q('งบประมาณ'), ['budget-2567'], 'a word the segmenter keeps inside a longer word (ปีงบประมาณ)')
  t.same(await q('ว่างงาน'), ['unemployment'])
  t.same(await q('PM2.5 กรุงเทพ'), ['pm25-bangkok'], 'mixed Thai and English; กรุงเทพ inside กรุงเทพมหานคร')
  t.same((await q('pm2.5')).sort(), ['pm25-bangkok', 'pm25-chiangmai'])
  t.same(await q('คุณภาพอากาศ'), ['pm25-bangkok'])
  t.same(await q('labour survey'), ['unemployment'], 'English words in Thai notes')
  t.same((await q('การท่องเที่ยวแห่งประเทศไทย')).sort(), ['domestic-tourism', 'tourism-attractions'], 'the organization\'s title is searched too')
  t.same(await q('the canals'), ['canal-survey'], 'a stop word does not count against dismax\'s mm (CKAN\'s text field has no stop words)')
  t.same(await q('in the canals'), ['canal-survey'], 'in the canals')
  t.same(await q('quality of'), ['water-quality'], 'quality of')
  t.same(await q('ไม่มีคำนี้ในแคตตาล็อก'), [])
  t.same(await q('withdrawn'), [], 'deleted datasets are not found')

  t.same(await q('water'), ['water-quality', 'river-stations', 'canal-survey'], 'title above tags above description')
  t.same(await q('noise'), ['noise-west', 'noise-east'], 'equal scores: most recently modified first')
  await sleep(5)
  ok(await app.call('package_patch', { id: 'noise-east', version: '2' }))
  t.same(await q('noise'), ['noise-east', 'noise-west'], 'an update moves it ahead')
  t.same(names(ok(await search(app, { q: 'water', sort: 'name asc' }))), ['canal-survey', 'river-stations', 'water-quality'], 'sort overrides the score')
})

t.test('facets', async (t) => {
  const app = await build(t)
  await catalog(app)
  const fields = ['organization', 'groups', 'tags', 'res_format', 'license_id', 'data_type']
  const r = ok(await search(app, { rows: '1', 'facet.field': JSON.stringify(fields) }))
  t.equal(r.results.length, 1)
  t.same(Object.keys(r.facets), fields)
  t.same(Object.keys(r.search_facets), fields)
  t.same(r.facets.organization, { pcd: 7, dlt: 2, nso: 2, tat: 2 }, 'counts over the whole result, not the page')
  t.same(Object.keys(r.facets.organization), ['pcd', 'dlt', 'nso', 'tat'], 'facets: most frequent first')
  t.same(r.search_facets.organization, {
    title: 'organization',
    items: [
      { name: 'nso', display_name: 'สำนักงานสถิติแห่งชาติ', count: 2 },
      { name: 'pcd', display_name: 'กรมควบคุมมลพิษ', count: 7 },
      { name: 'dlt', display_name: 'กรมการขนส่งทางบก', count: 2 },
      { name: 'tat', display_name: 'การท่องเที่ยวแห่งประเทศไทย', count: 2 }
    ].sort((a, b) => a.display_name < b.display_name ? 1 : -1)
  }, 'search_facets: display_name is the title, sorted descending')
  t.same(Object.keys(r.search_facets.organization.items[0]), ['name', 'display_name', 'count'])
  t.same(r.facets.groups, { environment: 3, economy: 2, transport: 2 })
  t.same(r.search_facets.groups.items, [
    { name: 'environment', display_name: 'สิ่งแวดล้อม', count: 3 },
    { name: 'transport', display_name: 'คมนาคมขนส่ง', count: 2 },
    { name: 'economy', display_name: 'Economy', count: 2 }
  ])
  t.same(r.facets.res_format, { CSV: 4, XLSX: 3, JSON: 1, KML: 1, PDF: 1 }, 'a dataset counts once per format')
  t.same(r.facets.license_id, { 'cc-by': 2, 'odc-by': 2, 'DGA Open Government License': 1 })
  t.same(r.search_facets.license_id.items, [
    { name: 'odc-by', display_name: 'Open Data Commons Attribution License', count: 2 },
    { name: 'DGA Open Government License', display_name: 'DGA Open Government License', count: 1 },
    { name: 'cc-by', display_name: 'Creative Commons Attribution', count: 2 }
  ], 'display_name: the licence title')
  t.same(r.facets.data_type, { ข้อมูลสถิติ: 4, ข้อมูลภูมิสารสนเทศเชิงพื้นที่: 1 }, 'a Thai GDC field')
  t.same(r.search_facets.data_type.items.map((i: any) => i.display_name), ['ข้อมูลสถิติ', 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่'].sort().reverse())

  const filtered = ok(await search(app, { q: 'PM2.5', fq: 'organization:pcd', rows: '0', 'facet.field': '["organization", "tags", "res_format"]' }))
  t.equal(filtered.count, 2)
  t.same(filtered.facets, { organization: { pcd: 2 }, tags: { 'PM2.5': 2, คุณภาพอากาศ: 1 }, res_format: { CSV: 2, JSON: 1 } }, 'counts over the filtered result')
  const empty = ok(await search(app, { q: 'ไม่มีคำนี้', 'facet.field': '["organization"]' }))
  t.same(empty.facets, { organization: {} })
  t.same(empty.search_facets, { organization: { title: 'organization', items: [] } })
  const posted = ok(await app.call('package_search', { q: 'water', 'facet.field': ['tags'], 'facet.mincount': 1 }))
  t.same(posted.facets.tags, { environment: 1, survey: 1, water: 1 })
})

t.test('visibility', async (t) => {
  const app = await build(t)
  const { call, user, admin } = app
  const somchai = await user('somchai')
  const malee = await user('malee')
  const prasert = await user('prasert')
  const nobody = await user('nobody')
  ok(await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' }))
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'somchai', role: 'editor' }))
  ok(await call('organization_member_create', { id: 'exat', username: 'malee', role: 'member' }))
  ok(await call('organization_member_create', { id: 'pcd', username: 'prasert', role: 'editor' }))
  const make = async (body: Record<string, unknown>, token: string) => ok(await call('package_create', { title: 'ทางพิเศษ ' + String(body.name), ...body }, token))
  await make({ name: 'exat-public', owner_org: 'exat' }, somchai.token)
  await make({ name: 'exat-private', owner_org: 'exat', private: true }, somchai.token)
  await make({ name: 'exat-draft', owner_org: 'exat', state: 'draft' }, somchai.token)
  await make({ name: 'exat-private-draft', owner_org: 'exat', private: true, state: 'draft' }, somchai.token)
  await make({ name: 'pcd-public', owner_org: 'pcd' }, prasert.token)
  await make({ name: 'pcd-private', owner_org: 'pcd', private: true }, prasert.token)
  await make({ name: 'pcd-draft', owner_org: 'pcd', state: 'draft' }, prasert.token)
  await make({ name: 'pcd-deleted', owner_org: 'pcd' }, prasert.token)
  ok(await call('package_delete', { id: 'pcd-deleted' }, prasert.token))
  ok(await call('package_create', { name: 'exat-deleted-private', owner_org: 'exat', private: true }))
  ok(await call('package_delete', { id: 'exat-deleted-private' }))

  const see = async (query: Record<string, string | string[]>, token?: string) => sorted(ok(await search(app, { rows: '100', ...query }, token)))
  const both = { include_private: 'true', include_drafts: 'true' }

  t.test('anonymous callers: active public datasets only', async (t) => {
    t.same(await see({}), ['exat-public', 'pcd-public'])
    t.same(await see(both), ['exat-public', 'pcd-public'], 'whatever they ask')
    t.same(await see({ ...both, include_deleted: 'true' }), ['exat-public', 'pcd-public'])
    t.same(await see({ fq: '+state:draft', ...both }), [])
    t.same(await see({ fq: 'capacity:private', include_private: 'true' }), [])
  })

  t.test('private datasets: members of the organization, with include_private', async (t) => {
    t.same(await see({}, malee.token), ['exat-public', 'pcd-public'], 'not without include_private')
    t.same(await see({ include_private: 'true' }, malee.token), ['exat-private', 'exat-public', 'pcd-public'])
    t.same(await see({ include_private: 'true' }, somchai.token), ['exat-private', 'exat-public', 'pcd-public'])
    t.same(await see({ include_private: 'true' }, prasert.token), ['exat-public', 'pcd-private', 'pcd-public'])
    t.same(await see({ include_private: 'true' }, nobody.token), ['exat-public', 'pcd-public'], 'not to a non-member')
    t.same(await see({ include_private: 'true' }, admin), ['exat-private', 'exat-public', 'pcd-private', 'pcd-public'], 'a sysadmin sees all')
    t.same(await see({}, admin), ['exat-public', 'pcd-public'], 'a sysadmin too needs include_private')
    t.same(await see({ include_private: 'true', fq: 'capacity:private' }, malee.token), ['exat-private'])
    t.same(await see({ include_private: 'true', q: 'ทางพิเศษ' }, malee.token), ['exat-private', 'exat-public', 'pcd-public'])
    const r = ok(await app.call('package_search', { include_private: true, fq: 'name:exat-private' }, malee.token))
    t.equal(r.results[0].private, true, 'POST with a JSON boolean')
  })

  t.test('drafts: with include_drafts, to those who may read them', async (t) => {
    t.same(await see({ include_drafts: 'true' }, somchai.token), ['exat-draft', 'exat-public', 'pcd-public'], 'the creator')
    t.same(await see({ include_drafts: 'true' }, prasert.token), ['exat-public', 'pcd-draft', 'pcd-public'])
    t.same(await see({ include_drafts: 'true' }, nobody.token), ['exat-public', 'pcd-public'])
    // CKAN's permission labels give an organization's drafts the member-<org> label
    t.same(await see({ include_drafts: 'true' }, malee.token), ['exat-draft', 'exat-public', 'pcd-public'], 'a member of the organization (CKAN\'s labels)')
    t.same(await see({ include_drafts: 'true' }, admin), ['exat-draft', 'exat-public', 'pcd-draft', 'pcd-public'], 'a sysadmin: all drafts')
    t.same(await see(both, admin), ['exat-draft', 'exat-private', 'exat-private-draft', 'exat-public', 'pcd-draft', 'pcd-private', 'pcd-public'])
    t.same(await see(both, somchai.token), ['exat-draft', 'exat-private', 'exat-private-draft', 'exat-public', 'pcd-public'])
    t.same(await see({}, somchai.token), ['exat-public', 'pcd-public'], 'not without include_drafts')
  })

  t.test('deleted datasets never appear', async (t) => {
    t.same(await see({ ...both, include_deleted: 'true' }, admin),
      ['exat-draft', 'exat-private', 'exat-private-draft', 'exat-public', 'pcd-draft', 'pcd-private', 'pcd-public'])
    t.same(await see({ fq: '+state:deleted', ...both, include_deleted: 'true' }, admin), [])
    t.same(await see({ fq: 'name:pcd-deleted', ...both, include_deleted: 'true' }, admin), [])
  })

  t.test('a state in fq', async (t) => {
    t.same(await see({ fq: 'state:draft' }, admin), [], 'without +state CKAN appends +state:active')
    t.same(await see({ fq: 'state:draft', include_private: 'true' }, somchai.token), [])
    t.same(await see({ fq: 'state:draft', ...both }, admin), ['exat-draft', 'exat-private-draft', 'pcd-draft'],
      'with include_drafts the appended filter is +state:(active OR draft), ANDed with state:draft')
    t.same(await see({ fq: '+state:draft', include_drafts: 'true' }, admin), ['exat-draft', 'pcd-draft'], '+state replaces CKAN\'s state filter')
    t.same(await see({ fq: '+state:draft', ...both }, admin), ['exat-draft', 'exat-private-draft', 'pcd-draft'])
    t.same(await see({ fq: '+state:draft', include_drafts: 'true' }, somchai.token), ['exat-draft'])
    t.same(await see({ fq: '+state:draft' }, admin), ['exat-draft', 'pcd-draft'], 'with +state in fq, CKAN adds no state filter at all')
    t.same(await see({ fq_list: ['+state:draft'] }, admin), [],
      'CKAN looks for +state in fq only: a state in fq_list is ANDed with its +state:active')
  })
})

t.test('the index follows every write', async (t) => {
  const app = await build(t)
  const { call } = app
  ok(await call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' }))
  ok(await call('organization_create', { name: 'tat', title: 'การท่องเที่ยวแห่งประเทศไทย' }))
  ok(await call('group_create', { name: 'environment', title: 'สิ่งแวดล้อม' }))
  ok(await call('group_create', { name: 'tourism', title: 'ท่องเที่ยว' }))
  const air = ok(await call('package_create', {
    name: 'air-quality', title: 'คุณภาพอากาศรายวัน', owner_org: 'pcd', tags: [{ name: 'อากาศ' }], resources: [res('daily', 'CSV')]
  }))
  await sleep(3)
  ok(await call('package_create', { name: 'hotels', title: 'ที่พักแรม', owner_org: 'tat', tags: [{ name: 'โรงแรม' }] }))
  await sleep(3)
  ok(await call('package_create', { name: 'noise', title: 'ระดับเสียง', owner_org: 'pcd' }))
  const q = async (query: Record<string, string>) => sorted(ok(await search(app, { rows: '100', ...query })))
  const facet = async (field: string, query: Record<string, string> = {}) =>
    ok(await search(app, { rows: '0', 'facet.field': JSON.stringify([field]), ...query })).search_facets[field].items

  t.test('package_update and package_patch', async (t) => {
    t.same(await q({ q: 'คุณภาพอากาศ' }), ['air-quality'])
    ok(await call('package_update', { ...air, title: 'ฝุ่นละอองขนาดเล็ก' }))
    t.same(await q({ q: 'คุณภาพอากาศ' }), [], 'the old title is gone')
    t.same(await q({ q: 'ฝุ่นละออง' }), ['air-quality'], 'the new title is found')
    t.same(await q({ q: 'title:ฝุ่นละอองขนาดเล็ก' }), ['air-quality'])
    t.equal(ok(await search(app, { q: 'ฝุ่นละออง' })).results[0].title, 'ฝุ่นละอองขนาดเล็ก', 'and the result is the new dict')
    ok(await call('package_patch', { id: 'air-quality', notes: 'ค่าเฉลี่ยรายชั่วโมง (hourly averages)' }))
    t.same(await q({ q: 'hourly' }), ['air-quality'])
    t.same(await q({ q: 'title:ฝุ่นละออง' }), ['air-quality'], 'a patch keeps what it does not name')
    ok(await call('package_patch', { id: 'hotels', private: true }))
    t.same(await q({ q: 'ที่พักแรม' }), [], 'made private: out of the public search')
    ok(await call('package_patch', { id: 'hotels', private: false }))
    t.same(await q({ q: 'ที่พักแรม' }), ['hotels'])
  })

  t.test('tags', async (t) => {
    ok(await call('package_patch', { id: 'hotels', tags: [{ name: 'ที่พัก' }, { name: 'accommodation' }] }))
    t.same(await q({ fq: 'tags:โรงแรม' }), [], 'a removed tag')
    t.same(await q({ fq: 'tags:accommodation' }), ['hotels'])
    t.same(await q({ q: 'accommodation' }), ['hotels'])
    t.same((await facet('tags')).map((i: any) => i.name).sort(), ['accommodation', 'อากาศ', 'ที่พัก'].sort())
    ok(await call('tag_delete', { id: 'accommodation' }))
    t.same(await q({ fq: 'tags:accommodation' }), [], 'tag_delete takes it out of every dataset')
  })

  t.test('resources', async (t) => {
    ok(await call('resource_create', { package_id: 'noise', name: 'จุดตรวจวัด', url: 'https://example.go.th/noise.kml', format: 'KML' }))
    t.same(await q({ fq: 'res_format:KML' }), ['noise'])
    t.same(await q({ fq: 'res_name:จุดตรวจวัด' }), ['noise'])
    t.same(await q({ fq: 'num_resources:1' }), ['air-quality', 'noise'])
    t.same((await facet('res_format')).map((i: any) => [i.name, i.count]), [['KML', 1], ['CSV', 1]])
    const noise = ok(await call('package_show', { id: 'noise' }))
    ok(await call('resource_update', { id: noise.resources[0].id, url: noise.resources[0].url, format: 'ZIP' }))
    t.same(await q({ fq: 'res_format:KML' }), [])
    t.same(await q({ fq: 'res_format:ZIP' }), ['noise'])
    ok(await call('resource_delete', { id: noise.resources[0].id }))
    t.same(await q({ fq: 'res_format:ZIP' }), [])
    t.same(await q({ fq: 'num_resources:0' }), ['hotels', 'noise'])
  })

  t.test('organizations and groups', async (t) => {
    t.same(await facet('organization'), [
      { name: 'pcd', display_name: 'กรมควบคุมมลพิษ', count: 2 },
      { name: 'tat', display_name: 'การท่องเที่ยวแห่งประเทศไทย', count: 1 }
    ].sort((a, b) => a.display_name < b.display_name ? 1 : -1))
    ok(await call('organization_update', { id: 'pcd', title: 'Pollution Control Department' }))
    t.same((await facet('organization')).find((i: any) => i.name === 'pcd'),
      { name: 'pcd', display_name: 'Pollution Control Department', count: 2 }, 'the facet shows the new title')

    ok(await call('member_create', { id: 'environment', object: 'noise', object_type: 'package', capacity: 'public' }))
    t.same(await q({ fq: 'groups:environment' }), ['noise'])
    t.same(await facet('groups'), [{ name: 'environment', display_name: 'สิ่งแวดล้อม', count: 1 }])
    ok(await call('package_patch', { id: 'hotels', groups: [{ name: 'tourism' }] }))
    ok(await call('package_patch', { id: 'noise', groups: [] }))
    t.same(await q({ fq: 'groups:environment' }), [], 'taken out of the group')
    t.same(await q({ fq: 'groups:tourism' }), ['hotels'])
    ok(await call('group_update', { id: 'tourism', title: 'การท่องเที่ยวและกีฬา' }))
    t.same(await facet('groups'), [{ name: 'tourism', display_name: 'การท่องเที่ยวและกีฬา', count: 1 }])
  })

  t.test('package_delete', async (t) => {
    ok(await call('package_delete', { id: 'noise' }))
    t.same(await q({ q: 'ระดับเสียง' }), [])
    t.same(sorted(ok(await search(app, { q: 'ระดับเสียง', include_private: 'true', include_drafts: 'true', include_deleted: 'true' }, app.admin))), [],
      'not even for a sysadmin')
    t.same(sorted(ok(await search(app, { include_private: 'true', include_drafts: 'true', include_deleted: 'true' }, app.admin))),
      ['air-quality', 'hotels'])
    t.same(ok(await search(app, { rows: '0', 'facet.field': '["organization"]' })).facets.organization, { pcd: 1, tat: 1 })
  })

  t.test('current_package_list_with_resources follows the index', async (t) => {
    await sleep(3)
    ok(await call('package_patch', { id: 'air-quality', notes: 'ปรับปรุงล่าสุด' }))
    t.same(ok(await get(app, 'current_package_list_with_resources', {})).map((p: any) => p.name), ['air-quality', 'hotels'])
    await sleep(3)
    ok(await call('package_patch', { id: 'hotels', notes: 'ปรับปรุงล่าสุด' }))
    const list = ok(await get(app, 'current_package_list_with_resources', {}))
    t.same(list.map((p: any) => p.name), ['hotels', 'air-quality'], 'most recently modified first')
    t.equal(list[1].resources.length, 1)
  })
})
