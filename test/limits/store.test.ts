import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { LocalStore } from '../../src/limits/local-store.js'
import { RedisStore, StoreUnavailableError, type OnRedisError, type RedisStoreOptions } from '../../src/limits/redis-store.js'
import type { CounterStore, Outcome, Window } from '../../src/limits/store.js'

const REDIS_URL = 'redis://127.0.0.1:6379'

const SECOND_2_MINUTE_5: Window[] = [{ name: 'second', limit: 2 }, { name: 'minute', limit: 5 }]
const minute = (limit: number): Window[] => [{ name: 'minute', limit }]

/** the outcome without the reset times, which are checked apart */
const counts = (outcome: Outcome): { allowed: boolean, used: number[] } =>
  ({ allowed: outcome.allowed, used: outcome.windows.map((window) => window.used) })

interface Rig {
  store: CounterStore
  /** moves the store's time forward */
  advance: (ms: number) => Promise<void>
  /** how far below the exact figure a reset time may be, real time having passed */
  slack: number
  cleanup: () => Promise<void>
}

/** The contract of store.ts, which both stores must keep alike. */
function semantics (kind: string, makeRig: () => Promise<Rig>): void {
  const rig = async (t: { teardown: (fn: () => Promise<void>) => void }): Promise<Rig> => {
    const made = await makeRig()
    t.teardown(made.cleanup)
    return made
  }

  t.test(`${kind}: admits up to the limit, then rejects`, async (t) => {
    const { store } = await rig(t)
    for (const used of [1, 2, 3]) t.same(counts(await store.hit('s', minute(3), 1)), { allowed: true, used: [used] })
    t.same(counts(await store.hit('s', minute(3), 1)), { allowed: false, used: [3] })
    t.same(counts(await store.hit('s', minute(3), 1)), { allowed: false, used: [3] }, 'still full, nothing counted')
  })

  t.test(`${kind}: a cost counts several units, and a rejected one counts none`, async (t) => {
    const { store } = await rig(t)
    t.same(counts(await store.hit('s', minute(10), 4)), { allowed: true, used: [4] })
    t.same(counts(await store.hit('s', minute(10), 4)), { allowed: true, used: [8] })
    t.same(counts(await store.hit('s', minute(10), 4)), { allowed: false, used: [8] }, '12 > 10')
    t.same(counts(await store.hit('s', minute(10), 2)), { allowed: true, used: [10] }, 'the rejected 4 left room for 2')
    t.same(counts(await store.hit('s', minute(10), 1)), { allowed: false, used: [10] })
  })

  t.test(`${kind}: all windows at once, all or nothing`, async (t) => {
    const { store, advance } = await rig(t)
    const hit = async (): Promise<ReturnType<typeof counts>> => counts(await store.hit('s', SECOND_2_MINUTE_5, 1))
    t.same(await hit(), { allowed: true, used: [1, 1] })
    t.same(await hit(), { allowed: true, used: [2, 2] })
    t.same(await hit(), { allowed: false, used: [2, 2] }, 'the second is full; the minute does not count the reject')
    await advance(1_100)
    t.same(await hit(), { allowed: true, used: [1, 3] }, 'a new second')
    t.same(await hit(), { allowed: true, used: [2, 4] })
    await advance(1_100)
    t.same(await hit(), { allowed: true, used: [1, 5] })
    t.same(await hit(), { allowed: false, used: [1, 5] }, 'the minute is full though the second has room, which is not counted')
    await advance(1_100)
    t.same(await hit(), { allowed: false, used: [0, 5] }, 'seconds passing do not reset the minute')
  })

  t.test(`${kind}: a window resets once it has passed`, async (t) => {
    const { store, advance } = await rig(t)
    t.same(counts(await store.hit('s', minute(1), 1)), { allowed: true, used: [1] })
    t.same(counts(await store.hit('s', minute(1), 1)), { allowed: false, used: [1] })
    await advance(59_000)
    t.same(counts(await store.hit('s', minute(1), 1)), { allowed: false, used: [1] })
    await advance(1_000)
    t.same(counts(await store.hit('s', minute(1), 1)), { allowed: true, used: [1] }, 'a new window')
  })

  t.test(`${kind}: reset times count down from the first unit`, async (t) => {
    const { store, advance, slack } = await rig(t)
    const near = (actual: number, expected: number, what: string): void => {
      t.ok(actual <= expected && actual >= expected - slack, `${what}: ${actual} ≈ ${expected}`)
    }
    const first = await store.hit('s', [{ name: 'minute', limit: 5 }, { name: 'hour', limit: 5 }], 1)
    near(first.windows[0].resetMs, 60_000, 'a new minute')
    near(first.windows[1].resetMs, 3_600_000, 'a new hour')
    await advance(15_000)
    const later = await store.hit('s', [{ name: 'minute', limit: 5 }, { name: 'hour', limit: 5 }], 1)
    near(later.windows[0].resetMs, 45_000, 'the minute, later')
    near(later.windows[1].resetMs, 3_585_000, 'the hour, later')
    const rejected = await store.hit('s', [{ name: 'minute', limit: 0 }, { name: 'day', limit: 5 }], 1)
    t.equal(rejected.allowed, false)
    near(rejected.windows[0].resetMs, 45_000, 'the full minute')
    t.equal(rejected.windows[1].used, 0, 'the day was not started...')
    t.equal(rejected.windows[1].resetMs, 86_400_000, '...so its whole length is left')
  })

  t.test(`${kind}: subjects are counted apart`, async (t) => {
    const { store } = await rig(t)
    t.same(counts(await store.hit('alice', minute(1), 1)), { allowed: true, used: [1] })
    t.same(counts(await store.hit('alice', minute(1), 1)), { allowed: false, used: [1] })
    t.same(counts(await store.hit('bob', minute(1), 1)), { allowed: true, used: [1] })
    t.same(counts(await store.hit('alice:minute', minute(1), 1)), { allowed: true, used: [1] }, 'no confusion with key suffixes')
  })
}

semantics('LocalStore', async () => {
  let now = 1_700_000_000_000
  const store = new LocalStore({ now: () => now })
  return {
    store,
    advance: async (ms) => { now += ms },
    slack: 0,
    cleanup: async () => await store.close()
  }
})

t.test('LocalStore: expired counters are swept', async (t) => {
  let now = 0
  const store = new LocalStore({ now: () => now, sweepMs: 10 })
  t.teardown(() => store.close())
  await store.hit('short', [{ name: 'second', limit: 5 }], 1)
  await store.hit('long', [{ name: 'hour', limit: 5 }], 1)
  t.equal(store.size, 2)
  now += 1_000
  await sleep(50)
  t.equal(store.size, 1, 'only the live hour is left')
})

const namespace = (): string => `opend:rl:test:${randomUUID()}:`

/** Drops the keys a test wrote to the shared Redis. */
async function dropKeys (admin: Redis, ns: string): Promise<void> {
  const keys = await admin.keys(`${ns}*`)
  if (keys.length > 0) await admin.del(...keys)
}

const admin = new Redis(REDIS_URL)
t.teardown(async () => { await admin.quit() })

/**
 * A store on the shared Redis that fails rather than quietly falling back,
 * which would pass most tests too; `now` is the clock its leases are timed by.
 */
const sharedStore = (ns: string, now?: () => number): RedisStore => new RedisStore({ url: REDIS_URL, namespace: ns, log: silentLog(), onRedisError: 'deny', now })

/** A namespace of the shared Redis for one test, and stores on it; at the end the stores are closed and the keys dropped. */
function sharedRedis (t: { teardown: (fn: () => Promise<void>) => void }): { ns: string, store: (now?: () => number) => RedisStore } {
  const ns = namespace()
  const stores: RedisStore[] = []
  t.teardown(async () => {
    await Promise.all(stores.map(async (store) => await store.close()))
    await dropKeys(admin, ns)
  })
  return {
    ns,
    store: (now) => {
      const store = sharedStore(ns, now)
      stores.push(store)
      return store
    }
  }
}

/**
 * A clock standing still: leases never age or idle, and the pace a store
 * measures is the fastest, so a burst always leaves it holding unspent
 * units, however slowly a loaded machine runs the test.
 */
const STILL = (): number => 1_700_000_000_000

semantics('RedisStore', async () => {
  const ns = namespace()
  let offset = 0
  const store = sharedStore(ns, () => Date.now() + offset)
  return {
    store,
    // Redis keeps its own time; moving every window's end and the hash's
    // life back is the same as that time passing, without the tests waiting.
    // The store's own clock, which times its leases, moves with it.
    advance: async (ms) => {
      offset += ms
      for (const key of await admin.keys(`${ns}*`)) {
        const ttl = await admin.pttl(key)
        if (ttl <= ms) {
          await admin.del(key)
          continue
        }
        const fields = await admin.hgetall(key)
        for (const [field, value] of Object.entries(fields)) {
          if (field.startsWith('e')) await admin.hset(key, field, String(Number(value) - ms))
        }
        await admin.pexpire(key, ttl - ms)
      }
    },
    slack: 250,
    cleanup: async () => {
      await store.close()
      await dropKeys(admin, ns)
    }
  }
})

t.test('RedisStore: windows end on Redis\'s own clock', async (t) => {
  const { store: open } = sharedRedis(t)
  const store = open()
  const second: Window[] = [{ name: 'second', limit: 1 }]
  t.equal((await store.hit('s', second, 1)).allowed, true)
  const rejected = await store.hit('s', second, 1)
  t.equal(rejected.allowed, false)
  await sleep(rejected.windows[0].resetMs + 20)
  t.equal((await store.hit('s', second, 1)).allowed, true)
})

t.test('RedisStore: a subject\'s windows are one hash, living as long as its longest window', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const store = open()
  await store.hit('s', [{ name: 'second', limit: 5 }, { name: 'hour', limit: 5 }], 2)
  const fields = await admin.hgetall(`${ns}{s}`)
  t.same(Object.keys(fields).sort(), ['c1000', 'c3600000', 'e1000', 'e3600000'])
  t.equal(fields.c1000, '2')
  t.equal(Number(fields.e3600000) - Number(fields.e1000), 3_599_000, 'each window ends on Redis\'s clock')
  const ttl = await admin.pttl(`${ns}{s}`)
  t.ok(ttl > 3_590_000 && ttl <= 3_600_000, 'the hash goes when its hour ends')
  // a window whose end has passed counts from zero, whatever the hash still holds
  await admin.hset(`${ns}{s}`, 'c1000', '5', 'e1000', '1')
  t.same(counts(await store.hit('s', [{ name: 'second', limit: 5 }], 1)), { allowed: true, used: [1] })
})

t.test('RedisStore: hits sent together are one batch, still counted one by one', async (t) => {
  const { store: open } = sharedRedis(t)
  const store = open()
  const outcomes = await Promise.all(Array.from({ length: 600 }, async (_, i) => await store.hit(i % 3 === 0 ? 'a' : 'b', minute(150), 1)))
  t.equal(outcomes.filter((o, i) => i % 3 === 0 && o.allowed).length, 150, 'a: 200 sent, 150 admitted')
  t.equal(outcomes.filter((o, i) => i % 3 !== 0 && o.allowed).length, 150, 'b: 400 sent, 150 admitted')
  const remaining = outcomes.filter((o, i) => i % 3 === 0 && o.allowed).map((o) => o.windows[0]!.used).sort((x, y) => x - y)
  t.same(remaining, Array.from({ length: 150 }, (_, i) => i + 1), 'each admitted hit saw its own count')
})

t.test('RedisStore: two clients sharing Redis admit exactly the limit', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const stores = [open(), open()]
  const burst = async (windows: Window[], cost: number): Promise<Outcome[]> =>
    await Promise.all(Array.from({ length: 400 }, async (_, i) => await stores[i % 2].hit('s', windows, cost)))

  const outcomes = await burst(minute(100), 1)
  const admitted = outcomes.filter((outcome) => outcome.allowed)
  t.equal(admitted.length, 100)
  t.same(admitted.map((o) => o.windows[0]!.used).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i + 1), 'each admitted hit has a count of its own, whichever store admitted it')
  t.ok(outcomes.every((o) => o.allowed || o.windows[0]!.used === 100), 'the refused see the window full')
  t.equal(await admin.hget(`${ns}{s}`, 'c60000'), '100')

  await dropKeys(admin, ns)
  t.equal((await burst([{ name: 'minute', limit: 100 }, { name: 'hour', limit: 50 }], 3)).filter((outcome) => outcome.allowed).length, 16, '16 × 3 = 48 fits the hour')
  t.equal(await admin.hget(`${ns}{s}`, 'c60000'), '48')
  t.equal(await admin.hget(`${ns}{s}`, 'c3600000'), '48')
  const ttl = await admin.pttl(`${ns}{s}`)
  t.ok(ttl > 3_590_000 && ttl <= 3_600_000, 'the hour expires when it ends')
})

t.test('RedisStore: a busy subject is granted units in leases, spent without asking Redis each time', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  // the store's clock stands still during the burst (the pace it measures is
  // then the fastest, however slowly a loaded machine runs it), then moves on
  let clock = STILL()
  const store = open(() => clock)
  const windows: Window[] = [{ name: 'second', limit: 1_000_000 }, { name: 'hour', limit: 10_000_000 }]
  const outcomes: Outcome[] = []
  // ten clients, each sending its next request when its last was answered
  for (let round = 0; round < 300; round++) outcomes.push(...await Promise.all(Array.from({ length: 10 }, async () => await store.hit('busy', windows, 1))))
  t.ok(outcomes.every((outcome) => outcome.allowed), 'all admitted')
  const used = outcomes.map((outcome) => outcome.windows[1]!.used)
  t.ok(store.calls < 300, `${store.calls} Redis calls for 3000 hits`)
  t.same(used.sort((x, y) => x - y), Array.from({ length: 3000 }, (_, i) => i + 1), 'every unit spent has a count of its own')
  const counted = Number(await admin.hget(`${ns}{busy}`, 'c3600000'))
  t.ok(counted > 3000, `Redis counts what was granted: ${counted}`)
  clock += 1_000
  await sleep(800)
  t.equal(await admin.hget(`${ns}{busy}`, 'c3600000'), '3000', 'units left idle went back to Redis')
})

t.test('RedisStore: units held at close go back to Redis', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const store = open(STILL)
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 20 }, async () => await store.hit('s', minute(1_000_000), 1)))
  t.ok(Number(await admin.hget(`${ns}{s}`, 'c60000')) > 400, 'a lease is held')
  await store.close()
  t.equal(await admin.hget(`${ns}{s}`, 'c60000'), '400')
})

t.test('RedisStore: units are not given back once others have been granted units after them', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const [a, b] = [open(STILL), open()]
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 20 }, async () => await a.hit('s', minute(1_000_000), 1)))
  const held = Number(await admin.hget(`${ns}{s}`, 'c60000'))
  t.ok(held > 400, `a holds ${held - 400} units`)
  t.equal((await b.hit('s', minute(1_000_000), 1)).windows[0]!.used, held + 1, 'b counts after a\'s lease')
  await a.close()
  t.equal(await admin.hget(`${ns}{s}`, 'c60000'), String(held + 1), 'a\'s units stay counted: giving them back would give b\'s count to another unit')
})

t.test('RedisStore: near a limit, grants shrink to single units', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const store = open()
  const used: number[] = []
  for (let i = 0; i < 12; i++) {
    const outcome = await store.hit('s', minute(10), 1)
    if (outcome.allowed) used.push(outcome.windows[0]!.used)
    // what Redis has granted never runs more than a quarter of the room ahead of what was spent
    const counted = Number(await admin.hget(`${ns}{s}`, 'c60000'))
    t.ok(counted - used.length <= Math.floor((10 - used.length) / 4) + 1, `granted ${counted}, spent ${used.length}`)
  }
  t.same(used, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
})

type Log = RedisStoreOptions['log']

function silentLog (): Log {
  return { error: () => {}, info: () => {} }
}

/** A logger remembering its lines' messages. */
function recordingLog (): Log & { lines: Record<'error' | 'info', string[]> } {
  const lines = { error: [] as string[], info: [] as string[] }
  return {
    lines,
    error: (_obj, msg) => { lines.error.push(msg) },
    info: (_obj, msg) => { lines.info.push(msg) }
  }
}

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

/** A throwaway Redis the test may kill. */
async function startRedis (port: number): Promise<ChildProcess> {
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) resolve()
    })
  })
  child.removeAllListeners('exit')
  child.stdout?.resume()
  return child
}

async function until (what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** Runs `fn`, failing if it takes long enough to have waited on Redis. */
async function quickly<T> (t: { ok: (value: boolean, msg: string) => void }, fn: () => T | Promise<T>): Promise<T> {
  const start = performance.now()
  const result = await fn()
  const took = performance.now() - start
  t.ok(took < 200, `answered in ${took.toFixed(0)} ms`)
  return result
}

t.test('RedisStore: Redis going away and coming back', async (t) => {
  const port = await freePort()
  let server = await startRedis(port)
  const url = `redis://127.0.0.1:${port}`
  const ns = namespace()
  const modes: OnRedisError[] = ['local', 'allow', 'deny']
  const logs = modes.map(() => recordingLog())
  const stores = modes.map((onRedisError, i) => new RedisStore({ url, namespace: ns, log: logs[i], onRedisError }))
  const [local, allow, deny] = stores
  const reader = new Redis(url, { lazyConnect: true, retryStrategy: () => 50 })
  reader.on('error', () => {})
  t.teardown(async () => {
    await Promise.all(stores.map(async (store) => await store.close()))
    reader.disconnect()
    server.kill('SIGKILL')
  })

  for (const [i, store] of stores.entries()) {
    t.same(counts(await store.hit(modes[i], minute(3), 1)), { allowed: true, used: [1] }, `${modes[i]}: counted in Redis`)
    t.equal(store.healthy(), true)
  }

  server.kill('SIGKILL')
  await once(server, 'exit')
  await until('the stores to notice', () => stores.every((store) => !store.healthy()))

  // Redis's count of 1 is out of reach: the process starts its own.
  for (const used of [1, 2, 3]) {
    t.same(counts(await quickly(t, () => local.hit('local', minute(3), 1))), { allowed: true, used: [used] }, 'local: per process')
  }
  t.same(counts(await quickly(t, () => local.hit('local', minute(3), 1))), { allowed: false, used: [3] }, 'local: still limited')

  for (let i = 0; i < 5; i++) {
    const outcome = await quickly(t, () => allow.hit('allow', minute(1), 1))
    t.same(outcome, { allowed: true, windows: [{ name: 'minute', limit: 1, used: 0, resetMs: 60_000 }] }, 'allow: admitted')
  }

  for (let i = 0; i < 2; i++) {
    await quickly(t, () => t.rejects(async () => await deny.hit('deny', minute(3), 1), StoreUnavailableError, 'deny: refused'))
  }

  // a few reconnection attempts fail meanwhile: they must not be logged
  await sleep(300)
  for (const [i, log] of logs.entries()) {
    t.equal(log.lines.error.length, 1, `${modes[i]}: one error logged for the outage`)
    t.equal(log.lines.info.length, 0)
  }

  server = await startRedis(port)
  await until('the stores to reconnect', () => stores.every((store) => store.healthy()))
  for (const [i, log] of logs.entries()) {
    t.equal(log.lines.info.length, 1, `${modes[i]}: its return logged`)
    t.equal(log.lines.error.length, 1, `${modes[i]}: and no further error`)
  }

  await reader.connect()
  for (const [i, store] of stores.entries()) {
    t.same(counts(await store.hit(modes[i], minute(3), 1)), { allowed: true, used: [1] }, `${modes[i]}: counted in the new Redis`)
    t.equal(await reader.hget(`${ns}{${modes[i]}}`, 'c60000'), '1')
  }
  t.same(counts(await local.hit('local', minute(3), 1)), { allowed: true, used: [2] }, 'local: the per-process count is left behind')
})

t.test('RedisStore: Redis unreachable from the start', async (t) => {
  const url = `redis://127.0.0.1:${await freePort()}`
  const log = recordingLog()
  const local = new RedisStore({ url, log, onRedisError: 'local' })
  const deny = new RedisStore({ url, log: silentLog(), onRedisError: 'deny' })
  t.teardown(async () => {
    await local.close()
    await deny.close()
  })
  t.same(counts(await quickly(t, () => local.hit('s', minute(1), 1))), { allowed: true, used: [1] })
  t.same(counts(await quickly(t, () => local.hit('s', minute(1), 1))), { allowed: false, used: [1] })
  t.equal(local.healthy(), false)
  t.equal(log.lines.error.length, 1)
  await quickly(t, () => t.rejects(async () => await deny.hit('s', minute(1), 1), StoreUnavailableError))
})

t.test('RedisStore: a server that accepts the connection and never answers counts as down', async (t) => {
  const silent = createServer(() => {})
  silent.listen(0, '127.0.0.1')
  await once(silent, 'listening')
  const log = recordingLog()
  const store = new RedisStore({ url: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, log, onRedisError: 'local' })
  t.teardown(async () => {
    await store.close()
    silent.close()
  })
  const start = performance.now()
  t.same(counts(await store.hit('s', minute(1), 1)), { allowed: true, used: [1] }, 'counted in the process once the start has waited long enough')
  t.ok(performance.now() - start < 2_000, 'within the connection\'s time to answer')
  t.equal(store.healthy(), false)
  t.equal(log.lines.error.length, 1, 'said once')
})

t.test('RedisStore: a reply received while the process was stalled is not taken for a timeout', async (t) => {
  const { ns, store: open } = sharedRedis(t)
  const store = open()
  t.equal((await store.hit('s', minute(100), 1)).windows[0]!.used, 1)
  // the one unit granted is spent: the next hit asks Redis, and the process
  // stalls, longer than a command may take, right after the request went out
  const next = store.hit('s', minute(100), 1)
  setImmediate(() => {
    const until = performance.now() + 800
    while (performance.now() < until);
  })
  t.equal((await next).windows[0]!.used, 2, 'granted by Redis, not refused as unavailable')
  t.equal(store.healthy(), true)
  t.ok(Number(await admin.hget(`${ns}{s}`, 'c60000')) >= 2, 'and counted there')
})
