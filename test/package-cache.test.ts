import t from 'tap'
import { sql } from 'kysely'
import { PackageCache } from '../src/catalog/package-cache.js'
import { buildApp } from '../src/app.js'
import { build, json, openSecondHandle } from './helper.js'

t.test('a read that began before an invalidation does not fill the cache', async (t) => {
  const cache = new PackageCache()
  cache.setLive(true)
  const before = cache.generation
  cache.invalidate('x')
  cache.set('name', 'x', '{"old":true}', before)
  t.equal(cache.get('name'), undefined)
  cache.set('name', 'x', '{"new":true}', cache.generation)
  t.equal(cache.get('name'), '{"new":true}')
})

t.test('nothing is cached while notifications are down', async (t) => {
  const cache = new PackageCache()
  cache.set('a', 'x', '{}', cache.generation)
  t.equal(cache.get('a'), undefined)
  cache.setLive(true)
  cache.set('a', 'x', '{}', cache.generation)
  t.equal(cache.get('a'), '{}')
  cache.setLive(false)
  t.equal(cache.get('a'), undefined, 'losing the channel empties and disables the cache')
})

t.test('invalidating an id drops it under every key', async (t) => {
  const cache = new PackageCache()
  cache.setLive(true)
  cache.set('by-name', 'x', '1', cache.generation)
  cache.set('x', 'x', '1', cache.generation)
  cache.set('other', 'y', '2', cache.generation)
  cache.invalidate('x')
  t.equal(cache.get('by-name'), undefined)
  t.equal(cache.get('x'), undefined)
  t.equal(cache.get('other'), '2')
})

t.test('the oldest answers make room within the size bounds', async (t) => {
  const cache = new PackageCache({ entries: 3, chars: 10 })
  cache.setLive(true)
  cache.set('a', 'x', '1234', cache.generation)
  cache.set('b', 'y', '1234', cache.generation)
  cache.set('c', 'z', '1234', cache.generation)
  t.equal(cache.get('a'), undefined, 'three answers of 4 characters exceed 10: the oldest went')
  t.same([cache.get('b'), cache.get('c')], ['1234', '1234'])
  cache.set('b', 'y', '12', cache.generation)
  cache.set('d', 'w', '1', cache.generation)
  cache.set('e', 'v', '1', cache.generation)
  t.equal(cache.get('c'), undefined, 'a fourth entry exceeds the count: the oldest went')
  t.same([cache.get('b'), cache.get('d'), cache.get('e')], ['12', '1', '1'], 'replacing an entry counts its new size only')
  cache.set('big', 'u', '12345678901', cache.generation)
  t.equal(cache.get('big'), undefined, 'an answer larger than the whole cache is not kept')
  t.equal(cache.get('b'), '12', 'and evicts nothing')
})

/** Two opend apps on one database, as two processes behind a load balancer. */
async function twoProcesses (t: Parameters<typeof build>[0]) {
  const a = await build(t)
  const b = await buildApp(a.config, await openSecondHandle(t, a.db), { closeDb: false })
  t.teardown(() => b.close())
  return { a, b }
}

/**
 * Read until `done` says the answer is the expected one, for at most 5 s:
 * a NOTIFY reaches the other process shortly after the commit, not with it.
 */
async function eventually<T> (read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read()
  for (let i = 0; i < 50 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

t.test('a write through one opend process is seen by another at once', async (t) => {
  const { a, b } = await twoProcesses(t)

  await a.call('organization_create', { name: 'pcd', title: 'กรมควบคุมมลพิษ' })
  const created = json(await a.call('package_create', { name: 'pm25', title: 'ฝุ่น PM2.5', owner_org: 'pcd' }))
  t.equal(created.success, true)

  const show = async (app: typeof b, id = 'pm25') => json(await app.inject(`/api/3/action/package_show?id=${id}`))
  t.equal((await show(b)).result.title, 'ฝุ่น PM2.5', 'b reads (and caches) the dataset')
  t.equal((await show(b)).result.title, 'ฝุ่น PM2.5')

  await a.call('package_patch', { id: 'pm25', title: 'คุณภาพอากาศ PM2.5' })
  const title = await eventually(async () => (await show(b)).result.title, (v) => v === 'คุณภาพอากาศ PM2.5')
  t.equal(title, 'คุณภาพอากาศ PM2.5', 'b sees the new title')

  await a.call('package_patch', { id: 'pm25', private: true })
  const status = await eventually(async () => (await b.inject('/api/3/action/package_show?id=pm25')).statusCode, (v) => v !== 200)
  t.equal(status, 403, 'a dataset made private stops being served to anonymous callers')
  t.equal((await show(b, created.result.id)).success, false, 'also under its id')
})

t.test('this process reads its own writes immediately', async (t) => {
  const a = await build(t)
  await a.call('organization_create', { name: 'nso', title: 'สำนักงานสถิติแห่งชาติ' })
  await a.call('package_create', { name: 'population', owner_org: 'nso', title: 'ประชากร' })
  for (let i = 0; i < 3; i++) await a.app.inject('/api/3/action/package_show?id=population')
  await a.call('package_patch', { id: 'population', title: 'ประชากรจากการทะเบียน' })
  t.equal(json(await a.app.inject('/api/3/action/package_show?id=population')).result.title, 'ประชากรจากการทะเบียน')
})

t.test('package_list pages are dropped by a change to any dataset', async (t) => {
  const { a, b } = await twoProcesses(t)
  await a.call('organization_create', { name: 'dlt', title: 'กรมการขนส่งทางบก' })
  await a.call('package_create', { name: 'cars', owner_org: 'dlt' })
  const list = async () => json(await b.inject('/api/3/action/package_list')).result
  t.same(await list(), ['cars'])
  t.same(await list(), ['cars'], 'served again (from the cache)')
  await a.call('package_create', { name: 'buses', owner_org: 'dlt' })
  t.same(await eventually(list, (names) => names.length === 2), ['buses', 'cars'], 'a dataset created through another process appears')
  await a.call('package_delete', { id: 'cars' })
  t.same(await eventually(list, (names) => names.length === 1), ['buses'])
})

t.test('broad anonymous searches are kept until a dataset changes; narrow and signed-in ones always run', async (t) => {
  const a = await build(t)
  const admin = { authorization: a.admin }
  await a.call('organization_create', { name: 'nso', title: 'National Statistical Office' })
  for (const name of ['births', 'deaths', 'marriages']) await a.call('package_create', { name, owner_org: 'nso', title: `สถิติ ${name}` })
  await a.call('package_create', { name: 'rainfall', owner_org: 'nso', title: 'ปริมาณฝน' })
  // a small threshold stands in for the default 5,000
  const broad = await buildApp({ ...a.config, searchCacheMatches: 2 }, await openSecondHandle(t, a.db), { closeDb: false })
  t.teardown(() => broad.close())
  const search = async (q: string, headers = {}) =>
    json(await broad.inject({ url: `/api/3/action/package_search?q=${encodeURIComponent(q)}&facet.field=["tags"]`, headers })).result.count
  t.equal(await search('สถิติ'), 3)
  t.equal(await search('ปริมาณฝน'), 1)
  t.equal(await search('สถิติ', admin), 3)
  // behind opend's back: no write action, so no notification
  await sql`DELETE FROM search_index WHERE name IN ('births', 'rainfall')`.execute(a.db.kysely)
  t.equal(await search('สถิติ'), 3, 'three matches reach the threshold: the answer came from the cache')
  t.equal(await search('ปริมาณฝน'), 0, 'one match is below it: the search ran again')
  t.equal(await search('สถิติ', admin), 2, 'a signed-in caller\'s search always runs')
  await a.call('package_patch', { id: 'deaths', notes: 'ทะเบียนราษฎร' })
  t.equal(await eventually(() => search('สถิติ'), (n) => n === 2), 2, 'a write through another process drops the cached searches')
})
