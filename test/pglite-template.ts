/**
 * A migrated PGlite database, dumped once and cloned by each test file in
 * well under a second instead of running initdb and the migrations itself.
 * Its name carries a hash of the migrations, so a changed migration makes a new one;
 * test files racing to make it each write their own and rename it into place.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { migrations } from '../migrations/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { PGLITE_EXTENSIONS } from '../src/db/factory.js'

const MIGRATIONS = resolve(import.meta.dirname, '..', 'migrations')
const version = createHash('sha256')
  .update(Object.keys(migrations).join('\n'))
  .update(readdirSync(MIGRATIONS).sort().map((f) => readFileSync(resolve(MIGRATIONS, f), 'utf8')).join('\n'))
  .digest('hex').slice(0, 12)
const TEMPLATE = resolve(import.meta.dirname, '..', '.tap', `pglite-template-${version}.tgz`)

async function writeTemplate (): Promise<Buffer> {
  const pg = await PGlite.create({ extensions: PGLITE_EXTENSIONS })
  await migrateToLatest(new Kysely<any>({ dialect: new PGliteDialect(pg) }))
  const dump = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer())
  await pg.close()
  await mkdir(dirname(TEMPLATE), { recursive: true })
  const tmp = `${TEMPLATE}.${process.pid}`
  await writeFile(tmp, dump)
  await rename(tmp, TEMPLATE)
  return dump
}

export async function cloneTemplate (): Promise<PGlite> {
  const dump = await readFile(TEMPLATE).catch(() => writeTemplate())
  return PGlite.create({ loadDataDir: new Blob([dump]), extensions: PGLITE_EXTENSIONS })
}
