/**
 * Several opend instances behind one limit (issue #5's bar): two listening
 * servers over one database and one Redis, 400 concurrent requests with one
 * key limited to 100 a minute, then from one anonymous address. Exactly 100
 * are admitted, and each admitted answer counts down to a different
 * remainder. Then Redis goes away under load and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Db } from '../../src/db/factory.js'
import { createToken } from '../../src/db/queries/tokens.js'
import { insertUser } from '../../src/db/queries/users.js'
import { openSecondHandle, openTestDb } from '../helper.js'
import { burst, checkExact } from './burst.js'

const REDIS = 'redis://127.0.0.1:6379'

interface Tap { teardown: (fn: () => unknown) => void }

/** Log lines of a server, kept to look at. */
function logSink (lines: any[]) {
  return new Writable({
    write (chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    }
  })
}

async function servers (t: Tap, db: Db, env: Record<string, string>, logs: any[][] = [[], []]): Promise<string[]> {
  const config = loadConfig({ LOG_LEVEL: 'info', OPEND_SITE_URL: 'http://test.opend', OPEND_REDIS_PREFIX: `test:${randomBytes(6).toString('hex')}:`, ...env })
  const urls: string[] = []
  for (const i of [0, 1]) {
    const handle = i === 0 ? db : await openSecondHandle(t, db)
    const app: FastifyInstance = await buildApp(config, handle, { closeDb: false, logger: { level: 'info', stream: logSink(logs[i]!) } })
    t.teardown(() => app.close())
    urls.push(await app.listen({ port: 0, host: '127.0.0.1' }))
  }
  return urls
}

async function keyFor (db: Db, tier = 'default'): Promise<string> {
  const u = await insertUser(db.kysely, { name: `dev-${randomBytes(4).toString('hex')}` })
  return (await createToken(db.kysely, u.id, { name: 'cluster', tier })).token
}

t.test('two instances sharing Redis admit exactly the limit: one key', async (t) => {
  const db = await openTestDb(t)
  const urls = await servers(t, db, { REDIS_URL: REDIS, OPEND_RATE_LIMITS: '{"default": {"minute": 100}}' })
  const key = await keyFor(db)
  checkExact(t, await burst(urls, { 'api-key': key }))
})

t.test('two instances sharing Redis admit exactly the limit: one anonymous address', async (t) => {
  const db = await openTestDb(t)
  const urls = await servers(t, db, { REDIS_URL: REDIS, OPEND_RATE_LIMITS: '{"anonymous": {"minute": 100}}' })
  checkExact(t, await burst(urls, {}))
})

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

function startRedis (port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
    proc.once('error', reject)
    proc.stdout!.on('data', (d: Buffer) => { if (d.includes('Ready to accept connections')) resolve(proc) })
  })
}

const stop = (proc: ChildProcess) => new Promise((resolve) => { proc.once('exit', resolve); proc.kill('SIGKILL') })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('Redis stopped under load: the servers keep serving with per-process limits, say so once, and recover', async (t) => {
  const port = await freePort()
  let redis = await startRedis(port)
  t.teardown(() => stop(redis))
  const db = await openTestDb(t)
  const logs: any[][] = [[], []]
  const urls = await servers(t, db, { REDIS_URL: `redis://127.0.0.1:${port}`, OPEND_RATE_LIMITS: '{"default": {"minute": 100000}}' }, logs)
  const key = await keyFor(db)

  const statuses: number[] = []
  const load = { running: true }
  const loop = (async () => {
    for (let i = 0; load.running; i++) {
      const res = await fetch(`${urls[i % 2]}/get-ckan/status_show`, { headers: { 'api-key': key } })
      await res.arrayBuffer()
      statuses.push(res.status)
    }
  })()
  await sleep(300)
  const before = statuses.length
  await stop(redis)
  await sleep(1000)
  const during = statuses.length
  t.ok(during - before > 20, `requests kept being answered while Redis was down (${during - before} in 1 s)`)
  redis = await startRedis(port)
  await sleep(2500)
  load.running = false
  await loop
  t.ok(statuses.every((s) => s === 200), `every request answered 200 (${statuses.length}, none failed)`)

  for (const [i, lines] of logs.entries()) {
    const down = lines.filter((l) => /Redis unavailable, limiting per process/.test(l.msg))
    const back = lines.filter((l) => /Redis is back/.test(l.msg))
    t.equal(down.length, 1, `server ${i}: one error line for the outage, not one per request`)
    t.equal(down[0]?.level, 50, 'logged as an error')
    t.equal(back.length, 1, `server ${i}: one line when Redis is back`)
  }
  // counting is in Redis again: a new limit there holds across both servers,
  // each granted one unit at a time once the leases of the load, left idle, have gone
  await sleep(600)
  const after = await Promise.all([0, 1].map((i) => fetch(`${urls[i]}/get-ckan/status_show`, { headers: { 'api-key': key } })))
  const remaining = after.map((r) => Number(r.headers.get('x-ratelimit-remaining')))
  t.equal(Math.abs(remaining[0]! - remaining[1]!), 1, 'both servers count in the one restarted Redis')
})

t.test('OPEND_RATE_LIMITS_ON_REDIS_ERROR=deny answers 503 while Redis is unreachable', async (t) => {
  const db = await openTestDb(t)
  const [url] = await servers(t, db, { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, OPEND_RATE_LIMITS: '{"anonymous": {"minute": 10}}', OPEND_RATE_LIMITS_ON_REDIS_ERROR: 'deny' })
  const res = await fetch(`${url}/api/3/action/status_show`)
  t.equal(res.status, 503)
  t.match(await res.json(), { success: false, error: { __type: 'Service Unavailable', message: /rate-limit store is unavailable/ } })
})
