import t from 'tap'
import { build, fails, fixture, json, ok, type TestApp } from '../helper.js'

const reference = fixture

// CKAN 2.10's user dict keys, in its order (reference §3.4)
const USER_KEYS = ['id', 'name', 'fullname', 'created', 'about', 'last_active', 'activity_streams_email_notifications', 'sysadmin',
  'state', 'image_url', 'display_name', 'email_hash', 'number_created_packages', 'image_display_url']
const SECRET_KEYS = ['password', 'password_hash', 'reset_key', 'apikey', 'plugin_extras']

t.test('status_show, site_read, license_list, help_show', async (t) => {
  const { app, call, config } = await build(t)

  const status = ok(await call('status_show', {}, null))
  t.same(Object.keys(status), Object.keys(reference('status_show.json').result), 'status_show keys in CKAN\'s order')
  t.match(status, { site_title: config.siteTitle, site_url: 'http://test.opend', error_emails_to: '', locale_default: 'en', ckan_version: '2.10.10' })
  t.ok(Array.isArray(status.extensions) && status.extensions.every((e: unknown) => typeof e === 'string'))
  // clients test for the plugin before calling the DataStore API
  t.ok(status.extensions.includes('datastore'))
  t.same(json(await app.inject('/api/3/action/status_show')).result, status, 'GET answers the same')

  const siteRead = await app.inject('/api/3/action/site_read')
  t.same(json(siteRead), { ...reference('site_read.json'), help: 'http://test.opend/api/3/action/help_show?name=site_read' })

  const licenses = ok(await call('license_list', {}, null))
  const expected = reference('license_list.json').result as Record<string, string>[]
  t.equal(expected.length, 15)
  for (let i = 0; i < expected.length; i++) {
    t.same(licenses[i], expected[i], `licence ${expected[i].id}`)
    t.same(Object.keys(licenses[i]), Object.keys(expected[i]), `licence ${expected[i].id}: key order`)
  }
  for (const l of licenses) {
    t.ok(Object.values(l).every((v) => typeof v === 'string'), `licence ${l.id}: every value is a string`)
    t.same(Object.keys(l), Object.keys(expected[0]))
  }
  const dga = licenses.findIndex((l: any) => l.id === 'DGA Open Government License')
  t.ok(dga >= 15, 'data.go.th licences follow CKAN\'s register')
  t.match(licenses[dga], { title: 'DGA Open Government License', od_conformance: 'approved' })
  t.equal(new Set(licenses.map((l: any) => l.id)).size, licenses.length, 'ids are unique')

  t.same(fails(await call('help_show', {}, null), 409), { name: ['Missing value'], __type: 'Validation Error' })
  t.same(fails(await call('help_show', { name: 'no_such_action' }, null), 404), { __type: 'Not Found Error', message: 'Not found: Action function not found' })
  const help = ok(await call('help_show', { name: 'package_show' }, null))
  t.type(help, 'string')
  t.ok(help.length > 0)
  t.equal(json(await app.inject('/api/3/action/help_show?name=package_show')).result, help)
})

t.test('tags: tag_list, tag_show, tag_delete', async (t) => {
  const { app, call, user } = await build(t)
  const somchai = await user('somchai')
  ok(await call('organization_create', { name: 'exat' }))
  const express = ok(await call('package_create', { name: 'expressway', owner_org: 'exat', tags: [{ name: 'ทางด่วน' }, { name: 'Traffic' }] }))
  ok(await call('package_create', { name: 'roads', owner_org: 'exat', tag_string: 'ทางหลวง,Traffic' }))
  ok(await call('package_create', { name: 'secret', owner_org: 'exat', private: true, tags: [{ name: 'hidden-tag' }] }))
  ok(await call('package_create', { name: 'old', owner_org: 'exat', tags: [{ name: 'obsolete' }] }))
  ok(await call('package_delete', { id: 'old' }))

  const names: string[] = ok(await call('tag_list', {}, null))
  t.ok(names.includes('ทางด่วน') && names.includes('ทางหลวง') && names.includes('Traffic'))
  t.notOk(names.includes('obsolete'), 'tags of deleted datasets are not listed')
  t.equal(names.filter((n) => n === 'Traffic').length, 1, 'each tag once')
  t.same(ok(await call('tag_list', { query: 'ทาง' }, null)).sort(), ['ทางด่วน', 'ทางหลวง'], 'Thai substring')
  t.same(ok(await call('tag_list', { query: 'ด่วน' }, null)), ['ทางด่วน'])
  t.same(ok(await call('tag_list', { q: 'traf' }, null)), ['Traffic'], 'q is an alias, case-insensitive')
  t.same(ok(await call('tag_list', { query: '%' }, null)), [], 'the query is a literal substring')
  t.same(json(await app.inject(`/api/3/action/tag_list?query=${encodeURIComponent('ด่วน')}`)).result, ['ทางด่วน'])

  const all = ok(await call('tag_list', { query: 'ด่วน', all_fields: true }, null))
  t.equal(all.length, 1)
  t.same(Object.keys(all[0]).sort(), ['display_name', 'id', 'name', 'vocabulary_id'])
  t.match(all[0], { name: 'ทางด่วน', display_name: 'ทางด่วน', vocabulary_id: null })
  t.equal(all[0].id, express.tags.find((x: any) => x.name === 'ทางด่วน').id, 'the same id as in package_show')
  t.same(fails(await call('tag_list', { vocabulary_id: 'genres' }, null), 404), { __type: 'Not Found Error', message: "Not found: could not find vocabulary 'genres'" })

  const shown = ok(await call('tag_show', { id: 'ทางด่วน' }, null))
  t.same(shown, { id: all[0].id, name: 'ทางด่วน', vocabulary_id: null, display_name: 'ทางด่วน' })
  t.same(ok(await call('tag_show', { id: all[0].id }, null)).name, 'ทางด่วน', 'by id')
  const withDatasets = ok(await call('tag_show', { id: 'Traffic', include_datasets: true }, null))
  t.same(withDatasets.packages.map((p: any) => p.name).sort(), ['expressway', 'roads'])
  t.same(ok(await call('tag_show', { id: 'hidden-tag', include_datasets: true })).packages, [], 'public datasets only')
  t.same(fails(await call('tag_show', { id: 'nope' }, null), 404), { __type: 'Not Found Error', message: 'Not found' })
  t.same(fails(await call('tag_show', {}, null), 409).id, ['Missing value'])

  // an unknown tag is reported before the caller's rights are checked
  t.match(fails(await call('tag_delete', { id: 'nope' }, null), 404), { message: /^Not found/ })
  t.match(fails(await call('tag_delete', { id: 'Traffic' }, null), 403), { __type: 'Authorization Error' })
  fails(await call('tag_delete', { id: 'Traffic' }, somchai.token), 403)
  t.equal(fails(await call('tag_delete', {}), 409).id, 'id not in data')
  t.equal(ok(await call('tag_delete', { id: 'Traffic' })), null)
  const after = ok(await call('package_show', { id: 'expressway' }, null))
  t.same(after.tags.map((x: any) => x.name), ['ทางด่วน'], 'the tag is gone from the datasets')
  t.equal(after.num_tags, 1)
  t.same(ok(await call('package_show', { id: 'roads' }, null)).tags.map((x: any) => x.name), ['ทางหลวง'])
  t.notOk(ok(await call('tag_list', {}, null)).includes('Traffic'))
  fails(await call('tag_show', { id: 'Traffic' }, null), 404)
  t.equal(ok(await call('package_search', { fq: 'tags:Traffic' }, null)).count, 0, 'and from search')
})

async function createdBy (call: TestApp['call'], token: string) {
  ok(await call('organization_create', { name: 'exat', users: [{ name: 'somchai', capacity: 'editor' }] }))
  for (const name of ['pub-1', 'pub-2']) ok(await call('package_create', { name, owner_org: 'exat' }, token))
  ok(await call('package_create', { name: 'priv', owner_org: 'exat', private: true }, token))
  ok(await call('package_create', { name: 'gone', owner_org: 'exat' }, token))
  ok(await call('package_delete', { id: 'gone' }, token))
}

t.test('users: user_show and user_create', async (t) => {
  const { call, user } = await build(t)
  const somchai = await user('somchai', { email: 'somchai@example.go.th' })
  const other = await user('other')
  await createdBy(call, somchai.token)

  const noId = await call('user_show', {}, null)
  t.equal(noId.statusCode, 404)
  t.same(json(noId), { ...reference('user_show_anonymous_no_id.json'), help: 'http://test.opend/api/3/action/help_show?name=user_show' })

  const anon = ok(await call('user_show', { id: 'somchai' }, null))
  t.same(Object.keys(anon), USER_KEYS, 'the public key set, in CKAN\'s order')
  t.match(anon, { id: somchai.id, name: 'somchai', display_name: 'somchai', sysadmin: false, state: 'active', activity_streams_email_notifications: false })
  t.match(anon.email_hash, /^[0-9a-f]{32}$/)
  t.equal(anon.number_created_packages, 2, 'active public datasets only')
  t.equal(ok(await call('user_show', { id: somchai.id }, other.token)).number_created_packages, 2)
  t.notOk('email' in ok(await call('user_show', { id: 'somchai' }, other.token)), 'no e-mail for other users')

  const self = ok(await call('user_show', {}, somchai.token))
  t.same(Object.keys(self), [...USER_KEYS, 'email'], 'the caller by default, with the e-mail')
  t.equal(self.email, 'somchai@example.go.th')
  t.equal(self.number_created_packages, 3, 'the user counts their private datasets')
  const bySysadmin = ok(await call('user_show', { id: 'somchai' }))
  t.equal(bySysadmin.email, 'somchai@example.go.th')
  t.equal(bySysadmin.number_created_packages, 3)
  for (const d of [anon, self, bySysadmin]) {
    for (const k of SECRET_KEYS) t.notOk(k in d, `never ${k}`)
  }

  const names = (d: any) => d.datasets.map((p: any) => p.name).sort()
  t.same(names(ok(await call('user_show', { id: 'somchai', include_datasets: true }, null))), ['pub-1', 'pub-2'])
  t.same(names(ok(await call('user_show', { id: 'somchai', include_datasets: true }, somchai.token))), ['priv', 'pub-1', 'pub-2'])
  t.notOk('datasets' in anon)
  t.same(fails(await call('user_show', { id: 'nobody' }, null), 404), { __type: 'Not Found Error', message: 'Not found' })

  // user_create: sysadmins only, validated with CKAN's messages
  const body = { name: 'mana', email: 'mana@example.go.th', password: 'correct horse', fullname: 'มานะ ใจดี' }
  t.match(fails(await call('user_create', body, null), 403), { __type: 'Authorization Error', message: 'Access denied: User  not authorized to create users' })
  fails(await call('user_create', body, somchai.token), 403)
  t.same(fails(await call('user_create', {}), 409), { name: ['Missing value'], email: ['Missing value'], __type: 'Validation Error' })
  t.same(fails(await call('user_create', { ...body, name: 'Mana Jaidee' }), 409).name, ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'])
  t.same(fails(await call('user_create', { ...body, name: 'm' }), 409).name, ['Must be at least 2 characters long'])
  t.same(fails(await call('user_create', { ...body, email: 'not-an-email' }), 409).email, ['Email not-an-email is not a valid format'])
  t.same(fails(await call('user_create', { ...body, password: 'short' }), 409).password, ['Your password must be 8 characters or longer'])
  t.same(fails(await call('user_create', { ...body, name: 'somchai' }), 409), { name: ['That login name is not available.'], __type: 'Validation Error' })

  const created = ok(await call('user_create', body))
  t.match(created, { name: 'mana', fullname: 'มานะ ใจดี', display_name: 'มานะ ใจดี', email: 'mana@example.go.th', sysadmin: false, number_created_packages: 0 })
  for (const k of SECRET_KEYS) t.notOk(k in created, `never ${k}`)
  t.equal(ok(await call('user_show', { id: created.id }, null)).name, 'mana')
  t.equal(ok(await call('user_create', { name: 'root2', email: 'root2@example.org', sysadmin: true })).sysadmin, true)
})

t.test('API tokens: create, list, revoke', async (t) => {
  const { app, call, user } = await build(t)
  const somchai = await user('somchai')
  const other = await user('other')

  const created = ok(await call('api_token_create', { user: 'somchai', name: 'my script' }, somchai.token))
  t.same(Object.keys(created), ['token'])
  t.match(created.token, /^opend_[A-Za-z0-9_-]{40,}$/)
  // the new token authenticates at once, in any of the accepted headers
  t.equal(ok(await call('user_show', {}, created.token)).name, 'somchai')
  const viaHeader = await app.inject({ method: 'GET', url: '/api/3/action/user_show', headers: { 'x-ckan-api-key': created.token } })
  t.equal(json(viaHeader).result.name, 'somchai')

  t.match(fails(await call('api_token_create', { user: 'other', name: 'x' }, somchai.token), 403), { __type: 'Authorization Error' })
  fails(await call('api_token_create', { user: 'somchai', name: 'x' }, null), 403)
  t.same(fails(await call('api_token_create', { user: 'nobody', name: 'x' }), 404).message, 'Not found: User not found')
  t.same(fails(await call('api_token_create', { user: 'somchai' }, somchai.token), 409).name, ['Missing value'])
  const forOther = ok(await call('api_token_create', { user: other.id, name: 'made by a sysadmin' }))
  t.equal(ok(await call('user_show', {}, forOther.token)).name, 'other')

  const list = ok(await call('api_token_list', { user_id: 'somchai' }, somchai.token))
  t.equal(list.length, 2, 'the helper\'s token and the new one')
  for (const row of list) {
    // CKAN's fields, in CKAN's order, then opend's (issue #5)
    t.same(Object.keys(row), ['id', 'name', 'user_id', 'created_at', 'last_access', 'user_name', 'tier', 'state', 'expires_at'])
    t.equal(row.user_id, somchai.id)
    t.match(row.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
  }
  t.ok(list.some((r: any) => r.name === 'my script'))
  const text = JSON.stringify(list)
  t.notOk(text.includes(created.token) || text.includes(somchai.token), 'never the tokens themselves')
  t.notOk(/hash|prefix|"token"/.test(text))
  t.same(ok(await call('api_token_list', { user: somchai.id })).length, 2, 'sysadmins may list; legacy user parameter')
  t.same(json(await app.inject({ url: '/api/3/action/api_token_list?user_id=somchai', headers: { authorization: somchai.token } })).result.length, 2)
  fails(await call('api_token_list', { user_id: 'somchai' }, other.token), 403)
  const anon = await call('api_token_list', { user_id: 'somchai' }, null)
  t.equal(anon.statusCode, 403)
  t.same(json(anon), { ...reference('api_token_list_anonymous.json'), help: 'http://test.opend/api/3/action/help_show?name=api_token_list' })
  t.same(fails(await call('api_token_list', {}, somchai.token), 409), { user_id: ['Missing value'], __type: 'Validation Error' })

  // revoke by jti
  const jti = list.find((r: any) => r.name === 'my script').id
  t.match(fails(await call('api_token_revoke', { jti }, other.token), 403), { __type: 'Authorization Error' }, 'someone else\'s token')
  fails(await call('api_token_revoke', { jti }, null), 403)
  t.equal(ok(await call('api_token_revoke', { jti }, somchai.token)), null)
  // a revoked token is anonymous
  fails(await call('user_show', {}, created.token), 404)
  fails(await call('api_token_list', { user_id: 'somchai' }, created.token), 403)
  t.same(ok(await call('api_token_list', { user_id: 'somchai' }, somchai.token)).map((r: any) => r.name), ['test'])
  fails(await call('api_token_revoke', { jti }, somchai.token), 403)

  // revoke by the token itself
  fails(await call('api_token_revoke', { token: forOther.token }, somchai.token), 403)
  t.equal(ok(await call('user_show', {}, forOther.token)).name, 'other', 'a refused revoke leaves the token working')
  t.equal(ok(await call('api_token_revoke', { token: forOther.token }, other.token)), null)
  fails(await call('user_show', {}, forOther.token), 404)
  t.same(fails(await call('api_token_revoke', {}, somchai.token), 409).jti, ['Missing value'])
  fails(await call('api_token_revoke', { jti: 'no-such-token' }, somchai.token), 403)

  // sysadmins may revoke anyone's token
  const third = ok(await call('api_token_create', { user: 'somchai', name: 'third' }))
  t.equal(ok(await call('api_token_revoke', { token: third.token })), null)
  fails(await call('user_show', {}, third.token), 404)
})
