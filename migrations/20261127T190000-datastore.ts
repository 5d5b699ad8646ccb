/**
 * The DataStore: each resource's rows in a table of its own, named by the
 * resource id, in a schema apart from the catalog, so that
 * datastore_search_sql runs with a search_path that holds DataStore tables
 * only. The schema is `datastore` beside a catalog in `public`, and
 * `<schema>_datastore` beside a catalog in any other schema (the tests give
 * each file a schema of its own); src/datastore/schema.ts applies the same
 * rule, which a migration may not import.
 *
 * The catalog keeps what the tables' own definitions cannot say: the fields
 * in their order with CKAN's type names and `info`, the primary key, and the
 * aliases (views in the DataStore schema, as CKAN makes them).
 */
import { type Kysely, sql } from 'kysely'

async function schemaName (db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)
  return rows[0].s === 'public' ? 'datastore' : `${rows[0].s}_datastore`
}

export async function up (db: Kysely<any>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(await schemaName(db))}`.execute(db)
  await sql`
    CREATE TABLE datastore_tables (
      resource_id text PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
      -- [{"id", "type", "info"?}] in column order; type is CKAN's reported name (int4, float8, _text, json, ...)
      fields jsonb NOT NULL,
      primary_key text[] NOT NULL DEFAULT '{}',
      -- kept exact by every write, so an unfiltered total costs no scan (count(*) of 10,000,000 rows takes a third of a second)
      row_count bigint NOT NULL DEFAULT 0,
      created timestamptz NOT NULL DEFAULT now(),
      modified timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db)
  await sql`
    CREATE TABLE datastore_aliases (
      name text PRIMARY KEY,
      resource_id text NOT NULL REFERENCES datastore_tables(resource_id) ON DELETE CASCADE
    )
  `.execute(db)
  await sql`CREATE INDEX datastore_aliases_resource ON datastore_aliases (resource_id)`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE datastore_aliases`.execute(db)
  await sql`DROP TABLE datastore_tables`.execute(db)
  await sql`DROP SCHEMA ${sql.id(await schemaName(db))} CASCADE`.execute(db)
}
