/**
 * The package_search scenario of `npm run bench` (bench/run.ts runs it on a
 * catalog from generateBulk, 100,000 datasets by default):
 *
 * - Thai free-text queries, 60+ of them (words and phrases as people type
 *   them, words inside compounds, Thai mixed with English), each with
 *   facet.field=["organization","tags","res_format"] and rows=20:
 *   sequentially (one warm-up pass, then --passes passes in a shuffled order)
 *   for the median and p95, and with 10 concurrent clients rotating through
 *   them for requests per second;
 * - a filter-only query, fq=organization:<name>, over organizations from the
 *   largest to the smallest, sequentially for the median;
 * - beside every HTTP figure, the same SQL run directly against PostgreSQL
 *   with a plain pg pool of the server's size: compilePackageSearch() gives
 *   the very statement package_search executes, compiled once per query.
 *   HTTP minus SQL is opend's own cost: routing, parameters, the caller,
 *   compiling the query, reading the rows into node, the JSON answer;
 * - EXPLAIN (ANALYZE, BUFFERS) of a selective Thai query, a broad one and the
 *   organization filter, to show that facets count the matched rows only;
 * - the time of `opend reindex` (timeReindex, before the server starts).
 */
import { spawn } from 'node:child_process'
import autocannon from 'autocannon'
import type { CompiledQuery } from 'kysely'
import pg from 'pg'
import { openDatabase } from '../src/db/factory.js'
import { compilePackageSearch, type SearchOptions } from '../src/search/package-search.js'
import { bulkOrganizations, prng } from './generate.js'

/**
 * What a Thai user types into data.go.th's search box: subjects, words that
 * sit inside longer compounds in the titles (ท่องเที่ยว in นักท่องเที่ยว,
 * ฝุ่นละออง in ฝุ่นละอองขนาดเล็ก), two-word queries, a province, Thai
 * mixed with English, and a few that match nothing.
 */
export const THAI_QUERIES = [
  'สถิติ', 'ท่องเที่ยว', 'นักท่องเที่ยว', 'นักท่องเที่ยวชาวต่างชาติ', 'รายได้การท่องเที่ยว', 'โรงแรม ภูเก็ต', 'สถิติ ท่องเที่ยว เชียงใหม่',
  'งบประมาณ', 'ปีงบประมาณ 2567', 'เบิกจ่ายงบประมาณ', 'จัดซื้อจัดจ้าง',
  'ฝุ่นละออง', 'ฝุ่น PM2.5', 'PM2.5 รายจังหวัด', 'คุณภาพอากาศ', 'คุณภาพอากาศ กรุงเทพ', 'หมอกควัน เชียงราย', 'ไฟป่า', 'จุดความร้อน',
  'ผู้ป่วยโรงพยาบาล', 'โรงพยาบาล', 'ผู้ป่วยใน', 'ไข้เลือดออก', 'ไข้เลือดออก สงขลา', 'วัคซีนโควิด', 'เบาหวาน ความดัน', 'เตียงโรงพยาบาล', 'แพทย์ พยาบาล',
  'อุบัติเหตุ', 'อุบัติเหตุทางถนน', 'อุบัติเหตุ สงกรานต์', 'ทางหลวง', 'การจราจร', 'ทางด่วน', 'รถจดทะเบียน', 'ป้ายรถเมล์', 'รถไฟฟ้า ผู้โดยสาร', 'สนามบิน',
  'ราคาสินค้าเกษตร', 'ราคาข้าว', 'ข้าวนาปี', 'ยางพารา', 'ราคายาง', 'มันสำปะหลัง', 'ปศุสัตว์', 'ทะเบียนเกษตรกร',
  'แรงงาน', 'ว่างงาน', 'แรงงานต่างด้าว', 'ค่าจ้างขั้นต่ำ', 'ตำแหน่งงานว่าง',
  'โรงเรียน', 'นักเรียน', 'นักเรียนออกกลางคัน', 'คะแนน O-NET',
  'น้ำฝน', 'ปริมาณฝน', 'อ่างเก็บน้ำ', 'เขื่อน', 'น้ำท่วม', 'ภัยแล้ง', 'คุณภาพน้ำ แม่น้ำ', 'ขยะ', 'ป่าไม้',
  'ไฟฟ้า', 'พลังงานทดแทน', 'ราคาน้ำมัน', 'น้ำประปา',
  'ประชากร', 'จำนวนประชากร รายจังหวัด', 'ผู้สูงอายุ', 'คนพิการ', 'สวัสดิการแห่งรัฐ',
  'ดัชนีราคาผู้บริโภค', 'เงินเฟ้อ', 'ส่งออก', 'โรงงานอุตสาหกรรม', 'OTOP', 'GDP จังหวัด',
  'คดีอาญา', 'เรื่องร้องเรียน', 'กล้อง CCTV', 'รายได้ท้องถิ่น', 'ขอนแก่น', 'สำนักงานสถิติแห่งชาติ',
  'แผ่นดินไหว', 'สึนามิ'
]

/** The queries EXPLAINed into bench/README.md: a selective one and a broad one. */
export const EXPLAIN_QUERIES = { selective: 'ไข้เลือดออก สงขลา', broad: 'สถิติ' }

/** Organizations for the filter-only query, from the largest (rank 0) to the smallest. */
const FILTER_ORG_RANKS = [0, 1, 4, 9, 19, 49, 99, 149, 199]

export const FACET_FIELDS = ['organization', 'tags', 'res_format']
export const ROWS = 20

// the issue's bar
export const BAR = { medianMs: 30, p95Ms: 100, concurrentRps: 100, filterMedianMs: 10, reindexSeconds: 120 }

export interface SearchSettings {
  opendUrl: string
  databaseUrl: string
  /** the server's pg pool size; the SQL baseline uses the same */
  poolSize: number
  /** opend caches anonymous answers with at least this many matches; null: its cache is off (--no-cache) */
  searchCacheMatches: number | null
  passes: number
  rounds: number
  duration: number
  warmup: number
  connections: number
  log: (msg: string) => void
  /** CPU seconds spent by the opend process and the database's backends since the call, when measurable */
  cpu?: () => Promise<() => Promise<{ server: number, postgres: number } | null>>
}

interface Probe {
  label: string
  path: string
  options: SearchOptions
  compiled: CompiledQuery
  count: number
  bytes: number
}

export interface Latencies { median: number, p95: number, p99: number, n: number }

export interface SearchResults {
  catalog: { datasets: number, public: number, resources: number, indexBytes: string }
  queries: { distinct: number, passes: number, counts: { min: number, median: number, max: number, zero: number }, bytes: { min: number, median: number, max: number } }
  /** how many of the queries opend answers from its cache after their first run (null: cache off) */
  cached: { matches: number, queries: number } | null
  sequential: { http: Latencies, sql: Latencies }
  perQuery: { q: string, count: number, bytes: number, httpMedian: number, sqlMedian: number }[]
  concurrent: { connections: number, http: { rps: number, p50: number, p99: number, cpuUsPerRequest: { server: number, postgres: number } | null }, sql: { qps: number }, rounds: { http: number[], sql: number[] } }
  filter: { orgs: { name: string, count: number, httpMedian: number, sqlMedian: number }[], http: Latencies, sql: Latencies }
  plans: Record<string, { q?: string, fq?: string, count: number, seqScanOnIndex: boolean, plan: string }>
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5)
export function latencies (xs: number[]): Latencies {
  const s = [...xs].sort((a, b) => a - b)
  return { median: percentile(s, 0.5), p95: percentile(s, 0.95), p99: percentile(s, 0.99), n: s.length }
}

// a fixed shuffle per pass, so runs compare
function shuffle<T> (xs: readonly T[], seed: number): T[] {
  const out = [...xs]
  const { next } = prng(seed)
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const searchPath = (params: Record<string, string>) => '/api/3/action/package_search?' + new URLSearchParams(params).toString()

/** The options package_search builds from these parameters (src/actions/package/package-search.ts), for an anonymous caller. */
function optionsFor (p: { q?: string, fq?: string, facets: boolean, rows: number }): SearchOptions {
  return {
    q: p.q,
    fq: p.fq ? [p.fq] : [],
    rows: p.rows,
    start: 0,
    facets: p.facets ? { fields: FACET_FIELDS, limit: 50, mincount: 1 } : undefined,
    includePrivate: false,
    includeDrafts: false
  }
}

/**
 * Requests one after another on one keep-alive connection, in the given
 * order; the latency of each, in ms (autocannon's per-response timing).
 */
export async function sequentialHttp (url: string, paths: string[]): Promise<number[]> {
  const out: number[] = []
  let n = 0
  const instance = autocannon({
    url,
    connections: 1,
    pipelining: 1,
    timeout: 60,
    amount: paths.length,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length] }) }]
  })
  let bad = 0
  instance.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
    if (status !== 200) bad++
    out.push(ms)
  })
  const r = await instance
  if (bad || r.errors || r.timeouts) throw new Error(`sequential search run: ${bad} non-200 answers, ${r.errors} errors, ${r.timeouts} timeouts`)
  return out
}

export async function sequentialSql (pool: pg.Pool, queries: Pick<CompiledQuery, 'sql' | 'parameters'>[]): Promise<number[]> {
  const out: number[] = []
  for (const c of queries) {
    const t0 = performance.now()
    await pool.query(c.sql, c.parameters as unknown[])
    out.push(performance.now() - t0)
  }
  return out
}

/** `connections` clients, each sending the next query of the list as soon as its previous answer arrived. */
async function concurrentHttp (url: string, paths: string[], connections: number, duration: number) {
  let n = 0
  const lat: number[] = []
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    timeout: 60,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length] }) }]
  })
  instance.on('response', (_c: unknown, _s: number, _b: number, ms: number) => { lat.push(ms) })
  const r = await instance
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`concurrent search run: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`)
  lat.sort((a, b) => a - b)
  return { rps: lat.length / r.duration, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), requests: lat.length }
}

async function concurrentSql (pool: pg.Pool, queries: CompiledQuery[], connections: number, duration: number) {
  let n = 0
  let done = 0
  const t0 = performance.now()
  const end = t0 + duration * 1000
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const c = queries[n++ % queries.length]
      await pool.query(c.sql, c.parameters as unknown[])
      done++
    }
  }))
  return { qps: done / ((performance.now() - t0) / 1000) }
}

/**
 * `opend reindex` on the benchmark database, timed from outside: the whole
 * command, process start and migrations check included.
 */
export async function timeReindex (cliArgs: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ seconds: number, output: string }> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, [...cliArgs, 'reindex'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout!.on('data', (d: Buffer) => { output += d.toString() })
  proc.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000) })
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve))
  if (code !== 0) throw new Error(`opend reindex exited with ${code}\n${output}`)
  return { seconds: (performance.now() - t0) / 1000, output: output.trim().split(/[\r\n]+/).filter((l) => /rebuilt/.test(l)).join(' ') }
}

export async function runSearchScenario (s: SearchSettings): Promise<SearchResults> {
  const { log } = s
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 2 })
  // as opend's own pool (src/db/factory.ts)
  const pool = new pg.Pool({ connectionString: s.databaseUrl, max: s.poolSize, options: '-c jit=off' })
  try {
    // ---- the catalog
    const cat = (await pool.query<{ datasets: number, public: number, resources: number, index_bytes: string }>(`
      SELECT (SELECT count(*)::int FROM packages) AS datasets,
        (SELECT count(*)::int FROM packages WHERE state = 'active' AND NOT private) AS public,
        (SELECT count(*)::int FROM resources) AS resources,
        pg_size_pretty(pg_total_relation_size('search_index')) AS index_bytes`)).rows[0]

    // ---- every URL once: checks it answers 200, records the count, warms the caches up
    const probe = async (label: string, params: Record<string, string>, options: SearchOptions): Promise<Probe> => {
      const path = searchPath(params)
      const res = await fetch(s.opendUrl + path)
      const body = await res.text()
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 300)}`)
      const json = JSON.parse(body) as { result: { count: number, results: unknown[], facets: Record<string, unknown> } }
      const compiled = await compilePackageSearch(db.kysely, null, options)
      // the direct SQL must be the same search: same count, same page
      const row = (await pool.query<{ count: number, page: string }>(compiled.sql, compiled.parameters as unknown[])).rows[0]
      const onPage = (JSON.parse(row.page) as unknown[]).length
      if (row.count !== json.result.count || onPage !== json.result.results.length) {
        throw new Error(`${label}: HTTP found ${json.result.count} (${json.result.results.length} on the page), the compiled SQL ${row.count} (${onPage})`)
      }
      return { label, path, options, compiled, count: json.result.count, bytes: Buffer.byteLength(body) }
    }
    log(`search: checking ${THAI_QUERIES.length} queries (HTTP answer = compiled SQL)`)
    const queries: Probe[] = []
    for (const q of THAI_QUERIES) {
      queries.push(await probe(q, { q, 'facet.field': JSON.stringify(FACET_FIELDS), rows: String(ROWS) }, optionsFor({ q, facets: true, rows: ROWS })))
    }
    const orgs = bulkOrganizations()
    const filters: Probe[] = []
    for (const rank of FILTER_ORG_RANKS) {
      const fq = `organization:${orgs[rank].name}`
      filters.push(await probe(orgs[rank].name, { fq }, optionsFor({ fq, facets: false, rows: 10 })))
    }

    // ---- sequential: HTTP, then the same statements straight to PostgreSQL, pass by pass
    const passes = Array.from({ length: s.passes }, (_, i) => shuffle(queries, i + 1))
    log(`search: sequential, ${s.passes} passes of ${queries.length} queries over HTTP and as SQL`)
    const httpBy = new Map<string, number[]>(queries.map((q) => [q.label, []]))
    const sqlBy = new Map<string, number[]>(queries.map((q) => [q.label, []]))
    await sequentialSql(pool, queries.map((q) => q.compiled))
    for (const pass of passes) {
      const h = await sequentialHttp(s.opendUrl, pass.map((q) => q.path))
      pass.forEach((q, i) => httpBy.get(q.label)!.push(h[i]))
      const d = await sequentialSql(pool, pass.map((q) => q.compiled))
      pass.forEach((q, i) => sqlBy.get(q.label)!.push(d[i]))
    }
    const sequential = { http: latencies([...httpBy.values()].flat()), sql: latencies([...sqlBy.values()].flat()) }
    log(`search: sequential median ${sequential.http.median.toFixed(1)} ms (SQL ${sequential.sql.median.toFixed(1)}), p95 ${sequential.http.p95.toFixed(1)} ms (SQL ${sequential.sql.p95.toFixed(1)})`)

    // ---- the organization filter
    const filterPasses = Array.from({ length: Math.max(5, s.passes * 2) }, (_, i) => shuffle(filters, 100 + i))
    const fHttp = new Map<string, number[]>(filters.map((q) => [q.label, []]))
    const fSql = new Map<string, number[]>(filters.map((q) => [q.label, []]))
    await sequentialHttp(s.opendUrl, filters.map((q) => q.path))
    await sequentialSql(pool, filters.map((q) => q.compiled))
    for (const pass of filterPasses) {
      const h = await sequentialHttp(s.opendUrl, pass.map((q) => q.path))
      pass.forEach((q, i) => fHttp.get(q.label)!.push(h[i]))
      const d = await sequentialSql(pool, pass.map((q) => q.compiled))
      pass.forEach((q, i) => fSql.get(q.label)!.push(d[i]))
    }
    const filter = {
      orgs: filters.map((q) => ({ name: q.label, count: q.count, httpMedian: median(fHttp.get(q.label)!), sqlMedian: median(fSql.get(q.label)!) })),
      http: latencies([...fHttp.values()].flat()),
      sql: latencies([...fSql.values()].flat())
    }
    log(`search: fq=organization median ${filter.http.median.toFixed(2)} ms (SQL ${filter.sql.median.toFixed(2)})`)

    // ---- concurrent
    const rotation = shuffle(queries, 999)
    const httpRounds: { rps: number, p50: number, p99: number, requests: number, cpu: { server: number, postgres: number } | null }[] = []
    const sqlRounds: number[] = []
    for (let round = 0; round < s.rounds; round++) {
      if (s.warmup > 0) await concurrentHttp(s.opendUrl, rotation.map((q) => q.path), s.connections, s.warmup)
      const stop = await s.cpu?.()
      const h = await concurrentHttp(s.opendUrl, rotation.map((q) => q.path), s.connections, s.duration)
      const cpu = stop ? await stop() : null
      httpRounds.push({ ...h, cpu: cpu && { server: cpu.server * 1e6 / h.requests, postgres: cpu.postgres * 1e6 / h.requests } })
      const d = await concurrentSql(pool, rotation.map((q) => q.compiled), s.connections, s.duration)
      sqlRounds.push(d.qps)
      log(`search: round ${round + 1}, ${s.connections} clients: ${h.rps.toFixed(0)} req/s (p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms); SQL ${d.qps.toFixed(0)} queries/s`)
    }
    const cpus = httpRounds.map((r) => r.cpu).filter((c) => c !== null)
    const concurrent = {
      connections: s.connections,
      http: {
        rps: median(httpRounds.map((r) => r.rps)),
        p50: median(httpRounds.map((r) => r.p50)),
        p99: median(httpRounds.map((r) => r.p99)),
        cpuUsPerRequest: cpus.length ? { server: median(cpus.map((c) => c.server)), postgres: median(cpus.map((c) => c.postgres)) } : null
      },
      sql: { qps: median(sqlRounds) },
      rounds: { http: httpRounds.map((r) => r.rps), sql: sqlRounds }
    }

    // ---- plans
    const explain = async (c: CompiledQuery) => (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${c.sql}`, c.parameters as unknown[]))
      .rows.map((r) => r['QUERY PLAN']).join('\n')
    const plans: SearchResults['plans'] = {}
    for (const [key, q] of Object.entries(EXPLAIN_QUERIES)) {
      let found = queries.find((x) => x.label === q)!
      // a small catalog may have no match for the chosen selective query: take the one with the fewest
      if (found.count === 0) found = [...queries].filter((x) => x.count > 0).sort((a, b) => a.count - b.count)[0] ?? found
      const plan = await explain(found.compiled)
      plans[key] = { q: found.label, count: found.count, seqScanOnIndex: /Seq Scan on search_index/.test(plan), plan }
    }
    const orgFilter = filters[2]
    const orgPlan = await explain(orgFilter.compiled)
    plans.organization = { fq: orgFilter.options.fq![0], count: orgFilter.count, seqScanOnIndex: /Seq Scan on search_index/.test(orgPlan), plan: orgPlan }

    const counts = queries.map((q) => q.count).sort((a, b) => a - b)
    const bytes = queries.map((q) => q.bytes).sort((a, b) => a - b)
    return {
      catalog: { datasets: cat.datasets, public: cat.public, resources: cat.resources, indexBytes: cat.index_bytes },
      queries: {
        distinct: queries.length,
        passes: s.passes,
        counts: { min: counts[0], median: median(counts), max: counts[counts.length - 1], zero: counts.filter((c) => c === 0).length },
        bytes: { min: bytes[0], median: median(bytes), max: bytes[bytes.length - 1] }
      },
      cached: s.searchCacheMatches === null ? null : { matches: s.searchCacheMatches, queries: counts.filter((c) => c >= s.searchCacheMatches!).length },
      sequential,
      perQuery: queries.map((q) => ({ q: q.label, count: q.count, bytes: q.bytes, httpMedian: median(httpBy.get(q.label)!), sqlMedian: median(sqlBy.get(q.label)!) })),
      concurrent,
      filter,
      plans
    }
  } finally {
    await pool.end()
    await db.close()
  }
}

const f = (n: number, d = 1) => Number.isFinite(n) ? n.toFixed(d) : '-'
const verdict = (ok: boolean) => ok ? 'met' : '**MISSED**'

/** The markdown tables of a run, each figure beside the same SQL run directly and the issue's bar. */
export function searchReport (r: SearchResults, reindex: { seconds: number, output: string } | null): string[] {
  const lines: string[] = []
  const seq = r.sequential
  const con = r.concurrent
  lines.push(`catalog: ${r.catalog.datasets} datasets (${r.catalog.public} public), ${r.catalog.resources} resources; search_index ${r.catalog.indexBytes}`)
  lines.push(`queries: ${r.queries.distinct} distinct Thai queries, facet.field=${JSON.stringify(FACET_FIELDS)}, rows=${ROWS}; ` +
    `matches ${r.queries.counts.min}-${r.queries.counts.max} (median ${r.queries.counts.median}, ${r.queries.counts.zero} with none); answers ${r.queries.bytes.min}-${r.queries.bytes.max} bytes (median ${r.queries.bytes.median})`)
  lines.push(r.cached === null
    ? 'opend\'s cache: off (--no-cache): every request runs its SQL'
    : `opend's cache: on: the ${r.cached.queries} queries matching at least ${r.cached.matches} datasets (OPEND_SEARCH_CACHE_MATCHES) are answered from memory after their first run; the SQL column runs every query`)
  lines.push('')
  lines.push('| package_search | opend (HTTP) | same SQL, direct | HTTP - SQL | bar | |')
  lines.push('|---|---:|---:|---:|---:|---|')
  lines.push(`| Thai q + 3 facets, sequential median | ${f(seq.http.median)} ms | ${f(seq.sql.median)} ms | ${f(seq.http.median - seq.sql.median)} ms | ≤ ${BAR.medianMs} ms | ${verdict(seq.http.median <= BAR.medianMs)} |`)
  lines.push(`| Thai q + 3 facets, sequential p95 | ${f(seq.http.p95)} ms | ${f(seq.sql.p95)} ms | ${f(seq.http.p95 - seq.sql.p95)} ms | ≤ ${BAR.p95Ms} ms | ${verdict(seq.http.p95 <= BAR.p95Ms)} |`)
  lines.push(`| Thai q + 3 facets, ${con.connections} concurrent clients | ${f(con.http.rps, 0)} req/s | ${f(con.sql.qps, 0)} queries/s | ratio ${f(con.http.rps / con.sql.qps, 2)} | ≥ ${BAR.concurrentRps} req/s | ${verdict(con.http.rps >= BAR.concurrentRps)} |`)
  lines.push(`| fq=organization:X (no q, no facets), sequential median | ${f(r.filter.http.median, 2)} ms | ${f(r.filter.sql.median, 2)} ms | ${f(r.filter.http.median - r.filter.sql.median, 2)} ms | ≤ ${BAR.filterMedianMs} ms | ${verdict(r.filter.http.median <= BAR.filterMedianMs)} |`)
  if (reindex) lines.push(`| \`opend reindex\`, ${r.catalog.datasets} datasets | ${f(reindex.seconds)} s | | | < ${BAR.reindexSeconds} s | ${verdict(reindex.seconds < BAR.reindexSeconds)} |`)
  const noSeq = r.plans.selective ? !r.plans.selective.seqScanOnIndex : false
  lines.push(`| selective query's plan (${r.plans.selective?.count ?? '?'} matches) | ${noSeq ? 'no Seq Scan on search_index' : 'Seq Scan on search_index'} | | | facets over matched rows only | ${verdict(noSeq)} |`)
  lines.push('')
  const cpu = con.http.cpuUsPerRequest
  lines.push(`concurrent (median of rounds): p50 ${f(con.http.p50)} ms, p99 ${f(con.http.p99)} ms` +
    (cpu ? `; CPU per request: node ${f(cpu.server / 1000, 2)} ms + postgres ${f(cpu.postgres / 1000, 2)} ms` : '') +
    `; rounds ${con.rounds.http.map((x) => f(x, 0)).join(', ')} req/s, SQL ${con.rounds.sql.map((x) => f(x, 0)).join(', ')} queries/s`)
  lines.push(`sequential: ${seq.http.n} requests (${r.queries.passes} passes after a warm-up pass); p99 ${f(seq.http.p99)} ms (SQL ${f(seq.sql.p99)} ms)`)
  lines.push('')
  lines.push('slowest queries (median over the passes):')
  lines.push('')
  lines.push('| q | matches | bytes | HTTP ms | SQL ms |')
  lines.push('|---|---:|---:|---:|---:|')
  for (const q of [...r.perQuery].sort((a, b) => b.httpMedian - a.httpMedian).slice(0, 10)) {
    lines.push(`| ${q.q} | ${q.count} | ${q.bytes} | ${f(q.httpMedian)} | ${f(q.sqlMedian)} |`)
  }
  lines.push('')
  lines.push('| fq | matches | HTTP ms | SQL ms |')
  lines.push('|---|---:|---:|---:|')
  for (const o of r.filter.orgs) lines.push(`| organization:${o.name} | ${o.count} | ${f(o.httpMedian, 2)} | ${f(o.sqlMedian, 2)} |`)
  return lines
}

/** The plans, as they go into bench/README.md. */
export function plansReport (r: SearchResults): string {
  return Object.entries(r.plans).map(([key, p]) =>
    `### ${key}: ${p.q !== undefined ? `q=${p.q}` : `fq=${p.fq}`} (${p.count} matches)\n\n\`\`\`\n${p.plan}\n\`\`\`\n`).join('\n')
}
