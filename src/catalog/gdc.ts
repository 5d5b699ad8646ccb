/**
 * Thai GDC (data.go.th) metadata fields: validated against their choice
 * lists and formats whenever given; required only when
 * OPEND_REQUIRE_GDC_METADATA is on, so a stock CKAN client can still create a
 * dataset with CKAN's own required fields.
 */
import { GDC_DATASET_FIELDS, GDC_RESOURCE_FIELDS, type GdcField } from '../ckan/gdc-schema.js'
import type { FieldErrors } from '../ckan/errors.js'

export const GDC_DATASET_FIELD_NAMES = new Set(GDC_DATASET_FIELDS.map((f) => f.name))
export const GDC_RESOURCE_FIELD_NAMES = new Set(GDC_RESOURCE_FIELDS.map((f) => f.name))

const DATE = /^\d{4}-\d{2}-\d{2}$/

function validDate (s: string): boolean {
  if (!DATE.test(s)) return false
  const d = new Date(s + 'T00:00:00Z')
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s)
}

function checkValue (f: GdcField, v: unknown): { value: string | string[] } | { error: string } {
  if (f.kind === 'multi') {
    // scheming accepts a list, or one value; multiple-choice values are stored as a list
    let list: unknown = v
    if (typeof v === 'string') {
      try { list = v.trim().startsWith('[') ? JSON.parse(v) : [v] } catch { list = [v] }
    }
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return { error: 'Must be a list of strings' }
    const bad = list.find((x) => !f.choices!.includes(x))
    if (bad !== undefined) return { error: `unexpected choice "${bad}"` }
    return { value: list }
  }
  if (typeof v === 'boolean' && f.kind === 'bool-string') return { value: v ? 'True' : 'False' }
  if (typeof v === 'number' && (f.kind === 'year' || f.kind === 'text')) v = String(v)
  if (typeof v !== 'string') return { error: 'Must be a string' }
  switch (f.kind) {
    case 'choice':
      return f.choices!.includes(v) ? { value: v } : { error: `unexpected choice "${v}"` }
    case 'bool-string':
      return v === 'True' || v === 'False' ? { value: v } : { error: `unexpected choice "${v}"` }
    case 'date':
      return validDate(v) ? { value: v } : { error: 'Date format incorrect' }
    case 'year':
      return /^\d{4}$/.test(v) ? { value: v } : { error: 'Must be a four-digit year' }
    default:
      return { value: v }
  }
}

/**
 * Pull the GDC fields out of an input dict. Empty values count as unset and
 * are left out, as CKAN leaves out unset extras.
 */
export function extractGdc (input: Record<string, unknown>, fields: readonly GdcField[], required: boolean, errors: FieldErrors): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const f of fields) {
    const v = input[f.name]
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)
    if (empty) {
      if (required && f.required) errors[f.name] = ['Missing value']
      continue
    }
    const r = checkValue(f, v)
    if ('error' in r) errors[f.name] = [r.error]
    else out[f.name] = r.value
  }
  return out
}

export { GDC_DATASET_FIELDS, GDC_RESOURCE_FIELDS }
