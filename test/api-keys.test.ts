/**
 * API keys (issue #5): their format and storage, where a key may be sent,
 * gateway mode's refusals, the actions that manage keys, registration, and
 * usage counts. Rate limits themselves are in rate-limit.test.ts.
 */
import t from 'tap'
import { sql } from 'kysely'
import { build, fails, json, ok, openSecondHandle } from './helper.js'
import { buildApp } from '../src/app.js'

const GATEWAY = { OPEND_REQUIRE_API_KEY: 'true' }

t.test('a key: a scannable prefix, 240 random bits, only its hash stored, never shown again', async (t) => {
  const { call, db } = await build(t)
  const { token } = ok(await call('api_token_create', { user: 'admin', name: 'script' }))
  t.match(token, /^opend_[A-Za-z0-9_-]{40}$/)
  const rows = await sql<Record<string, unknown>>`SELECT * FROM api_tokens`.execute(db.kysely)
  const dump = JSON.stringify(rows.rows)
  t.notOk(dump.includes(token), 'the database does not hold the key')
  t.notOk(dump.includes(token.slice(18)), 'nor its secret part')
  const listed = ok(await call('api_token_list', { user_id: 'admin' }))
  t.notOk(JSON.stringify(listed).includes(token.slice(6, 18)), 'the list shows no part of any key')
  t.same(listed.map((k: any) => k.name).sort(), ['script', 'test'])
  t.match(listed[0], { tier: 'default', state: 'active', expires_at: null, user_name: 'admin' })
})

t.test('a key that shares another\'s prefix but not its secret is not accepted', async (t) => {
  const { app, user } = await build(t, GATEWAY)
  const u = await user('somchai')
  const forged = u.token.slice(0, 18) + 'A'.repeat(u.token.length - 18)
  const res = await app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': forged } })
  t.equal(fails(res, 403).code, 'API_KEY_INVALID')
})

t.test('gateway mode: every API request needs a valid key, and the refusal says why', async (t) => {
  const { app, call, user } = await build(t, GATEWAY)
  const u = await user('somchai')
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers })

  const missing = fails(await get('/api/3/action/package_list'), 403)
  t.match(missing, { __type: 'Authorization Error', code: 'API_KEY_MISSING' })
  t.match(missing.message, 'http://test.opend/register', 'it says where to get a key')
  t.equal(json(await get('/api/3/action/package_list')).help, 'http://test.opend/api/3/action/help_show?name=package_list')
  t.match(fails(await get('/api/3/action/package_list', { 'api-key': 'opend_nosuchkeynosuchkeynosuchkeynosuchkeyxx' }), 403), { code: 'API_KEY_INVALID' })
  t.match(fails(await get('/api/3/action/package_list', { 'api-key': 'garbage' }), 403), { code: 'API_KEY_INVALID' })
  t.equal((await get('/api/3/action/package_list', { 'api-key': u.token })).statusCode, 200)

  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_update', { id: key.id, state: 'disabled' }))
  t.match(fails(await get('/api/3/action/package_list', { 'api-key': u.token }), 403), { code: 'API_KEY_DISABLED' })
  ok(await call('api_token_update', { id: key.id, state: 'active' }))
  t.equal((await get('/api/3/action/package_list', { 'api-key': u.token })).statusCode, 200, 'enabled again')

  ok(await call('api_token_update', { id: key.id, expires_at: '2020-01-01T00:00:00Z' }))
  t.match(fails(await get('/api/3/action/package_list', { 'api-key': u.token }), 403), { code: 'API_KEY_EXPIRED' })
  ok(await call('api_token_update', { id: key.id, expires_at: 'never' }))
  t.equal((await get('/api/3/action/package_list', { 'api-key': u.token })).statusCode, 200, 'expiry lifted')

  ok(await call('api_token_revoke', { jti: key.id }))
  t.match(fails(await get('/api/3/action/package_list', { 'api-key': u.token }), 403), { code: 'API_KEY_INVALID' }, 'a revoked key is no key')

  // every route of the API is behind the gate, known or not
  t.match(fails(await get('/datastore/dump/nope'), 403), { code: 'API_KEY_MISSING' })
  t.match(fails(await get('/api/3/action/no_such_action'), 403), { code: 'API_KEY_MISSING' })
  // what a developer needs to get a key is not
  const doc = json(await get('/openapi.json'))
  t.same(Object.values(doc.components.securitySchemes).map((s: any) => `${s.in}:${s.name}`),
    ['header:api-key', 'header:X-CKAN-API-Key', 'header:Authorization', 'header:X-Api-Key', 'query:api-key', 'query:api_key'], 'OpenAPI declares every way to send a key')
  t.ok(doc.paths['/api/3/action/package_show'].get.responses['429'], 'and the 429')
  t.ok(doc.components.responses.RateLimitError.headers['Retry-After'])
  t.equal((await get('/docs/')).statusCode, 200)
  t.equal((await get('/api/3')).body, '{"version": 3}', 'nor the version, which serves as the health check')
})

t.test('gateway mode: /get-ckan/ answers exactly as /api/3/action/', async (t) => {
  const { app, call, user } = await build(t, GATEWAY)
  const u = await user('somchai')
  await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' })
  await call('package_create', { name: 'traffic', title: 'ปริมาณจราจร', owner_org: 'exat' })
  for (const [path, headers] of [
    ['package_show?id=traffic', { 'api-key': u.token }],
    ['package_show?id=nope', { 'api-key': u.token }],
    ['package_search?q=จราจร', { 'api-key': u.token }],
    ['package_show?id=traffic', {}],
    ['package_show?id=traffic', { 'api-key': 'opend_nosuchkeynosuchkeynosuchkeynosuchkeyxx' }]
  ] as [string, Record<string, string>][]) {
    const a = await app.inject({ url: `/api/3/action/${encodeURI(path)}`, headers })
    const b = await app.inject({ url: `/get-ckan/${encodeURI(path)}`, headers })
    t.equal(b.statusCode, a.statusCode, path)
    t.equal(b.body, a.body, `${path}: same body`)
  }
})

t.test('a key may come in any of four headers or two query parameters, in one order', async (t) => {
  const { app, user } = await build(t, GATEWAY)
  const u = await user('somchai')
  const whoami = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url, headers })
    return res.statusCode === 200 ? json(res).result.name : fails(res, 403).code
  }
  for (const header of ['api-key', 'Authorization', 'X-CKAN-API-Key', 'X-Api-Key']) {
    t.equal(await whoami('/api/3/action/user_show', { [header]: u.token }), 'somchai', header)
  }
  t.equal(await whoami(`/api/3/action/user_show?api-key=${u.token}`), 'somchai', '?api-key=')
  t.equal(await whoami(`/get-ckan/user_show?api_key=${u.token}`), 'somchai', '?api_key=')
  t.equal(await whoami(`/api/3/action/user_show?api-key=${u.token}`, { 'api-key': 'opend_wrongwrongwrongwrongwrongwrongwrongwrongxx' }), 'API_KEY_INVALID',
    'a header comes before the query string')
  t.equal(await whoami('/api/3/action/user_show', { authorization: `Bearer ${u.token}` }), 'API_KEY_INVALID',
    'Authorization carries the key itself, as CKAN reads it')
})

t.test('without gateway mode, a bad key is anonymous, as in CKAN', async (t) => {
  const { app, call, user } = await build(t)
  const u = await user('somchai')
  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_update', { id: key.id, state: 'disabled' }))
  const res = await app.inject({ url: '/api/3/action/package_list', headers: { 'api-key': u.token } })
  t.equal(res.statusCode, 200)
  t.equal(fails(await app.inject({ url: '/api/3/action/api_token_list?user_id=somchai', headers: { 'api-key': u.token } }), 403).__type, 'Authorization Error')
})

t.test('sysadmins issue keys with a tier and an expiry, list them, and change them', async (t) => {
  const { app, call, user } = await build(t)
  const u = await user('somchai')
  const created = ok(await call('api_token_create', { user: 'somchai', name: 'partner', tier: 'unlimited', expires_in: 2, unit: 3600 }))
  const keys = ok(await call('api_token_list', { user_id: 'somchai' }))
  const partner = keys.find((k: any) => k.name === 'partner')
  t.equal(partner.tier, 'unlimited')
  const expires = new Date(partner.expires_at + 'Z').getTime()
  t.ok(Math.abs(expires - (Date.now() + 2 * 3600_000)) < 60_000, 'expires in two hours')

  t.match(fails(await call('api_token_create', { user: 'somchai', name: 'x', tier: 'gold' }), 409), { tier: [/Unknown tier "gold"; configured tiers: .*unlimited/] })
  t.match(fails(await call('api_token_update', { id: partner.id, tier: 'gold' }), 409), { tier: [/Unknown tier/] })
  t.match(fails(await call('api_token_update', { id: partner.id, state: 'revoked' }), 409), { state: [/active, disabled/] })

  // a user may not pick a tier, nor change keys; their own new key keeps their tier (rotation)
  fails(await call('api_token_create', { user: 'somchai', name: 'x', tier: 'unlimited' }, u.token), 403)
  fails(await call('api_token_update', { id: partner.id, tier: 'default' }, u.token), 403)
  const rotated = ok(await call('api_token_create', { user: 'somchai', name: 'rotated' }, created.token))
  ok(await call('api_token_revoke', { token: created.token }, rotated.token))
  const after = ok(await call('api_token_list', { user_id: 'somchai' }, rotated.token))
  t.same(after.map((k: any) => [k.name, k.tier]).sort(), [['rotated', 'unlimited'], ['test', 'default']], 'the old key is gone, the new one kept its tier')

  // a sysadmin lists everyone's keys, by state or tier
  const all = ok(await call('api_token_list', {}))
  t.same(all.map((k: any) => k.user_name).sort(), ['admin', 'somchai', 'somchai'])
  t.same(ok(await call('api_token_list', { tier: 'unlimited' })).map((k: any) => k.name), ['rotated'])
  fails(await call('api_token_list', {}, u.token), 409)
  fails(await call('api_token_list', { user_id: 'admin' }, u.token), 403)
  fails(await call('api_token_usage', { user_id: 'admin' }, u.token), 403)
  await app.close()
})

t.test('a revoked key stops working on another instance within 5 seconds', async (t) => {
  const { app, call, user, db, config } = await build(t, GATEWAY)
  const other = await buildApp(config, await openSecondHandle(t, db), { closeDb: false })
  t.teardown(() => other.close())
  const u = await user('somchai')
  const ask = () => other.inject({ url: '/get-ckan/status_show', headers: { 'api-key': u.token } })
  t.equal((await ask()).statusCode, 200, 'the other instance knows the key (and now remembers it)')
  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_revoke', { jti: key.id }))
  t.equal((await app.inject({ url: '/get-ckan/status_show', headers: { 'api-key': u.token } })).statusCode, 403, 'at once where it was revoked')
  const started = Date.now()
  let res = await ask()
  while (res.statusCode === 200 && Date.now() - started < 6000) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    res = await ask()
  }
  t.equal(fails(res, 403).code, 'API_KEY_INVALID')
  t.ok(Date.now() - started < 5000, `refused after ${Date.now() - started} ms`)
})

t.test('registration through the action: open, approval, off', async (t) => {
  t.test('open: the key works at once', async (t) => {
    const { app, call } = await build(t, GATEWAY)
    const r = ok(await call('api_token_register', { name: 'สมชาย ใจดี', email: 'somchai@example.org', accept_terms: true }, null))
    t.match(r, { state: 'active', tier: 'default', user: /^somchai-[0-9a-f]{8}$/ })
    const me = json(await app.inject({ url: '/get-ckan/user_show', headers: { 'api-key': r.token } }))
    t.match(me.result, { name: r.user, fullname: 'สมชาย ใจดี' })
    t.match(fails(await call('api_token_register', { name: 'x', email: 'SOMCHAI@example.org', accept_terms: true }, null), 409), { email: [/already registered/] })
    t.match(fails(await call('api_token_register', { name: '', email: 'nope', accept_terms: false }, null), 409), { name: ['Missing value'] })
    t.match(fails(await call('api_token_register', { name: 'x', email: 'nope', accept_terms: false }, null), 409), {
      email: [/not a valid format/], accept_terms: [/must be accepted/]
    })
    fails(await call('api_token_register', { name: 'x', email: 'x@example.org' }, null), 409)
  })
  t.test('approval: pending until a sysadmin enables it', async (t) => {
    const { app, call } = await build(t, { ...GATEWAY, OPEND_REGISTRATION: 'approval' })
    const r = ok(await call('api_token_register', { name: 'Dev', email: 'dev@example.org', accept_terms: 'true' }, null))
    t.equal(r.state, 'pending')
    const refused = fails(await app.inject({ url: '/get-ckan/status_show', headers: { 'api-key': r.token } }), 403)
    t.match(refused, { code: 'API_KEY_DISABLED', message: /approval/ })
    const pending = ok(await call('api_token_list', { state: 'pending' }))
    t.same(pending.map((k: any) => k.id), [r.token_id])
    ok(await call('api_token_update', { id: r.token_id, state: 'active' }))
    t.equal((await app.inject({ url: '/get-ckan/status_show', headers: { 'api-key': r.token } })).statusCode, 200)
  })
  t.test('off: refused', async (t) => {
    const { call } = await build(t, { OPEND_REGISTRATION: 'off' })
    t.match(fails(await call('api_token_register', { name: 'Dev', email: 'dev@example.org', accept_terms: true }, null), 403), { message: /closed/ })
  })
})

t.test('usage is counted per key, day and action, for the owner and sysadmins', async (t) => {
  const { app, call, user } = await build(t, { OPEND_RATE_LIMITS: '{"anonymous": {}, "default": {}, "small": {"minute": 4}}' })
  const u = await user('somchai')
  const other = await user('nid')
  const [key] = ok(await call('api_token_list', { user_id: 'somchai' }))
  ok(await call('api_token_update', { id: key.id, tier: 'small' }))
  for (let i = 0; i < 3; i++) await app.inject({ url: '/get-ckan/package_list', headers: { 'api-key': u.token } })
  await app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': u.token } })
  const limited = await app.inject({ url: '/api/3/action/status_show', headers: { 'api-key': u.token } })
  t.equal(limited.statusCode, 429)
  await app.inject({ url: '/api/3/action/made_up_action', headers: { 'x-api-key': other.token } })
  await app.inject({ url: '/api/3/action/status_show' })
  await app.flushUsage()

  const today = new Date().toISOString().slice(0, 10)
  const mine = ok(await app.inject({ url: '/get-ckan/api_token_usage', headers: { 'api-key': other.token } }))
  t.match(mine.keys, [{ name: 'test', requests: 1, days: [{ day: today, actions: { unknown_action: 1 } }] }], 'made-up action names share one bucket')
  const theirs = ok(await call('api_token_usage', { user_id: 'somchai', days: 7 }))
  t.equal(theirs.since, new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10))
  t.match(theirs.keys, [{ name: 'test', requests: 5, limited: 1, days: [{ day: today, requests: 5, limited: 1, actions: { package_list: 3, status_show: 2 } }] }])
  t.match(ok(await call('api_token_usage', { id: key.id })).keys, [{ id: key.id, requests: 5 }])
  fails(await call('api_token_usage', { id: key.id }, other.token), 403)
  fails(await call('api_token_usage', { days: 400 }), 409)
})
