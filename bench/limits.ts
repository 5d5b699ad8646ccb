/**
 * The limits scenario of `npm run bench` (issue #5's overhead bar: with auth
 * and limits on, Redis store, package_show throughput at least 85% of the
 * same run with both off). bench/run.ts generates the show scenario's
 * catalog, starts two opend processes on it at once and loads them in turn;
 * this file holds what differs between them, the key, the checks and the
 * report.
 *
 * - off: OPEND_REQUIRE_API_KEY=false, every tier without windows (nothing is
 *   counted, no rate-limit headers), no REDIS_URL; requests carry no key.
 * - on: OPEND_REQUIRE_API_KEY=true, REDIS_URL (keys under a prefix of the
 *   run's own, OPEND_REDIS_PREFIX, deleted at the end), and a key (created with
 *   `opend user add` and `opend token add --tier bench`) sent as the api-key
 *   header on a tier whose four windows (second, minute, hour, day) the bench
 *   never fills. Every request then looks its key up (cached 3 s in the
 *   process), is counted in the four windows from units leased from Redis
 *   (an EVALSHA per lease, not per request), gets
 *   the rate-limit headers and is counted in the key's usage.
 *   OPEND_RATE_LIMITS_ON_REDIS_ERROR=deny: were Redis unreachable, requests
 *   would fail (503) rather than be counted in the process, unseen.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

export const BAR_LIMITS_RATIO = 0.85
export const BENCH_USER = 'bencher'
export const BENCH_TIER = 'bench'
/** Windows the bench never fills: every request is checked and counted in all four. */
export const BENCH_TIER_WINDOWS = { second: 1_000_000, minute: 10_000_000, hour: 100_000_000, day: 1_000_000_000 }

/**
 * The "on" server's OPEND_REDIS_PREFIX: one of its own per run, so every key
 * under it is the bench's (whatever shape the server gives the names under
 * it), to be counted and deleted at the end.
 */
export const benchRedisPrefix = () => `opend-bench-${randomBytes(4).toString('hex')}:`

/**
 * No key required and every built-in tier without windows: what every other
 * scenario's server runs with, as the built-in anonymous tier (60 a minute
 * per address) would refuse nearly all of the benchmark's requests.
 */
export const LIMITS_OFF = {
  OPEND_REQUIRE_API_KEY: 'false',
  OPEND_RATE_LIMITS: JSON.stringify({ anonymous: {}, default: {}, unlimited: {} })
}

/** The server's environment with auth and limits off. */
export function limitsOffEnv (base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...LIMITS_OFF }
  delete env.REDIS_URL
  delete env.OPEND_RATE_LIMITS_FILE
  return env
}

/** The server's environment with auth and limits on, counted in Redis under `redisPrefix`. */
export function limitsOnEnv (base: NodeJS.ProcessEnv, redisUrl: string, redisPrefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    OPEND_REQUIRE_API_KEY: 'true',
    REDIS_URL: redisUrl,
    OPEND_REDIS_PREFIX: redisPrefix,
    OPEND_RATE_LIMITS: JSON.stringify({ [BENCH_TIER]: BENCH_TIER_WINDOWS }),
    OPEND_RATE_LIMITS_ON_REDIS_ERROR: 'deny'
  }
  delete env.OPEND_RATE_LIMITS_FILE
  return env
}

function cli (args: string[], env: NodeJS.ProcessEnv, cwd: string): string {
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim() || r.stdout.trim()}`)
  return r.stdout
}

/**
 * The user and key the "on" requests carry, made with the CLI against the
 * bench database (`env`: its DATABASE_URL, and OPEND_RATE_LIMITS naming the
 * bench tier). `cliArgs`: how to run the CLI, e.g. ['dist/src/cli.js'].
 */
export function createBenchKey (cliArgs: string[], env: NodeJS.ProcessEnv, cwd: string): { key: string, tokenId: string } {
  cli([...cliArgs, 'user', 'add', BENCH_USER], env, cwd)
  const out = cli([...cliArgs, 'token', 'add', BENCH_USER, '--tier', BENCH_TIER, '--name', 'bench'], env, cwd)
  const key = out.trim()
  if (!key || /\s/.test(key)) throw new Error(`opend token add printed something other than one key: ${JSON.stringify(out.slice(0, 200))}`)
  // token list: id, user, name, tier, state, expiry, last use
  const rows = cli([...cliArgs, 'token', 'list', BENCH_USER], env, cwd).trim().split('\n').map((l) => l.split('\t'))
  if (rows.length !== 1 || rows[0][3] !== BENCH_TIER || rows[0][4] !== 'active') throw new Error(`opend token list ${BENCH_USER}: expected one active key on tier ${BENCH_TIER}, got ${JSON.stringify(rows)}`)
  return { key, tokenId: rows[0][0] }
}

export interface LimitsCheck {
  /** the rate-limit headers of the "on" answer */
  headers: Record<string, string>
  /** what the "on" server answers without a key */
  refusal: { status: number, code: string }
}

/**
 * Before anything is measured: "on" refuses a request without a key (403,
 * API_KEY_MISSING) and answers one with the key (200, with the rate-limit
 * headers); "off" answers without a key and without rate-limit headers; both
 * send the same bytes.
 */
export async function verifyLimits (o: { onUrl: string, offUrl: string, path: string, key: string }): Promise<LimitsCheck> {
  const bare = await fetch(o.onUrl + o.path)
  const bareText = await bare.text()
  let code: unknown
  try { code = (JSON.parse(bareText) as { error?: { code?: unknown } }).error?.code } catch {}
  if (bare.status !== 403 || code !== 'API_KEY_MISSING') throw new Error(`limits on: GET ${o.path} without a key answered ${bare.status} (${bareText.slice(0, 300)}), not 403 with error.code API_KEY_MISSING`)

  const on = await fetch(o.onUrl + o.path, { headers: { 'api-key': o.key } })
  const onBytes = Buffer.from(await on.arrayBuffer())
  if (on.status !== 200) throw new Error(`limits on: GET ${o.path} with the key answered ${on.status}: ${onBytes.toString().slice(0, 300)}`)
  const headers: Record<string, string> = {}
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'ratelimit-policy', 'ratelimit']) {
    const v = on.headers.get(h)
    if (v !== null) headers[h] = v
  }
  if (!headers['x-ratelimit-limit'] || !headers['ratelimit-policy']) throw new Error(`limits on: GET ${o.path} with the key answered without x-ratelimit-limit or ratelimit-policy (${JSON.stringify(headers)})`)
  for (const w of Object.keys(BENCH_TIER_WINDOWS)) {
    if (!headers['ratelimit-policy'].includes(`"${w}"`)) throw new Error(`limits on: ratelimit-policy lacks the ${w} window: ${headers['ratelimit-policy']}`)
  }

  const off = await fetch(o.offUrl + o.path)
  const offBytes = Buffer.from(await off.arrayBuffer())
  if (off.status !== 200) throw new Error(`limits off: GET ${o.path} answered ${off.status}: ${offBytes.toString().slice(0, 300)}`)
  if (off.headers.get('x-ratelimit-limit') !== null || off.headers.get('ratelimit-policy') !== null) throw new Error('limits off: the answer carries rate-limit headers')
  if (!offBytes.equals(onBytes)) throw new Error(`limits on and off answer ${o.path} with different bytes`)
  return { headers, refusal: { status: bare.status, code: code as string } }
}

/**
 * The Redis the "on" server counts in: its version, its pid when it runs on
 * this machine (for its CPU time), and the keys under the run's prefix.
 */
export async function benchRedis (url: string, prefix: string) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null })
  // a failure of the server's own connection shows as its 503s (OPEND_RATE_LIMITS_ON_REDIS_ERROR=deny)
  let lastError: Error | null = null
  client.on('error', (err: Error) => { lastError = err })
  try {
    await client.connect()
  } catch (err) {
    client.disconnect()
    throw new Error(`cannot reach Redis at ${url} (--redis-url): ${(lastError ?? (err as Error)).message}`)
  }
  const info = await client.info('server')
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim()
  const host = new URL(url).hostname
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)
  const keys = async (): Promise<string[]> => {
    const found: string[] = []
    for await (const batch of client.scanStream({ match: `${prefix}*`, count: 1000 })) found.push(...(batch as string[]))
    return found.sort()
  }
  return {
    url,
    prefix,
    version: field('redis_version') ?? 'unknown',
    pid: local ? Number(field('process_id')) || null : null,
    keys,
    /**
     * The count in the day window of the one key's hash under the prefix
     * (every request the bench key made; src/limits/redis-store.ts), or null
     * when there is not exactly one key's hash.
     */
    dayCount: async (): Promise<number | null> => {
      const mine = (await keys()).filter((k) => k.includes('{k:'))
      return mine.length === 1 ? Number(await client.hget(mine[0]!, 'c86400000') ?? 0) : null
    },
    /** script calls Redis has run since it started (every server's; the bench's is the only one expected) */
    scriptCalls: async (): Promise<number> => {
      const stats = await client.info('commandstats')
      let calls = 0
      for (const m of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(m[1])
      return calls
    },
    drop: async () => {
      const found = await keys()
      if (found.length) await client.del(...found)
      return found.length
    },
    close: async () => { await client.quit().catch(() => client.disconnect()) }
  }
}

export type BenchRedis = Awaited<ReturnType<typeof benchRedis>>

// ---------------------------------------------------------------- report

export type Side = 'on' | 'off'

/** What the report needs of bench/run.ts's samples. */
export interface LimitsSample {
  rps: number
  p50: number
  p99: number
  requests: number
  cpuUsPerRequest?: { server: number, postgres: number, redis?: number } | null
}

const cpuTotal = (s: LimitsSample) => s.cpuUsPerRequest ? s.cpuUsPerRequest.server + s.cpuUsPerRequest.postgres + (s.cpuUsPerRequest.redis ?? 0) : NaN

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5)

function summarize (xs: LimitsSample[]) {
  return {
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    cpuUsPerRequest: median(xs.map(cpuTotal)),
    cpuUsPerRequestServer: median(xs.map((x) => x.cpuUsPerRequest?.server ?? NaN)),
    cpuUsPerRequestPostgres: median(xs.map((x) => x.cpuUsPerRequest?.postgres ?? NaN)),
    cpuUsPerRequestRedis: median(xs.map((x) => x.cpuUsPerRequest?.redis ?? NaN))
  }
}

export interface LimitsInput {
  settings: Record<string, unknown>
  catalog: { datasets: number, resources: number, generateSeconds: number }
  redis: { url: string, version: string, pid: number | null, prefix: string }
  check: LimitsCheck
  load: Record<Side, LimitsSample[]>
  sequential: Record<Side, LimitsSample[]>
  /** responses the "on" server sent the key's requests, and what Redis counted for the key */
  counted: { responses: number, redisDay: number, connections: number, runs: number, scriptCalls: number }
}

export function limitsResults (r: LimitsInput) {
  const on = summarize(r.load.on)
  const off = summarize(r.load.off)
  const ratio = on.rps / off.rps
  return {
    settings: r.settings,
    catalog: r.catalog,
    redis: r.redis,
    check: r.check,
    throughput: {
      on,
      off,
      ratio,
      ratioPerRound: r.load.on.map((x, i) => x.rps / r.load.off[i].rps),
      cpuRatio: on.cpuUsPerRequest / off.cpuUsPerRequest,
      rounds: r.load
    },
    sequential: {
      on: { median: median(r.sequential.on.map((x) => x.p50)), p99: median(r.sequential.on.map((x) => x.p99)), cpuUsPerRequest: median(r.sequential.on.map(cpuTotal)) },
      off: { median: median(r.sequential.off.map((x) => x.p50)), p99: median(r.sequential.off.map((x) => x.p99)), cpuUsPerRequest: median(r.sequential.off.map(cpuTotal)) },
      rounds: r.sequential
    },
    counted: r.counted,
    bar: { packageShowThroughputRatio: { value: ratio, min: BAR_LIMITS_RATIO, pass: ratio >= BAR_LIMITS_RATIO } }
  }
}

export type LimitsResults = ReturnType<typeof limitsResults>

const fmt = (n: number, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : '-'
const pad = (s: string, n: number) => s.length >= n ? s : s + ' '.repeat(n - s.length)
const lpad = (s: string, n: number) => s.length >= n ? s : ' '.repeat(n - s.length) + s

export function limitsReport (r: LimitsResults, load: { connections: number, warmup: number, duration: number, rounds: number, sequential: number }): string[] {
  const t = r.throughput
  const cpu = (s: ReturnType<typeof summarize>) => Number.isFinite(s.cpuUsPerRequestServer)
    ? `${fmt(s.cpuUsPerRequestServer, 0)}+${fmt(s.cpuUsPerRequestPostgres, 0)}pg${Number.isFinite(s.cpuUsPerRequestRedis) ? `+${fmt(s.cpuUsPerRequestRedis, 0)}redis` : ''}`
    : '-'
  const lines = [
    '',
    '## Overhead of API keys and rate limits: package_show with both on (Redis) vs both off',
    '',
    `catalog: ${r.catalog.datasets} datasets, ${r.catalog.resources} resources; two opend processes on it at once`,
    `on:  OPEND_REQUIRE_API_KEY=true, api-key header on tier "${BENCH_TIER}" (${Object.keys(BENCH_TIER_WINDOWS).join(', ')} windows), counters in Redis ${r.redis.version} (${r.redis.url}, keys under ${r.redis.prefix}); ` +
      `without a key: ${r.check.refusal.status} ${r.check.refusal.code}; x-ratelimit-limit ${r.check.headers['x-ratelimit-limit']}`,
    'off: OPEND_REQUIRE_API_KEY=false, tiers without windows, no Redis; no key, no rate-limit headers',
    `load: ${load.connections} connections, pipelining 1, ${load.warmup} s warm-up + ${load.duration} s, ${load.rounds} rounds alternating; medians of the rounds`,
    '',
    '| limits |   req/s | p50 ms | p99 ms | CPU µs/req (node+pg+redis) | sequential median | req/s ratio | CPU ratio |',
    '|--------|--------:|-------:|-------:|---------------------------:|------------------:|------------:|----------:|'
  ]
  for (const side of ['on', 'off'] as const) {
    const s = t[side]
    lines.push(`| ${pad(side, 6)} | ${lpad(fmt(s.rps, 0), 7)} | ${lpad(fmt(s.p50), 6)} | ${lpad(fmt(s.p99), 6)} | ${lpad(`${fmt(s.cpuUsPerRequest, 0)} (${cpu(s)})`, 26)} | ${lpad(fmt(r.sequential[side].median, 3) + ' ms', 17)} | ${lpad(side === 'on' ? fmt(t.ratio) : '', 11)} | ${lpad(side === 'on' ? fmt(t.cpuRatio) + 'x' : '', 9)} |`)
  }
  lines.push(`req/s ratio = on / off, per round: ${t.ratioPerRound.map((x) => fmt(x)).join(', ')}. CPU µs/req = CPU time per request of the server process, its PostgreSQL backends and (for both) the Redis server.`)
  lines.push(`sequential: ${load.sequential} requests on 1 connection (after 50 warm-up), the extra latency of a request on its own.`)
  lines.push(`Redis counted ${r.counted.redisDay} requests for the key once the server had stopped, for ${r.counted.responses} answers received (${r.counted.runs} runs; up to ${r.counted.connections} per run in flight when a run stops)`)
  lines.push(`Redis ran ${r.counted.scriptCalls} script calls during the runs: one per ${fmt(r.counted.responses / Math.max(1, r.counted.scriptCalls), 0)} answers (units are leased; src/limits/redis-store.ts)`)
  lines.push('')
  lines.push(`bar: package_show throughput with auth and limits on ${fmt(t.ratio)} x off (need ≥ ${BAR_LIMITS_RATIO}): ${r.bar.packageShowThroughputRatio.pass ? 'met' : 'MISSED'}`)
  return lines
}
