/** Runs the migrations in migrations/ to the latest, reporting each one. */
import { Migrator, type MigrationResult, type Kysely } from 'kysely'
import { migrations } from '../../migrations/index.js'

export async function migrateToLatest (db: Kysely<any>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`)
  }
  return results ?? []
}
