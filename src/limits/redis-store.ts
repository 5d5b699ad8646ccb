import { Redis } from 'ioredis'
import { LocalStore } from './local-store.js'
import { WINDOWS, type CounterStore, type Outcome, type Window } from './store.js'

/**
 * Every hit of a batch, checked and counted atomically by Redis, so that
 * every process sharing it sees one set of counters. A subject's windows live
 * in one hash: `c<ms>` its count, `e<ms>` when it ends (Redis's clock), for
 * the window `<ms>` long; the hash expires with its longest window. One
 * HMGET per hit, an HSET when it is admitted, and a PEXPIRE when a window
 * starts.
 * KEYS[j]: hit j's hash. ARGV: per hit, its cost, its number of windows n,
 * then n pairs of limit and length.
 * Reply: per hit, allowed (0/1) then n pairs of used and ms left.
 */
const HIT_LUA = `
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local reply = {}
local a = 1
for j = 1, #KEYS do
  local key = KEYS[j]
  local cost = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local fields = {}
  for i = 1, n do
    local len = ARGV[a + 2 * i + 1]
    fields[2 * i - 1] = 'c' .. len
    fields[2 * i] = 'e' .. len
  end
  local stored = redis.call('HMGET', key, unpack(fields))
  local used, ends, started = {}, {}, {}
  local allowed = 1
  for i = 1, n do
    used[i] = tonumber(stored[2 * i - 1]) or 0
    ends[i] = tonumber(stored[2 * i]) or 0
    if ends[i] <= now then
      used[i] = 0
      ends[i] = now + tonumber(ARGV[a + 2 * i + 1])
      started[i] = true
    end
    if used[i] + cost > tonumber(ARGV[a + 2 * i]) then allowed = 0 end
  end
  if allowed == 1 then
    local set = {}
    local last = 0
    for i = 1, n do
      used[i] = used[i] + cost
      set[#set + 1] = fields[2 * i - 1]
      set[#set + 1] = used[i]
      if started[i] then
        set[#set + 1] = fields[2 * i]
        set[#set + 1] = ends[i]
      end
      if ends[i] > last then last = ends[i] end
    end
    redis.call('HSET', key, unpack(set))
    -- the hash lives as long as its longest window, which moves only when a window starts
    if next(started) then redis.call('PEXPIRE', key, last - now) end
  end
  reply[#reply + 1] = allowed
  for i = 1, n do
    reply[#reply + 1] = used[i]
    reply[#reply + 1] = ends[i] - now
  end
  a = a + 2 + 2 * n
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
}

type Client = Redis & { rateLimitHit: (numKeys: number, ...args: Array<string | number>) => Promise<number[]> }

interface Pending {
  subject: string
  windows: readonly Window[]
  cost: number
  resolve: (outcome: Outcome | Promise<Outcome>) => void
}

/**
 * Hits are sent to Redis in batches: those that arrive while the event loop
 * handles one round of sockets go out as one script call, one write and one
 * reply. A call per hit costs more in the client and in Redis than the
 * request it limits (bench/README.md); a batch is still atomic hit by hit.
 * (Holding hits back while a batch is out made bigger batches but slower
 * answers, and fewer of them from a client waiting for each.)
 */
const BATCH_MAX = 256

/** Bounds how long a hit waits on a Redis that stopped answering. */
const COMMAND_TIMEOUT_MS = 500

/**
 * Counters in Redis, shared by every process using it. While Redis is down,
 * requests are limited per process, admitted or denied as `onRedisError`
 * says; the client keeps reconnecting and the store goes back to Redis as
 * soon as it answers.
 */
export class RedisStore implements CounterStore {
  readonly #client: Client
  readonly #namespace: string
  readonly #log: RedisStoreOptions['log']
  readonly #onRedisError: OnRedisError
  readonly #local = new LocalStore()
  /** settles once the first connection attempt has, so early hits are not sent to the fallback for nothing */
  readonly #connecting: Promise<void>
  #state: 'starting' | 'up' | 'down' = 'starting'
  #queue: Pending[] = []
  #scheduled = false
  #closing = false

  constructor ({ url, namespace = 'opend:rl:', log, onRedisError = 'local' }: RedisStoreOptions) {
    this.#namespace = namespace
    this.#log = log
    this.#onRedisError = onRedisError
    const client = new Redis(url, {
      // Queued commands would wait out the outage; failing at once lets the
      // fallback answer instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // A peer that vanished without closing the socket is only noticed
      // through silence; this drops such a connection and reconnects.
      socketTimeout: 4 * COMMAND_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      lazyConnect: false,
      scripts: { rateLimitHit: { lua: HIT_LUA } }
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
      const timer = setTimeout(settle, COMMAND_TIMEOUT_MS).unref()
      client.once('ready', settle)
      client.once('error', settle)
    })
  }

  /** whether counts currently go to Redis */
  healthy (): boolean {
    return this.#state === 'up'
  }

  async hit (subject: string, windows: readonly Window[], cost: number): Promise<Outcome> {
    await this.#connecting
    return new Promise((resolve) => {
      this.#queue.push({ subject, windows, cost, resolve })
      this.#kick()
    })
  }

  #kick (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#queue.length > 0) this.#send(this.#queue.splice(0, BATCH_MAX))
    })
  }

  #send (batch: Pending[]): void {
    const args: Array<string | number> = batch.map((p) => `${this.#namespace}{${p.subject}}`)
    for (const p of batch) {
      args.push(p.cost, p.windows.length)
      for (const w of p.windows) args.push(w.limit, WINDOWS[w.name])
    }
    this.#client.rateLimitHit(batch.length, ...args).then((reply) => {
      // A command can fail (a timeout) while the connection stays ready, so
      // only an answer proves Redis is back from that.
      this.#up()
      let r = 0
      for (const p of batch) {
        const allowed = reply[r++] === 1
        const windows = p.windows.map((window) => ({ name: window.name, limit: window.limit, used: reply[r++]!, resetMs: reply[r++]! }))
        p.resolve({ allowed, windows })
      }
    }, (err: unknown) => {
      for (const p of batch) p.resolve(this.#unavailable(err, p.subject, p.windows, p.cost))
    })
  }

  async close (): Promise<void> {
    this.#closing = true
    if (this.#client.status === 'ready') {
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
        return await this.#local.hit(subject, windows, cost)
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
