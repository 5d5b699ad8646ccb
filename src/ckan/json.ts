import { StringDecoder } from 'node:string_decoder'

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
 * A result too big to hold: JSON text made of parts that are produced while
 * the answer is sent (datastore_search's CSV of a whole table). The envelope
 * is written around them.
 */
export class JsonStream {
  constructor (readonly parts: AsyncIterable<string>) {}
}

/**
 * UTF-8 text arriving in chunks as the inside of one JSON string, escaped as
 * asciiJson escapes it; a character split between chunks is joined first.
 */
export async function * jsonStringBody (chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8')
  for await (const chunk of chunks) {
    const text = decoder.write(chunk)
    if (text !== '') yield asciiJson(text).slice(1, -1)
  }
  const rest = decoder.end()
  if (rest !== '') yield asciiJson(rest).slice(1, -1)
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
