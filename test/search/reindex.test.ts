/**
 * Rebuilding the search index: `opend reindex` as users run it (a real
 * process over a database of its own, as in test/cli.test.ts), and the
 * rebuild at start when the index was built by another ICU or analyzer
 * version, or never.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { openDatabase, type Db } from '../../src/db/factory.js'
import { analyzerFingerprint } from '../../src/search/analyzer.js'
import { ensureSearchIndex, reindex } from '../../src/search/reindex.js'
import { build, ok } from '../helper.js'

// each command is a fresh Node process with tsx, and on PGlite each opens the embedded database
t.setTimeout(600_000)

const ROOT = resolve(import.meta.dirname, '..', '..')
const CLI = join(ROOT, 'src', 'cli.ts')
const COMMAND_TIMEOUT = 120_000

interface Result { code: number | null, stdout: string, stderr: string }
let baseEnv: Record<string, string> = {}

function cliEnv (extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    // the host's opend settings and tap's loaders must not leak into the CLI
    if (v === undefined || /^(OPEND_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$|REDIS_URL$)/.test(k)) continue
    env[k] = v
  }
  return { ...env, ...baseEnv, ...extra }
}

function start (args: string[], extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: cliEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] })
}

function run (args: string[], extra: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = start(args, extra)
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`opend ${args.join(' ')} did not finish within ${COMMAND_TIMEOUT} ms; stderr: ${stderr}`))
    }, COMMAND_TIMEOUT)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The CLI's database, opened from the test between commands (PGlite allows one process at a time). */
async function withDb<T> (fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: baseEnv.DATABASE_URL ?? null, dataDir: baseEnv.OPEND_DATA_DIR, poolSize: 1 })
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

async function indexState (db: Db) {
  const { rows } = await sql<{ packages: number, live: number, indexed: number, fingerprint: string | null }>`
    SELECT (SELECT count(*)::int FROM packages) AS packages,
      (SELECT count(*)::int FROM packages WHERE state <> 'deleted') AS live,
      (SELECT count(*)::int FROM search_index) AS indexed,
      (SELECT value FROM search_meta WHERE key = 'analyzer') AS fingerprint`.execute(db.kysely)
  return rows[0]
}

t.test('ensureSearchIndex and reindex, in process', async (t) => {
  const app = await build(t)
  // an organization whose title does not hold the word searched for
  ok(await app.call('organization_create', { name: 'tat', title: 'Tourism Authority of Thailand' }))
  for (const [name, title] of [['tourism-stats', 'สถิติการท่องเที่ยวภายในประเทศ'], ['hotels', 'อัตราการเข้าพักโรงแรม'], ['events', 'ปฏิทินเทศกาลท่องเที่ยว']]) {
    ok(await app.call('package_create', { name, title, owner_org: 'tat' }))
  }
  ok(await app.call('package_create', { name: 'private-plan', title: 'แผนการท่องเที่ยว', owner_org: 'tat', private: true }))
  ok(await app.call('package_create', { name: 'withdrawn', title: 'ท่องเที่ยวที่ถอนออก', owner_org: 'tat' }))
  ok(await app.call('package_delete', { id: 'withdrawn' }))
  const db = app.db.kysely
  const found = async () => ok(await app.call('package_search', { q: 'ท่องเที่ยว', include_private: true, rows: 100 })).results.map((p: any) => p.name).sort()
  const expected = ['events', 'private-plan', 'tourism-stats']
  t.same(await found(), expected)
  const log = { info: () => {}, warn: () => {}, error: () => {} } as any

  t.match(analyzerFingerprint(), new RegExp(`icu-${process.versions.icu!.replace('.', '\\.')}$`), 'the fingerprint names the ICU version')

  // an index built by another ICU: rebuilt
  await sql`DELETE FROM search_index`.execute(db)
  await sql`INSERT INTO search_meta (key, value) VALUES ('analyzer', '1/icu-0.1') ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(db)
  t.same(await found(), [], 'emptied')
  const messages: unknown[] = []
  await ensureSearchIndex(db, { ...log, info: (...args: unknown[]) => messages.push(args) })
  t.same(await found(), expected, 'rebuilt when the fingerprint differs')
  t.match(JSON.stringify(messages), /rebuilding the search index/)
  t.equal((await sql<{ value: string }>`SELECT value FROM search_meta WHERE key = 'analyzer'`.execute(db)).rows[0].value, analyzerFingerprint())
  t.equal((await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_index`.execute(db)).rows[0].n, 5 - 1, 'every dataset but the deleted one')

  // the same fingerprint: left alone
  await sql`DELETE FROM search_index WHERE name = 'events'`.execute(db)
  await ensureSearchIndex(db, log)
  t.same(await found(), ['private-plan', 'tourism-stats'], 'not rebuilt when the fingerprint matches')

  // never built (a database migrated before the index existed): rebuilt
  await sql`DELETE FROM search_meta`.execute(db)
  await ensureSearchIndex(db, log)
  t.same(await found(), expected, 'rebuilt when no fingerprint is recorded')

  const progress: Array<[number, number]> = []
  const r = await reindex(db, { batchSize: 2, onProgress: (done, total) => progress.push([done, total]) })
  t.equal(r.packages, 5, 'reindex walks every dataset, the deleted one included')
  t.same(progress, [[0, 5], [2, 5], [4, 5], [5, 5]], 'progress per batch')
  t.same(await found(), expected)
  t.same(ok(await app.call('package_search', { q: 'ท่องเที่ยว', include_private: true, include_drafts: true, include_deleted: true })).results
    .map((p: any) => p.name).includes('withdrawn'), false, 'deleted datasets stay out of a rebuilt index')
})

t.test('opend reindex', async (t) => {
  const url = process.env.DATABASE_URL
  if (url) {
    const name = `opend_reindex_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const target = new URL(url)
    target.pathname = `/${name}`
    baseEnv = { DATABASE_URL: target.toString() }
    t.teardown(async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    })
  }
  const dir = await mkdtemp(join(tmpdir(), 'opend-reindex-'))
  baseEnv.OPEND_DATA_DIR = dir
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const usage = await run(['reindex', 'now'])
  t.not(usage.code, 0)
  t.match(usage.stderr, /reindex takes no arguments/)

  t.equal((await run(['migrate'])).code, 0)
  const demo = await run(['demo'])
  t.equal(demo.code, 0, demo.stderr)
  const before = await withDb(indexState)
  t.ok(before.packages >= 40, `${before.packages} demo datasets`)
  t.equal(before.indexed, before.live, 'written datasets are indexed as they are written, deleted ones left out')

  // lose the index and record another ICU, as an upgraded Node would find it
  await withDb(async (db) => {
    await sql`DELETE FROM search_index`.execute(db.kysely)
    await sql`UPDATE search_meta SET value = '1/icu-0.1' WHERE key = 'analyzer'`.execute(db.kysely)
  })
  const r = await run(['reindex'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, new RegExp(`^search index rebuilt: ${before.packages} datasets in \\d+\\.\\d s\\n$`))
  t.notMatch(r.stdout, /\r/, 'no progress bar on stdout')
  t.equal(r.stderr, '', 'nor on stderr when no one is watching (not a TTY)')
  const after = await withDb(indexState)
  t.same(after, { ...before, fingerprint: analyzerFingerprint() })
  const again = await run(['reindex'])
  t.equal(again.code, 0, again.stderr)
  t.same(await withDb(indexState), after, 'idempotent')

  // serve rebuilds an index built by another ICU before it listens
  const hidden = await countPrivateOrDraft()
  await withDb(async (db) => {
    await sql`DELETE FROM search_index`.execute(db.kysely)
    await sql`UPDATE search_meta SET value = '1/icu-0.1' WHERE key = 'analyzer'`.execute(db.kysely)
  })
  const server = start(['serve'], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', OPEND_DEMO: 'false' })
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)))
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    await exited
  })
  let out = ''
  server.stderr!.setEncoding('utf8').on('data', (s: string) => { out += s })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), COMMAND_TIMEOUT)
    server.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s
      const found = /opend is listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (found) { clearTimeout(timer); resolve(Number(found[1])) }
    })
    exited.then((code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${out}`)) }, reject)
  })
  t.match(out, /rebuilding the search index/)
  const search = await (await fetch(`http://127.0.0.1:${port}/api/3/action/package_search?rows=0`)).json() as any
  t.equal(search.result.count, before.live - hidden, 'every public dataset is found again')
  server.kill('SIGTERM')
  t.equal(await exited, 0)
  // pino writes asynchronously: the line may follow the listening message
  t.match(out, /"packages":\d+,"ms":\d+,"msg":"search index rebuilt"/)
  t.equal((await withDb(indexState)).fingerprint, analyzerFingerprint())
})

/** Demo datasets a public search does not show. */
async function countPrivateOrDraft (): Promise<number> {
  return await withDb(async (db) => (await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM packages WHERE state <> 'deleted' AND (private OR state <> 'active')`.execute(db.kysely)).rows[0].n)
}
