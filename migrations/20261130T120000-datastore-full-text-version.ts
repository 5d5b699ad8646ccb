/**
 * How a DataStore table's `_full_text` was analysed, so that a query is
 * analysed the same way. 1: every word segmented with ICU, which splits
 * `cat-7` into `cat` and `7` where PostgreSQL's parser, and so CKAN, reads
 * `cat` and `-7`. 2: Thai runs segmented with ICU, everything else left to
 * PostgreSQL's parser, as CKAN indexes it. Tables made before this keep 1
 * until they are loaded or created again; new ones get 2.
 */
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE datastore_tables ADD COLUMN full_text_version smallint NOT NULL DEFAULT 1`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE datastore_tables DROP COLUMN full_text_version`.execute(db)
}
