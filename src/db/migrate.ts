/** Runs the migrations in migrations/ to the latest, reporting each one. */
import { Migrator, type MigrationResult, type Kysely, sql } from 'kysely'
import { migrations } from '../../migrations/index.js'

export async function migrateToLatest (db: Kysely<any>): Promise<MigrationResult[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which
  // one: another schema's tables (another opend, or a parallel test file)
  // would pass for ours
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: rows[0].schema })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`)
  }
  return results ?? []
}
