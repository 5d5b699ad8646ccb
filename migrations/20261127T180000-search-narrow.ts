/**
 * The words of the search index move into the narrow table, so that a text
 * query is answered from one table and its indexes.
 *
 * Measured on 100,000 generated datasets (bench/README.md): with the
 * tsvector in search_text, every text query joined the two tables and read
 * 331 MB of wide rows to rank and recheck its matches. Now:
 * - `fts` (every word, weighted) is kept out of line (STORAGE EXTERNAL): a
 *   plain word query is answered exactly by its GIN index, and PostgreSQL
 *   never reads the value itself unless a query restricts a field;
 * - `rank` (title and name as A, tags as B: CKAN's qf boosts) is what
 *   matches are ranked by, small enough to stay in the row;
 * - `body`, the Thai substring net, holds the short fields only (title,
 *   name, tags, organization title): a trigram match is always rechecked,
 *   and rechecking descriptions cost more than all the rest of a query;
 * - the other text columns are kept in the row uncompressed where they fit
 *   (STORAGE MAIN), since every matched row's facets and sort keys are read;
 * - the organization index covers the visibility columns, so an
 *   organization filter is counted from the index alone.
 *
 * The index is derived data: the new columns start empty and the analyzer
 * fingerprint is removed, so the next `opend serve` (or `opend reindex`)
 * rebuilds it.
 */
import { type Kysely, sql } from 'kysely'

const UP = [
  `
    DROP INDEX search_text_fts
  `,
  `
    DROP INDEX search_text_body
  `,
  `
    ALTER TABLE search_text DROP COLUMN fts, DROP COLUMN body
  `,
  `
    ALTER TABLE search_index
      ADD COLUMN rank tsvector NOT NULL DEFAULT '',
      ADD COLUMN body text NOT NULL DEFAULT '',
      ADD COLUMN fts tsvector NOT NULL DEFAULT ''
  `,
  `
    ALTER TABLE search_index
      ALTER COLUMN rank DROP DEFAULT,
      ALTER COLUMN body DROP DEFAULT,
      ALTER COLUMN fts DROP DEFAULT,
      ALTER COLUMN fts SET STORAGE EXTERNAL,
      ALTER COLUMN rank SET STORAGE MAIN,
      ALTER COLUMN body SET STORAGE MAIN,
      ALTER COLUMN name SET STORAGE MAIN,
      ALTER COLUMN title SET STORAGE MAIN,
      ALTER COLUMN title_string SET STORAGE MAIN,
      ALTER COLUMN groups SET STORAGE MAIN,
      ALTER COLUMN tags SET STORAGE MAIN,
      ALTER COLUMN res_format SET STORAGE MAIN
  `,
  `
    CREATE INDEX search_index_fts ON search_index USING gin (fts)
  `,
  `
    CREATE INDEX search_index_body ON search_index USING gin (body gin_trgm_ops)
  `,
  `
    DROP INDEX search_index_organization
  `,
  `
    CREATE INDEX search_index_organization ON search_index (organization, metadata_modified DESC, package_id) INCLUDE (state, private)
  `,
  `
    DELETE FROM search_meta WHERE key = 'analyzer'
  `
]

export async function up (db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX search_index_organization').execute(db)
  await sql.raw('CREATE INDEX search_index_organization ON search_index (organization)').execute(db)
  await sql.raw('ALTER TABLE search_index DROP COLUMN rank, DROP COLUMN body, DROP COLUMN fts').execute(db)
  await sql.raw('ALTER TABLE search_text ADD COLUMN fts tsvector NOT NULL DEFAULT \'\', ADD COLUMN body text NOT NULL DEFAULT \'\'').execute(db)
  await sql.raw('CREATE INDEX search_text_fts ON search_text USING gin (fts)').execute(db)
  await sql.raw('CREATE INDEX search_text_body ON search_text USING gin (body gin_trgm_ops)').execute(db)
  await sql.raw('DELETE FROM search_meta WHERE key = \'analyzer\'').execute(db)
}
