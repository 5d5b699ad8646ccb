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
 */
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import type { Config } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { openDatabase } from '../src/db/factory.js'
import { createToken } from '../src/db/queries/tokens.js'
import { findUser, insertUser } from '../src/db/queries/users.js'
import { datastoreSchema } from '../src/datastore/schema.js'
import { segment, TS_CONFIG } from '../src/search/analyzer.js'
import { type Latencies, latencies, sequentialHttp, sequentialSql } from './search.js'

/** CKAN 2.10 on 100,000 rows, 2 cores (the issue): filter on an indexed column, and a text q, limit 100. */
const CKAN = { filterMs: 17.8, qMs: 23.7 }
const BIG_BAR_MS = 100

const PROVINCES = ['กรุงเทพมหานคร', 'เชียงใหม่', 'ขอนแก่น', 'สงขลา', 'ภูเก็ต', 'นครราชสีมา', 'ชลบุรี', 'อุดรธานี', 'สุราษฎร์ธานี', 'พิษณุโลก',
  'นครศรีธรรมราช', 'อุบลราชธานี', 'เชียงราย', 'ลำปาง', 'ระยอง', 'ตาก', 'น่าน', 'แพร่', 'ยะลา', 'ปัตตานี']
const TOPICS = ['สถิติการท่องเที่ยว', 'จำนวนนักท่องเที่ยว', 'ปริมาณน้ำฝน', 'ผู้ป่วยไข้เลือดออก', 'อุบัติเหตุทางถนน', 'ราคาข้าวเปลือก', 'ฝุ่นละอองขนาดเล็ก',
  'การใช้ไฟฟ้า', 'ผู้สูงอายุ', 'งบประมาณรายจ่าย']

export interface DatastoreSettings { databaseUrl: string, config: Config, sizes: number[], requests: number, log: (msg: string) => void }

interface Measured { label: string, http: Latencies, sql: Latencies, bar: number | null }
export interface DatastoreResults { tables: { rows: number, resourceId: string, bytes: string, generatedSeconds: number | null }[], measured: Measured[] }

/** A dataset and one DataStore-only resource per table size, made through opend's actions; the tables filled in SQL. */
export async function generateTables (s: DatastoreSettings): Promise<DatastoreResults['tables']> {
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 2 })
  const app = await buildApp({ ...s.config, logLevel: 'warn', demo: false }, db, { closeDb: false })
  try {
    const k = db.kysely
    const admin = await findUser(k, 'bench-admin') ?? await insertUser(k, { name: 'bench-admin', sysadmin: true, email: 'bench@example.org' })
    const { token } = await createToken(k, admin.id, 'bench')
    const call = async (name: string, body: Record<string, unknown>) => {
      const res = await app.inject({ method: 'POST', url: `/api/3/action/${name}`, payload: body, headers: { authorization: token } })
      const json = JSON.parse(res.body) as { success: boolean, result: any }
      if (!json.success && name !== 'organization_create' && name !== 'package_create') throw new Error(`${name}: ${res.body.slice(0, 300)}`)
      return json
    }
    await call('organization_create', { name: 'bench-datastore', title: 'DataStore bench' })
    await call('package_create', { name: 'bench-datastore-rows', owner_org: 'bench-datastore', title: 'ตารางทดสอบ' })
    const schema = await datastoreSchema(k)
    const out: DatastoreResults['tables'] = []
    for (const rows of s.sizes) {
      const name = `rows-${rows}`
      const pkg = (await call('package_show', { id: 'bench-datastore-rows' })).result
      let rid = (pkg.resources as { id: string, name: string }[]).find((r) => r.name === name)?.id
      const have = rid ? await countRows(k, schema, rid) : -1
      let generatedSeconds: number | null = null
      if (have !== rows) {
        const t0 = performance.now()
        if (rid) await call('datastore_delete', { resource_id: rid, force: true })
        else rid = undefined
        const created = await call('datastore_create', {
          ...(rid ? { resource_id: rid } : { resource: { package_id: 'bench-datastore-rows', name } }),
          force: true,
          fields: [{ id: 'id', type: 'int' }, { id: 'จังหวัด', type: 'text' }, { id: 'หัวข้อ', type: 'text' }, { id: 'ค่า', type: 'float8' }, { id: 'วันที่', type: 'date' }],
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
  } finally {
    await app.close()
    await db.close()
  }
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
  const segmented = PROVINCES.flatMap((p) => TOPICS.map((t) => segment(`${p} ${t}`)))
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
export async function runDatastoreScenario (s: DatastoreSettings & { opendUrl: string, tables: DatastoreResults['tables'] }): Promise<DatastoreResults> {
  const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 1, options: '-c jit=off' })
  const db = await openDatabase({ databaseUrl: s.databaseUrl, dataDir: '', poolSize: 1 })
  const schema = await datastoreSchema(db.kysely)
  await db.close()
  const measured: Measured[] = []
  try {
    const run = async (label: string, paths: string[], sqls: { sql: string, parameters: unknown[] }[], bar: number | null) => {
      await sequentialHttp(s.opendUrl, paths.slice(0, 10))
      await sequentialSql(pool, sqls.slice(0, 10) as never)
      const http = latencies(await sequentialHttp(s.opendUrl, paths))
      const direct = latencies(await sequentialSql(pool, sqls as never))
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
        const words = cycle(['ท่องเที่ยว', 'น้ำฝน', 'ไข้เลือดออก', 'อุบัติเหตุ', 'ข้าวเปลือก', 'ไฟฟ้า', 'ผู้สูงอายุ', 'งบประมาณ'])
        await run(`${t.rows} rows: text q, limit 100`, words.map((w) => path({ resource_id: t.resourceId, q: w, limit: '100' })),
          words.map((w) => ({
            sql: `SELECT (SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่", ts_rank(_full_text, q, 32) AS rank FROM ${table}, plainto_tsquery('${TS_CONFIG}', $1) q WHERE _full_text @@ q ORDER BY rank DESC, _id LIMIT 100) y) AS records, (SELECT count(*) FROM ${table} WHERE _full_text @@ plainto_tsquery('${TS_CONFIG}', $1)) AS total`,
            parameters: [segment(w)]
          })), CKAN.qMs / 3)
      } else {
        await run(`${t.rows} rows: first page, limit 100`, cycle([path({ resource_id: t.resourceId, limit: '100' })]), cycle([{ sql: page(''), parameters: [] }]), BIG_BAR_MS)
        await run(`${t.rows} rows: offset 1,000,000, limit 100`, cycle([path({ resource_id: t.resourceId, limit: '100', offset: '1000000' })]),
          cycle([{ sql: `SELECT '[' || coalesce(string_agg(row_to_json(y)::text, ','), '') || ']' FROM (SELECT _id, id, "จังหวัด", "หัวข้อ", "ค่า", "วันที่" FROM ${table} ORDER BY _id LIMIT 100 OFFSET 1000000) y`, parameters: [] }]), BIG_BAR_MS)
        await run(`${t.rows} rows: filtered count (filter, limit 0)`, provinces.map((p) => path({ resource_id: t.resourceId, filters: JSON.stringify({ จังหวัด: p }), limit: '0' })),
          provinces.map((p) => ({ sql: `SELECT count(*) FROM ${table} WHERE "จังหวัด" = $1`, parameters: [p] })), BIG_BAR_MS)
      }
    }
  } finally {
    await pool.end()
  }
  return { tables: s.tables, measured }
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
  lines.push('', 'not measured yet: records_format=csv of the whole 10,000,000-row table against psql \\copy, and opend datastore load of 1,000,000 rows against psql \\copy FROM (see bench/README.md)')
  return lines
}
