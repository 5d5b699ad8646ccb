/**
 * The `fields` and `records` of datastore_create and datastore_upsert,
 * checked as CKAN checks them (ckanext/datastore/backend/postgres.py
 * create_table, _guess_type, upsert_data), with CKAN's messages.
 */
import { ValidationError } from '../ckan/errors.js'
import type { DatastoreField } from '../db/database.js'
import { fieldNameProblem, normalizeType } from './schema.js'

/** CKAN's _guess_type date formats: a string in one of them makes a timestamp column. */
const DATE_FORMATS = [
  /^\d{4}-\d{2}-\d{2}$/, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/,
  /^\d{2}\/\d{2}\/\d{4}$/, /^\d{2}-\d{2}-\d{4}$/
]

/** CKAN's _guess_type on the first record's value. */
export function guessType (v: unknown): string | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'object') return 'json'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int4' : 'float8'
  const s = String(v)
  if (/^\s*[-+]?\d+\s*$/.test(s)) return 'int4'
  if (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s)) return 'numeric'
  if (DATE_FORMATS.some((f) => f.test(s.trim()))) return 'timestamp'
  return 'text'
}

/** `fields` as supplied: [{id, type?, info?}], checked. Types are normalized; a missing type is null. */
export function parseFields (input: unknown): { id: string, type: string | null, info?: Record<string, unknown> }[] {
  if (input === undefined) return []
  if (!Array.isArray(input)) throw new ValidationError({ fields: ['Not a list'] })
  const out: { id: string, type: string | null, info?: Record<string, unknown> }[] = []
  const seen = new Set<string>()
  for (const f of input) {
    if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ValidationError({ fields: ['Each field must be a dict'] })
    const { id, type, info } = f as Record<string, unknown>
    if (typeof id === 'string' && Buffer.byteLength(id) > 63 && fieldNameProblem(id)?.startsWith('exceeds')) {
      throw new ValidationError({ fields: [`Column heading "${id}" exceeds limit of 63 bytes (PostgreSQL's identifier limit; a Thai character takes 3).`] })
    }
    if (fieldNameProblem(id) !== null) throw new ValidationError({ fields: [`"${String(id)}" is not a valid field name`] })
    const name = id as string
    if (seen.has(name)) throw new ValidationError({ field: ['Duplicate column names are not supported'] })
    seen.add(name)
    let normalized: string | null = null
    if (type !== undefined && type !== null && type !== '') {
      normalized = typeof type === 'string' ? normalizeType(type) : null
      if (normalized === null) throw new ValidationError({ fields: [`"${String(type)}" is not a valid field type`] })
    }
    if (info !== undefined && (info === null || typeof info !== 'object' || Array.isArray(info))) throw new ValidationError({ fields: [`"${name}" info must be a dict`] })
    out.push({ id: name, type: normalized, ...(info ? { info: info as Record<string, unknown> } : {}) })
  }
  return out
}

/** `records` as supplied: a list of JSON objects, with CKAN's messages for anything else. */
export function parseRecords (input: unknown): Record<string, unknown>[] {
  if (input === undefined || input === null) return []
  if (!Array.isArray(input)) throw new ValidationError({ records: ['Not a list'] })
  input.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new ValidationError({ records: [i === 0 ? 'The first row is not a json object' : `row "${i + 1}" is not a json object`] })
    }
  })
  return input as Record<string, unknown>[]
}

/**
 * The table's fields after a datastore_create: the existing ones (kept, with
 * new `info`), the supplied new ones, and the first record's other keys,
 * typed by guessing from their values as CKAN does.
 */
export function mergeFields (existing: DatastoreField[], supplied: ReturnType<typeof parseFields>, first: Record<string, unknown> | undefined): { added: DatastoreField[], info: Map<string, Record<string, unknown>> } {
  const known = new Map(existing.map((f) => [f.id, f]))
  const added: DatastoreField[] = []
  const info = new Map<string, Record<string, unknown>>()
  for (const f of supplied) {
    const had = known.get(f.id)
    if (had) {
      if (f.type !== null && f.type !== had.type) throw new ValidationError({ fields: [`"${f.id}" is already of type ${had.type}`] })
      if (f.info) info.set(f.id, f.info)
      continue
    }
    const type = f.type ?? guessType(first?.[f.id])
    if (type === null) throw new ValidationError({ fields: [`"${f.id}" type not guessable`] })
    added.push({ id: f.id, type, ...(f.info ? { info: f.info } : {}) })
    known.set(f.id, added[added.length - 1])
  }
  for (const [k, v] of Object.entries(first ?? {})) {
    if (known.has(k)) continue
    if (fieldNameProblem(k) !== null) throw new ValidationError({ fields: [`"${k}" is not a valid field name`] })
    const type = guessType(v)
    if (type === null) throw new ValidationError({ fields: [`"${k}" type not guessable`] })
    added.push({ id: k, type })
    known.set(k, added[added.length - 1])
  }
  return { added, info }
}

/** Every record's keys must be fields; CKAN names the first row with others. */
export function checkRecordKeys (fields: DatastoreField[], records: Record<string, unknown>[], allowId = false): void {
  const ids = new Set(fields.map((f) => f.id))
  records.forEach((r, i) => {
    const extra = Object.keys(r).filter((k) => !ids.has(k) && !(allowId && k === '_id'))
    if (extra.length) throw new ValidationError({ records: [`row "${i + 1}" has extra keys "${extra.join(', ')}"`] })
  })
}

/** A list parameter as CKAN takes it: a list, or a comma separated string. */
export function listParam (name: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean)
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v
  throw new ValidationError({ [name]: ['Not a list'] })
}
