/**
 * The DataStore scenario of `npm run bench`: datastore_search over HTTP on
 * generated tables of 100,000 and 10,000,000 rows (int primary key, Thai
 * text, float, date), each figure beside the same SQL run directly, and
 * the issue's bars (a third of CKAN 2.10's medians, measured on a 2-core
 * machine like this one; under 100 ms on 10,000,000 rows).
 *
 * The tables are made the way a client makes them (datastore_create through
 * opend's own action code, so the catalog entry and the schema are opend's)
 * and filled with one INSERT ... SELECT over generate_series, the full text
 * built from the same segmented words opend's writer would produce.
 *
 * Then the two bulk paths against psql on the same machine: the whole
 * largest table as records_format=csv (measureExport) against
 * `psql \copy (SELECT ...) TO STDOUT`, with the server's memory sampled, and
 * `opend datastore load` of a generated CSV file (measureLoad) against
 * `psql \copy ... FROM` of the same file.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import type { Config } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { openDatabase } from '../src/db/factory.js'
import { createToken } from '../src/db/queries/tokens.js'
import { findUser, insertUser } from '../src/db/queries/users.js'
import { datastoreSchema } from '../src/datastore/schema.js'
import { segmentThai, TS_CONFIG } from '../src/search/analyzer.js'
import { segmentedTsquery } from '../src/datastore/search.js'
import { type Latencies, latencies, sequentialHttp, sequentialSql } from './search.js'

/** CKAN 2.10 on 100,000 rows, 2 cores (the issue): filter on an indexed column, and a text q, limit 100. */
const CKAN = { filterMs: 17.8, qMs: 23.7 }
const BIG_BAR_MS = 100
/** The issue's bars for the bulk paths: at most twice psql's time, and the server under 300 MB while it exports. */
const BULK_BAR = { maxRatio: 2, maxRssMB: 300 }

const PROVINCES = ['กรุงเทพมหานคร', 'เชียงใหม่', 'ขอนแก่น', 'สงขลา', 'ภูเก็ต', 'นครราชสีมา', 'ชลบุรี', 'อุดรธานี', 'สุราษฎร์ธานี', 'พิษณุโลก',
  'นครศรีธรรมราช', 'อุบลราชธานี', 'เชียงราย', 'ลำปาง', 'ระยอง', 'ตาก', 'น่าน', 'แพร่', 'ยะลา', 'ปัตตานี']
const TOPICS = ['สถิติการท่องเที่ยว', 'จำนวนนักท่องเที่ยว', 'ปริมาณน้ำฝน', 'ผู้ป่วยไข้เลือดออก', 'อุบัติเหตุทางถนน', 'ราคาข้าวเปลือก', 'ฝุ่นละอองขนาดเล็ก',
  'การใช้ไฟฟ้า', 'ผู้สูงอายุ', 'งบประมาณรายจ่าย']

/**
 * The generated tables' columns, and the load's file's. None needs the
 * conversion opend's CSV applies to timestamps and arrays (copyValue in
 * src/datastore/search.ts), so psql's COPY selects them as they are.
 */
const FIELDS = [{ id: 'id', type: 'int' }, { id: 'จังหวัด', type: 'text' }, { id: 'หัวข้อ', type: 'text' }, { id: 'ค่า', type: 'float8' }, { id: 'วันที่', type: 'date' }]

export interface DatastoreSettings { databaseUrl: string, config: Config, sizes: number[], requests: number, log: (msg: string) => void }

interface Measured { label: string, http: Latencies, sql: Latencies, bar: number | null }

/** Runs of one side of a bulk comparison, in seconds, and their median. */
interface Timed { seconds: number[], median: number }

export interface ExportResults {
  rows: number
  resourceId: string
  opend: Timed & {
    /** the whole answer: the JSON envelope and the CSV as one JSON string, Thai as \uXXXX */
    bytes: number
    /** of the server process while it answered, sampled every 100 ms (the largest over the runs), and before the first run */
    peakRssMB: number
    idleRssMB: number
    /** CPU seconds the server process spent on each answer */
    serverCpuSeconds: number[]
  }
  psql: Timed
  ratio: number
  pass: { speed: boolean, memory: boolean }
}

export interface LoadResults {
  rows: number
  fileBytes: number
  opend: Timed & {
    /** what the command reports of itself (its own time, the inferred types) */
    output: string
  }
  psql: Timed
  ratio: number
  pass: boolean
}

export interface DatastoreResults {
  tables: { rows: number, resourceId: string, bytes: string, generatedSeconds: number | null }[]
  measured: Measured[]
  /** null: not run (--no-export, --no-load) */
  export: ExportResults | null
  load: LoadResults | null
}

type Call = (name: string, body: Record<string, unknown>) => Promise<{ success: boolean, result: any }>

/**
 * opend's own action code in this process, called as a sysadmin, with the
 * benchmark's organization and dataset in place.
 */
async function withActions<T> (s: DatastoreSettings, fn: (call: Call, k: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 2 })
  const app = await buildApp({ ...s.config, logLevel: 'warn', demo: false }, db, { closeDb: false })
  try {
    const k = db.kysely
    const admin = await findUser(k, 'bench-admin') ?? await insertUser(k, { name: 'bench-admin', sysadmin: true, email: 'bench@example.org' })
    const { token } = await createToken(k, admin.id, { name: 'bench' })
    const call: Call = async (name, body) => {
      const res = await app.inject({ method: 'POST', url: `/api/3/action/${name}`, payload: body, headers: { authorization: token } })
      const json = JSON.parse(res.body) as { success: boolean, result: any }
      if (!json.success && name !== 'organization_create' && name !== 'package_create') throw new Error(`${name}: ${res.body.slice(0, 300)}`)
      return json
    }
    await call('organization_create', { name: 'bench-datastore', title: 'DataStore bench' })
    await call('package_create', { name: 'bench-datastore-rows', owner_org: 'bench-datastore', title: 'ตารางทดสอบ' })
    return await fn(call, k)
  } finally {
    await app.close()
    await db.close()
  }
}

/** The id of the benchmark dataset's resource of that name, if there is one. */
async function resourceNamed (call: Call, name: string): Promise<string | undefined> {
  const pkg = (await call('package_show', { id: 'bench-datastore-rows' })).result
  return (pkg.resources as { id: string, name: string }[]).find((r) => r.name === name)?.id
}

/** A dataset and one DataStore-only resource per table size, made through opend's actions; the tables filled in SQL. */
export async function generateTables (s: DatastoreSettings): Promise<DatastoreResults['tables']> {
  return withActions(s, async (call, k) => {
    const schema = await datastoreSchema(k)
    const out: DatastoreResults['tables'] = []
    for (const rows of s.sizes) {
      const name = `rows-${rows}`
      let rid = await resourceNamed(call, name)
      const have = rid ? await countRows(k, schema, rid) : -1
      let generatedSeconds: number | null = null
      if (have !== rows) {
        const t0 = performance.now()
        if (rid) await call('datastore_delete', { resource_id: rid, force: true })
        else rid = undefined
        const created = await call('datastore_create', {
          ...(rid ? { resource_id: rid } : { resource: { package_id: 'bench-datastore-rows', name } }),
          force: true,
          fields: FIELDS,
          primary_key: 'id'
        })
        rid = created.result.resource_id as string
        s.log(`datastore: filling ${rows} rows into ${rid}`)
        await fill(k, schema, rid, rows)
        generatedSeconds = (performance.now() - t0) / 1000
        s.log(`datastore: ${rows} rows in ${generatedSeconds.toFixed(1)} s`)
      }
      // filled in SQL, not through opend's writer: the count it keeps is set here
      await k.updateTable('datastore_tables').set({ row_count: rows }).where('resource_id', '=', rid!).execute()
      const { rows: [size] } = await sql<{ b: string }>`SELECT pg_size_pretty(pg_total_relation_size(${`"${schema}"."${rid}"`}::regclass)) AS b`.execute(k)
      out.push({ rows, resourceId: rid!, bytes: size.b, generatedSeconds })
    }
    return out
  })
}

async function countRows (k: Kysely<Database>, schema: string, rid: string): Promise<number> {
  try {
    return Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(schema, rid)}`.execute(k)).rows[0].n)
  } catch {
    return -1
  }
}

/**
 * Row i: id i, a province, a topic (Thai, unspaced), a value, a date. The
 * full text is what opend's writer makes of those values: the segmented
 * words, computed once per distinct pair here. Indexes are built after the
 * rows, as a load would.
 */
async function fill (k: Kysely<Database>, schema: string, rid: string, rows: number): Promise<void> {
  const table = sql.id(schema, rid)
  const segmented = PROVINCES.flatMap((p) => TOPICS.map((t) => segmentThai(`${p} ${t}`)))
  await sql`DROP INDEX IF EXISTS ${sql.id(schema, `${rid}_full_text`)}`.execute(k)
  await sql`INSERT INTO ${table} (id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่", _full_text)
    SELECT i, (${PROVINCES}::text[])[1 + i % ${PROVINCES.length}], (${TOPICS}::text[])[1 + (i / ${PROVINCES.length}) % ${TOPICS.length}],
      (i::bigint * 7919 % 100000) / 100.0, date '2000-01-01' + i % 9000,
      to_tsvector(${sql.lit(TS_CONFIG)}::regconfig, (${segmented}::text[])[1 + (i % ${PROVINCES.length}) * ${TOPICS.length} + (i / ${PROVINCES.length}) % ${TOPICS.length}])
    FROM generate_series(0, ${rows - 1}) i`.execute(k)
  await sql`CREATE INDEX ${sql.id(`${rid}_full_text`)} ON ${table} USING gin (_full_text)`.execute(k)
  await sql`CREATE INDEX ${sql.id(`${rid}_province`)} ON ${table} ("จังหวัด")`.execute(k)
  await sql`VACUUM ANALYZE ${table}`.execute(k)
}

const path = (params: Record<string, string>) => '/api/3/action/datastore_search?' + new URLSearchParams(params).toString()

/** Each query over HTTP and as SQL, `requests` times one after another (after 10 unmeasured). */
export async function runDatastoreScenario (s: DatastoreSettings & { opendUrl: string, tables: DatastoreResults['tables'] }): Promise<Pick<DatastoreResults, 'tables' | 'measured'>> {
  const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 1, options: '-c jit=off' })
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 1 })
  const schema = await datastoreSchema(db.kysely)
  await db.close()
  const measured: Measured[] = []
  try {
    // cold: every query is new to the server (the first 10 only warm up), so
    // nothing it remembers between requests (src/datastore/search-memo.ts) applies
    const run = async (label: string, paths: string[], sqls: { sql: string, parameters: unknown[] }[], bar: number | null, cold = false) => {
      await sequentialHttp(s.opendUrl, paths.slice(0, 10))
      await sequentialSql(pool, sqls.slice(0, 10) as never)
      const from = cold ? 10 : 0
      const http = latencies(await sequentialHttp(s.opendUrl, paths.slice(from)))
      const direct = latencies(await sequentialSql(pool, sqls.slice(from) as never))
      measured.push({ label, http, sql: direct, bar })
      s.log(`datastore: ${label}: median ${http.median.toFixed(2)} ms (SQL ${direct.median.toFixed(2)})`)
    }
    const n = s.requests
    const cycle = <T>(xs: T[]) => Array.from({ length: n }, (_, i) => xs[i % xs.length])
    for (const t of s.tables) {
      const table = `"${schema}"."${t.resourceId}"`
      const page = (where: string) => `SELECT (SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่" FROM ${table} ${where} ORDER BY _id LIMIT 100) y) AS records, (SELECT count(*) FROM ${table} ${where}) AS total`
      const provinces = cycle(PROVINCES)
      const filterPaths = provinces.map((p) => path({ resource_id: t.resourceId, filters: JSON.stringify({ จังหวัด: p }), limit: '100' }))
      const filterSql = provinces.map((p) => ({ sql: page('WHERE "จังหวัด" = $1'), parameters: [p] }))
      if (t.rows <= 1_000_000) {
        await run(`${t.rows} rows: filter on an indexed column, limit 100`, filterPaths, filterSql, CKAN.filterMs / 3)
        // each filter new: a list with a value no row has
        const lists = Array.from({ length: n + 10 }, (_, i) => [PROVINCES[i % PROVINCES.length], `nomatch${i}`])
        await run(`${t.rows} rows: filter on an indexed column, each filter new (cold), limit 100`,
          lists.map((l) => path({ resource_id: t.resourceId, filters: JSON.stringify({ จังหวัด: l }), limit: '100' })),
          lists.map((l) => ({ sql: page('WHERE "จังหวัด" = ANY($1::text[])'), parameters: [l] })), CKAN.filterMs / 3, true)
        const words = cycle(['ท่องเที่ยว', 'น้ำฝน', 'ไข้เลือดออก', 'อุบัติเหตุ', 'ข้าวเปลือก', 'ไฟฟ้า', 'ผู้สูงอายุ', 'งบประมาณ'])
        await run(`${t.rows} rows: text q, limit 100`, words.map((w) => path({ resource_id: t.resourceId, q: w, limit: '100' })),
          words.map((w) => ({
            sql: `SELECT (SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่", ts_rank(_full_text, q, 32) AS rank FROM ${table}, plainto_tsquery('${TS_CONFIG}', $1) q WHERE _full_text @@ q ORDER BY rank DESC, _id LIMIT 100) y) AS records, (SELECT count(*) FROM ${table} WHERE _full_text @@ plainto_tsquery('${TS_CONFIG}', $1)) AS total`,
            parameters: [segmentThai(w)]
          })), CKAN.qMs / 3)
        // the same searches made new each time by an alternative that matches nothing
        const fresh = Array.from({ length: n + 10 }, (_, i) => `${words[i % words.length]} | nomatch${i}`)
        await run(`${t.rows} rows: text q, each query new (cold), limit 100`, fresh.map((q) => path({ resource_id: t.resourceId, q, plain: 'false', limit: '100' })),
          fresh.map((q) => ({
            sql: `SELECT (SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่", ts_rank(_full_text, q, 32) AS rank FROM ${table}, to_tsquery('${TS_CONFIG}', $1) q WHERE _full_text @@ q ORDER BY rank DESC, _id LIMIT 100) y) AS records, (SELECT count(*) FROM ${table} WHERE _full_text @@ to_tsquery('${TS_CONFIG}', $1)) AS total`,
            parameters: [segmentedTsquery(q)]
          })), CKAN.qMs / 3, true)
      } else {
        await run(`${t.rows} rows: first page, limit 100`, cycle([path({ resource_id: t.resourceId, limit: '100' })]), cycle([{ sql: page(''), parameters: [] }]), BIG_BAR_MS)
        await run(`${t.rows} rows: offset 1,000,000, limit 100`, cycle([path({ resource_id: t.resourceId, limit: '100', offset: '1000000' })]),
          cycle([{ sql: `SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่" FROM ${table} ORDER BY _id LIMIT 100 OFFSET 1000000) y`, parameters: [] }]), BIG_BAR_MS)
        await run(`${t.rows} rows: filtered count (filter, limit 0)`, provinces.map((p) => path({ resource_id: t.resourceId, filters: JSON.stringify({ จังหวัด: p }), limit: '0' })),
          provinces.map((p) => ({ sql: `SELECT count(*) FROM ${table} WHERE "จังหวัด" = $1`, parameters: [p] })), BIG_BAR_MS)
        // each filter new: a list with a value no row has
        const lists = Array.from({ length: n + 10 }, (_, i) => [PROVINCES[i % PROVINCES.length], `nomatch${i}`])
        await run(`${t.rows} rows: filtered count, each filter new (cold)`, lists.map((l) => path({ resource_id: t.resourceId, filters: JSON.stringify({ จังหวัด: l }), limit: '0' })),
          lists.map((l) => ({ sql: `SELECT count(*) FROM ${table} WHERE "จังหวัด" = ANY($1::text[])`, parameters: [l] })), BIG_BAR_MS, true)
      }
    }
  } finally {
    await pool.end()
  }
  return { tables: s.tables, measured }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20)
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]

/** The server's resident memory in bytes (Linux /proc; null once it is gone or elsewhere). */
function rssBytes (pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

/**
 * `psql -c <command>`, timed from outside like a person at a shell would
 * time it. With jit off, as opend's connections run. Its output goes to
 * /dev/null (an export) or comes back (a load's `COPY n`).
 */
async function psql (url: string, command: string, discard: boolean): Promise<{ seconds: number, stdout: string }> {
  const devnull = discard ? openSync('/dev/null', 'w') : null
  try {
    const t0 = performance.now()
    const proc = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', command], {
      stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
      env: { ...process.env, PGOPTIONS: '-c jit=off' }
    })
    // bytes kept whole and decoded at the end: a Thai character may be split between two reads
    const out: Buffer[] = []
    let stderr = ''
    proc.stdout?.on('data', (d: Buffer) => out.push(d))
    proc.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
    // 'close', not 'exit': the output may still be in the pipe when the process exits
    const [code] = await once(proc, 'close') as [number | null]
    if (code !== 0) throw new Error(`psql exited with ${code}: ${stderr}`)
    return { seconds: (performance.now() - t0) / 1000, stdout: Buffer.concat(out).toString('utf8') }
  } finally {
    if (devnull !== null) closeSync(devnull)
  }
}

/**
 * One GET read to the end by a plain node client that counts the bytes and
 * keeps only the last few: the cost on this side is as small as a client's
 * can be, like psql writing to /dev/null.
 */
function download (url: string): Promise<{ seconds: number, bytes: number, tail: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    http.get(url, { agent: false }, (res) => {
      let bytes = 0
      let tail: Buffer = Buffer.alloc(0)
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        tail = chunk.length >= 200 ? chunk.subarray(chunk.length - 200) : Buffer.concat([tail, chunk]).subarray(-200)
      })
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}: ${tail.toString()}`))
        else resolve({ seconds: (performance.now() - t0) / 1000, bytes, tail: tail.toString() })
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}

/**
 * The whole table as records_format=csv (limit = its rows; the server runs
 * with OPEND_DATASTORE_ROWS_MAX that high) against `psql \copy` of the same
 * columns in the same order, `runs` times each, alternating who goes first.
 * The server's RSS is sampled every 100 ms during each answer.
 */
export async function measureExport (s: { opendUrl: string, databaseUrl: string, serverPid: number, serverCpu: () => number | null, table: DatastoreResults['tables'][number], runs: number, log: (msg: string) => void }): Promise<ExportResults> {
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 1 })
  const schema = await datastoreSchema(db.kysely)
  await db.close()
  // the statement opend's answer is checked against: _id and the columns in
  // the table's order, by _id (what datastore_search selects without fields or sort)
  const columns = ['_id', ...FIELDS.map((f) => f.id)].map((c) => `"${c}"`).join(', ')
  const copy = `\\copy (SELECT ${columns} FROM "${schema}"."${s.table.resourceId}" ORDER BY _id) TO STDOUT WITH (FORMAT csv)`
  const url = `${s.opendUrl}${path({ resource_id: s.table.resourceId, records_format: 'csv', limit: String(s.table.rows) })}`
  // the two write the same CSV: compared on the first 1000 rows
  const sample = await fetch(`${s.opendUrl}${path({ resource_id: s.table.resourceId, records_format: 'csv', limit: '1000' })}`)
  const { result } = await sample.json() as { result: { records: string } }
  const { stdout } = await psql(s.databaseUrl, copy.replace('ORDER BY _id)', 'ORDER BY _id LIMIT 1000)'), false)
  if (result.records !== stdout) throw new Error(`opend's CSV differs from psql's: ${JSON.stringify(result.records.slice(0, 200))} against ${JSON.stringify(stdout.slice(0, 200))}`)
  const idle = rssBytes(s.serverPid) ?? NaN
  const opend: number[] = []
  const direct: number[] = []
  const cpu: number[] = []
  const sizes = new Set<number>()
  let peak = 0
  for (let run = 0; run < s.runs; run++) {
    for (const who of run % 2 === 0 ? ['opend', 'psql'] : ['psql', 'opend']) {
      if (who === 'psql') {
        const { seconds } = await psql(s.databaseUrl, copy, true)
        direct.push(seconds)
        s.log(`datastore: export run ${run + 1}: psql \\copy ${seconds.toFixed(1)} s`)
        continue
      }
      const rss = () => { peak = Math.max(peak, rssBytes(s.serverPid) ?? 0) }
      rss()
      const sampler = setInterval(rss, 100)
      const cpu0 = s.serverCpu()
      let got
      try {
        got = await download(url)
      } finally {
        clearInterval(sampler)
      }
      const cpu1 = s.serverCpu()
      // an answer cut short by a failed COPY has no closing envelope
      if (!got.tail.endsWith('}}') || !got.tail.includes(`"total": ${s.table.rows}`)) throw new Error(`the csv export ended early: ...${got.tail}`)
      opend.push(got.seconds)
      cpu.push(cpu0 === null || cpu1 === null ? NaN : cpu1 - cpu0)
      sizes.add(got.bytes)
      s.log(`datastore: export run ${run + 1}: opend ${got.seconds.toFixed(1)} s, ${mb(got.bytes)} MB, server peak RSS ${mb(peak)} MB`)
    }
  }
  if (sizes.size !== 1) throw new Error(`the csv exports differ in size: ${[...sizes].join(', ')} bytes`)
  const o = medianOf(opend)
  const p = medianOf(direct)
  return {
    rows: s.table.rows,
    resourceId: s.table.resourceId,
    opend: { seconds: opend, median: o, bytes: [...sizes][0], peakRssMB: mb(peak), idleRssMB: mb(idle), serverCpuSeconds: cpu },
    psql: { seconds: direct, median: p },
    ratio: o / p,
    pass: { speed: o / p <= BULK_BAR.maxRatio, memory: mb(peak) < BULK_BAR.maxRssMB }
  }
}
/**
 * A CSV file of `rows` rows shaped like the generated tables (row i: id i,
 * its province and topic, value and date, as fill() makes them), UTF-8 with
 * a header.
 */
async function writeCsv (file: string, rows: number): Promise<void> {
  const out = createWriteStream(file)
  const day0 = Date.UTC(2000, 0, 1)
  out.write(FIELDS.map((f) => f.id).join(',') + '\n')
  for (let i = 0; i < rows;) {
    const lines: string[] = []
    for (const end = Math.min(rows, i + 10_000); i < end; i++) {
      const date = new Date(day0 + (i % 9000) * 86_400_000).toISOString().slice(0, 10)
      lines.push(`${i},${PROVINCES[i % PROVINCES.length]},${TOPICS[Math.floor(i / PROVINCES.length) % TOPICS.length]},${(i * 7919 % 100000) / 100},${date}\n`)
    }
    if (!out.write(lines.join(''))) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/**
 * `opend datastore load <resource> <file>` of a generated CSV of `rows` rows
 * against `psql \copy <table> FROM <file> (FORMAT csv, HEADER)` into a plain
 * table of the types opend infers for it (int8, text, text, numeric, date),
 * without indexes, truncated before each run and dropped at the end; `runs`
 * times each, alternating who goes first. Both are timed from outside,
 * process start included.
 */
export async function measureLoad (s: DatastoreSettings & { rows: number, runs: number, cli: string[], env: NodeJS.ProcessEnv, cwd: string }): Promise<LoadResults> {
  const name = `load-${s.rows}`
  // the resource the load fills, made as generateTables makes its resources; each load replaces its table
  const rid = await withActions(s, async (call) => await resourceNamed(call, name) ??
    (await call('datastore_create', { resource: { package_id: 'bench-datastore-rows', name }, force: true, fields: FIELDS })).result.resource_id as string)
  const dir = mkdtempSync(join(os.tmpdir(), 'opend-bench-load-'))
  const file = join(dir, `${name}.csv`)
  const scratch = 'opend_bench_load_copy'
  const client = new pg.Client({ connectionString: s.databaseUrl })
  await client.connect()
  try {
    await writeCsv(file, s.rows)
    const { size } = statSync(file)
    s.log(`datastore: load: ${s.rows} rows, ${mb(size)} MB of CSV into resource ${rid}`)
    await client.query(`DROP TABLE IF EXISTS ${scratch}`)
    await client.query(`CREATE TABLE ${scratch} (id int8, "จังหวัด" text, "หัวข้อ" text, "ค่า" numeric, "วันที่" date)`)
    const opend: number[] = []
    const direct: number[] = []
    let output = ''
    for (let run = 0; run < s.runs; run++) {
      for (const who of run % 2 === 0 ? ['opend', 'psql'] : ['psql', 'opend']) {
        if (who === 'psql') {
          await client.query(`TRUNCATE ${scratch}`)
          const r = await psql(s.databaseUrl, `\\copy ${scratch} FROM '${file}' WITH (FORMAT csv, HEADER)`, false)
          if (r.stdout.trim() !== `COPY ${s.rows}`) throw new Error(`psql \\copy FROM answered ${r.stdout.trim()}`)
          direct.push(r.seconds)
          s.log(`datastore: load run ${run + 1}: psql \\copy FROM ${r.seconds.toFixed(1)} s`)
          continue
        }
        const r = await runCli([...s.cli, 'datastore', 'load', rid, file], s.env, s.cwd)
        if (!r.output.startsWith(`loaded ${s.rows} rows`)) throw new Error(`opend datastore load: ${r.output}`)
        output = r.output
        opend.push(r.seconds)
        s.log(`datastore: load run ${run + 1}: opend ${r.seconds.toFixed(1)} s (${r.output})`)
      }
    }
    const o = medianOf(opend)
    const p = medianOf(direct)
    return { rows: s.rows, fileBytes: size, opend: { seconds: opend, median: o, output }, psql: { seconds: direct, median: p }, ratio: o / p, pass: o / p <= BULK_BAR.maxRatio }
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${scratch}`)
    await client.end()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An opend command, timed from outside; its stdout (the command's one line) or its failure. */
async function runCli (args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ seconds: number, output: string }> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let stderr = ''
  proc.stdout!.on('data', (d: Buffer) => { output += d.toString() })
  proc.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
  const [code] = await once(proc, 'exit') as [number | null]
  if (code !== 0) throw new Error(`opend ${args.slice(-4).join(' ')} exited with ${code}\n${stderr}`)
  return { seconds: (performance.now() - t0) / 1000, output: output.trim() }
}

export function datastoreReport (r: DatastoreResults): string[] {
  const f = (n: number) => n.toFixed(2)
  const lines = ['', '## DataStore: datastore_search over HTTP vs the same SQL run directly against PostgreSQL', '']
  for (const t of r.tables) lines.push(`table: ${t.rows} rows (${t.bytes} with indexes), resource ${t.resourceId}${t.generatedSeconds === null ? '' : `, generated in ${t.generatedSeconds.toFixed(1)} s`}`)
  lines.push('', '| datastore_search | opend median | opend p95 | same SQL median | HTTP - SQL | bar | |', '|---|---:|---:|---:|---:|---:|---|')
  for (const m of r.measured) {
    const verdict = m.bar === null ? '' : m.http.median <= m.bar ? 'met' : '**MISSED**'
    lines.push(`| ${m.label} | ${f(m.http.median)} ms | ${f(m.http.p95)} ms | ${f(m.sql.median)} ms | ${f(m.http.median - m.sql.median)} ms | ${m.bar === null ? '' : `≤ ${f(m.bar)} ms`} | ${verdict} |`)
  }
  lines.push('', '| bulk | opend median | psql median | opend / psql | bar | |', '|---|---:|---:|---:|---:|---|')
  const runs = (t: Timed) => t.seconds.map((x) => x.toFixed(1)).join(', ')
  const e = r.export
  if (e) {
    lines.push(`| records_format=csv, the whole ${e.rows}-row table | ${e.opend.median.toFixed(1)} s | ${e.psql.median.toFixed(1)} s | ${f(e.ratio)} | ≤ ${BULK_BAR.maxRatio} | ${e.pass.speed ? 'met' : '**MISSED**'} |`)
    lines.push(`| server RSS during the export (peak) | ${e.opend.peakRssMB} MB | | | < ${BULK_BAR.maxRssMB} MB | ${e.pass.memory ? 'met' : '**MISSED**'} |`)
  }
  const l = r.load
  if (l) lines.push(`| opend datastore load, ${l.rows}-row CSV (${mb(l.fileBytes)} MB) | ${l.opend.median.toFixed(1)} s | ${l.psql.median.toFixed(1)} s | ${f(l.ratio)} | ≤ ${BULK_BAR.maxRatio} | ${l.pass ? 'met' : '**MISSED**'} |`)
  lines.push('')
  if (e) {
    lines.push(`export: GET datastore_search?resource_id=${e.resourceId}&records_format=csv&limit=${e.rows}, read to the end by a node client (${mb(e.opend.bytes)} MB: the CSV as one JSON string, Thai as \\uXXXX), ` +
      `against psql \\copy (SELECT _id, <columns> ... ORDER BY _id) TO STDOUT WITH (FORMAT csv) > /dev/null; runs opend ${runs(e.opend)} s, psql ${runs(e.psql)} s; ` +
      `server CPU per answer ${e.opend.serverCpuSeconds.map((x) => x.toFixed(1)).join(', ')} s; server RSS idle ${e.opend.idleRssMB} MB`)
  } else {
    lines.push('export: not measured (--no-export)')
  }
  if (l) {
    lines.push(`load: opend datastore load (type inference, segmented full text, GIN index, swap) against psql \\copy FROM into a plain typed table without indexes; runs opend ${runs(l.opend)} s, psql ${runs(l.psql)} s; opend said: ${l.opend.output}`)
  } else {
    lines.push('load: not measured (--no-load)')
  }
  return lines
}
