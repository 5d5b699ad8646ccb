/**
 * Rate limits through HTTP, with the in-process store (the Redis store and
 * several instances: limits/cluster.test.ts): the headers count down, the
 * 429 says which window and when, anonymous callers are counted per address,
 * expensive calls cost more, and a key's tier can change without a restart.
 */
import t from 'tap'
import { build, fails, json, ok } from './helper.js'

const TIERS = JSON.stringify({
  anonymous: { minute: 3 },
  default: { minute: 5, hour: 100 },
  burst: { second: 2 },
  unlimited: {}
})

t.test('the headers count down, then 429 in the envelope says which window and when', async (t) => {
  const { app, user } = await build(t, { OPEND_RATE_LIMITS: TIERS })
  const u = await user('somchai')
  const seen: string[][] = []
  for (let i = 0; i < 5; i++) {
    // the same key counts alike on both paths
    const res = await app.inject({ url: i % 2 ? '/get-ckan/status_show' : '/api/3/action/status_show', headers: { 'api-key': u.token } })
    t.equal(res.statusCode, 200)
    seen.push([res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']] as string[])
    t.equal(res.headers['ratelimit-policy'], '"minute";q=5;w=60, "hour";q=100;w=3600')
    t.match(res.headers.ratelimit, new RegExp(`^"minute";r=${4 - i};t=(60|59), "hour";r=${99 - i};t=(3600|3599)$`))
    t.notOk(res.headers['retry-after'])
  }
  t.same(seen, [['5', '4'], ['5', '3'], ['5', '2'], ['5', '1'], ['5', '0']])

  const res = await app.inject({ url: '/api/3/action/package_show?id=x', headers: { 'api-key': u.token } })
  const error = fails(res, 429)
  t.match(error, {
    __type: 'Rate Limit Error',
    code: 'OVER_RATE_LIMIT',
    window: 'minute',
    limit: 5,
    message: /^Rate limit exceeded: 5 requests per minute for this API key\. Try again in \d+ seconds\.$/
  })
  const retry = Number(res.headers['retry-after'])
  t.ok(retry >= 59 && retry <= 60, `Retry-After ${retry} is the minute's rest, in seconds`)
  t.equal(error.retry_after, retry)
  t.ok(Math.abs(new Date(error.reset_at).getTime() - (Date.now() + retry * 1000)) < 2000)
  t.equal(res.headers['cache-control'], 'no-store', 'a 429 is never cached')
  t.equal(res.headers['x-ratelimit-remaining'], '0')
  t.equal(json(res).help, 'http://test.opend/api/3/action/help_show?name=package_show')
  t.equal((await app.inject({ url: '/get-ckan/status_show', headers: { 'api-key': u.token } })).statusCode, 429, 'refused on every path')
  t.equal((await app.inject({ url: '/openapi.json', headers: { 'api-key': u.token } })).statusCode, 200, 'the API description stays readable')
  t.equal((await app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': (await user('nid')).token } })).statusCode, 200, 'another key has its own count')
})

t.test('Retry-After is right: after it, the window has room again', async (t) => {
  const { app, call, user } = await build(t, { OPEND_RATE_LIMITS: TIERS })
  const u = await user('somchai')
  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_update', { id: key.id, tier: 'burst' }))
  const hit = () => app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': u.token } })
  // start a window just after a second boundary, so two calls surely share it
  t.equal((await hit()).statusCode, 200)
  t.equal((await hit()).statusCode, 200)
  const refused = await hit()
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '1')
  await new Promise((resolve) => setTimeout(resolve, 1000 * Number(refused.headers['retry-after']) + 50))
  const again = await hit()
  t.equal(again.statusCode, 200, 'admitted once Retry-After has passed')
  t.equal(again.headers['x-ratelimit-remaining'], '1')
})

t.test('anonymous callers are counted per address', async (t) => {
  const { app } = await build(t, { OPEND_RATE_LIMITS: TIERS })
  const from = (ip: string) => app.inject({ url: '/api/3/action/status_show', remoteAddress: ip })
  for (let i = 0; i < 3; i++) t.equal((await from('203.0.113.7')).statusCode, 200)
  const refused = await from('203.0.113.7')
  t.match(fails(refused, 429), { code: 'OVER_RATE_LIMIT', message: /for your address/ })
  t.equal((await from('203.0.113.8')).statusCode, 200, 'another address has its own count')
  t.equal((await from('203.0.113.8')).headers['x-ratelimit-remaining'], '1')
  // an unknown key is anonymous, and is counted as its address
  const badKey = await app.inject({ url: '/api/3/action/status_show', remoteAddress: '203.0.113.7', headers: { 'api-key': 'opend_nosuchkeynosuchkeynosuchkeynosuchkeyxx' } })
  t.equal(badKey.statusCode, 429)
  t.equal((await app.inject({ url: '/api/3/action/no_such_action', remoteAddress: '203.0.113.7' })).statusCode, 429, 'unknown routes are limited too')
})

t.test('behind a proxy, OPEND_TRUST_PROXY makes the limits see the client', async (t) => {
  const { app } = await build(t, { OPEND_RATE_LIMITS: TIERS, OPEND_TRUST_PROXY: 'true' })
  const from = (ip: string) => app.inject({ url: '/api/3/action/status_show', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': ip } })
  for (let i = 0; i < 3; i++) t.equal((await from('198.51.100.1')).statusCode, 200)
  t.equal((await from('198.51.100.1')).statusCode, 429)
  t.equal((await from('198.51.100.2')).statusCode, 200)
})

t.test('expensive calls cost more than one unit', async (t) => {
  const { app, call, user } = await build(t, { OPEND_RATE_LIMITS: JSON.stringify({ anonymous: {}, default: { minute: 12 } }), OPEND_CREATE_UNOWNED_DATASET: 'true' })
  const u = await user('somchai')
  const ask = (url: string) => app.inject({ url, headers: { 'api-key': u.token } })
  t.equal((await ask('/api/3/action/package_search?q=x')).headers['x-ratelimit-remaining'], '11')
  t.equal((await ask('/api/3/action/package_search?q=x&facet.field=["tags"]')).headers['x-ratelimit-remaining'], '9', 'facets cost 2')
  t.equal((await ask('/api/3/action/package_search?q=x&facet=false&facet.field=["tags"]')).headers['x-ratelimit-remaining'], '8', 'not when faceting is off')
  const rid = ok(await call('datastore_create', { resource: { package_id: ok(await call('package_create', { name: 'ds' })).id }, fields: [{ id: 'a', type: 'int' }], records: [{ a: 1 }] })).resource_id
  t.equal((await ask(`/api/3/action/datastore_search?resource_id=${rid}&records_format=csv`)).headers['x-ratelimit-remaining'], '3', 'a CSV export costs 5')
  const over = await ask(`/datastore/dump/${rid}`)
  t.equal(over.statusCode, 429, 'a dump costs 5, more than is left')
  t.equal(over.headers['x-ratelimit-remaining'], '3', 'and a refused call costs nothing')
  t.equal((await ask('/api/3/action/status_show')).headers['x-ratelimit-remaining'], '2')
})

t.test('a sysadmin moves a key to another tier, without a restart', async (t) => {
  const { app, call, user } = await build(t, { OPEND_RATE_LIMITS: TIERS })
  const u = await user('somchai')
  const hit = () => app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': u.token } })
  for (let i = 0; i < 5; i++) await hit()
  t.equal((await hit()).statusCode, 429)
  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_update', { id: key.id, tier: 'unlimited' }))
  const res = await hit()
  t.equal(res.statusCode, 200)
  t.notOk(res.headers['x-ratelimit-limit'], 'an unlimited key gets no rate-limit headers')
  t.notOk(res.headers['ratelimit-policy'])
  ok(await call('api_token_update', { id: key.id, tier: 'default' }))
  t.equal((await hit()).statusCode, 429, 'back on its tier, its count is where it was')
})

t.test('a tier the configuration no longer names holds a key to the default tier', async (t) => {
  const { app, db, user } = await build(t, { OPEND_RATE_LIMITS: TIERS })
  const u = await user('somchai')
  await db.kysely.updateTable('api_tokens').set({ tier: 'retired' }).execute()
  const res = await app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': u.token } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-ratelimit-limit'], '5')
})

t.test('gateway refusals count against the address, so made-up keys cannot flood the key lookups', async (t) => {
  const { app, user } = await build(t, { OPEND_RATE_LIMITS: TIERS, OPEND_REQUIRE_API_KEY: 'true' })
  const u = await user('somchai')
  const guess = (i: number) => app.inject({ url: '/get-ckan/status_show', remoteAddress: '203.0.113.9', headers: { 'api-key': `opend_guess${i}guessguessguessguessguessguessguess` } })
  for (let i = 0; i < 3; i++) {
    const res = await guess(i)
    t.equal(fails(res, 403).code, 'API_KEY_INVALID')
    t.equal(res.headers['x-ratelimit-remaining'], String(2 - i))
  }
  t.equal(fails(await guess(3), 429).code, 'OVER_RATE_LIMIT')
  const keyed = await app.inject({ url: '/get-ckan/status_show', remoteAddress: '203.0.113.9', headers: { 'api-key': u.token } })
  t.equal(keyed.statusCode, 200, 'a valid key from that address is counted under the key')
})
