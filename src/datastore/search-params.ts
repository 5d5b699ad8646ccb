/**
 * The parameters datastore_search shares with the DataStore dump
 * (/datastore/dump/<id>), parsed as CKAN's validators parse them, and the
 * retry both need when a load swaps a table under a search.
 */
import { ValidationError } from '../ckan/errors.js'

/**
 * A load swaps a new table in (src/datastore/load.ts): a search that read
 * the old fields and then met the new table is run again, once, with the
 * new ones (42P01: no such table, 42703: no such column).
 */
export async function replaced<T> (search: () => Promise<T>): Promise<T> {
  try {
    return await search()
  } catch (err) {
    if (!['42P01', '42703'].includes((err as { code?: string }).code ?? '')) throw err
    return search()
  }
}

/** A parameter that is a JSON object, or JSON text of one (GET callers send text). */
export function jsonObject (name: string, v: unknown, message: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined
  let o = v
  if (typeof v === 'string') {
    try { o = JSON.parse(v) } catch { throw new ValidationError({ [name]: [message] }) }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ValidationError({ [name]: [message] })
  return o as Record<string, unknown>
}

/** `q`: full text, or a dict of field: text (also as JSON text, as GET callers send it). */
export function qParam (v: unknown): string | Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  if (typeof v !== 'string') throw new ValidationError({ q: ['Must be a string or a dict'] })
  if (v.trim().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(v)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
    } catch {}
  }
  return v
}
