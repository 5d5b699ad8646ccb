/**
 * The developer pages (issue #5): /register gives a key through a plain HTML
 * form, shown once; /usage shows a key's owner what their keys did. Both are
 * pages, not actions: HTML, escaped, never cached, reachable without a key.
 */
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, json, ok, type TestApp } from './helper.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
const keyOf = (res: LightMyRequestResponse) => /<code id="api-key">([^<]+)<\/code>/.exec(res.body)?.[1]

function register (app: TestApp, fields: Record<string, string>, remoteAddress?: string) {
  return app.app.inject({ method: 'POST', url: '/register', headers: FORM, payload: new URLSearchParams(fields).toString(), remoteAddress })
}

function usage (app: TestApp, key: string) {
  return app.app.inject({ method: 'POST', url: '/usage', headers: FORM, payload: new URLSearchParams({ key }).toString() })
}

const callWith = (app: TestApp, key: string, action: string, query = '') =>
  app.app.inject({ url: `/api/3/action/${action}${query}`, headers: { 'api-key': key } })

type T = Pick<typeof t, 'equal' | 'match' | 'notMatch'>

function isPage (t: T, res: LightMyRequestResponse, status: number) {
  t.equal(res.statusCode, status, 'status')
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(res.headers['content-security-policy'], CSP)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.body, /^<!doctype html>\n<html lang="en">/)
  t.notMatch(res.body, /<script/i, 'no script, no external asset')
  t.notMatch(res.body, /<(img|link|iframe|object)\b/i)
}

// the pages' own anonymous requests stay well under the limit, except where a test means to reach it
const ROOMY = JSON.stringify({ anonymous: { minute: 1000 } })

t.test('the registration form', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: ROOMY, OPEND_TERMS_URL: 'https://example.org/terms?a=1&b=2' })
  const res = await app.app.inject({ url: '/register' })
  isPage(t, res, 200)
  t.match(res.body, /<form method="post" action="register"/)
  t.match(res.body, /<label for="name">.*Name<\/label>\n<input type="text" id="name" name="name" value="" required/)
  t.match(res.body, /<label for="email">.*Email<\/label>\n<input type="email" id="email" name="email" value="" required/)
  t.match(res.body, /<input type="checkbox" id="accept_terms" name="accept_terms" value="true" required>/)
  t.match(res.body, /<label for="accept_terms"><span lang="th">[^<]+<\/span> \/ I accept the <a href="https:\/\/example.org\/terms\?a=1&amp;b=2">terms of use<\/a><\/label>/)
  t.match(res.body, /<button type="submit">/)
  t.notMatch(res.body, /approve/, 'open registration: no approval step')
  // the usage page asks for the key in a password field, by POST
  const u = await app.app.inject({ url: '/usage' })
  isPage(t, u, 200)
  t.match(u.body, /<form method="post" action="usage"/)
  t.match(u.body, /<input type="password" id="key" name="key" required/)
  // neither page is part of the API's description
  const doc = json(await app.app.inject({ url: '/openapi.json' }))
  t.notOk(doc.paths['/register'])
  t.notOk(doc.paths['/usage'])
})

t.test('registering gives a key that works at once, shown once', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: ROOMY })
  const res = await register(app, { name: 'Somchai Jaidee', email: 'somchai@example.org', accept_terms: 'true' })
  isPage(t, res, 201)
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  const key = keyOf(res)!
  t.match(key, /^opend_[A-Za-z0-9_-]{40}$/)
  t.match(res.body, /will not be shown again/)
  t.match(res.body, /data-state="active">The key is <strong>active<\/strong>/)
  t.match(res.body, `curl -H &#39;api-key: ${key}&#39; &#39;http://test.opend/api/3/action/package_search?rows=1&#39;`)

  const used = await callWith(app, key, 'api_token_usage')
  t.equal(used.statusCode, 200)
  t.same(ok(used).keys.map((k: { name: string, state: string }) => [k.name, k.state]), [['registration', 'active']])
  const me = ok(await callWith(app, key, 'user_show'))
  t.match(res.body, `<code>${me.name}</code>`, 'the page names the user')
  t.equal(me.email, 'somchai@example.org')
  t.equal(me.fullname, 'Somchai Jaidee')
  t.equal(ok(await callWith(app, key, 'api_token_list', `?user_id=${me.name}`)).length, 1)

  // the key is not stored in a way any page shows it again: a second registration of the address is refused
  const again = await register(app, { name: 'Somchai Jaidee', email: 'Somchai@Example.org', accept_terms: 'on' })
  isPage(t, again, 400)
  t.notOk(keyOf(again))
  t.notMatch(again.body, key)
  t.match(again.body, /<p class="error" id="email-error">The email address is already registered on a user account<\/p>/)
  t.match(again.body, /value="Somchai@Example.org"/, 'what was typed is kept')
  t.match(again.body, /name="accept_terms" value="true" required checked>/)
})

t.test('refused registrations show the form again, escaped', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: ROOMY })
  const name = '<script>alert(1)</script>"><img src=x>'
  const res = await register(app, { name, email: 'no<b>"at"all' })
  isPage(t, res, 400)
  t.notOk(keyOf(res))
  t.notMatch(res.body, /<script>|<img|<b>/)
  t.match(res.body, 'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x&gt;"')
  t.match(res.body, 'value="no&lt;b&gt;&quot;at&quot;all"')
  t.match(res.body, /<input type="email" id="email" name="email" value="[^"]*" required maxlength="320" autocomplete="email" aria-invalid="true" aria-describedby="email-error">/)
  t.match(res.body, '<p class="error" id="email-error">Email no&lt;b&gt;&quot;at&quot;all is not a valid format</p>')
  t.match(res.body, '<p class="error" id="accept_terms-error">The terms of use must be accepted</p>')
  t.notMatch(res.body, /id="name-error"/, 'the name was fine')
  t.match(res.body, /role="alert"/, 'a summary of the problems leads the form')
  t.match(res.body, /name="accept_terms" value="true" required aria-invalid/, 'not ticked')

  const empty = await register(app, {})
  isPage(t, empty, 400)
  t.match(empty.body, '<p class="error" id="name-error">Missing value</p>')
  t.match(empty.body, '<p class="error" id="email-error">Missing value</p>')
  t.match(empty.body, 'id="accept_terms-error"')

  // a name that is fine is shown escaped on the key's page too
  const done = await register(app, { name: '<b>Bold</b> & co', email: 'bold@example.org', accept_terms: 'true' })
  isPage(t, done, 201)
  t.match(done.body, '<dd>&lt;b&gt;Bold&lt;/b&gt; &amp; co &lt;bold@example.org&gt;</dd>')
  t.notMatch(done.body, '<b>Bold')

  // nothing was left behind by the refused ones
  const emails = (await app.db.kysely.selectFrom('users').select('email').orderBy('email').execute()).map((u) => u.email)
  t.same(emails, ['admin@example.org', 'bold@example.org'])

  const jsonBody = await app.app.inject({ method: 'POST', url: '/register', payload: { name: 'x', email: 'x@example.org', accept_terms: true } })
  isPage(t, jsonBody, 415)
  const multipart = await app.app.inject({
    method: 'POST',
    url: '/register',
    headers: { 'content-type': 'multipart/form-data; boundary=X' },
    payload: '--X\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--X--\r\n'
  })
  isPage(t, multipart, 415)
})

t.test('approval: the key waits for a sysadmin, in gateway mode too', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: ROOMY, OPEND_REGISTRATION: 'approval', OPEND_REQUIRE_API_KEY: 'true' })
  // the pages need no key even where the API does
  const form = await app.app.inject({ url: '/register' })
  isPage(t, form, 200)
  t.match(form.body, /yours will work once a sysadmin has approved it/)
  t.equal((await app.app.inject({ url: '/usage' })).statusCode, 200)
  t.equal(json(await app.app.inject({ url: '/api/3/action/package_list' })).error.code, 'API_KEY_MISSING')

  const res = await register(app, { name: 'Waiting', email: 'wait@example.org', accept_terms: 'true' })
  isPage(t, res, 201)
  t.match(res.body, /data-state="pending">The key is <strong>pending approval<\/strong>/)
  const key = keyOf(res)!
  const refused = await callWith(app, key, 'package_list')
  t.equal(refused.statusCode, 403)
  t.equal(json(refused).error.code, 'API_KEY_DISABLED')
  const waiting = await usage(app, key)
  isPage(t, waiting, 403)
  t.match(waiting.body, /awaits a sysadmin&#39;s approval/)

  const pending = ok(await app.call('api_token_list', { state: 'pending' }))
  t.equal(pending.length, 1)
  ok(await app.call('api_token_update', { id: pending[0].id, state: 'active' }))
  t.equal(ok(await callWith(app, key, 'api_token_usage')).keys[0].state, 'active')
  t.equal((await callWith(app, key, 'package_list')).statusCode, 200)
})

t.test('registration switched off', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: ROOMY, OPEND_REGISTRATION: 'off' })
  const form = await app.app.inject({ url: '/register' })
  isPage(t, form, 200)
  t.match(form.body, /Registration is closed/)
  t.notMatch(form.body, /<form/)
  const res = await register(app, { name: 'Late', email: 'late@example.org', accept_terms: 'true' })
  isPage(t, res, 403)
  t.match(res.body, /Registration is closed/)
  t.notMatch(res.body, /<form|id="api-key"/)
  const users = await app.db.kysely.selectFrom('users').select('name').execute()
  t.same(users.map((u) => u.name), ['admin'], 'nobody was registered')
})

t.test('registering costs ten units of the address\'s rate limit', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: JSON.stringify({ anonymous: { minute: 25 } }) })
  t.equal((await register(app, { name: 'A', email: 'a@example.org', accept_terms: 'true' })).statusCode, 201)
  t.equal((await register(app, { name: 'B', email: 'b@example.org', accept_terms: 'true' })).statusCode, 201)
  const third = await register(app, { name: 'C', email: 'c@example.org', accept_terms: 'true' })
  isPage(t, third, 429)
  t.ok(Number(third.headers['retry-after']) > 0)
  t.match(third.body, /Too many requests/)
  t.match(third.body, /Rate limit exceeded: 25 requests per minute for your address/)
  t.notOk(keyOf(third))
  // another address has its own budget
  t.equal((await register(app, { name: 'C', email: 'c@example.org', accept_terms: 'true' }, '10.0.0.9')).statusCode, 201)
})

t.test('the usage page', async (t) => {
  const app = await build(t, { OPEND_RATE_LIMITS: JSON.stringify({ anonymous: { minute: 1000 }, default: {}, small: { minute: 3 } }) })
  const registered = await register(app, { name: 'Counter', email: 'count@example.org', accept_terms: 'true' })
  const key = keyOf(registered)!
  const userName = /<dt>User name<\/dt><dd><code>([^<]+)<\/code>/.exec(registered.body)![1]!
  t.match(userName, /^count-[0-9a-f]{8}$/)
  // a small tier, so that a refusal for the rate limit is counted too
  const [registration] = ok(await app.call('api_token_list', { user_id: userName }))
  ok(await app.call('api_token_update', { id: registration.id, tier: 'small' }))
  t.equal((await callWith(app, key, 'package_search')).statusCode, 200)
  t.equal((await callWith(app, key, 'package_search')).statusCode, 200)
  t.equal((await callWith(app, key, 'status_show')).statusCode, 200)
  t.equal((await callWith(app, key, 'package_search')).statusCode, 429, 'over the key\'s limit')
  await app.app.flushUsage()

  const res = await usage(app, key)
  isPage(t, res, 200)
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  t.notMatch(res.body, key, 'the key is never echoed')
  t.match(res.body, /<h2 id="key-0">registration \(the key you entered\)<\/h2>/)
  t.match(res.body, `<dt>Key id</dt><dd><code>${registration.id}</code></dd>`)
  t.match(res.body, '<dt>Tier</dt><dd>small</dd>')
  t.match(res.body, '<dt>State</dt><dd>active</dd>')
  t.match(res.body, '<dd class="requests">4</dd>')
  t.match(res.body, '<dd class="limited">1</dd>')
  t.match(res.body, '<tr><th scope="row"><code>package_search</code></th><td class="n">3</td></tr>')
  t.match(res.body, '<tr><th scope="row"><code>status_show</code></th><td class="n">1</td></tr>')
  const today = new Date().toISOString().slice(0, 10)
  t.match(res.body, `<tr><th scope="row">${today}</th><td class="n">4</td><td class="n">1</td>`)
  t.match(res.body, '<li><code>package_search</code>: 3</li>')
  // the page is not itself counted, nor does it count as a call with the key
  await app.app.flushUsage()
  t.match((await usage(app, key)).body, '<dd class="requests">4</dd>')

  // a second key of the same user shows beside it
  const second = ok(await app.call('api_token_create', { user: userName, name: 'second' })).token
  const both = await usage(app, second)
  t.match(both.body, /<h2 id="key-0">registration<\/h2>/)
  t.match(both.body, /<h2 id="key-1">second \(the key you entered\)<\/h2>/)
  t.match(both.body, 'No requests in the last 30 days.')

  for (const [bad, why] of [
    ['opend_' + 'x'.repeat(40), /This API key is not known/],
    ['<script>', /This API key is not known/]
  ] as const) {
    const res = await usage(app, bad)
    isPage(t, res, 403)
    t.match(res.body, why)
    t.match(res.body, /<input type="password" id="key" name="key" required autocomplete="off" spellcheck="false" aria-invalid="true"/)
    t.notMatch(res.body, '<script>')
  }
  t.match(both.body, `The keys of user <code>${userName}</code>`)
  ok(await app.call('api_token_update', { id: registration.id, state: 'disabled' }))
  const disabled = await usage(app, key)
  isPage(t, disabled, 403)
  t.match(disabled.body, /This API key has been disabled/)
  ok(await app.call('api_token_update', { id: registration.id, expires_at: '2000-01-01T00:00:00Z', state: 'active' }))
  const expired = await usage(app, key)
  isPage(t, expired, 403)
  t.match(expired.body, /This API key has expired/)
  ok(await app.call('api_token_revoke', { token: second }))
  t.match((await usage(app, second)).body, /This API key is not known/)

  const empty = await usage(app, '')
  isPage(t, empty, 400)
  t.match(empty.body, /Enter your API key/)
})
