/**
 * The package search index: one row per dataset, written by opend in the
 * same transaction as the dataset (src/search/index-document.ts builds it).
 * Thai text is segmented by ICU in Node before it reaches PostgreSQL, so the
 * index depends on the ICU version; search_meta records which one built it.
 * Frozen once landed: later changes go in a new migration.
 */
import { type Kysely, sql } from 'kysely'

const SEARCH = [
  // the substring net for Thai words the segmenter splits differently;
  // trusted since PostgreSQL 13, so a database owner may create it
  `
    CREATE EXTENSION IF NOT EXISTS pg_trgm
  `,
  // CKAN's Solr text field stems English but keeps stop words, so that
  // "the canals" still needs "canals" only as much as "the"; PostgreSQL's
  // english configuration would drop them and leave such a query empty
  `
    CREATE TEXT SEARCH DICTIONARY opend_english_stem (TEMPLATE = snowball, Language = english)
  `,
  `
    CREATE TEXT SEARCH CONFIGURATION opend_text (COPY = english)
  `,
  `
    ALTER TEXT SEARCH CONFIGURATION opend_text
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH opend_english_stem
  `,
  // Two tables: what every search reads (visibility, sorting, facets) is
  // narrow, so a filter or a facet over thousands of rows reads few pages;
  // the text a query matches against lives beside it, read only when a
  // query has text in it
  `
    CREATE TABLE search_index (
      package_id text PRIMARY KEY REFERENCES packages(id) ON DELETE CASCADE,
      -- visibility (CKAN's permission labels) and sorting
      state text NOT NULL,
      private boolean NOT NULL,
      type text NOT NULL,
      owner_org text,
      creator_user_id text,
      name text NOT NULL,
      title text NOT NULL,
      title_string text NOT NULL,
      metadata_created timestamptz NOT NULL,
      metadata_modified timestamptz NOT NULL,
      num_resources integer NOT NULL,
      num_tags integer NOT NULL,
      -- facet values, read straight from the matched rows
      organization text,
      groups text[] NOT NULL,
      tags text[] NOT NULL,
      res_format text[] NOT NULL,
      license_id text
    )
  `,
  `
    CREATE INDEX search_index_title ON search_index USING gin (title_string gin_trgm_ops)
  `,
  `
    CREATE INDEX search_index_organization ON search_index (organization)
  `,
  `
    CREATE INDEX search_index_modified ON search_index (metadata_modified DESC)
  `,
  `
    CREATE TABLE search_text (
      package_id text PRIMARY KEY REFERENCES search_index(package_id) ON DELETE CASCADE,
      -- weighted: A title and name, B tags, C notes, D everything else
      fts tsvector NOT NULL,
      -- lower-cased title, tags, organization title and the start of the notes: the trigram substring net
      body text NOT NULL,
      -- every string field as {"field": ["value", ...]}, for exact field:value matches
      fields jsonb NOT NULL,
      -- the smaller text fields (author, resources, extras) as {"field": "segmented text"}, to recheck field-restricted queries
      texts jsonb NOT NULL
    )
  `,
  // kept in the row (compressed) rather than in TOAST: every candidate row
  // of a text query reads both, and a TOAST fetch per row costs more than the match
  `
    ALTER TABLE search_text ALTER COLUMN fts SET STORAGE MAIN
  `,
  `
    ALTER TABLE search_text ALTER COLUMN body SET STORAGE MAIN
  `,
  `
    CREATE INDEX search_text_fts ON search_text USING gin (fts)
  `,
  `
    CREATE INDEX search_text_body ON search_text USING gin (body gin_trgm_ops)
  `,
  `
    CREATE INDEX search_text_fields ON search_text USING gin (fields jsonb_path_ops)
  `,
  `
    CREATE TABLE search_meta (
      key text PRIMARY KEY,
      value text NOT NULL
    )
  `
]

export async function up (db: Kysely<any>): Promise<void> {
  for (const statement of SEARCH) await sql.raw(statement).execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE search_meta').execute(db)
  await sql.raw('DROP TABLE search_text').execute(db)
  await sql.raw('DROP TABLE search_index').execute(db)
  await sql.raw('DROP TEXT SEARCH CONFIGURATION opend_text').execute(db)
  await sql.raw('DROP TEXT SEARCH DICTIONARY opend_english_stem').execute(db)
}
