/** CKAN's field validators (ckan/logic/validators.py), with its messages. */
import type { FieldErrors } from '../ckan/errors.js'

export const RESERVED_NAMES = new Set(['new', 'edit', 'search'])
const NAME = /^[a-z0-9_-]*$/
// ckan.logic.validators.email_pattern
const EMAIL = /^[\w.!#$%&'*+\-/=?^`{|}~]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

/** name_validator: the messages for a dataset/group name, or [] when valid. */
export function nameErrors (v: unknown): string[] {
  if (typeof v !== 'string') return ['Names must be strings']
  if (RESERVED_NAMES.has(v)) return ['That name cannot be used']
  if (v.length < 2) return ['Must be at least 2 characters long']
  if (v.length > 100) return ['Name must be a maximum of 100 characters long']
  if (!NAME.test(v)) return ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']
  return []
}

export function isEmail (v: string): boolean {
  return EMAIL.test(v)
}

/**
 * Tag names. CKAN's pattern `[\w \-.]` does not match Unicode combining
 * marks, so stock CKAN rejects Thai tags with vowel or tone marks (ท่องเที่ยว,
 * ข้าว). opend deliberately accepts them: marks (\p{M}) count as word
 * characters; everything CKAN rejects for other reasons is still rejected.
 */
const TAG = /^[\p{L}\p{M}\p{N}\p{Pc} \-.]*$/u

export function tagErrors (name: string): string[] {
  const errs: string[] = []
  if (name.length < 2) errs.push(`Tag "${name}" length is less than minimum 2`)
  if (name.length > 100) errs.push(`Tag "${name}" length is more than maximum 100`)
  if (!TAG.test(name)) errs.push(`Tag "${name}" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")`)
  return errs
}

/** Optional text: absent/null stays null, numbers become strings, others are an error. */
export function optText (input: Record<string, unknown>, key: string, errors: FieldErrors): string | null {
  const v = input[key]
  if (v === undefined || v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  errors[key] = ['Must be a string']
  return null
}

export function optEmail (input: Record<string, unknown>, key: string, errors: FieldErrors): string | null {
  const v = optText(input, key, errors)
  if (v === null || v === '') return v
  if (!isEmail(v)) errors[key] = [`Email ${v} is not a valid format`]
  return v
}

/** ISO date-time input (created, last_modified, ...). */
export function optTimestamp (input: Record<string, unknown>, key: string, errors: FieldErrors): Date | null {
  const v = input[key]
  if (v === undefined || v === null || v === '') return null
  if (typeof v === 'string') {
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + (v.length <= 10 ? 'T00:00:00Z' : 'Z'))
    // Python's datetime (CKAN) and PostgreSQL's timestamptz both refuse
    // years JavaScript accepts (0, 10000, -100000): the database would 500.
    // Years before 1000 are refused too: the drivers read them back wrongly
    // (0001 comes back as 2001), and no catalog date is that old.
    const year = d.getUTCFullYear()
    if (!Number.isNaN(d.getTime()) && year >= 1000 && year <= 9999) return d
  }
  errors[key] = ['Date format incorrect']
  return null
}

/** boolean_validator */
export function booleanValue (v: unknown): boolean {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v === 1
  if (typeof v === 'string') return ['true', 'yes', 't', 'y', '1'].includes(v.trim().toLowerCase())
  return false
}

/** extras values are stored as text; CKAN's unicode_safe does the same. */
export function extraValue (v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}
