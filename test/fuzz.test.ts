/**
 * A deterministic malformed-request fuzz over every action in the registry:
 * wrong types for every declared parameter, hostile strings, absurd numbers
 * and nesting, undecodable bodies and odd content types, over GET and POST,
 * half with a sysadmin token and half anonymous. Every answer must be a
 * client error or success in JSON (never a 500), no write may succeed, and
 * the catalog must be byte-for-byte what it was before.
 */
import t from 'tap'
import { sql } from 'kysely'
import type { LightMyRequestResponse } from 'fastify'
import { ACTIONS } from '../src/actions/index.js'
import { loadDemo } from '../src/demo/load.js'
import { build } from './helper.js'

/** Sent for every declared parameter over POST; GET_VALUES also over GET for GET-able actions. */
const CORE_VALUES: unknown[] = [
  // 1e20 is what JSON's 99999999999999999999 parses to; RAW_NUMBERS sends the literal itself
  -1, 1e308, 1e20, true, null, { a: 1 }, ['a', 'b'],
  'maybe', 'a\u0000b', '\ud800', 'x'.repeat(10_000)
]
const GET_VALUES = new Set<unknown>([-1, 1e308, 1e20, { a: 1 }, 'maybe', 'x'.repeat(10_000)].map((v) => CORE_VALUES.find((c) => JSON.stringify(c) === JSON.stringify(v))))

/** More hostile values, spread over the parameters a few at a time to keep the run short. */
const EXTRA_VALUES: unknown[] = [
  1.5, false, [], [{}], '', 0, -1e308, 2 ** 53 + 1, { name: {} }, { id: ['x'] }, [1, 2], [null], [[['x']]], [{ name: 1 }],
  [{ key: {}, value: [] }], [{ name: 'ok-name', capacity: {} }], ' ', 'null', 'NaN', '-1', '1e308', '99999999999999999999', '0x10',
  '\u0000', 'x\udc00y', '\ud83d\ude00', 'ทดสอบ', 'Δ', 'a,b,,c', '[', '{', '{"a":', '[1,', '["a", {}]', '{"a": [1]}',
  "'; DROP TABLE packages; --", '%', '%_\\', 'name:x AND (', '*:*', 'id:"', 'title desc, name asc', 'asc desc',
  '../../etc/passwd', '<script>alert(1)</script>', 999999999999999, '2147483648', '-999999999999999', 'a:b:c', '"', '\\', '(', ')',
  '!', '&', '|', '<->', ':*', 'x:*', '-', '+', '~1', 'OR', 'NOT', '""'
]
const EXTRA_PER_PARAM = 2

/** Search parameters, parsed into SQL by opend itself, get every hostile string. */
const QUERY_PARAMS = new Set(['q', 'fq', 'fq_list', 'sort', 'order_by', 'query', 'fl', 'facet.field'])

/** JSON number literals that JSON.stringify cannot produce */
const RAW_NUMBERS = ['99999999999999999999', '99999999999999999999999', '1e400', '-1e400', '-0', '1E-400']

/**
 * Every request to a write action must fail. A sysadmin's request carries two
 * independent faults (a value no validator accepts), so that a fuzzed value
 * replacing one of them still leaves the other: validation runs over the
 * fuzzed field, and then refuses.
 */
function bases (resourceId: string, tag: string): Record<string, Record<string, unknown>> {
  const badName = 'Not A Valid Name!'
  return {
    package_create: { name: badName, owner_org: 'no-such-org-fuzz' },
    package_update: { id: 'adresit', name: badName, owner_org: 'no-such-org-fuzz' },
    package_patch: { id: 'adresit', name: badName, owner_org: 'no-such-org-fuzz' },
    resource_create: { package_id: 'adresit', created: 'not a date', last_modified: 'not a date either' },
    resource_update: { id: resourceId, created: 'not a date', last_modified: 'not a date either' },
    resource_patch: { id: resourceId, created: 'not a date', last_modified: 'not a date either' },
    organization_create: { name: badName, extras: 'not a list' },
    organization_update: { id: 'exat', name: badName, extras: 'not a list' },
    group_create: { name: badName, extras: 'not a list' },
    group_update: { id: 'logistic', name: badName, extras: 'not a list' },
    user_create: { name: badName, email: 'not-an-email' },
    api_token_create: { user: 'no-such-user-fuzz', name: 'fuzz' },
    member_create: { id: 'exat', object: 'no-such-user-fuzz', object_type: 'user', capacity: 'nonsense' },
    organization_member_create: { id: 'exat', username: 'no-such-user-fuzz', role: 'nonsense' },
    tag_delete: { id: 'no-such-tag-fuzz' },
    // reads start from something that exists, so the fuzz gets past the lookup
    package_show: { id: 'adresit' },
    resource_show: { id: resourceId },
    organization_show: { id: 'exat' },
    group_show: { id: 'logistic' },
    user_show: { id: 'admin' },
    tag_show: { id: tag },
    help_show: { name: 'package_show' },
    api_token_list: { user_id: 'admin' },
    organization_list_for_user: { id: 'admin' }
  }
}

/** A query string value for a JSON value, as a browser or curl would send it. */
function queryPairs (key: string, v: unknown): [string, string][] {
  if (Array.isArray(v)) return v.length ? v.map((x) => [key, typeof x === 'string' ? x : JSON.stringify(x)]) : [[key, '']]
  if (typeof v === 'string') return [[key, v]]
  return [[key, v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)]]
}

function query (obj: Record<string, unknown>): string {
  const pairs = Object.entries(obj).flatMap(([k, v]) => queryPairs(k, v))
  return new URLSearchParams(pairs).toString()
}

/** mulberry32: the same "random" bytes on every run */
function garbage (seed: number, n: number): Buffer {
  let a = seed
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    out[i] = ((x ^ (x >>> 14)) >>> 0) & 0xff
  }
  return out
}

/** a JSON body: the base request with `key` set to raw JSON text */
function withRaw (b: Record<string, unknown>, key: string, raw: string): string {
  const rest = { ...b }
  delete rest[key]
  const tail = JSON.stringify(rest).slice(1)
  return `{${JSON.stringify(key)}: ${raw}${tail === '}' ? '}' : ', ' + tail}`
}

interface Probe { method: 'GET' | 'POST', url: string, headers?: Record<string, string>, payload?: string | Buffer }

t.test('malformed requests to every action', async (t) => {
  const { app, db, config, admin } = await build(t)
  await loadDemo(db.kysely, config, app.log)
  const k = db.kysely
  const resourceId = (await k.selectFrom('resources').select('id').where('state', '=', 'active').orderBy('id').executeTakeFirstOrThrow()).id
  const tag = (await k.selectFrom('tags').select('name').orderBy('name').executeTakeFirstOrThrow()).name
  const base = bases(resourceId, tag)

  async function snapshot () {
    const list = async (name: string) => JSON.parse((await app.inject({ url: `/api/3/action/${name}?limit=1000`, headers: { authorization: admin } })).body).result
    const rows = async (q: string) => (await sql.raw<Record<string, unknown>>(q).execute(k)).rows
    return {
      package_list: await list('package_list'),
      organization_list: await list('organization_list'),
      group_list: await list('group_list'),
      counts: await rows(`SELECT (SELECT count(*) FROM packages)::int AS packages, (SELECT count(*) FROM resources)::int AS resources,
        (SELECT count(*) FROM groups)::int AS groups, (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tags)::int AS tags,
        (SELECT count(*) FROM api_tokens)::int AS api_tokens, (SELECT count(*) FROM group_members)::int AS group_members,
        (SELECT count(*) FROM package_tags)::int AS package_tags, (SELECT count(*) FROM package_groups)::int AS package_groups`),
      // the stored dicts and rows themselves, so that an update that slipped through shows too
      packages: await rows('SELECT id, name, state, private, owner_org, metadata_modified::text, md5(dict) AS dict FROM packages ORDER BY id'),
      resources: await rows('SELECT id, state, position, metadata_modified::text FROM resources ORDER BY id'),
      groups: await rows('SELECT id, name, title, description, state, extras::text FROM groups ORDER BY id'),
      users: await rows('SELECT id, name, email, state, sysadmin FROM users ORDER BY id'),
      members: await rows('SELECT group_id, user_id, capacity FROM group_members ORDER BY group_id, user_id')
    }
  }
  const before = await snapshot()
  t.ok(before.package_list.length > 10, 'the demo catalog is loaded')

  let sent = 0
  const started = performance.now()
  const failures: string[] = []
  const statuses = new Map<number, number>()
  const describe = (p: Probe) => `${p.method} ${p.url.slice(0, 160)} ${p.headers?.['content-type'] ?? ''} ${p.headers?.authorization ? 'admin' : 'anon'} ${String(p.payload ?? '').slice(0, 160)}`

  async function send (p: Probe, write: boolean): Promise<void> {
    const headers = { ...p.headers }
    // every other request is a sysadmin's
    if (sent++ % 2 === 0) headers.authorization = admin
    const probe = { ...p, headers }
    let res: LightMyRequestResponse
    try {
      res = await app.inject({ method: p.method, url: p.url, headers, payload: p.payload })
    } catch (e) {
      failures.push(`threw ${(e as Error).message}: ${describe(probe)}`)
      return
    }
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode >= 500) failures.push(`${res.statusCode} ${res.body.slice(0, 200)}: ${describe(probe)}`)
    if (write && res.statusCode < 300) failures.push(`write succeeded ${res.statusCode}: ${describe(probe)}`)
    let text = res.body
    const jsonp = /^application\/javascript/.test(String(res.headers['content-type']))
    if (jsonp) text = text.slice(text.indexOf('({"help": ') + 1, -2)
    try {
      JSON.parse(text)
    } catch {
      failures.push(`not JSON (${res.statusCode} ${res.headers['content-type']}) ${res.body.slice(0, 120)}: ${describe(probe)}`)
    }
    if (!jsonp && !/^application\/json/.test(String(res.headers['content-type']))) {
      failures.push(`content-type ${res.headers['content-type']}: ${describe(probe)}`)
    }
  }

  const jsonPost = (url: string, payload: string): Probe => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload })

  // rotates the extra values over all parameters of all actions
  let round = 0
  for (const action of ACTIONS) {
    const url = `/api/3/action/${action.name}`
    const write = !action.sideEffectFree
    const b = base[action.name] ?? {}
    const params = Object.keys(action.params.properties)
    // parameters that are not declared reach the handlers too
    for (const p of [...params, 'callback', '__proto__', 'constructor', 'undeclared']) {
      const declared = params.includes(p)
      const extra = Array.from({ length: EXTRA_PER_PARAM }, (_, i) => EXTRA_VALUES[(round * EXTRA_PER_PARAM + i) % EXTRA_VALUES.length])
      round++
      if (!declared) {
        for (const v of extra) await send(jsonPost(url, JSON.stringify({ ...b, [p]: v })), write)
        continue
      }
      for (const v of CORE_VALUES) {
        // a computed key, so that "__proto__" is an own property and is sent
        const body = { ...b, [p]: v }
        await send(jsonPost(url, JSON.stringify(body)), write)
        if (action.sideEffectFree && GET_VALUES.has(v)) await send({ method: 'GET', url: `${url}?${query(body)}` }, false)
      }
      // search parameters get every hostile string, by GET and POST in turn
      const more = action.sideEffectFree && QUERY_PARAMS.has(p) ? EXTRA_VALUES.filter((v) => typeof v === 'string') : extra
      for (const [i, v] of more.entries()) {
        const body = { ...b, [p]: v }
        await send(action.sideEffectFree && i % 2 === 0 ? { method: 'GET', url: `${url}?${query(body)}` } : jsonPost(url, JSON.stringify(body)), write)
      }
      await send(jsonPost(url, withRaw(b, p, RAW_NUMBERS[round % RAW_NUMBERS.length])), write)
      await send(jsonPost(url, withRaw(b, p, `${'['.repeat(1000)}${']'.repeat(1000)}`)), write)
      // a repeated key: a list of strings where one string is expected
      const q = new URLSearchParams({ ...Object.fromEntries(Object.entries(b).map(([key, v]) => [key, String(v)])) })
      q.append(p, 'a')
      q.append(p, 'b')
      await send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: q.toString() }, write)
      if (action.sideEffectFree) await send({ method: 'GET', url: `${url}?${q.toString()}` }, false)
    }

    // whole-request malformations
    const bodies: Probe[] = [
      jsonPost(url, `{"${params[0] ?? 'id'}": ${'{"a": '.repeat(1000)}1${'}'.repeat(1000)}}`),
      { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `${params[0] ?? 'id'}=%ZZ%E0%A4&${params[0] ?? 'id'}` },
      { method: 'POST', url },
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '' },
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: garbage(action.name.length, 512) },
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: Buffer.from('\ufeff{}') },
      { method: 'POST', url, headers: { 'content-type': 'application/json; charset=latin1' }, payload: '{"id": "caf\u00e9"}' },
      { method: 'POST', url, headers: { 'content-type': 'application/octet-stream' }, payload: garbage(7, 64) },
      { method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: '{}' },
      { method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, payload: garbage(action.name.length + 1, 300) },
      { method: 'POST', url, headers: { 'content-type': 'multipart/form-data' }, payload: '--xyz\r\n\r\n' },
      { method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, payload: '--xyz\r\nContent-Disposition: form-data; name="id"\r\n\r\n\u0000\r\n--xyz--\r\n' },
      { method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, payload: '--xyz\r\nContent-Disposition: form-data; name="upload"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n--xyz--\r\n' },
      { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: garbage(3, 100) },
      { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '{"id": [' },
      { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '[1]=' },
      jsonPost(url, '{"a": 1, "a": 2, "id": "x", "id": {}}'),
      jsonPost(url, `{${Array.from({ length: 2000 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`),
      jsonPost(url, `{"${'k'.repeat(10_000)}": 1}`),
      jsonPost(url, '{"\\u0000": 1}'),
      jsonPost(url, '{"id": "\\ud800\\udc00\\udfff"}'),
      jsonPost(url, JSON.stringify(Object.fromEntries(params.map((p) => [p, 'x'.repeat(10_000)])))),
      jsonPost(url, JSON.stringify(Object.fromEntries(params.map((p) => [p, { $ne: null }])))),
      jsonPost(url, `{"id": ${JSON.stringify(Array.from({ length: 10_000 }, (_, i) => String(i)))}}`),
      jsonPost(url, '[]'),
      jsonPost(url, '"string"'),
      jsonPost(url, 'null'),
      jsonPost(url, '{"id": '),
      jsonPost(`${url}?callback=cb&id=x&id=y`, '{}')
    ]
    if (action.sideEffectFree) {
      for (const qs of ['id=a&id=b', '%ZZ=1', 'id=%ZZ', 'id', '=x', '&&&', 'a[b]=1', 'callback=a(b);c', 'callback=%3Cscript%3E',
        'callback=' + 'x'.repeat(5000), 'limit=1&limit=2', 'q=%00', '__proto__[x]=1', `${'x'.repeat(3000)}=1`]) {
        bodies.push({ method: 'GET', url: `${url}?${qs}` })
      }
    } else {
      bodies.push({ method: 'GET', url: `${url}?id=x` })
    }
    for (const p of bodies) await send(p, write)
  }

  t.comment(`${sent} requests in ${Math.round(performance.now() - started)} ms`)
  t.ok(sent > 3000, `${sent} requests sent`)
  t.same(failures.slice(0, 30), [], `no 500s, non-JSON bodies or successful writes (${failures.length} failures)`)
  // the fuzz reached the validators, the lookups and the auth checks, not only the transport
  for (const status of [200, 400, 403, 404, 409]) t.ok((statuses.get(status) ?? 0) > 50, `${statuses.get(status) ?? 0} answers with status ${status}`)
  t.same(await snapshot(), before, 'the catalog is unchanged')
})

/**
 * What the fuzz above cannot reach, because every write there must fail:
 * writes that pass validation with values the database may still refuse.
 * The dates, the long ids and the lone surrogates in jsonb were 500s.
 */
t.test('extreme but valid writes are stored or refused, never a 500', async (t) => {
  const { app, call } = await build(t)
  const ok = async (res: Promise<LightMyRequestResponse>, status: number, label: string) => {
    const r = await res
    t.equal(r.statusCode, status, `${label}: ${r.body.slice(0, 300)}`)
    return JSON.parse(r.body)
  }
  await ok(call('organization_create', { name: 'org-a' }), 200, 'organization')
  await ok(call('group_create', { name: 'grp-a' }), 200, 'group')
  const first = (await ok(call('package_create', { name: 'ds-1', owner_org: 'org-a', resources: [{ url: 'http://example.org/a.csv' }] }), 200, 'dataset')).result
  const rid = first.resources[0].id

  // years JavaScript parses but Python's datetime and PostgreSQL do not
  for (const date of ['-100000-01-01T00:00:00Z', '0000-01-01', '10000-01-01', '+275760-09-13T00:00:00Z']) {
    for (const field of ['created', 'last_modified', 'cache_last_updated']) {
      const res = await ok(call('resource_create', { package_id: 'ds-1', url: 'http://example.org/b.csv', [field]: date }), 409, `resource_create ${field} ${date}`)
      t.same(res.error[field], ['Date format incorrect'])
      await ok(call('resource_patch', { id: rid, [field]: date }), 409, `resource_patch ${field} ${date}`)
    }
    const pkg = await ok(call('package_create', { name: 'ds-dates', owner_org: 'org-a', resources: [{ url: 'x', created: date }] }), 409, `package_create ${date}`)
    t.same(pkg.error.resources, [{ created: ['Date format incorrect'] }])
  }
  t.match((await ok(call('resource_patch', { id: rid, last_modified: '9999-12-31T23:59:59Z' }), 200, 'the last year')).result.last_modified, /^9999-12-31T23:59:59/)

  // a random key too long for a btree index entry
  const longId = garbage(1, 4500).toString('base64')
  t.match((await ok(call('organization_create', { name: 'org-long', id: longId }), 409, 'long organization id')).error, { id: [String] })
  t.match((await ok(call('group_create', { name: 'grp-long', id: longId }), 409, 'long group id')).error, { id: [String] })
  t.match((await ok(call('package_create', { name: 'ds-long', owner_org: 'org-a', resources: [{ id: longId, url: 'x' }] }), 409, 'long resource id')).error, { resources: [{ id: [String] }] })
  t.match((await ok(call('package_create', { name: 'ds-long', owner_org: 'org-a', id: longId }), 409, 'long dataset id')).error, { id: [String] })

  // lone surrogates: fine in text columns, refused by jsonb; stored as U+FFFD everywhere
  const lone = '\ud800'
  const extras = (await ok(call('package_create', { name: 'ds-lone', owner_org: 'org-a', title: `a${lone}`, extras: [{ key: `k${lone}`, value: lone }], plugin_data: { a: lone }, resources: [{ url: 'x', [`note${lone}`]: lone }] }), 200, 'lone surrogates in a dataset')).result
  t.same(extras.extras, [{ key: 'k\ufffd', value: '\ufffd' }])
  t.equal(extras.title, 'a\ufffd')
  t.equal(extras.resources[0]['note\ufffd'], '\ufffd')
  await ok(call('resource_create', { package_id: 'ds-1', url: 'x', note: lone }), 200, 'lone surrogate in a resource extra')
  await ok(call('resource_patch', { id: rid, note: { a: [lone] } }), 200, 'lone surrogate in a patched resource extra')
  await ok(call('organization_create', { name: 'org-lone', extras: [{ key: lone, value: lone }] }), 200, 'lone surrogate in organization extras')
  await ok(call('group_update', { id: 'grp-a', extras: [{ key: 'k', value: `x${lone}y` }] }), 200, 'lone surrogate in group extras')
  await ok(call('user_create', { name: 'u-lone', email: 'u@example.org', fullname: lone, about: lone }), 200, 'lone surrogate in a user')
  await ok(call('api_token_create', { user: 'admin', name: lone }), 200, 'lone surrogate in a token name')

  // big, but within what a client may send
  const big = garbage(2, 600_000).toString('base64')
  await ok(call('package_create', { name: 'ds-big', owner_org: 'org-a', title: big.slice(0, 100_000), notes: big, extras: [{ key: big.slice(0, 5000), value: big }] }), 200, 'a megabyte of metadata')
  const many = (await ok(call('package_create', { name: 'ds-many', owner_org: 'org-a', resources: Array.from({ length: 300 }, (_, i) => ({ url: `http://example.org/${i}.csv` })), tags: Array.from({ length: 500 }, (_, i) => ({ name: `tag-${i}` })) }), 200, 'many resources and tags')).result
  t.equal(many.num_resources, 300)
  t.equal(many.num_tags, 500)
  await ok(call('user_create', { name: 'u-big', email: 'big@example.org', fullname: big.slice(0, 10_000), password: big.slice(0, 10_000) }), 200, 'a long password')

  // a resource id another dataset holds is not taken from it
  const other = (await ok(call('package_create', { name: 'ds-2', owner_org: 'org-a', resources: [{ id: rid, url: 'http://example.org/c.csv' }] }), 200, 'a taken resource id')).result
  t.not(other.resources[0].id, rid)
  t.equal((await ok(call('resource_show', { id: rid }), 200, 'the resource stays')).result.package_id, first.id)

  // bodies past the nesting and size limits
  const deep = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: `{"id": ${'['.repeat(100_000)}${']'.repeat(100_000)}}` })
  t.equal(deep.statusCode, 400)
  t.equal(typeof JSON.parse(deep.body), 'string')
  const huge = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: `{"id": "${'x'.repeat(11 * 1024 * 1024)}"}` })
  t.equal(huge.statusCode, 413)
  t.match(JSON.parse(huge.body), /^Bad request - /)
})
