/**
 * CKAN's HTTP transport (ckan-action-api.md §1), checked from the outside:
 * paths, envelopes, content types, the bare-string 400s, request-data
 * extraction, JSONP and the escaping of non-ASCII text. Bodies CKAN 2.10
 * really sent are compared byte for byte, the host aside.
 */
import t from 'tap'
import Value from 'typebox/value'
import type { LightMyRequestResponse } from 'fastify'
import { ACTIONS } from '../src/actions/index.js'
import { loadDemo } from '../src/demo/load.js'
import { build, fixtureText, json } from './helper.js'

/** CKAN's fixtures name a loopback site_url; ours is http://test.opend */
const siteless = (text: string) => text.replace(/http:\/\/(127\.0\.0\.1:\d+|test\.opend)/g, 'SITE')

const JSON_CT = 'application/json;charset=utf-8'
const help = (name: string) => `http://test.opend/api/3/action/help_show?name=${name}`

function isJson (res: LightMyRequestResponse): boolean {
  try { JSON.parse(res.body); return true } catch { return false }
}

t.test('paths, envelopes and content types', async (t) => {
  const { app, call, admin } = await build(t)
  await call('organization_create', { name: 'org-a', title: 'Org A' })
  const created = json(await call('package_create', { name: 'ds-one', title: 'One', owner_org: 'org-a' }))
  t.equal(created.success, true)

  t.test('the three action paths answer identically', async (t) => {
    const bodies = []
    for (const prefix of ['/api/3/action', '/api/action', '/get-ckan']) {
      const res = await app.inject(`${prefix}/package_show?id=ds-one`)
      t.equal(res.statusCode, 200, prefix)
      t.equal(res.headers['content-type'], JSON_CT, prefix)
      bodies.push(res.body)
    }
    t.equal(bodies[1], bodies[0])
    t.equal(bodies[2], bodies[0])
    // the help URL is always /api/3/, whatever path was called
    t.equal(json({ body: bodies[1] } as LightMyRequestResponse).help, help('package_show'))
    for (const prefix of ['/api/action', '/get-ckan']) {
      const res = await app.inject({ method: 'POST', url: `${prefix}/package_show`, payload: { id: 'no-such-ds' } })
      t.equal(res.statusCode, 404)
      t.equal(json(res).help, help('package_show'))
    }
  })

  t.test('envelope key order and text', async (t) => {
    const ok = await app.inject('/api/3/action/package_list')
    t.equal(ok.headers['content-type'], JSON_CT)
    t.same(Object.keys(json(ok)), ['help', 'success', 'result'])
    t.equal(ok.body, `{"help": "${help('package_list')}", "success": true, "result": ["ds-one"]}`)
    const err = await app.inject('/api/3/action/package_show?id=nope')
    t.equal(err.statusCode, 404)
    t.equal(err.headers['content-type'], JSON_CT)
    t.same(Object.keys(json(err)), ['help', 'error', 'success'])
    t.equal(siteless(err.body), siteless(fixtureText('package_show_missing.json')))
    // anonymous answers are public-cacheable, a token's are not
    t.match(ok.headers['cache-control'], /^public/)
    const priv = await app.inject({ url: '/api/3/action/package_list', headers: { authorization: admin } })
    t.match(priv.headers['cache-control'], /^private/)
  })

  t.test('bare-string 400s', async (t) => {
    const unknown = await app.inject('/api/3/action/no_such_action')
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.headers['content-type'], JSON_CT)
    t.equal(unknown.body, fixtureText('unknown_action.json'))
    t.equal(json(unknown), 'Bad request - Action name not known: no_such_action')
    const unknownPost = await app.inject({ method: 'POST', url: '/api/action/no_such_action', payload: {} })
    t.equal(unknownPost.body, fixtureText('unknown_action.json'))

    const getPost = await app.inject({ url: '/api/3/action/package_create?name=x', headers: { authorization: admin } })
    t.equal(getPost.statusCode, 400)
    t.equal(getPost.body, fixtureText('get_on_post_only_action.json'))

    const textPlain = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'text/plain' }, payload: '{"id": "ds-one"}' })
    t.equal(textPlain.statusCode, 400)
    t.equal(textPlain.headers['content-type'], JSON_CT)
    t.equal(textPlain.body, fixtureText('post_text_plain_body.json'))

    const invalid = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: '{"id": ' })
    t.equal(invalid.statusCode, 400)
    t.equal(typeof json(invalid), 'string')
    t.ok(json(invalid).startsWith('Bad request - JSON Error: Error decoding JSON data.'), json(invalid))

    const array = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: '[1, 2]' })
    t.equal(array.statusCode, 400)
    t.equal(json(array), 'Bad request - JSON Error: Request data JSON decoded to [1,2] but it needs to be a dictionary.')
    t.match(json(array), /needs to be a dictionary\.$/)
    for (const scalar of ['1', '"id"', 'null', 'true']) {
      const res = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: scalar })
      t.equal(res.statusCode, 400, scalar)
      t.match(json(res), /^Bad request - JSON Error: Request data JSON decoded to .* but it needs to be a dictionary\.$/, scalar)
    }
  })

  t.test('form-encoded bodies', async (t) => {
    const form = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=ds-one' })
    t.equal(form.statusCode, 200)
    t.equal(json(form).result.name, 'ds-one')

    // legacy form-JSON: what `curl -d '{"id":"x"}'` sends
    const legacy = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '{"id":"ds-one"}' })
    t.equal(legacy.statusCode, 200)
    t.equal(json(legacy).result.name, 'ds-one')
    const legacyBad = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '{"id":' })
    t.equal(legacyBad.statusCode, 400)
    t.match(json(legacyBad), /^Bad request - JSON Error: Error decoding JSON data\. Error: .* JSON data extracted from the request: \{\}$/)

    await call('organization_create', { name: 'org-b', title: 'Org B' })
    await call('organization_create', { name: 'org-c', title: 'Org C' })
    // a repeated key becomes a list: two of the three organizations
    const repeated = await app.inject({ method: 'POST', url: '/api/3/action/organization_list', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'organizations=org-a&organizations=org-c' })
    t.equal(repeated.statusCode, 200)
    t.same(json(repeated).result, ['org-a', 'org-c'])
    const repeatedQuery = await app.inject('/api/3/action/organization_list?organizations=org-b&organizations=org-c')
    t.same(json(repeatedQuery).result, ['org-b', 'org-c'])
    // a write action takes form fields as strings
    const orgForm = await app.inject({ method: 'POST', url: '/api/3/action/organization_create', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: admin }, payload: 'name=org-form&title=Form+org' })
    t.equal(orgForm.statusCode, 200)
    t.equal(json(orgForm).result.title, 'Form org')
  })

  t.test('a POST to a GET-able action with a query string uses the query', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/3/action/package_show?id=ds-one', payload: { id: 'no-such-ds' } })
    t.equal(res.statusCode, 200)
    t.equal(json(res).result.name, 'ds-one')
    // a POST-only action ignores the query string instead
    const write = await app.inject({ method: 'POST', url: '/api/3/action/package_patch?id=no-such-ds', headers: { authorization: admin }, payload: { id: 'ds-one', notes: 'patched' } })
    t.equal(write.statusCode, 200)
    t.equal(json(write).result.notes, 'patched')
  })

  t.test('JSONP', async (t) => {
    const res = await app.inject('/api/3/action/status_show?callback=cb')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/javascript;charset=utf-8')
    const m = /^cb\((.*)\);$/s.exec(res.body)
    t.ok(m, res.body)
    const inner = JSON.parse(m![1])
    const ckan = JSON.parse(/^cb\((.*)\);$/s.exec(fixtureText('status_show_jsonp.js'))![1])
    t.same(Object.keys(inner), Object.keys(ckan))
    t.same(Object.keys(inner.result), Object.keys(ckan.result))
    t.equal(inner.help, help('status_show'))
    // a callback must be a JavaScript name (CKAN only HTML-escapes it)
    const evil = await app.inject('/api/3/action/status_show?callback=' + encodeURIComponent('alert(1)//'))
    t.equal(evil.statusCode, 409)
    t.same(json(evil).error, { callback: ['Must be a JavaScript function name'], __type: 'Validation Error' })
    const jquery = await app.inject('/api/3/action/status_show?callback=jQuery3710_1700000000000')
    t.ok(jquery.body.startsWith('jQuery3710_1700000000000({'), 'jQuery\'s generated names pass')

    const post = await app.inject({ method: 'POST', url: '/api/3/action/status_show?callback=cb', payload: {} })
    t.equal(post.statusCode, 200)
    t.equal(post.headers['content-type'], JSON_CT)
    t.equal(json(post).success, true)
    const postBody = await app.inject({ method: 'POST', url: '/api/3/action/status_show', payload: { callback: 'cb' } })
    t.equal(postBody.headers['content-type'], JSON_CT)
    t.equal(json(postBody).success, true)

    const error = await app.inject('/api/3/action/package_show?id=nope&callback=cb')
    t.equal(error.statusCode, 404)
    t.equal(error.headers['content-type'], JSON_CT)
    t.equal(json(error).success, false)

    // the callback makes the call anonymous, whatever token comes with it
    const me = await app.inject({ url: '/api/3/action/user_show', headers: { authorization: admin } })
    t.equal(me.statusCode, 200)
    t.equal(json(me).result.name, 'admin')
    const anon = await app.inject({ url: '/api/3/action/user_show?callback=cb', headers: { authorization: admin } })
    t.equal(anon.statusCode, 404)
    t.equal(siteless(anon.body), siteless(fixtureText('user_show_anonymous_no_id.json')))
    const anonPost = await app.inject({ method: 'POST', url: '/api/3/action/user_show', headers: { authorization: admin }, payload: { callback: 'cb' } })
    t.equal(anonPost.statusCode, 404)
  })

  t.test('API root, unknown paths and methods', async (t) => {
    for (const [url, n] of [['/api', 1], ['/api/', 1], ['/api/1', 1], ['/api/2', 2], ['/api/3', 3]] as const) {
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, url)
      t.equal(res.headers['content-type'], JSON_CT, url)
      t.equal(res.body, `{"version": ${n}}`, url)
    }
    t.equal((await app.inject('/api/3')).body, fixtureText('api_root.json'))

    for (const url of ['/api/3/action/status_show/', '/api/1/action/status_show', '/no/such/path']) {
      const res = await app.inject(url)
      t.equal(res.statusCode, 404, url)
      t.equal(res.headers['content-type'], JSON_CT, url)
      t.equal(json(res).success, false, url)
      t.equal(json(res).error.__type, 'Not Found Error', url)
    }
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const res = await app.inject({ method, url: '/api/3/action/status_show', payload: {} })
      t.ok(res.statusCode === 404 || res.statusCode === 405, `${method} ${res.statusCode}`)
      t.ok(isJson(res), method)
      t.equal(json(res).success, false)
    }
  })

  t.test('non-ASCII text is escaped', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/3/action/tag_delete', payload: { id: 'Delta symbol: Δ' } })
    t.equal(res.statusCode, 404)
    t.ok(res.body.includes('\\u0394'), res.body)
    t.notOk(res.body.includes('Δ'))
    t.equal(json(res).error.message, 'Not found: Could not find tag "Delta symbol: Δ"')

    const thai = await call('package_patch', { id: 'ds-one', title: 'ชุดข้อมูล' })
    t.equal(thai.statusCode, 200)
    t.match(thai.body, /"title": ?"\\u0e0a\\u0e38\\u0e14/)
    t.ok(/^[\x20-\x7e]*$/.test(thai.body), 'every byte of the body is printable ASCII')
    t.equal(json(thai).result.title, 'ชุดข้อมูล')
  })

  t.test('Validation Error bodies put __type last', async (t) => {
    const res = await app.inject('/api/3/action/package_list?limit=-1')
    t.equal(res.statusCode, 409)
    t.equal(siteless(res.body), siteless(fixtureText('package_list_invalid_limit.json')))
    t.same(Object.keys(json(res).error), ['limit', '__type'])
    // and first for the other errors
    const auth = await app.inject({ method: 'POST', url: '/api/3/action/package_create', payload: { name: 'x' } })
    t.same(Object.keys(json(auth).error), ['__type', 'message'])
  })

  t.test('OpenAPI and the docs page', async (t) => {
    const res = await app.inject('/openapi.json')
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/json/)
    const doc = JSON.parse(res.body)
    t.match(doc.openapi, /^3\.1\.\d+$/)
    for (const action of ACTIONS) {
      const path = doc.paths[`/api/3/action/${action.name}`]
      t.ok(path?.post, `POST ${action.name}`)
      t.equal(Boolean(path?.get), action.sideEffectFree, `GET ${action.name} iff side-effect-free`)
    }
    t.equal(Object.keys(doc.paths).filter((p) => p.startsWith('/api/3/action/')).length, ACTIONS.length)

    let docs = await app.inject('/docs')
    for (let hops = 0; docs.statusCode >= 300 && docs.statusCode < 400 && hops < 3; hops++) {
      docs = await app.inject(new URL(String(docs.headers.location), 'http://test.opend/docs').pathname)
    }
    t.equal(docs.statusCode, 200)
    t.match(docs.headers['content-type'], /^text\/html/)
    t.match(docs.body, /<html/i)
  })
})

t.test('every answer matches its declared result schema', async (t) => {
  const { app, db, config, call, admin } = await build(t)
  await loadDemo(db.kysely, config, app.log)
  const checks: [string, Record<string, unknown>][] = [
    ['status_show', {}],
    ['license_list', {}],
    ['package_show', { id: 'adresit' }],
    ['package_search', { q: 'ทางพิเศษ', rows: 5, 'facet.field': ['tags', 'organization'] }],
    ['package_search', {}],
    ['package_list', {}],
    ['organization_list', { all_fields: true }],
    ['organization_show', { id: 'exat' }],
    ['group_list', { all_fields: true }],
    ['tag_list', {}],
    ['user_show', {}],
    ['user_show', { id: 'admin' }],
    ['current_package_list_with_resources', { limit: 3 }],
    ['help_show', { name: 'package_show' }]
  ]
  for (const [name, body] of checks) {
    const action = ACTIONS.find((a) => a.name === name)
    if (!action) { t.fail(`no action ${name}`); continue }
    const res = await call(name, body, admin)
    t.equal(res.statusCode, 200, `${name} ${JSON.stringify(body)}`)
    const result = json(res).result
    const errors = [...Value.Errors(action.result, result)].slice(0, 3)
    t.ok(Value.Check(action.result, result), `${name} ${JSON.stringify(body)} ${JSON.stringify(errors)}`)
  }
  // the search found something, so the check covered real package dicts
  const search = json(await call('package_search', {}, admin)).result
  t.ok(search.count > 0)
  t.ok(search.results[0].resources.length > 0)
})
