/**
 * A migrated PGlite database, dumped once per `npm test` run (tap's `before`
 * script) so that each test file starts from a clone in well under a second
 * instead of running initdb and the migrations itself.
 */
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { migrateToLatest } from '../src/db/migrate.js'

export const TEMPLATE = resolve(import.meta.dirname, '..', '.tap', 'pglite-template.tgz')

export async function writeTemplate (): Promise<void> {
  const pg = await PGlite.create()
  await migrateToLatest(new Kysely<any>({ dialect: new PGliteDialect(pg) }))
  const dump = await pg.dumpDataDir('gzip')
  await mkdir(dirname(TEMPLATE), { recursive: true })
  await writeFile(TEMPLATE, Buffer.from(await dump.arrayBuffer()))
  await pg.close()
}

export async function cloneTemplate (): Promise<PGlite> {
  const exists = await stat(TEMPLATE).then(() => true, () => false)
  if (!exists) await writeTemplate()
  return PGlite.create({ loadDataDir: new Blob([await readFile(TEMPLATE)]) })
}
