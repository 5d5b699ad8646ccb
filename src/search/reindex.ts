/**
 * Rebuilding the search index from the catalog tables: `opend reindex`, the
 * start of a server whose index was built by another ICU or analyzer version
 * (or not at all), and generated benchmark catalogs.
 *
 * The whole rebuild is one transaction: searches keep seeing the old index
 * until it commits, and an interrupted rebuild leaves the old index intact.
 * Writes to datasets wait for it.
 */
import { type Kysely, sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/database.js'
import { loadPackageParts, materializePackages } from '../db/queries/packages.js'
import { readIndexFingerprint, writeIndexDocuments, writeIndexFingerprint } from '../db/queries/search-index.js'
import { analyzerFingerprint } from './analyzer.js'
import { indexDocument } from './index-document.js'

export interface ReindexOptions {
  /** also rebuild the stored package_show dicts (for catalogs written straight into the tables) */
  materialize?: { siteUrl: string }
  batchSize?: number
  onProgress?: (done: number, total: number) => void
}

export async function reindex (db: Kysely<Database>, o: ReindexOptions = {}): Promise<{ packages: number, ms: number }> {
  const started = performance.now()
  const batchSize = o.batchSize ?? 500
  const packages = await db.transaction().execute(async (trx) => {
    const ids = (await trx.selectFrom('packages').select('id').orderBy('id').execute()).map((r) => r.id)
    await trx.deleteFrom('search_index').execute()
    o.onProgress?.(0, ids.length)
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize)
      if (o.materialize) {
        await materializePackages(trx, batch, o.materialize.siteUrl)
      } else {
        const pkgs = await trx.selectFrom('packages').selectAll().where('id', 'in', batch).execute()
        await writeIndexDocuments(trx, (await loadPackageParts(trx, pkgs)).map(indexDocument))
      }
      o.onProgress?.(Math.min(i + batchSize, ids.length), ids.length)
    }
    await writeIndexFingerprint(trx, analyzerFingerprint())
    return ids.length
  })
  return { packages, ms: Math.round(performance.now() - started) }
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
  const { packages, ms } = await reindex(db)
  log.info({ packages, ms }, 'search index rebuilt')
}
