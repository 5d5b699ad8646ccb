/**
 * DataStore tables: where they live, what their columns may be called and
 * typed. CKAN accepts any PostgreSQL type name and checks it with
 * `cast(:type as regtype)`; opend accepts the documented DataStore types
 * (doc/maintaining/datastore.rst) and arrays of them from a fixed table, so a
 * type name never reaches SQL unless it is one of these.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database.js'

/** CKAN's type names (and their aliases) → the column type opend creates and the `typname` CKAN reports. */
const TYPES: Record<string, { sql: string, name: string }> = {
  text: { sql: 'text', name: 'text' },
  int: { sql: 'integer', name: 'int4' },
  int4: { sql: 'integer', name: 'int4' },
  integer: { sql: 'integer', name: 'int4' },
  int8: { sql: 'bigint', name: 'int8' },
  bigint: { sql: 'bigint', name: 'int8' },
  float4: { sql: 'real', name: 'float4' },
  real: { sql: 'real', name: 'float4' },
  float: { sql: 'double precision', name: 'float8' },
  float8: { sql: 'double precision', name: 'float8' },
  'double precision': { sql: 'double precision', name: 'float8' },
  numeric: { sql: 'numeric', name: 'numeric' },
  bool: { sql: 'boolean', name: 'bool' },
  boolean: { sql: 'boolean', name: 'bool' },
  date: { sql: 'date', name: 'date' },
  time: { sql: 'time', name: 'time' },
  timestamp: { sql: 'timestamp', name: 'timestamp' },
  // CKAN stores json as a composite type of its own and reports it as json
  json: { sql: 'jsonb', name: 'json' },
  nested: { sql: 'jsonb', name: 'json' }
}

/** The SQL column type for a reported type name (`int4`, `_text`, `json`, ...). */
export function columnType (name: string): string {
  if (name.startsWith('_')) return `${columnType(name.slice(1))}[]`
  const t = TYPES[name]
  if (!t) throw new Error(`unknown DataStore type ${name}`)
  return t.sql
}

/**
 * The reported type name for a type as a client writes it: `int`, `text[]`,
 * `_int4`, `int[2]`; null when it is not a DataStore type.
 */
export function normalizeType (type: string): string | null {
  const t = type.trim().toLowerCase()
  const array = /^(.+?)\s*\[\s*\d*\s*\]$/.exec(t)
  if (array || t.startsWith('_')) {
    const inner = normalizeType(array ? array[1] : t.slice(1))
    return inner && !inner.startsWith('_') ? `_${inner}` : null
  }
  return TYPES[t]?.name ?? null
}

/** Types whose values are compared and filtered as text (CKAN stringifies filter values for them). */
export const isTextType = (name: string) => name === 'text'

/** PostgreSQL's identifier limit: a longer name would be silently truncated. */
const MAX_IDENTIFIER_BYTES = 63

/** ckanext/datastore/helpers.py is_valid_field_name, with the limit counted in bytes as PostgreSQL does. */
export function fieldNameProblem (name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return 'must not be empty'
  if (name.startsWith('_')) return 'must not start with "_"'
  if (name.trim() !== name) return 'must not start or end with whitespace'
  if (name.includes('"')) return 'must not contain "'
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return 'must not contain control characters'
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) return `exceeds limit of ${MAX_IDENTIFIER_BYTES} bytes (21 Thai characters)`
  return null
}

/** CKAN's alias rule: a valid field name without `%`. */
export function aliasNameProblem (name: string): boolean {
  return fieldNameProblem(name) !== null || name.includes('%')
}

/**
 * The schema of this database's DataStore tables (migrations/20261127T190000-datastore.ts):
 * `datastore` beside a catalog in `public`, `<schema>_datastore` otherwise.
 * As SQL, so that a query reading a table's catalog entry names it too.
 */
export const DATASTORE_SCHEMA = sql<string>`CASE WHEN current_schema() = 'public' THEN 'datastore' ELSE current_schema() || '_datastore' END`

export async function datastoreSchema (db: Kysely<Database>): Promise<string> {
  return (await sql<{ s: string }>`SELECT ${DATASTORE_SCHEMA} AS s`.execute(db)).rows[0].s
}
