import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build, fails, json, ok, type TestApp } from '../helper.js'

async function dataset (call: TestApp['call'], name: string, extra: Record<string, unknown> = {}, token?: string) {
  return ok(await call('package_create', { name, title: name, ...extra }, token))
}

t.test('organization_create and group_create', async (t) => {
  const { call, user } = await build(t)
  const somchai = await user('somchai')

  for (const action of ['organization_create', 'group_create']) {
    t.match(fails(await call(action, { name: 'nope' }, somchai.token), 403), { __type: 'Authorization Error', message: /^Access denied: User somchai not authorized/ })
    t.match(fails(await call(action, { name: 'nope' }, null), 403), { message: /^Access denied: User {2}not authorized/ })
  }

  t.same(fails(await call('organization_create', {}), 409), { name: ['Missing value'], __type: 'Validation Error' })
  t.same(fails(await call('organization_create', { name: 'x' }), 409).name, ['Must be at least 2 characters long'])
  t.same(fails(await call('organization_create', { name: 'new' }), 409).name, ['That name cannot be used'])
  t.same(fails(await call('group_create', { name: 'Bad Name' }), 409).name,
    ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'])
  t.same(fails(await call('group_create', { name: 'a'.repeat(101) }), 409).name, ['Name must be a maximum of 100 characters long'])

  const org = ok(await call('organization_create', {
    name: 'exat',
    title: 'การทางพิเศษแห่งประเทศไทย',
    description: 'Expressway Authority of Thailand',
    extras: [{ key: 'ministry', value: 'คมนาคม' }],
    users: [{ name: 'somchai', capacity: 'editor' }]
  }))
  t.match(org, {
    name: 'exat',
    title: 'การทางพิเศษแห่งประเทศไทย',
    display_name: 'การทางพิเศษแห่งประเทศไทย',
    description: 'Expressway Authority of Thailand',
    is_organization: true,
    type: 'organization',
    state: 'active',
    approval_status: 'approved',
    package_count: 0,
    num_followers: 0,
    extras: [{ key: 'ministry', value: 'คมนาคม', state: 'active' }],
    tags: [],
    groups: []
  })
  t.match(org.id, /^[0-9a-f-]{36}$/)
  // the creator becomes an admin; listed users are added with their capacity
  const caps = Object.fromEntries(org.users.map((u: any) => [u.name, u.capacity]))
  t.same(caps, { admin: 'admin', somchai: 'editor' })
  const member = org.users.find((u: any) => u.name === 'somchai')
  t.same(Object.keys(member), [...Object.keys(member)].sort(), 'member dicts are alphabetical')
  t.notOk('password_hash' in member)

  t.same(fails(await call('organization_create', { name: 'exat' }), 409), { name: ['Group name already exists in database'], __type: 'Validation Error' })
  // organizations and groups share one namespace, as in CKAN
  t.same(fails(await call('group_create', { name: 'exat' }), 409).name, ['Group name already exists in database'])

  const group = ok(await call('group_create', { name: 'logistic', title: 'คมนาคมและโลจิสติกส์' }))
  t.match(group, { name: 'logistic', is_organization: false, type: 'group', package_count: 0 })
  t.same(group.users.map((u: any) => [u.name, u.capacity]), [['admin', 'admin']])

  const second = await user('root2', { sysadmin: true })
  const org2 = ok(await call('organization_create', { name: 'dlt' }, second.token))
  t.equal(org2.display_name, 'dlt', 'display_name falls back to the name')
  t.same(org2.users.map((u: any) => [u.name, u.capacity]), [['root2', 'admin']])

  // a sysadmin may choose the id
  const id = randomUUID()
  t.equal(ok(await call('group_create', { id, name: 'chosen-id' })).id, id)
})

t.test('organization_show and group_show', async (t) => {
  const { app, call, user } = await build(t)
  const editor = await user('editor')
  const outsider = await user('outsider')
  const org = ok(await call('organization_create', { name: 'big-org', title: 'Big', users: [{ name: 'editor', capacity: 'editor' }] }))
  const small = ok(await call('organization_create', { name: 'small-org', users: [{ name: 'editor', capacity: 'member' }] }))
  const group = ok(await call('group_create', { name: 'health', title: 'สาธารณสุข' }))

  for (let i = 0; i < 12; i++) await dataset(call, `big-${i}`, { owner_org: 'big-org', groups: i < 3 ? [{ name: 'health' }] : [] })
  await dataset(call, 'small-public', { owner_org: 'small-org', groups: [{ name: 'health' }] })
  await dataset(call, 'small-private', { owner_org: 'small-org', private: true, groups: [{ name: 'health' }] })

  const anon = ok(await call('organization_show', { id: 'big-org', include_datasets: true }, null))
  t.equal(anon.packages.length, 10, 'include_datasets adds at most 10 datasets')
  t.equal(anon.package_count, 12)
  t.equal(anon.id, org.id)
  t.ok(anon.packages.every((p: any) => p.owner_org === org.id && p.organization.name === 'big-org'))
  t.same(Object.keys(anon).slice(-5), ['users', 'extras', 'tags', 'groups', 'packages'])

  t.notOk('packages' in ok(await call('organization_show', { id: 'big-org' }, null)), 'no datasets unless asked')
  const byId = ok(await call('organization_show', { id: org.id, include_dataset_count: false, include_users: false }, null))
  t.notOk('package_count' in byId)
  t.notOk('users' in byId)
  t.equal(byId.name, 'big-org')
  // parameters arrive as strings on GET
  const get = json(await app.inject('/api/3/action/organization_show?id=big-org&include_datasets=true&include_users=false'))
  t.equal(get.result.packages.length, 10)
  t.notOk('users' in get.result)

  const names = (r: any) => r.packages.map((p: any) => p.name).sort()
  // private datasets appear in organization_show for the organization's members only
  t.same(names(ok(await call('organization_show', { id: 'small-org', include_datasets: true }, null))), ['small-public'])
  t.same(names(ok(await call('organization_show', { id: 'small-org', include_datasets: true }, outsider.token))), ['small-public'])
  t.same(names(ok(await call('organization_show', { id: 'small-org', include_datasets: true }, editor.token))), ['small-private', 'small-public'])
  t.same(names(ok(await call('organization_show', { id: small.id, include_datasets: 'true' }))), ['small-private', 'small-public'])
  // and so does package_count, as CKAN counts through the same search
  t.equal(ok(await call('organization_show', { id: 'small-org' }, null)).package_count, 1)
  t.equal(ok(await call('organization_show', { id: 'small-org' }, outsider.token)).package_count, 1)
  t.equal(ok(await call('organization_show', { id: 'small-org' }, editor.token)).package_count, 2)
  t.equal(ok(await call('organization_show', { id: 'small-org' })).package_count, 2)
  // group_show lists public datasets only, even for sysadmins
  const g = ok(await call('group_show', { id: 'health', include_datasets: true }))
  t.same(names(g), ['big-0', 'big-1', 'big-2', 'small-public'])
  t.equal(g.package_count, 4)
  t.equal(g.id, group.id)
  t.equal(g.is_organization, false)

  t.same(fails(await call('organization_show', { id: 'nope' }, null), 404), { __type: 'Not Found Error', message: 'Not found' })
  fails(await call('group_show', { id: org.id }), 404)
  fails(await call('group_show', { id: 'big-org' }), 404)
  fails(await call('organization_show', { id: 'health' }), 404)
  t.same(fails(await call('organization_show', {}), 409), { id: ['Missing value'], __type: 'Validation Error' })
  t.same(fails(await call('organization_show', { id: 'big-org', include_datasets: 'maybe' }), 409).include_datasets, ['Parameter is not an bool'])

  ok(await call('organization_create', { name: 'gone' }))
  t.equal(ok(await call('organization_delete', { id: 'gone' })), null)
  t.match(fails(await call('organization_show', { id: 'gone' }, null), 403), { __type: 'Authorization Error', message: /^Access denied: / })
  fails(await call('organization_show', { id: 'gone' }, outsider.token), 403)
  t.equal(ok(await call('organization_show', { id: 'gone' })).state, 'deleted', 'sysadmins still see a deleted organization')
})

t.test('organization_list and group_list', async (t) => {
  const { app, call, db } = await build(t)
  // names sort differently from titles, so the default (title) order is visible
  ok(await call('organization_create', { name: 'zz-alpha', title: 'Alpha' }))
  ok(await call('organization_create', { name: 'mm-bravo', title: 'Bravo' }))
  ok(await call('organization_create', { name: 'aa-charlie', title: 'Charlie', description: 'Third' }))
  ok(await call('organization_create', { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' }))
  ok(await call('group_create', { name: 'logistic', title: 'Logistics' }))
  await dataset(call, 'c1', { owner_org: 'aa-charlie', groups: [{ name: 'logistic' }] })
  await dataset(call, 'c2', { owner_org: 'aa-charlie' })
  await dataset(call, 'c3', { owner_org: 'aa-charlie', private: true })
  await dataset(call, 'a1', { owner_org: 'zz-alpha' })

  const list = async (body: Record<string, unknown>) => ok(await call('organization_list', body, null))
  t.same(await list({}), ['zz-alpha', 'mm-bravo', 'aa-charlie', 'exat'], 'title asc by default')
  t.same(await list({ sort: 'title desc' }), ['exat', 'aa-charlie', 'mm-bravo', 'zz-alpha'])
  t.same(await list({ sort: 'name desc' }), ['zz-alpha', 'mm-bravo', 'exat', 'aa-charlie'])
  t.same(await list({ sort: 'name' }), ['aa-charlie', 'exat', 'mm-bravo', 'zz-alpha'])
  t.same(await list({ order_by: 'name' }), ['aa-charlie', 'exat', 'mm-bravo', 'zz-alpha'], 'order_by is an alias of sort')
  // a bare package_count sorts descending; private datasets do not count
  t.same((await list({ sort: 'package_count' })).slice(0, 2), ['aa-charlie', 'zz-alpha'])
  const asc = await list({ sort: 'packages asc' })
  t.ok(asc.indexOf('zz-alpha') < asc.indexOf('aa-charlie'), 'packages is an alias of package_count')

  t.same(fails(await call('organization_list', { sort: 'foo' }), 409), { message: 'Cannot sort by field `foo`', __type: 'Validation Error' })
  t.same(fails(await call('organization_list', { sort: 'name up' }), 409).message, 'Invalid sort direction `up`')
  t.same(fails(await call('group_list', { sort: 'name asc, title desc' }), 409).message, 'Too many sort criteria provided only 1 allowed')
  t.same(fails(await call('organization_list', { limit: -1 }), 409).limit, ['Must be a natural number'])
  t.same(fails(await call('organization_list', { offset: 'x' }), 409).offset, ['Invalid integer'])

  t.same(await list({ limit: 2 }), ['zz-alpha', 'mm-bravo'])
  t.same(await list({ limit: 1, offset: 1 }), ['mm-bravo'])
  t.same(await list({ offset: 3 }), ['exat'])
  t.same(await list({ q: 'ทางพิเศษ' }), ['exat'], 'q matches Thai titles')
  t.same(await list({ q: 'CHAR' }), ['aa-charlie'], 'q is case-insensitive')
  t.same(await list({ q: 'third' }), ['aa-charlie'], 'q matches descriptions')
  t.same(await list({ q: '%' }), [], 'q is a literal substring')
  t.same(await list({ organizations: ['aa-charlie', 'zz-alpha'] }), ['zz-alpha', 'aa-charlie'])

  const get = json(await app.inject('/api/3/action/organization_list?sort=name%20desc&limit=2&offset=1'))
  t.same(get.result, ['mm-bravo', 'exat'], 'GET parameters are coerced')

  const full = await list({ all_fields: true })
  t.equal(full.length, 4)
  const charlie = full.find((o: any) => o.name === 'aa-charlie')
  t.equal(charlie.package_count, 2)
  t.equal(charlie.description, 'Third')
  t.equal(charlie.num_followers, 0)
  for (const k of ['users', 'extras', 'tags', 'groups', 'packages']) t.notOk(k in charlie, `all_fields has no ${k}`)
  t.notOk('package_count' in (await list({ all_fields: true, include_dataset_count: false }))[0])

  // group_list lists groups only, and organization_list organizations only
  t.same(ok(await call('group_list', {}, null)), ['logistic'])
  const groups = ok(await call('group_list', { all_fields: true }))
  t.match(groups, [{ name: 'logistic', is_organization: false, package_count: 1 }])

  // all_fields is capped at 25; names alone at 1000
  const rows = Array.from({ length: 30 }, (_, i) => ({
    id: randomUUID(), name: `bulk-${String(i).padStart(2, '0')}`, title: `Zulu ${String(i).padStart(2, '0')}`, type: 'organization', is_organization: true
  }))
  await db.kysely.insertInto('groups').values(rows).execute()
  t.equal((await list({})).length, 34)
  t.equal((await list({ limit: 100 })).length, 34)
  t.equal((await list({ all_fields: true, limit: 100 })).length, 25)
  t.equal((await list({ all_fields: true })).length, 25)
  t.same((await list({ all_fields: true, offset: 31 })).map((o: any) => o.name), ['bulk-28', 'bulk-29', 'exat'])
  t.same((await list({ all_fields: true, limit: 3 })).map((o: any) => o.name), ['zz-alpha', 'mm-bravo', 'aa-charlie'])
})

t.test('update, delete and purge', async (t) => {
  const { call, user } = await build(t)
  const boss = await user('boss')
  const editor = await user('editor')
  const org = ok(await call('organization_create', { name: 'exat', title: 'Old title', users: [{ name: 'boss', capacity: 'admin' }, { name: 'editor', capacity: 'editor' }] }))
  ok(await call('group_create', { name: 'logistic', title: 'Old group', users: [{ name: 'boss', capacity: 'admin' }] }))
  await dataset(call, 'ds1', { owner_org: 'exat', groups: [{ name: 'logistic' }] })

  t.match(fails(await call('organization_update', { id: 'exat', title: 'x' }, editor.token), 403), { message: `Access denied: User editor not authorized to edit organization ${org.id}` })
  fails(await call('organization_update', { id: 'exat', title: 'x' }, null), 403)
  t.same(fails(await call('organization_update', { id: 'nope', title: 'x' }), 404).message, 'Not found: Organization was not found.')
  t.same(fails(await call('group_update', { id: 'exat', title: 'x' }), 404).message, 'Not found: Group was not found.')

  const updated = ok(await call('organization_update', { id: 'exat', title: 'การทางพิเศษแห่งประเทศไทย' }, boss.token))
  t.equal(updated.title, 'การทางพิเศษแห่งประเทศไทย')
  t.equal(updated.id, org.id)
  t.equal(updated.name, 'exat')
  // datasets embed their organization and groups: the new titles show at once
  t.equal(ok(await call('package_show', { id: 'ds1' }, null)).organization.title, 'การทางพิเศษแห่งประเทศไทย')
  ok(await call('group_update', { id: 'logistic', title: 'คมนาคม' }, boss.token))
  t.same(ok(await call('package_show', { id: 'ds1' }, null)).groups.map((g: any) => g.title), ['คมนาคม'])
  const found = ok(await call('package_search', {}, null)).results.find((p: any) => p.name === 'ds1')
  t.equal(found.organization.title, 'การทางพิเศษแห่งประเทศไทย', 'search results are refreshed too')

  t.match(fails(await call('organization_delete', { id: 'exat' }, editor.token), 403), { __type: 'Authorization Error' })
  t.same(fails(await call('organization_delete', { id: 'exat' }), 409), { message: 'Organization cannot be deleted while it still has datasets', __type: 'Validation Error' })
  ok(await call('package_delete', { id: 'ds1' }))
  t.equal(ok(await call('organization_delete', { id: 'exat' }, boss.token)), null)
  t.equal(ok(await call('organization_show', { id: 'exat' })).state, 'deleted')
  t.same(ok(await call('organization_list', {})), [], 'deleted organizations are not listed')
  fails(await call('organization_delete', { id: 'nope' }), 404)

  t.equal(ok(await call('group_delete', { id: 'logistic' }, boss.token)), null)
  t.equal(ok(await call('group_show', { id: 'logistic' })).state, 'deleted')
  t.same(ok(await call('group_list', {})), [])

  // purge: sysadmins only; the organization's datasets stay, without an owner
  const purge = ok(await call('organization_create', { name: 'purge-me', users: [{ name: 'boss', capacity: 'admin' }] }))
  ok(await call('group_create', { name: 'purge-group', users: [{ name: 'boss', capacity: 'admin' }] }))
  await dataset(call, 'orphan', { owner_org: 'purge-me', groups: [{ name: 'purge-group' }] })
  t.match(fails(await call('organization_purge', { id: 'purge-me' }, boss.token), 403), { message: 'Access denied: User boss not authorized to purge organizations' })
  fails(await call('group_purge', { id: 'purge-group' }, boss.token), 403)
  fails(await call('organization_purge', { id: 'purge-me' }, null), 403)
  t.same(fails(await call('organization_purge', {}), 409), { id: ['Missing value'], __type: 'Validation Error' })
  fails(await call('organization_purge', { id: 'nope' }), 404)
  // organization_purge does not purge groups
  fails(await call('organization_purge', { id: 'purge-group' }), 404)

  t.equal(ok(await call('organization_purge', { id: purge.id })), null)
  fails(await call('organization_show', { id: 'purge-me' }), 404)
  let orphan = ok(await call('package_show', { id: 'orphan' }))
  t.equal(orphan.owner_org, null)
  t.equal(orphan.organization, null)
  t.same(orphan.groups.map((g: any) => g.name), ['purge-group'])

  t.equal(ok(await call('group_purge', { id: 'purge-group' })), null)
  fails(await call('group_show', { id: 'purge-group' }), 404)
  orphan = ok(await call('package_show', { id: 'orphan' }))
  t.same(orphan.groups, [])
  // a purged name is free again
  ok(await call('organization_create', { name: 'purge-me' }))
})

t.test('memberships: organization_list_for_user, member_create, organization_member_create', async (t) => {
  const { call, user } = await build(t)
  const boss = await user('boss')
  const editor = await user('editor')
  const reader = await user('reader')
  const org1 = ok(await call('organization_create', { name: 'org-one', title: 'One', users: [{ name: 'boss', capacity: 'admin' }, { name: 'editor', capacity: 'editor' }] }))
  const org2 = ok(await call('organization_create', { name: 'org-two', title: 'Two', users: [{ name: 'editor', capacity: 'member' }, { name: 'reader', capacity: 'member' }] }))
  ok(await call('organization_create', { name: 'org-three', title: 'Three' }))
  ok(await call('group_create', { name: 'logistic', users: [{ name: 'boss', capacity: 'admin' }] }))

  const forUser = async (token: string | null, body: Record<string, unknown> = {}) =>
    ok(await call('organization_list_for_user', body, token)).map((o: any) => o.name)
  t.same(await forUser(editor.token), [], 'default permission is manage_group')
  t.same(await forUser(editor.token, { permission: 'create_dataset' }), ['org-one'])
  t.same(await forUser(editor.token, { permission: 'read' }), ['org-one', 'org-two'])
  t.same(await forUser(boss.token), ['org-one'])
  t.same(await forUser(reader.token, { permission: 'read' }), ['org-two'])
  t.same(await forUser(reader.token, { permission: 'create_dataset' }), [])
  t.same(await forUser(null), [])
  t.same(await forUser(editor.token, { id: 'boss' }), ['org-one'], 'another user by name')
  t.same(await forUser(null, { id: reader.id, permission: 'read' }), ['org-two'], 'another user by id')
  t.same(await forUser(null, { id: 'admin' }), ['org-one', 'org-three', 'org-two'], 'a sysadmin has every organization')
  fails(await call('organization_list_for_user', { id: 'nobody' }), 404)
  const withCount = ok(await call('organization_list_for_user', { permission: 'read', include_dataset_count: true }, reader.token))
  t.match(withCount, [{ name: 'org-two', package_count: 0, is_organization: true }])

  // member_create: users into organizations with a capacity
  const m = ok(await call('member_create', { id: 'org-two', object: 'reader', object_type: 'user', capacity: 'editor' }))
  t.same(m, { id: `${org2.id}:${reader.id}`, table_name: 'user', table_id: reader.id, capacity: 'editor', group_id: org2.id, state: 'active' })
  t.same(await forUser(reader.token, { permission: 'create_dataset' }), ['org-two'])
  const shown = ok(await call('organization_show', { id: 'org-two' }))
  t.equal(shown.users.find((u: any) => u.name === 'reader').capacity, 'editor')

  // and datasets into groups
  const ds = await dataset(call, 'ds', { owner_org: 'org-one' }, editor.token)
  const logistic = ok(await call('group_show', { id: 'logistic' }))
  const pm = ok(await call('member_create', { id: 'logistic', object: 'ds', object_type: 'package', capacity: 'public' }, boss.token))
  t.match(pm, { table_name: 'package', table_id: ds.id, group_id: logistic.id, state: 'active' })
  t.same(ok(await call('package_show', { id: 'ds' }, null)).groups.map((g: any) => g.name), ['logistic'])
  t.equal(ok(await call('group_show', { id: 'logistic' })).package_count, 1)

  t.same(fails(await call('member_create', { id: 'org-one', object: 'reader', object_type: 'foo', capacity: 'member' }), 409), { message: "Foo isn't a valid model", __type: 'Validation Error' })
  t.same(fails(await call('member_create', { id: 'nope', object: 'reader', object_type: 'user', capacity: 'member' }), 404), { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
  t.same(fails(await call('member_create', { id: 'org-one', object: 'nobody', object_type: 'user', capacity: 'member' }), 404).message, 'Not found: User was not found.')
  t.same(fails(await call('member_create', { id: 'logistic', object: 'nope', object_type: 'package', capacity: 'member' }), 404).message, 'Not found: Package was not found.')
  t.same(fails(await call('member_create', {}), 409), {
    id: ['Missing value'], object: ['Missing value'], object_type: ['Missing value'], capacity: ['Missing value'], __type: 'Validation Error'
  })
  t.match(fails(await call('member_create', { id: 'org-one', object: 'reader', object_type: 'user', capacity: 'member' }, editor.token), 403),
    { message: `Access denied: User editor not authorized to edit group ${org1.id}` })
  fails(await call('member_create', { id: 'org-one', object: 'reader', object_type: 'user', capacity: 'member' }, null), 403)
  t.same(fails(await call('member_create', { id: 'org-one', object: 'boss', object_type: 'user', capacity: 'member' }, boss.token), 403),
    { __type: 'Authorization Error', message: 'Access denied: Administrators cannot revoke their own admin status' })
  // an organization admin manages members
  t.equal(ok(await call('member_create', { id: 'org-one', object: 'reader', object_type: 'user', capacity: 'member' }, boss.token)).capacity, 'member')

  // organization_member_create: the same by username and role
  const om = ok(await call('organization_member_create', { id: 'org-three', username: 'editor', role: 'editor' }))
  t.match(om, { table_name: 'user', table_id: editor.id, capacity: 'editor', state: 'active' })
  t.ok((await forUser(editor.token, { permission: 'create_dataset' })).includes('org-three'))
  // a second call changes the role
  ok(await call('organization_member_create', { id: 'org-three', username: editor.id, role: 'admin' }))
  t.ok((await forUser(editor.token)).includes('org-three'))
  t.ok(fails(await call('organization_member_create', { id: 'org-three', username: 'reader', role: 'boss' }), 409).role)
  t.same(fails(await call('organization_member_create', { id: 'nope', username: 'reader', role: 'member' }), 404), { __type: 'Not Found Error', message: 'Not found: Organization not found' })
  fails(await call('organization_member_create', { id: 'logistic', username: 'reader', role: 'member' }), 404)
  t.match(fails(await call('organization_member_create', { id: 'org-three', username: 'nobody', role: 'member' }), 404).message, /^Not found: User/)
  fails(await call('organization_member_create', { id: 'org-one', username: 'reader', role: 'admin' }, reader.token), 403)
  t.same(fails(await call('organization_member_create', { id: 'org-one', username: 'boss', role: 'editor' }, boss.token), 403).message,
    'Access denied: Administrators cannot revoke their own admin status')
  t.same(fails(await call('organization_member_create', { id: 'org-one' }), 409), { username: ['Missing value'], role: ['Missing value'], __type: 'Validation Error' })
})
