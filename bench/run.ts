/**
 * `npm run bench`: opend against PostgreSQL, in four scenarios (--scenario
 * all|show|search|datastore|limits, all by default), each on its own throwaway
 * database opend_bench_<random>, with the real server in a child process.
 *
 * show: package_show and package_list next to a bare Fastify route serving
 * the same bytes from memory, in the same run on the same machine.
 * 1. build (tsc), create the database, migrate, generate the catalog
 *    (bench/generate.ts, --datasets, 1000 by default)
 * 2. start `node dist/src/cli.js serve` on it, in a child process (as in
 *    every scenario, API keys not required and rate limits off: LIMITS_OFF)
 * 3. fetch, once, every URL the load will use from opend; start
 *    bench/baseline.ts (a child process too) serving those exact bytes
 * 4. throughput: autocannon, 10 connections, 2 s warm-up then 10 s, on
 *    package_show (200 dataset names picked at random per request) and
 *    package_list, opend and baseline alternating, 3 rounds; medians
 * 5. sequential latency: 500 requests on one connection (pipelining 1) to
 *    package_show and status_show, each round; medians
 *
 * search: package_search on a bulk-generated catalog (--search-datasets,
 * 100,000 by default), `opend reindex` timed, then bench/search.ts: Thai
 * queries with three facets sequentially and with 10 clients, the
 * organization filter, and the plans, every figure beside the same SQL run
 * directly against PostgreSQL.
 *
 * datastore: datastore_search on generated tables (--datastore-rows,
 * 100,000 and 10,000,000 by default; bench/datastore.ts), each figure beside
 * the same query run directly; then the largest table as records_format=csv
 * against `psql \copy ... TO STDOUT` with the server's memory sampled, and
 * `opend datastore load` of a generated CSV (--datastore-load-rows,
 * 1,000,000) against `psql \copy ... FROM`.
 *
 * limits: package_show on the show scenario's catalog from two servers at
 * once, one with API keys required and rate limits counted in Redis
 * (--redis-url, redis://127.0.0.1:6379), one with both off, autocannon
 * alternating between them as in show; throughput and sequential latency,
 * and the ratio of the two throughputs (bench/limits.ts).
 *
 * Then print the tables, write bench/results/latest.json (and the plans to
 * bench/results/search-plans.md), drop the databases and stop the children,
 * also on failure or Ctrl-C.
 *
 * Flags: --scenario all|show|search|datastore|limits --datasets N (1000) --search-datasets N (100000)
 *        --rounds N (3) --duration S (10) --warmup S (2) --connections N (10)
 *        --sequential N (500) --passes N (3) --no-build --tsx --keep-db
 *        --search-db NAME (generate into, and keep, this database: a second run reuses the catalog)
 *        --no-reindex (do not time `opend reindex`)
 *        --no-cache --datastore-rows N,M --datastore-db NAME --datastore-requests N (200)
 *        --datastore-load-rows N (1000000) --no-export --no-load --redis-url URL
 * Environment: DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres) is
 * only used to create and drop the benchmark databases.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import { sql } from 'kysely'
import pg from 'pg'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/factory.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { BULK_THRESHOLD, generate, generateBulk } from './generate.js'
import { plansReport, runSearchScenario, searchReport, timeReindex } from './search.js'
import { type DatastoreResults, datastoreReport, generateTables, measureExport, measureLoad, runDatastoreScenario } from './datastore.js'
import { type BenchRedis, LIMITS_OFF, benchRedis, benchRedisPrefix, createBenchKey, limitsOffEnv, limitsOnEnv, limitsReport, limitsResults, verifyLimits, type Side } from './limits.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SITE_URL = 'https://opend.bench.example'
const SAMPLE_NAMES = 200
// CKAN 2.10 figures the issue measured, and the bar it sets for opend
const CKAN_SEQUENTIAL_MS: Record<string, number> = { package_show: 10.8, status_show: 3.0 }
const BAR_THROUGHPUT_RATIO = 0.5
const BAR_SEQUENTIAL_FRACTION = 1 / 3

const { values: flags } = parseArgs({
  options: {
    datasets: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    sequential: { type: 'string', default: '500' },
    'no-build': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'all' },
    'search-datasets': { type: 'string', default: '100000' },
    passes: { type: 'string', default: '3' },
    'search-db': { type: 'string' },
    'no-reindex': { type: 'boolean', default: false },
    'datastore-rows': { type: 'string', default: '100000,10000000' },
    'datastore-db': { type: 'string' },
    'datastore-requests': { type: 'string', default: '200' },
    'datastore-load-rows': { type: 'string', default: '1000000' },
    'no-export': { type: 'boolean', default: false },
    'no-load': { type: 'boolean', default: false },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

function positive (name: string, v: string): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${v})`)
  return n
}

const opts = {
  datasets: positive('datasets', flags.datasets),
  rounds: positive('rounds', flags.rounds),
  duration: positive('duration', flags.duration),
  warmup: Number(flags.warmup),
  connections: positive('connections', flags.connections),
  sequential: positive('sequential', flags.sequential),
  searchDatasets: positive('search-datasets', flags['search-datasets']),
  passes: positive('passes', flags.passes)
}
if (!['all', 'show', 'search', 'datastore', 'limits'].includes(flags.scenario)) throw new Error(`--scenario must be all, show, search, datastore or limits (got ${flags.scenario})`)
const runShow = ['all', 'show'].includes(flags.scenario)
const runSearch = ['all', 'search'].includes(flags.scenario)
const runDatastore = ['all', 'datastore'].includes(flags.scenario)
const runLimits = ['all', 'limits'].includes(flags.scenario)
if (runLimits && !/^rediss?:\/\//.test(flags['redis-url'])) throw new Error(`--redis-url must be a redis:// URL (got ${flags['redis-url']})`)
const datastoreSizes = flags['datastore-rows'].split(',').map((n) => positive('datastore-rows', n))

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

// ---------------------------------------------------------------- cleanup

const cleanups: (() => Promise<void> | void)[] = []
let cleaning: Promise<void> | null = null
function cleanup (): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try { await fn() } catch (err) { log(`cleanup: ${err instanceof Error ? err.message : String(err)}`) }
    }
  })()
  return cleaning
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`)
    cleanup().finally(() => process.exit(130))
  })
}

// ---------------------------------------------------------------- children

interface Child { proc: ChildProcess, port: number, stderr: () => string, stop: () => Promise<void> }

/** Start a server process and wait for the line announcing its port. */
function startChild (label: string, args: string[], env: NodeJS.ProcessEnv, portLine: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000) })
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    const gone = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(timer)
  }
  cleanups.push(stop)
  // the last resort if this process dies without running the cleanups
  process.once('exit', () => { if (proc.exitCode === null) proc.kill('SIGKILL') })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s\n${err}`)), 60_000)
    proc.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${label} exited (${code ?? signal}) before listening\n${err}`))
    })
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = portLine.exec(out)
      if (m) {
        clearTimeout(timer)
        proc.removeAllListeners('exit')
        resolve({ proc, port: Number(m[1]), stderr: () => err, stop })
      }
    })
  })
}

// ---------------------------------------------------------------- measuring

interface Sample {
  rps: number
  p50: number
  p99: number
  bytesPerResponse: number
  requests: number
  non2xx: number
  errors: number
  /** CPU time per request of the server process, of its PostgreSQL backends, and of Redis (limits) */
  cpuUsPerRequest?: { server: number, postgres: number, redis?: number } | null
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/**
 * CPU seconds a process has used, from /proc (Linux; null elsewhere). On a
 * shared machine this is the steadier measure: a neighbour's load slows
 * requests down but does not make them cost more CPU.
 */
function cpuSeconds (pid: number | undefined): number | null {
  if (!pid) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return null
  }
}

/** CPU seconds of each readable process, by pid (PostgreSQL backends come and go with the pool). */
function cpuByPid (pids: number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const pid of pids) {
    const c = cpuSeconds(pid)
    if (c !== null) out.set(pid, c)
  }
  return out
}

function cpuDelta (before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, c] of after) sum += c - (before.get(pid) ?? c)
  return sum
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5)

/**
 * One autocannon run. Latencies come from autocannon's per-response
 * timings (sub-millisecond), not its histogram, which rounds to whole ms.
 */
async function cannon (url: string, paths: string[], o: { duration?: number, amount?: number, connections: number, headers?: Record<string, string> }): Promise<Sample> {
  const latencies: number[] = []
  const instance = autocannon({
    url,
    connections: o.connections,
    pipelining: 1,
    timeout: 30,
    ...(o.headers ? { headers: o.headers } : {}),
    ...(o.amount ? { amount: o.amount } : { duration: o.duration }),
    requests: [{
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: paths.length === 1 ? paths[0] : paths[Math.floor(Math.random() * paths.length)] })
    }]
  })
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { latencies.push(ms) })
  const r: Result = await instance
  latencies.sort((a, b) => a - b)
  const done = latencies.length
  return {
    rps: done / r.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    bytesPerResponse: done ? Math.round(r.throughput.total / done) : 0,
    requests: done,
    non2xx: r.non2xx,
    errors: r.errors
  }
}

function checkSample (what: string, s: Sample) {
  if (s.non2xx || s.errors) throw new Error(`${what}: ${s.non2xx} non-2xx responses and ${s.errors} errors out of ${s.requests}; the figures would be meaningless`)
}

/** The PostgreSQL backends connected to a database (they come and go with the pools). */
async function backendPids (admin: pg.Client, dbName: string): Promise<number[]> {
  return (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid)
}

/** Run `run`, and give its sample the CPU time per request of the server process, the PostgreSQL backends and Redis named. */
async function measured (pids: { server: number | undefined, postgres: number[], redis?: number | null }, run: () => Promise<Sample>): Promise<Sample> {
  const server0 = cpuSeconds(pids.server)
  const pg0 = cpuByPid(pids.postgres)
  const redis0 = pids.redis ? cpuSeconds(pids.redis) : null
  const s = await run()
  const server1 = cpuSeconds(pids.server)
  const pg1 = cpuByPid(pids.postgres)
  const redis1 = pids.redis ? cpuSeconds(pids.redis) : null
  s.cpuUsPerRequest = server0 === null || server1 === null || s.requests === 0
    ? null
    : {
        server: (server1 - server0) * 1e6 / s.requests,
        postgres: cpuDelta(pg0, pg1) * 1e6 / s.requests,
        ...(redis0 !== null && redis1 !== null ? { redis: (redis1 - redis0) * 1e6 / s.requests } : {})
      }
  return s
}

// ---------------------------------------------------------------- helpers

function git (...args: string[]): string {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : ''
}

const fmt = (n: number, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : '-'
const pad = (s: string, n: number) => s.length >= n ? s : s + ' '.repeat(n - s.length)
const lpad = (s: string, n: number) => s.length >= n ? s : ' '.repeat(n - s.length) + s

const cpuTotal = (s: Sample) => s.cpuUsPerRequest ? s.cpuUsPerRequest.server + s.cpuUsPerRequest.postgres + (s.cpuUsPerRequest.redis ?? 0) : NaN
function cpuText (s: Sample): string {
  const c = s.cpuUsPerRequest
  if (!c) return ''
  const redis = c.redis !== undefined ? ` + redis ${fmt(c.redis, 0)}` : ''
  return `CPU ${fmt(cpuTotal(s), 0)} µs/req${c.postgres ? ` (node ${fmt(c.server, 0)} + postgres ${fmt(c.postgres, 0)}${redis})` : ''}`
}

function shuffled<T> (xs: T[]): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

// ---------------------------------------------------------------- main

/** A throwaway database (dropped at the end unless --keep-db), or the --search-db one, kept. */
async function benchDatabase (admin: pg.Client, adminUrl: string, existing?: string): Promise<{ name: string, url: string }> {
  let name = existing
  if (name === undefined) {
    name = `opend_bench_${randomBytes(4).toString('hex')}`
    await admin.query(`CREATE DATABASE ${name}`)
    log(`created database ${name}`)
    if (!flags['keep-db']) {
      const dropped = name
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${dropped} WITH (FORCE)`)
        log(`dropped database ${dropped}`)
      })
    }
  } else {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount === 0) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--search-db: not a plain database name: ${name}`)
      await admin.query(`CREATE DATABASE ${name}`)
      log(`created database ${name} (kept: --search-db)`)
    }
  }
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return { name, url: u.toString() }
}

const serveArgs = flags.tsx ? ['--import', 'tsx', 'src/cli.ts', 'serve'] : ['dist/src/cli.js', 'serve']

async function main () {
  if (flags.help) {
    process.stdout.write('usage: npm run bench -- [--scenario all|show|search|datastore|limits] [--datasets N] [--search-datasets N] [--rounds N] [--duration S] [--warmup S]\n' +
      '                        [--connections N] [--sequential N] [--passes N] [--no-build] [--tsx] [--keep-db] [--search-db NAME] [--no-reindex] [--no-cache]\n' +
      '                        [--datastore-rows N,M] [--datastore-db NAME] [--datastore-requests N] [--datastore-load-rows N] [--no-export] [--no-load] [--redis-url URL]\n')
    return
  }
  const started = Date.now()
  const loadAtStart = os.loadavg()
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  if (!/^postgres(ql)?:\/\//.test(adminUrl)) throw new Error('DATABASE_URL must be a postgres:// URL')

  if (!flags['no-build'] && !flags.tsx) {
    log('building (npm run build)')
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' })
    if (b.status !== 0) throw new Error('npm run build failed (use --tsx to run from source, or --no-build to use the existing dist/)')
  }
  if (!flags.tsx && !existsSync(join(ROOT, 'dist/src/cli.js'))) throw new Error('dist/src/cli.js is missing: run npm run build')

  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  cleanups.push(() => admin.end())
  const pgVersion = (await admin.query<{ version: string }>('SELECT version()')).rows[0].version
  // the server's memory settings decide how much of a 100,000-dataset index stays in its cache
  const pgSettings = Object.fromEntries((await admin.query<{ name: string, setting: string }>(
    "SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit') ORDER BY name"
  )).rows.map((r) => [r.name, r.setting]))

  // Redis is needed last, by the limits scenario: missing, it fails the run before the others spend their time
  let redis: BenchRedis | null = null
  if (runLimits) {
    redis = await benchRedis(flags['redis-url'], benchRedisPrefix())
    cleanups.push(redis.close)
  }

  const lines: string[] = []
  const show = runShow ? await showScenario(admin, adminUrl) : null
  if (show) lines.push(...show.lines)
  const search = runSearch ? await searchScenarioRun(admin, adminUrl) : null
  if (search) lines.push(...search.lines)
  const datastore = runDatastore ? await datastoreScenarioRun(admin, adminUrl) : null
  if (datastore) lines.push(...datastoreReport(datastore))
  const limits = redis ? await limitsScenarioRun(admin, adminUrl, redis) : null
  if (limits) lines.push(...limits.lines)

  const cpus = os.cpus()
  const loadAtEnd = os.loadavg()
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: pgVersion,
    postgresSettings: pgSettings,
    loadavgAtStart: loadAtStart.map((x) => Math.round(x * 100) / 100),
    loadavgAtEnd: loadAtEnd.map((x) => Math.round(x * 100) / 100)
  }
  const commit = git('rev-parse', '--short', 'HEAD')
  const dirty = git('status', '--porcelain', '--', 'src', 'migrations') !== ''
  const results = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    opend: { commit: commit + (dirty ? '+uncommitted changes' : ''), server: serveArgs.join(' ') },
    machine,
    ...(show ? { show: show.results } : {}),
    ...(search ? { search: search.results } : {}),
    ...(datastore ? { datastore } : {}),
    ...(limits ? { limits: limits.results } : {}),
    seconds: Math.round((Date.now() - started) / 1000)
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench/results/latest.json'), JSON.stringify(results, null, 2) + '\n')
  if (search) writeFileSync(join(ROOT, 'bench/results/search-plans.md'), search.plans)

  const header = [
    '',
    `opend ${results.opend.commit} (${results.opend.server})`,
    `machine: ${machine.cpus} CPUs, ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}`,
    `         ${pgVersion.split(',')[0]}; load average ${fmt(loadAtStart[0])} at start, ${fmt(loadAtEnd[0])} at end (other processes share the CPUs: compare ratios)`,
    `         PostgreSQL settings: ${Object.entries(pgSettings).map(([k, v]) => `${k}=${v}`).join(', ')}`
  ]
  lines.push('')
  lines.push(`results written to bench/results/latest.json${search ? ', the plans to bench/results/search-plans.md' : ''} (${results.seconds} s)`)
  process.stdout.write([...header, ...lines].join('\n') + '\n')
}

/** A throwaway database with the show scenario's catalog (--datasets), and the server environment for it. */
async function showCatalog (admin: pg.Client, adminUrl: string) {
  const { name: dbName, url: benchUrl } = await benchDatabase(admin, adminUrl)

  // --no-cache measures the database path of every request (OPEND_PACKAGE_CACHE=false)
  const env = { DATABASE_URL: benchUrl, OPEND_SITE_URL: SITE_URL, OPEND_DEMO: 'false', LOG_LEVEL: 'warn', OPEND_PACKAGE_CACHE: flags['no-cache'] ? 'false' : 'true', ...LIMITS_OFF }
  const config = loadConfig({ ...env, PORT: '0' })
  const db = await openDatabase({ databaseUrl: benchUrl, dataDir: os.tmpdir(), poolSize: 8 })
  let gen
  try {
    await migrateToLatest(db.kysely)
    log(`generating ${opts.datasets} datasets`)
    gen = opts.datasets > BULK_THRESHOLD
      ? await generateBulk(db.kysely, config, { datasets: opts.datasets })
      : await generate(db.kysely, config, { datasets: opts.datasets, concurrency: 6 })
    // the steady state autovacuum reaches on a running catalog: the bulk load's
    // dead row versions gone, planner statistics fresh
    await sql`VACUUM ANALYZE`.execute(db.kysely)
  } finally {
    await db.close()
  }
  log(`generated ${gen.created} datasets with ${gen.resources} resources in ${(gen.ms / 1000).toFixed(1)} s`)
  return { dbName, benchUrl, env, gen }
}

/** package_show and package_list against a bare Fastify route serving the same bytes. */
async function showScenario (admin: pg.Client, adminUrl: string) {
  const { dbName, env, gen } = await showCatalog(admin, adminUrl)

  // ---- opend
  const opend = await startChild('opend', serveArgs, { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' }, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
  const opendUrl = `http://127.0.0.1:${opend.port}`
  log(`opend is listening on ${opendUrl}`)

  // ---- the URLs, and the bytes opend answers them with
  const listPath = '/api/3/action/package_list'
  const statusPath = '/api/3/action/status_show'
  const listRes = await fetch(opendUrl + listPath)
  const names = ((await listRes.json()) as { result: string[] }).result
  if (names.length < 1) throw new Error('package_list returned no datasets')
  const showPaths = shuffled(names).slice(0, SAMPLE_NAMES).map((n) => `/api/3/action/package_show?id=${encodeURIComponent(n)}`)
  const fixtures: { url: string, contentType: string, cacheControl: string, body: string }[] = []
  const opendBytes = new Map<string, Buffer>()
  for (const path of [...showPaths, listPath, statusPath]) {
    const res = await fetch(opendUrl + path)
    const bytes = Buffer.from(await res.arrayBuffer())
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${bytes.toString().slice(0, 300)}`)
    opendBytes.set(path, bytes)
    fixtures.push({ url: path, contentType: res.headers.get('content-type') ?? '', cacheControl: res.headers.get('cache-control') ?? '', body: bytes.toString('base64') })
  }
  const tmp = mkdtempSync(join(os.tmpdir(), 'opend-bench-'))
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }))
  const fixturesFile = join(tmp, 'fixtures.json')
  writeFileSync(fixturesFile, JSON.stringify(fixtures))

  // ---- baseline
  const baseline = await startChild('baseline', ['--import', 'tsx', 'bench/baseline.ts', fixturesFile], { ...process.env, PORT: '0' }, /listening (\d+)/)
  const baselineUrl = `http://127.0.0.1:${baseline.port}`
  log(`baseline is listening on ${baselineUrl}`)
  for (const [path, bytes] of opendBytes) {
    const res = await fetch(baselineUrl + path)
    const got = Buffer.from(await res.arrayBuffer())
    if (!got.equals(bytes)) throw new Error(`baseline bytes differ from opend's for ${path}`)
    if (res.headers.get('content-type') !== fixtures.find((f) => f.url === path)!.contentType) throw new Error(`baseline content-type differs for ${path}`)
  }
  const showSizes = showPaths.map((p) => opendBytes.get(p)!.length)

  // ---- load
  const targets = { opend: opendUrl, baseline: baselineUrl } as const
  type Target = keyof typeof targets
  const scenarios = { package_show: showPaths, package_list: [listPath] }
  type Scenario = keyof typeof scenarios
  const sequentialScenarios = { package_show: showPaths, status_show: [statusPath] }
  type SeqScenario = keyof typeof sequentialScenarios
  const load: Record<Scenario, Record<Target, Sample[]>> = {
    package_show: { opend: [], baseline: [] },
    package_list: { opend: [], baseline: [] }
  }
  const seq: Record<SeqScenario, Record<Target, Sample[]>> = {
    package_show: { opend: [], baseline: [] },
    status_show: { opend: [], baseline: [] }
  }
  const measuredOn = async (target: Target, run: () => Promise<Sample>): Promise<Sample> =>
    measured({ server: (target === 'opend' ? opend : baseline).proc.pid, postgres: target === 'opend' ? await backendPids(admin, dbName) : [] }, run)
  const perRun = opts.warmup + opts.duration
  log(`${opts.rounds} rounds x ${Object.keys(scenarios).length * 2} runs of ${perRun} s (+ sequential): about ${Math.ceil(opts.rounds * 4 * (perRun + 1) / 60 + 0.5)} min`)
  for (let round = 0; round < opts.rounds; round++) {
    // alternate who goes first, so a drift in the machine's speed hits both
    const order: Target[] = round % 2 === 0 ? ['opend', 'baseline'] : ['baseline', 'opend']
    for (const scenario of Object.keys(scenarios) as Scenario[]) {
      for (const target of order) {
        if (opts.warmup > 0) await cannon(targets[target], scenarios[scenario], { duration: opts.warmup, connections: opts.connections })
        const s = await measuredOn(target, () => cannon(targets[target], scenarios[scenario], { duration: opts.duration, connections: opts.connections }))
        checkSample(`${scenario} on ${target}`, s)
        load[scenario][target].push(s)
        log(`round ${round + 1} ${pad(scenario, 13)} ${pad(target, 9)} ${lpad(fmt(s.rps, 0), 6)} req/s  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  ${cpuText(s)}`)
      }
    }
    for (const scenario of Object.keys(sequentialScenarios) as SeqScenario[]) {
      for (const target of order) {
        await cannon(targets[target], sequentialScenarios[scenario], { amount: 50, connections: 1 })
        const s = await measuredOn(target, () => cannon(targets[target], sequentialScenarios[scenario], { amount: opts.sequential, connections: 1 }))
        checkSample(`sequential ${scenario} on ${target}`, s)
        seq[scenario][target].push(s)
        log(`round ${round + 1} sequential ${pad(scenario, 12)} ${pad(target, 9)} median ${fmt(s.p50, 3)} ms  p99 ${fmt(s.p99, 3)} ms  ${cpuText(s)}`)
      }
    }
  }

  // ---- report
  const summarize = (xs: Sample[]) => ({
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    bytesPerResponse: median(xs.map((x) => x.bytesPerResponse)),
    cpuUsPerRequest: median(xs.map(cpuTotal)),
    cpuUsPerRequestServer: median(xs.map((x) => x.cpuUsPerRequest?.server ?? NaN)),
    cpuUsPerRequestPostgres: median(xs.map((x) => x.cpuUsPerRequest?.postgres ?? NaN))
  })
  const throughput = Object.fromEntries((Object.keys(load) as Scenario[]).map((sc) => {
    const o = summarize(load[sc].opend)
    const b = summarize(load[sc].baseline)
    const perRound = load[sc].opend.map((x, i) => x.rps / load[sc].baseline[i].rps)
    return [sc, { opend: o, baseline: b, ratio: o.rps / b.rps, ratioPerRound: perRound, cpuRatio: o.cpuUsPerRequest / b.cpuUsPerRequest, rounds: load[sc] }]
  }))
  const sequential = Object.fromEntries((Object.keys(seq) as SeqScenario[]).map((sc) => {
    const o = median(seq[sc].opend.map((x) => x.p50))
    const b = median(seq[sc].baseline.map((x) => x.p50))
    const ckan = CKAN_SEQUENTIAL_MS[sc]
    return [sc, {
      opend: { median: o, p99: median(seq[sc].opend.map((x) => x.p99)), cpuUsPerRequest: median(seq[sc].opend.map(cpuTotal)) },
      baseline: { median: b, p99: median(seq[sc].baseline.map((x) => x.p99)), cpuUsPerRequest: median(seq[sc].baseline.map(cpuTotal)) },
      ckan210Median: ckan,
      bar: ckan * BAR_SEQUENTIAL_FRACTION,
      pass: o <= ckan * BAR_SEQUENTIAL_FRACTION,
      rounds: seq[sc]
    }]
  }))
  const showRatio = throughput.package_show.ratio
  const results = {
    settings: { ...opts, sampleNames: showPaths.length, siteUrl: SITE_URL },
    catalog: {
      datasets: gen.created,
      resources: gen.resources,
      generateSeconds: gen.ms / 1000,
      packageShowBytes: { min: Math.min(...showSizes), median: median(showSizes), max: Math.max(...showSizes) },
      packageListBytes: opendBytes.get(listPath)!.length
    },
    throughput,
    sequential,
    bar: {
      packageShowThroughputRatio: { value: showRatio, min: BAR_THROUGHPUT_RATIO, pass: showRatio >= BAR_THROUGHPUT_RATIO },
      packageShowSequentialMedianMs: { value: sequential.package_show.opend.median, max: sequential.package_show.bar, pass: sequential.package_show.pass },
      statusShowSequentialMedianMs: { value: sequential.status_show.opend.median, max: sequential.status_show.bar, pass: sequential.status_show.pass }
    }
  }
  await opend.stop()
  await baseline.stop()

  const lines: string[] = []
  lines.push('')
  lines.push('## package_show and package_list: opend vs bare Fastify serving the same bytes')
  lines.push('')
  lines.push(`catalog: ${gen.created} datasets, ${gen.resources} resources; package_show bodies ${results.catalog.packageShowBytes.min}-${results.catalog.packageShowBytes.max} bytes (median ${results.catalog.packageShowBytes.median}), package_list ${results.catalog.packageListBytes} bytes`)
  lines.push(`load: ${opts.connections} connections, pipelining 1, ${opts.warmup} s warm-up + ${opts.duration} s, ${opts.rounds} rounds alternating; medians of the rounds`)
  lines.push('')
  lines.push('| scenario     | server   |   req/s | p50 ms | p99 ms | bytes/resp | CPU µs/req | req/s ratio | CPU ratio |')
  lines.push('|--------------|----------|--------:|-------:|-------:|-----------:|-----------:|------------:|----------:|')
  for (const [sc, t] of Object.entries(throughput)) {
    for (const target of ['opend', 'baseline'] as const) {
      const s = t[target]
      const cpu = target === 'opend' && Number.isFinite(s.cpuUsPerRequestPostgres) ? `${fmt(s.cpuUsPerRequestServer, 0)}+${fmt(s.cpuUsPerRequestPostgres, 0)}pg` : fmt(s.cpuUsPerRequest, 0)
      lines.push(`| ${pad(sc, 12)} | ${pad(target, 8)} | ${lpad(fmt(s.rps, 0), 7)} | ${lpad(fmt(s.p50), 6)} | ${lpad(fmt(s.p99), 6)} | ${lpad(String(s.bytesPerResponse), 10)} | ${lpad(cpu, 10)} | ${lpad(target === 'opend' ? fmt(t.ratio) : '', 11)} | ${lpad(target === 'opend' ? fmt(t.cpuRatio, 1) + 'x' : '', 9)} |`)
    }
  }
  lines.push('req/s ratio = opend / baseline (the bar: >= 0.5). CPU µs/req = CPU time of the server process (for opend: node + its PostgreSQL backends) per request.')
  lines.push('')
  lines.push(`sequential: ${opts.sequential} requests on 1 connection, pipelining 1 (after 50 warm-up); median of the rounds' medians`)
  lines.push('')
  lines.push('| action       | opend median | opend p99 | opend CPU/req | baseline median | CKAN 2.10 median | bar (1/3 CKAN) |')
  lines.push('|--------------|-------------:|----------:|--------------:|----------------:|-----------------:|---------------:|')
  for (const [sc, s] of Object.entries(sequential)) {
    lines.push(`| ${pad(sc, 12)} | ${lpad(fmt(s.opend.median, 3) + ' ms', 12)} | ${lpad(fmt(s.opend.p99, 3) + ' ms', 9)} | ${lpad(fmt(s.opend.cpuUsPerRequest, 0) + ' µs', 13)} | ${lpad(fmt(s.baseline.median, 3) + ' ms', 15)} | ${lpad(fmt(s.ckan210Median, 1) + ' ms', 16)} | ${lpad((s.pass ? 'met ' : 'MISSED ') + '≤ ' + fmt(s.bar, 1), 14)} |`)
  }
  lines.push('')
  lines.push(`bar: package_show throughput ${fmt(showRatio)} x baseline (need ≥ ${BAR_THROUGHPUT_RATIO}): ${results.bar.packageShowThroughputRatio.pass ? 'met' : 'MISSED'}; ` +
    `package_show sequential median ${fmt(sequential.package_show.opend.median, 3)} ms (need ≤ ${fmt(sequential.package_show.bar, 1)}): ${sequential.package_show.pass ? 'met' : 'MISSED'}`)
  return { results, lines }
}

/**
 * package_show from two servers on the show scenario's catalog at once: one
 * with API keys required and rate limits counted in Redis, one with both off
 * (bench/limits.ts), loaded in turn as showScenario loads opend and baseline.
 */
async function limitsScenarioRun (admin: pg.Client, adminUrl: string, redis: BenchRedis) {
  const { dbName, env, gen } = await showCatalog(admin, adminUrl)
  const { url: redisUrl, prefix: redisPrefix } = redis
  // the counters; the database, with the key, is dropped anyway
  cleanups.push(async () => { log(`limits: deleted ${await redis.drop()} Redis keys under ${redisPrefix}`) })
  const base = { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' }
  const onEnv = limitsOnEnv(base, redisUrl, redisPrefix)
  const { key, tokenId } = createBenchKey(flags.tsx ? ['--import', 'tsx', 'src/cli.ts'] : ['dist/src/cli.js'], onEnv, ROOT)
  log(`limits: key ${key.slice(0, 8)}... (token ${tokenId}); Redis ${redis.version} at ${redisUrl}, keys under ${redisPrefix}`)

  const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/
  const off = await startChild('opend (limits off)', serveArgs, limitsOffEnv(base), listening)
  const on = await startChild('opend (limits on)', serveArgs, onEnv, listening)
  const targets: Record<Side, string> = { on: `http://127.0.0.1:${on.port}`, off: `http://127.0.0.1:${off.port}` }
  log(`limits: on is listening on ${targets.on}, off on ${targets.off}`)

  const listRes = await fetch(targets.off + '/api/3/action/package_list')
  const names = ((await listRes.json()) as { result: string[] }).result
  if (names.length < 1) throw new Error('package_list returned no datasets')
  const showPaths = shuffled(names).slice(0, SAMPLE_NAMES).map((n) => `/api/3/action/package_show?id=${encodeURIComponent(n)}`)
  const check = await verifyLimits({ onUrl: targets.on, offUrl: targets.off, path: showPaths[0], key })
  // the one answer with the key counted in Redis, not in the process
  const first = await redis.dayCount()
  if (first !== 1) throw new Error(`limits on: after the one check, Redis holds ${first ?? 'no single'} count in a day window under ${redisPrefix}, not 1 (keys: ${JSON.stringify(await redis.keys())})`)
  log(`limits: checked: without a key ${check.refusal.status} ${check.refusal.code}; with it 200, ratelimit-policy: ${check.headers['ratelimit-policy']}; off 200 without rate-limit headers; counters in Redis`)

  const headers: Record<Side, Record<string, string> | undefined> = { on: { 'api-key': key }, off: undefined }
  const load: Record<Side, Sample[]> = { on: [], off: [] }
  const seq: Record<Side, Sample[]> = { on: [], off: [] }
  // the key's answers, to set against Redis's count: the check's one, and every run's
  const counted = { responses: 1, runs: 0 }
  const callsBefore = await redis.scriptCalls()
  const run = async (side: Side, o: { duration?: number, amount?: number, connections: number }) => {
    const s = await cannon(targets[side], showPaths, { ...o, headers: headers[side] })
    if (side === 'on') {
      counted.responses += s.requests
      counted.runs++
    }
    return s
  }
  const pids = async (side: Side) => ({ server: (side === 'on' ? on : off).proc.pid, postgres: await backendPids(admin, dbName), redis: redis.pid })
  const perRun = opts.warmup + opts.duration
  log(`limits: ${opts.rounds} rounds x 2 runs of ${perRun} s (+ sequential): about ${Math.ceil(opts.rounds * 2 * (perRun + 2) / 60 + 0.5)} min`)
  for (let round = 0; round < opts.rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['on', 'off'] : ['off', 'on']
    for (const side of order) {
      if (opts.warmup > 0) checkSample(`limits ${side} warm-up`, await run(side, { duration: opts.warmup, connections: opts.connections }))
      const s = await measured(await pids(side), () => run(side, { duration: opts.duration, connections: opts.connections }))
      checkSample(`package_show with limits ${side}`, s)
      load[side].push(s)
      log(`round ${round + 1} package_show limits ${pad(side, 3)} ${lpad(fmt(s.rps, 0), 6)} req/s  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  ${cpuText(s)}`)
    }
    for (const side of order) {
      checkSample(`sequential limits ${side} warm-up`, await run(side, { amount: 50, connections: 1 }))
      const s = await measured(await pids(side), () => run(side, { amount: opts.sequential, connections: 1 }))
      checkSample(`sequential package_show with limits ${side}`, s)
      seq[side].push(s)
      log(`round ${round + 1} sequential package_show limits ${pad(side, 3)} median ${fmt(s.p50, 3)} ms  p99 ${fmt(s.p99, 3)} ms  ${cpuText(s)}`)
    }
  }
  const scriptCalls = await redis.scriptCalls() - callsBefore
  // stopped first: the server gives back the units it leased and did not spend
  await on.stop()
  await off.stop()
  const redisDay = await redis.dayCount() ?? 0
  // a request in flight when a run stops is counted by the server, not by autocannon
  if (redisDay < counted.responses) throw new Error(`limits on: Redis counted ${redisDay} requests for the key, fewer than the ${counted.responses} answers received: not every request was counted there`)
  if (redisDay > counted.responses + opts.connections * counted.runs) throw new Error(`limits on: Redis counted ${redisDay} requests for the key, more than the ${counted.responses} answers received and those in flight: leased units were not given back`)

  const results = limitsResults({
    settings: { ...opts, sampleNames: showPaths.length, siteUrl: SITE_URL, packageCache: !flags['no-cache'], redisUrl },
    catalog: { datasets: gen.created, resources: gen.resources, generateSeconds: gen.ms / 1000 },
    redis: { url: redisUrl, version: redis.version, pid: redis.pid, prefix: redisPrefix },
    check,
    load,
    sequential: seq,
    counted: { responses: counted.responses, redisDay, connections: opts.connections, runs: counted.runs, scriptCalls }
  })
  return { results, lines: limitsReport(results, opts) }
}

/**
 * package_search on a bulk-generated catalog (--search-datasets, 100,000 by
 * default): `opend reindex` timed, then bench/search.ts against the server,
 * every figure beside the same SQL run directly.
 */
async function searchScenarioRun (admin: pg.Client, adminUrl: string) {
  const { name: dbName, url } = await benchDatabase(admin, adminUrl, flags['search-db'])
  const env = { DATABASE_URL: url, OPEND_SITE_URL: SITE_URL, OPEND_DEMO: 'false', LOG_LEVEL: 'warn', OPEND_PACKAGE_CACHE: flags['no-cache'] ? 'false' : 'true', ...LIMITS_OFF }
  const config = loadConfig({ ...env, PORT: '0' })
  const db = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolSize: 4 })
  let gen
  try {
    await migrateToLatest(db.kysely)
    log(`search: generating ${opts.searchDatasets} datasets (bulk: rows, then dicts and index)`)
    let shown = 0
    gen = await generateBulk(db.kysely, config, {
      datasets: opts.searchDatasets,
      onProgress: (phase, n, t) => {
        if (n === t || Date.now() - shown > 15_000) {
          shown = Date.now()
          log(`search: ${phase === 'insert' ? 'rows' : 'dicts and index'} ${n}/${t}`)
        }
      }
    })
    await sql`VACUUM ANALYZE`.execute(db.kysely)
  } finally {
    await db.close()
  }
  log(`search: generated ${gen.created} datasets (${gen.skipped} already there) with ${gen.resources} resources in ${(gen.ms / 1000).toFixed(1)} s`)

  // `opend reindex`, the command the issue names, on the whole catalog
  let reindex = null
  if (!flags['no-reindex']) {
    const cli = flags.tsx ? ['--import', 'tsx', 'src/cli.ts'] : ['dist/src/cli.js']
    log('search: timing opend reindex')
    reindex = await timeReindex(cli, { ...process.env, ...env }, ROOT)
    log(`search: opend reindex took ${reindex.seconds.toFixed(1)} s (${reindex.output})`)
  }
  // the replaced index rows vacuumed away and statistics fresh, as autovacuum leaves a running catalog
  const vac = new pg.Client({ connectionString: url })
  await vac.connect()
  try {
    await vac.query('VACUUM ANALYZE')
  } finally {
    await vac.end()
  }

  const opend = await startChild('opend', serveArgs, { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' }, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
  const opendUrl = `http://127.0.0.1:${opend.port}`
  log(`search: opend is listening on ${opendUrl}`)
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid)
  const results = await runSearchScenario({
    opendUrl,
    databaseUrl: url,
    // src/server.ts opens its pool with the factory's default size
    poolSize: 10,
    searchCacheMatches: config.packageCache ? config.searchCacheMatches : null,
    passes: opts.passes,
    rounds: opts.rounds,
    duration: opts.duration,
    warmup: opts.warmup,
    connections: opts.connections,
    log,
    cpu: async () => {
      const pids = await backends()
      const server0 = cpuSeconds(opend.proc.pid)
      const pg0 = cpuByPid(pids)
      return async () => {
        const server1 = cpuSeconds(opend.proc.pid)
        return server0 === null || server1 === null ? null : { server: server1 - server0, postgres: cpuDelta(pg0, cpuByPid(pids)) }
      }
    }
  })
  await opend.stop()
  const lines = ['', '## package_search: opend over HTTP vs the same SQL run directly against PostgreSQL', '', ...searchReport(results, reindex)]
  return {
    results: {
      settings: { datasets: opts.searchDatasets, passes: opts.passes, rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections, database: flags['search-db'] ?? 'throwaway' },
      generate: gen,
      reindex,
      ...results
    },
    lines,
    plans: plansReport(results)
  }
}

/**
 * datastore_search on generated tables (--datastore-rows, 100,000 and
 * 10,000,000 by default; kept in --datastore-db NAME for the next run), the
 * largest table's CSV export and `opend datastore load`, each against psql.
 */
async function datastoreScenarioRun (admin: pg.Client, adminUrl: string): Promise<DatastoreResults> {
  const { url } = await benchDatabase(admin, adminUrl, flags['datastore-db'])
  const env = { DATABASE_URL: url, OPEND_SITE_URL: SITE_URL, OPEND_DEMO: 'false', LOG_LEVEL: 'warn', OPEND_PACKAGE_CACHE: flags['no-cache'] ? 'false' : 'true', ...LIMITS_OFF }
  const config = loadConfig({ ...env, PORT: '0' })
  const migrating = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolSize: 1 })
  await migrateToLatest(migrating.kysely)
  await migrating.close()
  const settings = { databaseUrl: url, config, sizes: datastoreSizes, requests: positive('datastore-requests', flags['datastore-requests']), log }
  const loadRows = positive('datastore-load-rows', flags['datastore-load-rows'])
  const tables = await generateTables(settings)
  const largest = tables.reduce((a, b) => (b.rows > a.rows ? b : a))
  // the export asks for the whole largest table in one answer; limit is capped at OPEND_DATASTORE_ROWS_MAX (32,000 by default)
  const rowsMax = String(Math.max(32000, largest.rows))
  const opend = await startChild('opend', serveArgs, { ...process.env, ...env, OPEND_DATASTORE_ROWS_MAX: rowsMax, PORT: '0', HOST: '127.0.0.1' }, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
  let searched, exported
  try {
    const opendUrl = `http://127.0.0.1:${opend.port}`
    searched = await runDatastoreScenario({ ...settings, opendUrl, tables })
    exported = flags['no-export']
      ? null
      : await measureExport({ opendUrl, databaseUrl: url, serverPid: opend.proc.pid!, serverCpu: () => cpuSeconds(opend.proc.pid), table: largest, runs: opts.rounds, log })
  } finally {
    await opend.stop()
  }
  // after the server has stopped, so the load has the machine to itself, as psql has
  const loaded = flags['no-load']
    ? null
    : await measureLoad({
      ...settings,
      rows: loadRows,
      runs: opts.rounds,
      cli: flags.tsx ? ['--import', 'tsx', 'src/cli.ts'] : ['dist/src/cli.js'],
      env: { ...process.env, ...env },
      cwd: ROOT
    })
  return { ...searched, export: exported, load: loaded }
}

try {
  await main()
} catch (err) {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
