/**
 * Action parameters: each action declares a TypeBox object whose properties
 * carry an `x-ckan` kind. The same schema documents the action in OpenAPI and
 * drives coercion here, because CKAN parameters arrive as strings on GET and
 * as typed JSON on POST, and CKAN's validators answer with their own messages
 * ("Missing value", "Invalid integer", "Must be a natural number").
 */
import Type, { type TSchema, type TObject, type TOptional } from 'typebox'
import { ValidationError, type FieldErrors } from './errors.js'

export type ParamKind =
  | 'string' // text; numbers are accepted and stringified, as Python's str() does
  | 'natural' // int >= 0 ("Invalid integer" / "Must be a natural number")
  | 'limit' // natural, then limit_to_configured_maximum's int() (its "Please enter an integer value"); the action caps it
  | 'int'
  | 'asbool' // ckan.common.asbool: true/yes/on/y/t/1 and their negatives
  | 'boolean' // boolean_validator: true/yes/t/y/1, anything else false
  | 'truthy' // Python truthiness, as tag_list.all_fields uses it
  | 'list' // a list of strings, or a comma separated string
  | 'strings' // a list of strings; one string is one item (values that may hold commas)
  | 'json' // any JSON value; GET callers send JSON text
  | 'object' // a JSON object (or JSON text of one)
  | 'any' // passed through untouched

interface CkanMeta { 'x-ckan': ParamKind, 'x-required'?: true }

interface Opts { description?: string, default?: unknown, required?: boolean, examples?: unknown[] }
/** required parameters are plain, others optional, in the static type too */
type Out<T extends TSchema, O extends Opts> = O extends { required: true } ? T : TOptional<T>

function param<T extends TSchema, O extends Opts> (schema: T, kind: ParamKind, o: O): Out<T, O> {
  const meta: CkanMeta = { 'x-ckan': kind }
  if (o.required) meta['x-required'] = true
  Object.assign(schema, meta)
  return (o.required ? schema : Type.Optional(schema)) as Out<T, O>
}
const doc = (o: Opts = {}) => ({
  ...(o.description ? { description: o.description } : {}),
  ...(o.default !== undefined ? { default: o.default } : {}),
  ...(o.examples ? { examples: o.examples } : {})
})

/** Builders for action parameter schemas. */
export const P = {
  string: <O extends Opts = object>(o: O = {} as O) => param(Type.String(doc(o)), 'string', o),
  natural: <O extends Opts = object>(o: O = {} as O) => param(Type.Integer({ minimum: 0, ...doc(o) }), 'natural', o),
  limit: <O extends Opts = object>(o: O = {} as O) => param(Type.Integer({ minimum: 0, ...doc(o) }), 'limit', o),
  int: <O extends Opts = object>(o: O = {} as O) => param(Type.Integer(doc(o)), 'int', o),
  asbool: <O extends Opts = object>(o: O = {} as O) => param(Type.Boolean(doc(o)), 'asbool', o),
  boolean: <O extends Opts = object>(o: O = {} as O) => param(Type.Boolean(doc(o)), 'boolean', o),
  truthy: <O extends Opts = object>(o: O = {} as O) => param(Type.Boolean(doc(o)), 'truthy', o),
  strings: <O extends Opts = object>(o: O = {} as O) => param(Type.Array(Type.String(), { ...doc(o), description: `${o.description ?? 'a list'} (a JSON list, or repeated keys; a single value is one item)` }), 'strings', o),
  list: <O extends Opts = object>(o: O = {} as O) => param(Type.Array(Type.String(), { ...doc(o), description: `${o.description ?? 'a list'} (a JSON list, repeated keys, or a comma separated string)` }), 'list', o),
  json: <O extends Opts = object>(o: O = {} as O) => param(Type.Unknown(doc(o)), 'json', o),
  object: <O extends Opts = object>(o: O = {} as O) => param(Type.Object({}, { additionalProperties: true, ...doc(o) }), 'object', o),
  any: <O extends Opts = object>(o: O = {} as O) => param(Type.Unknown(doc(o)), 'any', o)
}

const TRUE_ASBOOL = new Set(['true', 'yes', 'on', 'y', 't', '1'])
const FALSE_ASBOOL = new Set(['false', 'no', 'off', 'n', 'f', '0'])
const TRUE_BOOLEAN = new Set(['true', 'yes', 't', 'y', '1'])

export class ParamError extends Error {
  constructor (readonly messages: string[]) { super(messages.join('; ')) }
}

export function isMissing (v: unknown): boolean {
  return v === undefined || v === null || v === ''
}

/** Coerce one value to a kind; throws ParamError with CKAN's messages. */
export function coerce (kind: ParamKind, v: unknown): unknown {
  switch (kind) {
    case 'string':
      if (typeof v === 'string') return v
      if (typeof v === 'number' && Number.isFinite(v)) return String(v)
      throw new ParamError(['Must be a string'])
    case 'natural':
    case 'int': {
      const n = toInt(v)
      if (n === null) throw new ParamError(['Invalid integer'])
      if (kind === 'natural' && n < 0) throw new ParamError(['Must be a natural number'])
      return n
    }
    case 'limit': {
      // CKAN's validators run on after one fails, so int() adds its message to
      // int_validator's; any number of digits passes both, to be capped
      const n = typeof v === 'number' ? (Number.isInteger(v) ? v : null) : typeof v === 'string' && PY_INT.test(v) ? parseInt(v, 10) : null
      const messages = n === null ? ['Invalid integer'] : n < 0 ? ['Must be a natural number'] : []
      if (typeof v === 'string' && !PY_INT.test(v)) messages.push('Please enter an integer value')
      if (messages.length > 0) throw new ParamError(messages)
      return n
    }
    case 'asbool':
      if (typeof v === 'boolean') return v
      if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase()
        if (TRUE_ASBOOL.has(s)) return true
        if (FALSE_ASBOOL.has(s)) return false
      }
      // CKAN raises ValueError here and answers 500; opend answers 409.
      throw new ParamError(['Parameter is not an bool'])
    case 'boolean':
      if (typeof v === 'boolean') return v
      if (typeof v === 'number') return v === 1
      if (typeof v === 'string') return TRUE_BOOLEAN.has(v.trim().toLowerCase())
      return false
    case 'truthy':
      if (Array.isArray(v)) return v.length > 0
      if (v !== null && typeof v === 'object') return Object.keys(v).length > 0
      return Boolean(v)
    case 'list':
      if (typeof v === 'string' && v.trim().startsWith('[')) {
        try { return coerce('list', JSON.parse(v)) } catch { throw new ParamError(['Could not parse as valid JSON']) }
      }
      if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '')
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String)
      throw new ParamError(['Not a list'])
    case 'strings':
      if (typeof v === 'string') {
        if (v.trim().startsWith('[')) {
          try {
            const parsed: unknown = JSON.parse(v)
            if (Array.isArray(parsed)) return coerce('strings', parsed)
          } catch {}
        }
        return [v]
      }
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String)
      throw new ParamError(['Not a list'])
    case 'json':
      if (typeof v === 'string') {
        try { return JSON.parse(v) } catch { throw new ParamError(['Could not parse as valid JSON']) }
      }
      return v
    case 'object': {
      let o = v
      if (typeof v === 'string') {
        try { o = JSON.parse(v) } catch { throw new ParamError(['Could not parse as valid JSON']) }
      }
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ParamError(['Must be a dict'])
      return o
    }
    case 'any':
      return v
  }
}

/** What Python's int() accepts of a string (ASCII digits only here) */
const PY_INT = /^\s*[-+]?\d+\s*$/

function toInt (v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null
  if (typeof v === 'string' && /^\s*[-+]?\d{1,15}\s*$/.test(v)) return parseInt(v, 10)
  return null
}

/**
 * Coerce a request's parameters against an action's schema. Absent optional
 * parameters stay absent; CKAN-style field errors are collected and thrown
 * together as one Validation Error. Parameters the schema does not name are
 * kept as they came (actions decide whether they matter).
 */
export function coerceParams (schema: TObject, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw }
  const errors: FieldErrors = {}
  for (const [key, prop] of Object.entries(schema.properties as Record<string, TSchema & Partial<CkanMeta>>)) {
    const kind = prop['x-ckan']
    if (!kind) continue
    const v = raw[key]
    if (isMissing(v) && kind !== 'boolean' && kind !== 'truthy') {
      if (prop['x-required']) errors[key] = ['Missing value']
      delete out[key]
      continue
    }
    if (v === undefined) continue
    try {
      out[key] = coerce(kind, v)
    } catch (e) {
      if (!(e instanceof ParamError)) throw e
      errors[key] = e.messages
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return out
}

/** CKAN's one_of message, which formats its choices with `'%s' % list`: Python's repr of a list of strings. */
export function oneOfMessage (choices: readonly string[]): string {
  return `Value must be one of [${choices.map(pyRepr).join(', ')}]`
}

/** Python's repr() of a str */
function pyRepr (s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  const body = s.replace(/[\\'\t\n\r]|[^\P{C}]|[^\P{Z} ]/gu, (c) => {
    if (c === "'") return quote === "'" ? "\\'" : c
    if (c === '\\') return '\\\\'
    if (c === '\t') return '\\t'
    if (c === '\n') return '\\n'
    if (c === '\r') return '\\r'
    const cp = c.codePointAt(0) ?? 0
    const hex = cp.toString(16)
    return cp < 0x100 ? `\\x${hex.padStart(2, '0')}` : cp < 0x10000 ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`
  })
  return quote + body + quote
}
