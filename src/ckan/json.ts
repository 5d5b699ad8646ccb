/**
 * JSON as CKAN writes it: simplejson with ensure_ascii, so every non-ASCII
 * character is a \uXXXX escape (clients and CKAN's own tests look for them,
 * e.g. "\u0394"). Thai text survives any proxy or client that mangles
 * encodings, which data.go.th's gateway has been seen to do.
 */

const NON_ASCII = /[\u007f-\uffff]/g

function escape (c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
}

export function asciiJson (value: unknown): string {
  const s = JSON.stringify(value)
  if (s === undefined) return 'null'
  return NON_ASCII.test(s) ? s.replace(NON_ASCII, escape) : s
}

/** A value that is already JSON text; the envelope embeds it verbatim. */
export class RawJson {
  constructor (readonly text: string) {}
}

/**
 * CKAN's timestamp form: naive UTC ISO with microseconds and no zone;
 * Python's isoformat() drops the fraction when it is zero.
 */
export function ckanTimestamp (d: Date | string | null | undefined): string | null {
  if (d === null || d === undefined) return null
  const date = typeof d === 'string' ? new Date(d) : d
  const iso = date.toISOString()
  return date.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.replace('Z', '000')
}
