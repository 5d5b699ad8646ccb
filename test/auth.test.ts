/**
 * Who may do what (ckan-action-api.md §2): the token headers, CKAN's silent
 * downgrade to anonymous, dataset visibility, organization roles, and an
 * access log that names the token by id only.
 */
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp, buildServerOptions } from '../src/app.js'
import { build, fixtureText, json } from './helper.js'

const siteless = (text: string) => text.replace(/http:\/\/(127\.0\.0\.1:\d+|test\.opend)/g, 'SITE')

const result = (res: { body: string }) => json(res as never).result

t.test('authentication and authorization', async (t) => {
  const { app, call, admin, user } = await build(t)
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers })

  await call('organization_create', { name: 'org-a', title: 'A' })
  await call('organization_create', { name: 'org-b', title: 'B' })
  const pub = result(await call('package_create', { name: 'pub-a', owner_org: 'org-a' }))
  const priv = result(await call('package_create', { name: 'priv-a', owner_org: 'org-a', private: true }))
  const draft = result(await call('package_create', { name: 'draft-a', owner_org: 'org-a', state: 'draft' }))
  const gone = result(await call('package_create', { name: 'gone-a', owner_org: 'org-a' }))
  t.equal((await call('package_delete', { id: 'gone-a' })).statusCode, 200)
  const privB = result(await call('package_create', { name: 'priv-b', owner_org: 'org-b', private: true }))
  t.equal(draft.state, 'draft')
  t.equal(priv.private, true)

  const editor = await user('eddie')
  const member = await user('mem')
  const outsider = await user('outsider')
  for (const [u, role] of [[editor, 'editor'], [member, 'member']] as const) {
    t.equal((await call('organization_member_create', { id: 'org-a', username: u.name, role })).statusCode, 200)
  }

  t.test('a token is accepted in any of the three headers', async (t) => {
    t.equal((await get('/api/3/action/package_show?id=priv-a')).statusCode, 403)
    for (const header of ['authorization', 'x-ckan-api-key', 'api-key', 'X-CKAN-API-Key', 'API-KEY']) {
      const res = await get('/api/3/action/package_show?id=priv-a', { [header]: admin })
      t.equal(res.statusCode, 200, header)
      t.equal(result(res).id, priv.id, header)
      // the caller is known: user_show without id is the caller, with the e-mail
      const me = await get('/api/3/action/user_show', { [header]: member.token })
      t.equal(me.statusCode, 200, header)
      t.equal(result(me).name, 'mem', header)
      t.equal(result(me).email, 'mem@example.org', header)
    }
    // the e-mail is for the user and sysadmins only
    t.notOk('email' in result(await get('/api/3/action/user_show?id=mem')))
    t.notOk('email' in result(await get('/api/3/action/user_show?id=mem', { authorization: outsider.token })))
    t.equal(result(await get('/api/3/action/user_show?id=mem', { authorization: admin })).email, 'mem@example.org')
  })

  t.test('a bad token is not an error: the call runs as anonymous', async (t) => {
    for (const value of [`Bearer ${admin}`, 'opend_nosuchtokenatallxxxxxxxxxxxxxxxxxxxxxxxx', 'garbage', admin.slice(0, -1) + (admin.endsWith('A') ? 'B' : 'A')]) {
      const shown = await get('/api/3/action/package_show?id=pub-a', { authorization: value })
      t.equal(shown.statusCode, 200, value)
      t.match(shown.headers['cache-control'], /^public/, 'answered as to anonymous')
      const denied = await get('/api/3/action/package_show?id=priv-a', { authorization: value })
      t.equal(denied.statusCode, 403, value)
      t.equal(json(denied).error.message, `Access denied: User  not authorized to read package ${priv.id}`)
      const me = await get('/api/3/action/user_show', { 'x-ckan-api-key': value })
      t.equal(me.statusCode, 404, value)
    }
  })

  t.test('anonymous callers see active public datasets only', async (t) => {
    for (const pkg of [priv, draft, gone]) {
      for (const ref of [pkg.id, pkg.name]) {
        const res = await call('package_show', { id: ref }, null)
        t.equal(res.statusCode, 403, `${pkg.name} by ${ref}`)
        t.same(json(res).error, { __type: 'Authorization Error', message: `Access denied: User  not authorized to read package ${pkg.id}` })
      }
    }
    const missing = await call('package_show', { id: 'no-such-dataset' }, null)
    t.equal(missing.statusCode, 404)
    t.same(json(missing).error, { __type: 'Not Found Error', message: 'Not found' })
    t.equal((await call('package_show', { id: pub.id }, null)).statusCode, 200)
    // an outsider is no better off than anonymous
    const out = await call('package_show', { id: 'priv-a' }, outsider.token)
    t.equal(out.statusCode, 403)
    t.equal(json(out).error.message, `Access denied: User outsider not authorized to read package ${priv.id}`)
    const search = result(await call('package_search', { include_private: true, include_drafts: true }, null))
    t.same(search.results.map((p: { name: string }) => p.name), ['pub-a'])
  })

  t.test('organization members read their private datasets', async (t) => {
    for (const u of [member, editor]) {
      const res = await call('package_show', { id: 'priv-a' }, u.token)
      t.equal(res.statusCode, 200, u.name)
      const other = await call('package_show', { id: 'priv-b' }, u.token)
      t.equal(other.statusCode, 403, `${u.name}: not another organization's`)
      t.equal(json(other).error.message, `Access denied: User ${u.name} not authorized to read package ${privB.id}`)
    }
    const search = result(await call('package_search', { include_private: true }, member.token))
    t.same(search.results.map((p: { name: string }) => p.name).sort(), ['priv-a', 'pub-a'])
  })

  t.test('editors write in their organization only', async (t) => {
    const created = await call('package_create', { name: 'by-eddie', owner_org: 'org-a' }, editor.token)
    t.equal(created.statusCode, 200)
    t.equal(result(created).creator_user_id, editor.id)
    const updated = await call('package_patch', { id: 'priv-a', notes: 'edited' }, editor.token)
    t.equal(updated.statusCode, 200)
    t.equal(result(updated).notes, 'edited')

    const elsewhere = await call('package_create', { name: 'eddie-in-b', owner_org: 'org-b' }, editor.token)
    t.equal(elsewhere.statusCode, 409)
    t.same(json(elsewhere).error, { owner_org: ['You cannot add a dataset to this organization'], __type: 'Validation Error' })
    const moved = await call('package_patch', { id: 'pub-a', owner_org: 'org-b' }, editor.token)
    t.equal(moved.statusCode, 409)
    t.same(json(moved).error.owner_org, ['You cannot add a dataset to this organization'])
    const foreign = await call('package_patch', { id: 'priv-b', notes: 'x' }, editor.token)
    t.equal(foreign.statusCode, 403)
    t.equal(json(foreign).error.__type, 'Authorization Error')
    t.notOk(json(await call('package_show', { id: 'priv-b' })).result.notes)
    // editors manage datasets, not the organization
    t.equal((await call('organization_member_create', { id: 'org-a', username: 'outsider', role: 'member' }, editor.token)).statusCode, 403)
  })

  t.test('plain members and outsiders cannot create datasets', async (t) => {
    for (const u of [member, outsider]) {
      const res = await call('package_create', { name: `by-${u.name}`, owner_org: 'org-a' }, u.token)
      t.equal(res.statusCode, 403, u.name)
      t.same(json(res).error, { __type: 'Authorization Error', message: `Access denied: User ${u.name} not authorized to create packages` })
      t.equal((await call('package_patch', { id: 'pub-a', notes: 'x' }, u.token)).statusCode, 403, u.name)
    }
    t.equal((await call('package_show', { id: 'by-mem' })).statusCode, 404)
  })

  t.test('sysadmins may do anything', async (t) => {
    t.equal((await call('package_create', { name: 'admin-in-b', owner_org: 'org-b', private: true })).statusCode, 200)
    t.equal((await call('package_patch', { id: 'priv-b', notes: 'by admin' })).statusCode, 200)
    t.equal((await call('package_show', { id: 'draft-a' })).statusCode, 200)
    t.equal((await call('package_show', { id: 'gone-a' })).statusCode, 200)
    t.equal((await call('organization_member_create', { id: 'org-b', username: 'outsider', role: 'admin' })).statusCode, 200)
    const tokens = await call('api_token_list', { user_id: 'mem' })
    t.equal(tokens.statusCode, 200)
    t.equal(result(tokens).length, 1)
    t.equal((await call('package_delete', { id: 'admin-in-b' })).statusCode, 200)
    t.equal((await call('dataset_purge', { id: 'admin-in-b' })).statusCode, 200)
    t.equal((await call('package_show', { id: 'admin-in-b' })).statusCode, 404)
    // and now the outsider administers org-b
    t.equal((await call('package_show', { id: 'priv-b' }, outsider.token)).statusCode, 200)
  })

  t.test('package_list never lists private, draft or deleted datasets', async (t) => {
    for (const token of [null, member.token, admin]) {
      const names = result(await call('package_list', {}, token))
      t.same(names, ['by-eddie', 'pub-a'], token ? 'with a token' : 'anonymous')
    }
  })

  t.test('anonymous writes and token lists are refused as CKAN does', async (t) => {
    const create = await app.inject({ method: 'POST', url: '/api/3/action/package_create', payload: { name: 'anon-ds', owner_org: 'org-a' } })
    t.equal(create.statusCode, 403)
    t.equal(siteless(create.body), siteless(fixtureText('package_create_noauth.json')))
    const tokens = await get('/api/3/action/api_token_list?user_id=admin')
    t.equal(tokens.statusCode, 403)
    t.equal(siteless(tokens.body), siteless(fixtureText('api_token_list_anonymous.json')))
    // nor may one user list another's tokens
    t.equal((await get('/api/3/action/api_token_list?user_id=admin', { authorization: member.token })).statusCode, 403)
    t.equal((await get('/api/3/action/api_token_list?user_id=mem', { authorization: member.token })).statusCode, 200)
  })
})

t.test('the access log names the token by id, never the token', async (t) => {
  const { db, config, user } = await build(t)
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done() }
  })
  // the production logger options (redaction included), writing to memory
  const logger = { ...(buildServerOptions(config).logger as object), level: 'info', stream }
  const app = await buildApp(config, db, { closeDb: false, logger })
  t.teardown(() => app.close())
  const u = await user('logged')
  const tokens = await app.inject({ url: '/api/3/action/api_token_list?user_id=logged', headers: { authorization: u.token } })
  const tokenId = json(tokens).result[0].id
  t.ok(tokenId)
  await app.inject({ url: '/api/3/action/package_list', headers: { 'x-ckan-api-key': u.token } })
  await app.inject({ method: 'POST', url: '/api/action/package_show', headers: { 'api-key': u.token }, payload: { id: 'nope' } })
  await app.inject({ url: `/api/3/action/status_show?api_key=${u.token}`, headers: { authorization: `Bearer ${u.token}` } })
  await app.inject({ url: '/api/3/action/no_such_action', headers: { authorization: u.token } })

  t.ok(lines.length >= 5)
  for (const line of lines) t.notOk(line.includes(u.token), 'no line carries the token')
  t.notOk(lines.join('\n').includes(u.token.slice(8)), 'nor the secret part of it')
  const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request')
  t.same(access.slice(0, 4).map((l) => [l.action, l.status, l.token_id]), [
    ['api_token_list', 200, tokenId],
    ['package_list', 200, tokenId],
    ['package_show', 404, tokenId],
    // a "Bearer" header is no token at all
    ['status_show', 200, null]
  ])
  t.match(access[4], { action: 'no_such_action', status: 400 })
  t.ok(access.every((l) => typeof l.ms === 'number' && l.method && l.url))
  t.equal(access[0].user, 'logged')
  t.match(access[3].url, /api_key=\[redacted\]/)
})

t.test('data.go.th clients may send the key as ?api-key= (or api_key)', async (t) => {
  const { app, call, user } = await build(t)
  const somchai = await user('somchai')
  await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' })
  await call('package_create', { name: 'adresit', owner_org: 'exat', private: true })
  await call('organization_member_create', { id: 'exat', username: 'somchai', role: 'member' })

  const viaQuery = await app.inject(`/get-ckan/package_show?id=adresit&api-key=${somchai.token}`)
  t.equal(viaQuery.statusCode, 200, 'the key in the query string identifies the caller')
  const viaApiKey = await app.inject(`/api/3/action/package_show?id=adresit&api_key=${somchai.token}`)
  t.equal(viaApiKey.statusCode, 200)
  const search = await app.inject(`/get-ckan/package_search?q=adresit&include_private=true&api-key=${somchai.token}`)
  t.equal(search.statusCode, 200, 'package_search does not count the key as an unknown parameter')
  t.equal(JSON.parse(search.body).result.count, 1)
  const anonymous = await app.inject('/get-ckan/package_show?id=adresit&api-key=opend_not-a-real-key-at-all-xxxxxxxxxxxx')
  t.equal(anonymous.statusCode, 403, 'an unknown key is anonymous, as in CKAN')
  const posted = await app.inject({ method: 'POST', url: '/api/3/action/package_show', payload: { id: 'adresit', 'api-key': somchai.token } })
  t.equal(posted.statusCode, 200, 'also in a JSON body')
})
