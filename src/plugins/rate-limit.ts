/**
 * Per-key and per-IP rate limits (issue #5). A caller identified by a key is
 * counted under the key's id and its tier's windows; anyone else under their
 * IP address and the anonymous tier. Counters live in Redis when REDIS_URL is
 * set, so every instance enforces one shared limit, else in this process.
 *
 * Not @fastify/rate-limit: it checks one window per limiter, counts one unit
 * per request, and emits a 2020 draft's header names (see
 * ../shared/reference/api-keys-and-rate-limits.md §4.2); here all windows of
 * a tier are checked and counted in one atomic step, and a call may cost
 * several units.
 *
 * A request is charged its route's cost when it arrives, before its body is
 * read; an action that costs more (Action.cost) is charged the rest by the
 * transport once its parameters are known, through app.charge.
 * Depends on: auth (request.key).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { RateLimitError, ServiceUnavailableError } from '../ckan/errors.js'
import { ANONYMOUS, DEFAULT_TIER } from '../limits/tiers.js'
import { LocalStore } from '../limits/local-store.js'
import { RedisStore, StoreUnavailableError } from '../limits/redis-store.js'
import { blocking, rateLimitHeaders } from '../limits/headers.js'
import type { CounterStore, Outcome, Window } from '../limits/store.js'
import { isDocs } from './auth.js'
import { eager } from './eager-hook.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** count `units` more against the caller's limits; throws the 429 when they do not fit */
    charge: (request: FastifyRequest, reply: FastifyReply, units: number) => Promise<void>
  }
  interface FastifyRequest {
    /** answered 429, for the usage counts */
    rateLimited: boolean
  }
  interface FastifyContextConfig {
    /** rate-limit units a request to the route costs (default 1) */
    cost?: number
  }
}

export default fp(async function rateLimit (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts
  const tiers = config.rateLimits
  const store: CounterStore = config.redisUrl
    ? new RedisStore({ url: config.redisUrl, namespace: `${config.redisPrefix}rl:`, log: app.log, onRedisError: config.onRedisError })
    : new LocalStore()
  app.addHook('onClose', async () => { await store.close() })

  const unknownTiers = new Set<string>()
  function windowsOf (tier: string): readonly Window[] {
    const windows = tiers[tier]
    if (windows) return windows
    // a key keeps a tier that the configuration no longer names: it is held to the default rather than let through
    if (!unknownTiers.has(tier)) {
      unknownTiers.add(tier)
      app.log.warn({ tier }, `a key's rate-limit tier is not configured; the "${DEFAULT_TIER}" tier applies`)
    }
    return tiers[DEFAULT_TIER] ?? []
  }

  /** Throws the 429 (or the 503 of an unreachable store) synchronously when the store answered at once. */
  function charge (request: FastifyRequest, reply: FastifyReply, units: number): void | Promise<void> {
    const key = request.key
    const windows = key ? windowsOf(key.tier) : (tiers[ANONYMOUS] ?? [])
    if (windows.length === 0 || units <= 0) return
    const outcome = store.hit(key ? key.subject : `ip:${request.ip}`, windows, units)
    if (outcome instanceof Promise) return outcome.then((o) => { settle(request, reply, units, windows, o) }, unavailable)
    settle(request, reply, units, windows, outcome)
  }

  function unavailable (err: unknown): never {
    if (err instanceof StoreUnavailableError) throw new ServiceUnavailableError('The rate-limit store is unavailable; try again shortly.')
    throw err
  }

  function settle (request: FastifyRequest, reply: FastifyReply, units: number, windows: readonly Window[], outcome: Outcome): void {
    reply.headers(rateLimitHeaders(outcome, windows))
    if (outcome.allowed) return
    const { window, retryAfter } = blocking(outcome, units)
    reply.header('retry-after', String(retryAfter))
    request.rateLimited = true
    throw new RateLimitError(
      `Rate limit exceeded: ${window.limit} requests per ${window.name}${request.key ? ' for this API key' : ' for your address'}. Try again in ${retryAfter} seconds.`,
      { code: 'OVER_RATE_LIMIT', window: window.name, limit: window.limit, retry_after: retryAfter, reset_at: new Date(Date.now() + retryAfter * 1000).toISOString() }
    )
  }

  app.decorateRequest('rateLimited', false)
  app.decorate('charge', async (request: FastifyRequest, reply: FastifyReply, units: number) => { await charge(request, reply, units) })
  app.addHook('onRequest', eager((request, reply) => {
    // the API's description and its viewer stay reachable to someone who has spent their quota
    if (isDocs(request.url) || request.url === '/openapi.json') return
    return charge(request, reply, request.routeOptions.config.cost ?? 1)
  }))
}, { name: 'rate-limit', dependencies: ['auth'] })
