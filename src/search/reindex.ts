/**
 * Rebuilding the search index from the catalog tables: `opend reindex`, the
 * start of a server whose index was built by another ICU or analyzer version
 * (or not at all), and generated benchmark catalogs.
 *
 * The whole rebuild is one transaction, so an interrupted rebuild leaves the
 * old index as it was. The index tables are emptied, filled without their
 * secondary indexes and the indexes built again at the end, which is several
 * times faster than updating four GIN indexes row by row; searches and
 * writes to datasets wait for the rebuild meanwhile.
 */
import { type Kysely, sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/database.js'
import { loadPackageParts, materializePackages, packagesForParts } from '../db/queries/packages.js'
import { readIndexFingerprint, writeIndexDocuments, writeIndexFingerprint } from '../db/queries/search-index.js'
import { analyzerFingerprint } from './analyzer.js'
import { indexDocument } from './index-document.js'

export interface ReindexOptions {
  /** also rebuild the stored package_show dicts (for catalogs written straight into the tables) */
  materialize?: { siteUrl: string }
  batchSize?: number
  onProgress?: (done: number, total: number) => void
  /**
   * Leave the index as it is if it turns out to be built by this analyzer
   * once the rebuild's lock is held: servers starting together on one
   * database each find the index stale, and only the first need rebuild it.
   */
  onlyIfStale?: boolean
}

/** Held by a rebuild: two at once would drop each other's indexes while the other reads their definitions. */
const REINDEX_LOCK = sql`pg_advisory_xact_lock(hashtext('opend:reindex'))`

/** The secondary indexes of the index tables, as `CREATE INDEX` statements. */
async function secondaryIndexes (db: Kysely<Database>): Promise<{ name: string, definition: string }[]> {
  const { rows } = await sql<{ name: string, definition: string }>`
    SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename IN ('search_index', 'search_text')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
  `.execute(db)
  return rows
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve))

/** Rebuilds the index; `rebuilt` is false when `onlyIfStale` found it current. */
export async function reindex (db: Kysely<Database>, o: ReindexOptions = {}): Promise<{ rebuilt: boolean, packages: number, ms: number }> {
  const started = performance.now()
  const batchSize = o.batchSize ?? 1000
  const packages = await db.transaction().execute(async (trx) => {
    await sql`SELECT ${REINDEX_LOCK}`.execute(trx)
    if (o.onlyIfStale && await readIndexFingerprint(trx) === analyzerFingerprint()) return null
    // building GIN indexes from scratch is faster with room to sort in
    await sql`SET LOCAL maintenance_work_mem = '256MB'`.execute(trx)
    const indexes = await secondaryIndexes(trx)
    for (const i of indexes) await sql`DROP INDEX ${sql.ref(i.name)}`.execute(trx)
    await sql`TRUNCATE search_text, search_index`.execute(trx)
    const ids = (await trx.selectFrom('packages').select('id').orderBy('id').execute()).map((r) => r.id)
    o.onProgress?.(0, ids.length)
    const batches: string[][] = []
    for (let i = 0; i < ids.length; i += batchSize) batches.push(ids.slice(i, i + batchSize))
    const load = async (batch: string[] | undefined) => batch
      ? loadPackageParts(trx, await packagesForParts(trx, batch))
      : []
    let done = 0
    if (o.materialize) {
      for (const batch of batches) {
        await materializePackages(trx, batch, o.materialize.siteUrl)
        o.onProgress?.(done += batch.length, ids.length)
      }
    } else {
      let docs = (await load(batches[0])).map(indexDocument)
      for (let b = 0; b < batches.length; b++) {
        const parts = await load(batches[b + 1])
        // the database writes this batch while Node segments the next one
        const writing = writeIndexDocuments(trx, docs)
        await nextTick()
        docs = parts.map(indexDocument)
        await writing
        o.onProgress?.(done += batches[b].length, ids.length)
      }
    }
    for (const i of indexes) await sql.raw(i.definition).execute(trx)
    await writeIndexFingerprint(trx, analyzerFingerprint())
    return ids.length
  })
  return { rebuilt: packages !== null, packages: packages ?? 0, ms: Math.round(performance.now() - started) }
}

/**
 * Rebuild the index when it was built by another ICU or analyzer version, or
 * never: ICU versions split some Thai words differently, and a query
 * segmented one way would miss documents indexed the other way.
 */
export async function ensureSearchIndex (db: Kysely<Database>, log: FastifyBaseLogger): Promise<void> {
  const { rows } = await sql<{ trigrams: number }>`SELECT cardinality(show_trgm('ไทย')) AS trigrams`.execute(db)
  if (rows[0].trigrams === 0) {
    log.warn('the database\'s LC_CTYPE is not UTF-8: pg_trgm sees no Thai letters, so Thai substring matches cannot use their index (create the database with a UTF-8 locale such as C.UTF-8)')
  }
  const built = await readIndexFingerprint(db)
  const wanted = analyzerFingerprint()
  if (built === wanted) return
  log.info({ built, wanted }, 'rebuilding the search index: it was built by another ICU or analyzer version')
  const { rebuilt, packages, ms } = await reindex(db, { onlyIfStale: true })
  if (rebuilt) log.info({ packages, ms }, 'search index rebuilt')
  else log.info('search index rebuilt by another server meanwhile')
}
