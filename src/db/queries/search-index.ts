/** Writes to the package search index: search_index and search_text (migrations/20261127T150000-search.ts). */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../database.js'
import type { IndexDocument } from '../../search/index-document.js'
import { TS_CONFIG } from '../../search/analyzer.js'

const COLUMNS = ['state', 'private', 'type', 'owner_org', 'creator_user_id', 'name', 'title', 'title_string', 'metadata_created',
  'metadata_modified', 'num_resources', 'num_tags', 'organization', 'groups', 'tags', 'res_format', 'license_id']
const TEXT_COLUMNS = ['fts', 'body', 'fields', 'texts']

const updateAll = (columns: string[]) => sql.join(columns.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))

/**
 * Insert or replace the rows of these documents, two statements for the
 * whole batch: it travels as one JSON parameter, so a thousand datasets cost
 * two round trips on both PostgreSQL and PGlite. Deleted datasets are taken
 * out instead, as CKAN takes them out of Solr.
 */
export async function writeIndexDocuments (db: Kysely<Database>, docs: readonly IndexDocument[]): Promise<void> {
  const deleted = docs.filter((d) => d.state === 'deleted').map((d) => d.package_id)
  if (deleted.length) await db.deleteFrom('search_index').where('package_id', 'in', deleted).execute()
  const live = docs.filter((d) => d.state !== 'deleted')
  if (live.length === 0) return
  const batch = JSON.stringify(live)
  const config = sql.lit(TS_CONFIG)
  const vector = (i: number, weight: string) => sql`setweight(to_tsvector(${config}::regconfig, d -> 'weighted' ->> ${sql.lit(i)}), ${sql.lit(weight)})`
  const list = (key: string) => sql`ARRAY(SELECT jsonb_array_elements_text(d -> ${sql.lit(key)}))`
  await sql`
    INSERT INTO search_index (package_id, ${sql.join(COLUMNS.map((c) => sql.ref(c)))})
    SELECT d ->> 'package_id', d ->> 'state', (d ->> 'private')::boolean, d ->> 'type', d ->> 'owner_org', d ->> 'creator_user_id',
      d ->> 'name', d ->> 'title', d ->> 'title_string', (d ->> 'metadata_created')::timestamptz, (d ->> 'metadata_modified')::timestamptz,
      (d ->> 'num_resources')::int, (d ->> 'num_tags')::int, d ->> 'organization', ${list('groups')}, ${list('tags')}, ${list('res_format')},
      d ->> 'license_id'
    FROM jsonb_array_elements(${batch}::jsonb) d
    ON CONFLICT (package_id) DO UPDATE SET ${updateAll(COLUMNS)}
  `.execute(db)
  await sql`
    INSERT INTO search_text (package_id, ${sql.join(TEXT_COLUMNS.map((c) => sql.ref(c)))})
    SELECT d ->> 'package_id', ${vector(0, 'A')} || ${vector(1, 'B')} || ${vector(2, 'C')} || ${vector(3, 'D')},
      d ->> 'body', d -> 'fields', d -> 'texts'
    FROM jsonb_array_elements(${batch}::jsonb) d
    ON CONFLICT (package_id) DO UPDATE SET ${updateAll(TEXT_COLUMNS)}
  `.execute(db)
}

export async function readIndexFingerprint (db: Kysely<Database>): Promise<string | null> {
  const row = await db.selectFrom('search_meta').select('value').where('key', '=', 'analyzer').executeTakeFirst()
  return row?.value ?? null
}

export async function writeIndexFingerprint (db: Kysely<Database>, value: string): Promise<void> {
  await db.insertInto('search_meta').values({ key: 'analyzer', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute()
}
