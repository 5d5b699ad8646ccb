import { Redis } from 'ioredis'
import { LocalStore } from './local-store.js'
import { WINDOWS, type CounterStore, type Outcome, type Window } from './store.js'

/**
 * The whole check-and-count, run atomically by Redis so that every process
 * sharing it sees one set of counters.
 * KEYS[i]: window i's counter. ARGV[1]: cost; ARGV[1 + i]: window i's limit;
 * ARGV[1 + n + i]: its length in ms.
 * Reply: { allowed (0/1), used_1, resetMs_1, used_2, resetMs_2, ... }.
 */
const HIT_LUA = `
local n = #KEYS
local cost = tonumber(ARGV[1])
local used, ttl = {}, {}
local allowed = 1
for i = 1, n do
  local len = tonumber(ARGV[1 + n + i])
  used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  ttl[i] = redis.call('PTTL', KEYS[i])
  if ttl[i] == -1 then
    -- a counter without expiry (written by hand, say) would never reset,
    -- and a full one would never be counted again to get one
    redis.call('PEXPIRE', KEYS[i], len)
    ttl[i] = len
  end
  if used[i] + cost > tonumber(ARGV[1 + i]) then allowed = 0 end
end
if allowed == 1 then
  for i = 1, n do
    used[i] = redis.call('INCRBY', KEYS[i], cost)
    if ttl[i] == -2 then
      ttl[i] = tonumber(ARGV[1 + n + i])
      redis.call('PEXPIRE', KEYS[i], ttl[i])
    end
  end
end
local reply = { allowed }
for i = 1, n do
  reply[2 * i] = used[i]
  reply[2 * i + 1] = ttl[i] == -2 and tonumber(ARGV[1 + n + i]) or ttl[i]
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
    let reply: number[]
    try {
      reply = await this.#client.rateLimitHit(
        windows.length,
        // the subject as a hash tag keeps one subject's windows on one node of a Redis Cluster, as a script needs
        ...windows.map((window) => `${this.#namespace}{${subject}}:${window.name}`),
        cost,
        ...windows.map((window) => window.limit),
        ...windows.map((window) => WINDOWS[window.name])
      )
    } catch (err) {
      return this.#unavailable(err, subject, windows, cost)
    }
    // A command can fail (a timeout) while the connection stays ready, so
    // only an answer proves Redis is back from that.
    this.#up()
    return {
      allowed: reply[0] === 1,
      windows: windows.map((window, i) => ({
        name: window.name,
        limit: window.limit,
        used: reply[2 * i + 1],
        resetMs: reply[2 * i + 2]
      }))
    }
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
