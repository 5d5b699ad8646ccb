import { Redis } from 'ioredis'
import { LocalStore } from './local-store.js'
import { WINDOWS, type CounterStore, type Outcome, type Window } from './store.js'

/**
 * Grants and give-backs of leases (see RedisStore), checked and counted
 * atomically by Redis, so every process sharing it sees one set of counters.
 * A subject's windows live in one hash: `c<ms>` its count, `e<ms>` when it
 * ends (Redis's clock), for the window `<ms>` long; the hash expires with its
 * longest window, set when a window starts.
 * KEYS[j]: op j's hash. ARGV, per op:
 *   'g', cost, want, n, then n pairs of limit and length: grant `cost` units
 *     in every window if each has room for them, and up to `want` in all,
 *     never more than a SHARE of the room left after `cost`, in whole `cost`s;
 *     reply: units granted (0: refused), then per window its count (the grant
 *     included), its end, and the ms left;
 *   'r', units, n, then n triples of length, count and end: give back unspent
 *     units of a lease, in each window whose count is still the lease's top
 *     (nobody was granted units after it) and which has not ended; reply 0.
 */
const LEASE_LUA = `
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local SHARE = 4
local reply = {}
local a = 1
for j = 1, #KEYS do
  local key = KEYS[j]
  if ARGV[a] == 'g' then
    local cost = tonumber(ARGV[a + 1])
    local want = tonumber(ARGV[a + 2])
    local n = tonumber(ARGV[a + 3])
    local fields = {}
    for i = 1, n do
      local len = ARGV[a + 3 + 2 * i]
      fields[2 * i - 1] = 'c' .. len
      fields[2 * i] = 'e' .. len
    end
    local stored = redis.call('HMGET', key, unpack(fields))
    local used, ends, started = {}, {}, {}
    local room = nil
    for i = 1, n do
      used[i] = tonumber(stored[2 * i - 1]) or 0
      ends[i] = tonumber(stored[2 * i]) or 0
      if ends[i] <= now then
        used[i] = 0
        ends[i] = now + tonumber(ARGV[a + 3 + 2 * i])
        started[i] = true
      end
      local left = tonumber(ARGV[a + 2 + 2 * i]) - used[i]
      if room == nil or left < room then room = left end
    end
    local granted = 0
    if room ~= nil and cost <= room then
      local extra = math.min(want - cost, math.floor((room - cost) / SHARE))
      granted = cost + math.floor(extra / cost) * cost
      local set = {}
      local last = 0
      for i = 1, n do
        used[i] = used[i] + granted
        set[#set + 1] = fields[2 * i - 1]
        set[#set + 1] = used[i]
        if started[i] then
          set[#set + 1] = fields[2 * i]
          set[#set + 1] = ends[i]
        end
        if ends[i] > last then last = ends[i] end
      end
      redis.call('HSET', key, unpack(set))
      if next(started) then redis.call('PEXPIRE', key, last - now) end
    end
    reply[#reply + 1] = granted
    for i = 1, n do
      reply[#reply + 1] = used[i]
      reply[#reply + 1] = ends[i]
      reply[#reply + 1] = ends[i] - now
    end
    a = a + 4 + 2 * n
  else
    local units = tonumber(ARGV[a + 1])
    local n = tonumber(ARGV[a + 2])
    for i = 1, n do
      local len = ARGV[a + 3 * i]
      local top = tonumber(ARGV[a + 3 * i + 1])
      local stored = redis.call('HMGET', key, 'c' .. len, 'e' .. len)
      if tonumber(stored[1]) == top and tonumber(stored[2]) == tonumber(ARGV[a + 3 * i + 2]) and tonumber(stored[2]) > now then
        redis.call('HSET', key, 'c' .. len, top - units)
      end
    end
    reply[#reply + 1] = 0
    a = a + 3 + 3 * n
  end
end
return reply
`

/** What to do with requests while Redis cannot be reached. */
export type OnRedisError = 'local' | 'allow' | 'deny'

const FALLBACK: Record<OnRedisError, string> = {
  local: 'limiting per process',
  allow: 'admitting every request',
  deny: 'denying every request'
}

/** Redis is down and the store was told to deny rather than guess. */
export class StoreUnavailableError extends Error {
  constructor (cause: unknown) {
    super('rate-limit store unavailable', { cause })
    this.name = 'StoreUnavailableError'
  }
}

type LogFn = (obj: object, msg: string) => void

export interface RedisStoreOptions {
  url: string
  /** prefix of every key; tests give each their own */
  namespace?: string
  log: { error: LogFn, info: LogFn }
  onRedisError?: OnRedisError
  /** the clock leases are timed by, injectable so tests need not wait for windows to pass */
  now?: () => number
}

type Client = Redis & { rateLimitLease: (numKeys: number, ...args: Array<string | number>) => Promise<number[]> }

interface Waiter {
  cost: number
  resolve: (outcome: Outcome | Promise<Outcome>) => void
}

/** Units Redis granted this process for one subject under one set of windows, spent here without asking again. */
interface Lease {
  readonly signature: string
  readonly subject: string
  readonly windows: readonly Window[]
  /** per window, its count after the last unit spent here: each unit has a count of its own across every process */
  used: number[]
  /** per window, its count after the whole grant: what Redis holds while nobody has been granted units since */
  tops: number[]
  /** per window, when it ends: on Redis's clock (to give units back) and on ours */
  redisEnds: number[]
  ends: number[]
  /** the first window end, when the lease stops being valid */
  expires: number
  /** units granted and not spent */
  left: number
  granted: number
  grantedAt: number
  lastUsed: number
  /** hits waiting for a grant, served in order */
  waiting: Waiter[]
  /** a grant has been asked for and not answered yet */
  asking: boolean
}

type Op =
  | { kind: 'grant', lease: Lease, pace: number }
  | { kind: 'return', subject: string, windows: readonly Window[], units: number, tops: number[], redisEnds: number[] }

/**
 * Ops are sent to Redis in batches: those queued while the event loop
 * handles one round of sockets go out as one script call, one write and one
 * reply. A call per request costs more in the client and in Redis than the
 * request it limits (bench/README.md).
 */
const BATCH_MAX = 256

/**
 * A grant is sized to cover about this long of the process's recent hits for
 * its subject, so a busy key costs Redis a call every few milliseconds
 * rather than one per request, and a quiet one a call per request, with
 * nothing held back.
 */
const LEASE_TARGET_MS = 20
const LEASE_MAX = 1000

/** Units of a lease not spent for this long go back to Redis, where other processes can be granted them. */
const LEASE_IDLE_MS = 250

/** Bounds how long a hit waits on a Redis that stopped answering. */
const COMMAND_TIMEOUT_MS = 500

/**
 * `reply`, or a rejection once COMMAND_TIMEOUT_MS have passed without it.
 * The verdict waits one more turn of the event loop (setImmediate runs after
 * the sockets are read): after the process stalled for longer than the
 * timeout (a busy process), timers run before sockets are read, and a reply
 * already received would count as a timeout. ioredis's own commandTimeout
 * judges that way; a grant Redis made would then be lost to this process,
 * and its hits counted by the fallback as well, twice.
 */
function answered<T> (reply: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => { reject(new Error(`Redis did not answer within ${COMMAND_TIMEOUT_MS} ms`)) }), COMMAND_TIMEOUT_MS)
    reply.then((value) => {
      clearTimeout(timer)
      resolve(value)
    }, (err: unknown) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

/**
 * Counters in Redis, shared by every process using it.
 *
 * Each process takes units from Redis in leases and spends them without
 * asking again: a grant is atomic over all of a subject's windows and never
 * takes more than a quarter of what is left, in whole multiples of the cost,
 * so near a limit grants shrink to one request and the limit holds exactly
 * across processes; far from it, a busy key needs a Redis call per
 * LEASE_TARGET_MS rather than per request. Every unit keeps a count of its
 * own in each window, so the remaining counts clients see are each given
 * once. What a lease costs: a process holding units it has not spent
 * refuses nobody, but another process may be refused while they are held;
 * units left idle go back after LEASE_IDLE_MS, when the process closes, or
 * when the lease is replaced, unless others have been granted units since
 * (they are then lost until the window ends).
 *
 * While Redis is down, requests are limited per process, admitted or denied
 * as `onRedisError` says; the client keeps reconnecting and the store goes
 * back to Redis as soon as it answers.
 */
export class RedisStore implements CounterStore {
  readonly #client: Client
  readonly #namespace: string
  readonly #log: RedisStoreOptions['log']
  readonly #onRedisError: OnRedisError
  readonly #now: () => number
  readonly #local = new LocalStore()
  /**
   * By windows' signature, then subject: two lookups of strings made once
   * (a subject is made per key lookup), where one key joining them would be
   * a new string to hash on every hit.
   */
  readonly #leases = new Map<string, Map<string, Lease>>()
  readonly #signatures = new WeakMap<readonly Window[], string>()
  readonly #sweeper: NodeJS.Timeout
  /** settles once the first connection attempt has, so early hits are not sent to the fallback for nothing */
  readonly #connecting: Promise<void>
  #state: 'starting' | 'up' | 'down' = 'starting'
  #queue: Op[] = []
  #scheduled = false
  #closing = false
  #calls = 0

  constructor ({ url, namespace = 'opend:rl:', log, onRedisError = 'local', now = Date.now }: RedisStoreOptions) {
    this.#namespace = namespace
    this.#log = log
    this.#onRedisError = onRedisError
    this.#now = now
    const client = new Redis(url, {
      // Queued commands would wait out the outage; failing at once lets the
      // fallback answer instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A peer that vanished without closing the socket is only noticed
      // through silence; this drops such a connection and reconnects.
      socketTimeout: 4 * COMMAND_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      lazyConnect: false,
      scripts: { rateLimitLease: { lua: LEASE_LUA } }
    })
    this.#client = client as Client
    client.on('ready', () => this.#up())
    client.on('error', (err: Error) => this.#down(err))
    client.on('close', () => {
      if (!this.#closing) this.#down(new Error('connection to Redis closed'))
    })
    this.#connecting = new Promise((resolve) => {
      const settle = (): void => {
        clearTimeout(timer)
        client.off('ready', settle)
        client.off('error', settle)
        resolve()
      }
      // A server that accepts the connection and never answers gives neither
      // 'ready' nor 'error': it counts as down until it does answer, or every
      // hit would keep waiting on a start that never ends.
      const timer = setTimeout(() => {
        this.#down(new Error(`Redis did not answer within ${COMMAND_TIMEOUT_MS} ms of connecting`))
        settle()
      }, COMMAND_TIMEOUT_MS).unref()
      client.once('ready', settle)
      client.once('error', settle)
    })
    this.#sweeper = setInterval(() => this.#sweep(), LEASE_IDLE_MS).unref()
  }

  /** script calls sent to Redis so far: far fewer than hits while leases do their work */
  get calls (): number {
    return this.#calls
  }

  /** whether counts currently go to Redis */
  healthy (): boolean {
    return this.#state === 'up'
  }

  hit (subject: string, windows: readonly Window[], cost: number): Outcome | Promise<Outcome> {
    if (this.#state === 'starting') return this.#connecting.then(() => this.hit(subject, windows, cost))
    const lease = this.#lease(subject, windows)
    const now = this.#now()
    if (lease.waiting.length === 0 && lease.left >= cost && now < lease.expires) return this.#spend(lease, cost, now)
    return new Promise((resolve) => {
      lease.waiting.push({ cost, resolve })
      this.#ask(lease)
    })
  }

  #lease (subject: string, windows: readonly Window[]): Lease {
    let signature = this.#signatures.get(windows)
    if (signature === undefined) {
      signature = windows.map((w) => `${w.name}=${w.limit}`).join(',')
      this.#signatures.set(windows, signature)
    }
    let leases = this.#leases.get(signature)
    if (leases === undefined) this.#leases.set(signature, leases = new Map())
    let lease = leases.get(subject)
    if (lease === undefined) {
      lease = { signature, subject, windows, used: [], tops: [], redisEnds: [], ends: [], expires: 0, left: 0, granted: 0, grantedAt: 0, lastUsed: 0, waiting: [], asking: false }
      leases.set(subject, lease)
    }
    return lease
  }

  #spend (lease: Lease, cost: number, now: number): Outcome {
    lease.left -= cost
    lease.lastUsed = now
    return {
      allowed: true,
      windows: lease.windows.map((window, i) => ({ name: window.name, limit: window.limit, used: (lease.used[i]! += cost), resetMs: lease.ends[i]! - now }))
    }
  }

  /** Asks Redis for a new grant for the lease's waiting hits, giving back what is left of the current one. */
  #ask (lease: Lease): void {
    if (lease.asking) return
    lease.asking = true
    const now = this.#now()
    const spent = lease.granted - lease.left
    this.#giveBack(lease)
    // how many units the last grant's pace of spending would use in LEASE_TARGET_MS
    const pace = Math.ceil(spent * LEASE_TARGET_MS / Math.max(1, now - lease.grantedAt))
    this.#queue.push({ kind: 'grant', lease, pace })
    this.#kick()
  }

  #giveBack (lease: Lease): void {
    if (lease.left > 0) {
      this.#queue.push({ kind: 'return', subject: lease.subject, windows: lease.windows, units: lease.left, tops: lease.tops, redisEnds: lease.redisEnds })
      this.#kick()
    }
    lease.left = 0
  }

  #granted (lease: Lease, reply: number[], r: number): void {
    const now = this.#now()
    const granted = reply[r++]!
    const n = lease.windows.length
    const used: number[] = []
    const redisEnds: number[] = []
    const ends: number[] = []
    for (let i = 0; i < n; i++) {
      used.push(reply[r++]!)
      redisEnds.push(reply[r++]!)
      ends.push(now + reply[r++]!)
    }
    lease.asking = false
    if (granted > 0) {
      lease.used = used.map((u) => u - granted)
      lease.tops = used
      lease.redisEnds = redisEnds
      lease.ends = ends
      lease.expires = Math.min(...ends)
      lease.left = lease.granted = granted
      lease.grantedAt = now
      while (lease.waiting.length > 0 && lease.waiting[0]!.cost <= lease.left) {
        const waiter = lease.waiting.shift()!
        waiter.resolve(this.#spend(lease, waiter.cost, now))
      }
    } else {
      const room = Math.min(...lease.windows.map((window, i) => window.limit - used[i]!))
      const refused: Outcome = { allowed: false, windows: lease.windows.map((window, i) => ({ name: window.name, limit: window.limit, used: used[i]!, resetMs: ends[i]! - now })) }
      lease.waiting = lease.waiting.filter((w) => {
        if (w.cost <= room) return true
        w.resolve(refused)
        return false
      })
    }
    if (lease.waiting.length > 0) this.#ask(lease)
  }

  #kick (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#queue.length > 0) this.#send(this.#queue.splice(0, BATCH_MAX))
    })
  }

  async #send (batch: Op[]): Promise<void> {
    const keys = batch.map((op) => `${this.#namespace}{${op.kind === 'grant' ? op.lease.subject : op.subject}}`)
    const args: Array<string | number> = []
    for (const op of batch) {
      if (op.kind === 'grant') {
        // sized when it is sent, so the hits that came in meanwhile are part of it
        const cost = op.lease.waiting[0]!.cost
        const queued = op.lease.waiting.reduce((sum, w) => sum + w.cost, 0)
        args.push('g', cost, Math.max(cost, Math.min(LEASE_MAX, Math.max(op.pace, queued))), op.lease.windows.length)
        for (const w of op.lease.windows) args.push(w.limit, WINDOWS[w.name])
      } else {
        args.push('r', op.units, op.windows.length)
        op.windows.forEach((w, i) => args.push(WINDOWS[w.name], op.tops[i]!, op.redisEnds[i]!))
      }
    }
    let reply: number[]
    this.#calls++
    try {
      reply = await answered(this.#client.rateLimitLease(batch.length, ...keys, ...args))
    } catch (err) {
      for (const op of batch) {
        if (op.kind !== 'grant') continue
        op.lease.asking = false
        for (const w of op.lease.waiting.splice(0)) w.resolve(this.#unavailable(err, op.lease.subject, op.lease.windows, w.cost))
      }
      return
    }
    // A command can fail (a timeout) while the connection stays ready, so
    // only an answer proves Redis is back from that.
    this.#up()
    let r = 0
    for (const op of batch) {
      if (op.kind === 'grant') {
        this.#granted(op.lease, reply, r)
        r += 1 + 3 * op.lease.windows.length
      } else {
        r += 1
      }
    }
  }

  /** Gives back what idle leases hold, and forgets them. */
  #sweep (): void {
    const now = this.#now()
    for (const leases of this.#leases.values()) {
      for (const lease of leases.values()) {
        if (lease.asking || now - lease.lastUsed < LEASE_IDLE_MS) continue
        this.#giveBack(lease)
        leases.delete(lease.subject)
      }
    }
  }

  async close (): Promise<void> {
    clearInterval(this.#sweeper)
    for (const leases of this.#leases.values()) for (const lease of leases.values()) this.#giveBack(lease)
    this.#closing = true
    if (this.#client.status === 'ready') {
      if (this.#queue.length > 0) await this.#send(this.#queue.splice(0))
      await this.#client.quit().catch(() => this.#client.disconnect())
    } else {
      this.#client.disconnect()
    }
    await this.#local.close()
  }

  async #unavailable (err: unknown, subject: string, windows: readonly Window[], cost: number): Promise<Outcome> {
    this.#down(err)
    switch (this.#onRedisError) {
      case 'local':
        return this.#local.hit(subject, windows, cost)
      case 'allow':
        return {
          allowed: true,
          windows: windows.map((window) => ({ name: window.name, limit: window.limit, used: 0, resetMs: WINDOWS[window.name] }))
        }
      case 'deny':
        throw new StoreUnavailableError(err)
    }
  }

  #up (): void {
    if (this.#state === 'down') this.#log.info({ onRedisError: this.#onRedisError }, 'rate limits: Redis is back, counting there again')
    this.#state = 'up'
  }

  /** Logs the first failure of an outage only: during one, every request and reconnection attempt fails. */
  #down (err: unknown): void {
    if (this.#state === 'down' || this.#closing) return
    this.#state = 'down'
    this.#log.error({ err, onRedisError: this.#onRedisError }, `rate limits: Redis unavailable, ${FALLBACK[this.#onRedisError]} until it is back`)
  }
}
