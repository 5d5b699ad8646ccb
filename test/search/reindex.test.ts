/**
 * Rebuilding the search index: `opend reindex` as users run it (a real
 * process over a database of its own, as in test/cli.test.ts), and the
 * rebuild at start when the index was built by another ICU or analyzer
 * version, or never.
 */
import { Migrator, sql } from 'kysely'
import t from 'tap'
import { migrations } from '../../migrations/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { Db } from '../../src/db/factory.js'
import { analyzerFingerprint } from '../../src/search/analyzer.js'
import { ensureSearchIndex, reindex } from '../../src/search/reindex.js'
import { cliSandbox } from '../cli-runner.js'
import { build, ok } from '../helper.js'

// each command is a fresh Node process with tsx, and on PGlite each opens the embedded database
t.setTimeout(600_000)

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

  // servers starting together on one database: one rebuilds, the others wait for it and leave the index alone
  await sql`DELETE FROM search_meta`.execute(db)
  const lines: string[] = []
  await Promise.all([0, 1, 2].map(async () => await ensureSearchIndex(db, { ...log, info: (...args: unknown[]) => lines.push(String(args.at(-1))) })))
  t.equal(lines.filter((line) => line === 'search index rebuilt').length, 1, 'rebuilt once')
  t.same(await found(), expected)

  const progress: Array<[number, number]> = []
  const r = await reindex(db, { batchSize: 2, onProgress: (done, total) => progress.push([done, total]) })
  t.equal(r.packages, 5, 'reindex walks every dataset, the deleted one included')
  t.same(progress, [[0, 5], [2, 5], [4, 5], [5, 5]], 'progress per batch')
  t.same(await found(), expected)
  t.same(ok(await app.call('package_search', { q: 'ท่องเที่ยว', include_private: true, include_drafts: true, include_deleted: true })).results
    .map((p: any) => p.name).includes('withdrawn'), false, 'deleted datasets stay out of a rebuilt index')
})

t.test('the narrow index migration, down and up again, and the rebuild it asks for', async (t) => {
  const app = await build(t)
  ok(await app.call('organization_create', { name: 'tat', title: 'Tourism Authority of Thailand' }))
  ok(await app.call('package_create', { name: 'tourism-stats', title: 'สถิตินักท่องเที่ยว', notes: 'Visitors by province', owner_org: 'tat' }))
  const db = app.db.kysely
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: rows[0].schema })
  const narrow = '20261127T180000-search-narrow'
  const down = await migrator.migrateTo('20261127T150000-search')
  t.equal(down.error, undefined)
  t.ok(down.results?.some((r) => r.migrationName === narrow && r.direction === 'Down' && r.status === 'Success'), 'down')
  const up = await migrateToLatest(db)
  t.ok(up.some((r) => r.migrationName === narrow) && up.every((r) => r.status === 'Success'), 'up again')
  t.equal((await indexState(app.db)).fingerprint, null, 'the migration asks for a rebuild')
  await ensureSearchIndex(db, app.app.log)
  for (const q of ['ท่องเที่ยว', 'visitors', 'title:สถิติ', 'notes:province']) {
    t.same(ok(await app.call('package_search', { q })).results.map((p: any) => p.name), ['tourism-stats'], q)
  }
})

t.test('opend reindex', async (t) => {
  const { run, serve, withDb } = await cliSandbox(t, 'reindex')

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
  const hidden = await withDb(countPrivateOrDraft)
  await withDb(async (db) => {
    await sql`DELETE FROM search_index`.execute(db.kysely)
    await sql`UPDATE search_meta SET value = '1/icu-0.1' WHERE key = 'analyzer'`.execute(db.kysely)
  })
  const server = await serve({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', OPEND_DEMO: 'false' })
  t.match(server.output(), /rebuilding the search index/)
  const search = await (await fetch(`http://127.0.0.1:${server.port}/api/3/action/package_search?rows=0`)).json() as any
  t.equal(search.result.count, before.live - hidden, 'every public dataset is found again')
  server.process.kill('SIGTERM')
  t.equal(await server.exited, 0)
  // pino writes asynchronously: the line may follow the listening message
  t.match(server.output(), /"packages":\d+,"ms":\d+,"msg":"search index rebuilt"/)
  t.equal((await withDb(indexState)).fingerprint, analyzerFingerprint())
})

/** Demo datasets a public search does not show. */
async function countPrivateOrDraft (db: Db): Promise<number> {
  return (await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM packages WHERE state <> 'deleted' AND (private OR state <> 'active')`.execute(db.kysely)).rows[0].n
}
