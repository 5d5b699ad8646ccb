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
  constructor (readonly parts: AsyncIterable<string | Buffer>) {}
}

/**
 * UTF-8 text arriving in chunks as the inside of one JSON string, escaped as
 * asciiJson escapes it (JSON.stringify's escapes, then every character from
 * U+007F on as \uXXXX, astral ones as their surrogate pair), a character
 * split between chunks joined first. Byte by byte into a buffer: the text
 * can be a whole table's CSV, and a regular expression with a callback per
 * Thai character took a minute for ten million rows.
 */
export async function * jsonStringBody (chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let carry = Buffer.alloc(0)
  for await (const chunk of chunks) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk
    const end = completeLength(bytes)
    carry = Buffer.from(bytes.subarray(end))
    if (end > 0) yield escapeUtf8(bytes.subarray(0, end))
  }
  // a sequence cut short at the very end is not a character: U+FFFD, as a decoder makes it
  if (carry.length) yield Buffer.from('\\ufffd')
}

/** How many leading bytes end on a whole UTF-8 character. */
function completeLength (b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back]
    if (c < 0x80) return b.length
    if (c >= 0xc0) return back < sequenceLength(c) ? b.length - back : b.length
  }
  return b.length
}

const sequenceLength = (lead: number) => lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2

const HEX = Buffer.from('0123456789abcdef')
/** For each ASCII byte: 0 as it is, another byte: the letter of its two-character escape, 1: \u00XX. */
const ASCII_ESCAPE = new Uint8Array(128)
ASCII_ESCAPE.fill(1, 0, 0x20)
ASCII_ESCAPE[0x7f] = 1
for (const [c, e] of [['"', '"'], ['\\', '\\'], ['\n', 'n'], ['\r', 'r'], ['\t', 't'], ['\b', 'b'], ['\f', 'f']]) ASCII_ESCAPE[c.charCodeAt(0)] = e.charCodeAt(0)

/**
 * The escaped length of the bytes, so that the output is allocated at its
 * size: allocating for the worst case (six times the input) made a whole
 * table's export churn through gigabytes of buffers, and the garbage
 * collections they set off cost more than the escaping.
 */
function escapedLength (b: Buffer): number {
  let n = 0
  for (let i = 0; i < b.length;) {
    const c = b[i]
    if (c < 0x80) {
      const e = ASCII_ESCAPE[c]
      n += e === 0 ? 1 : e === 1 ? 6 : 2
      i++
    } else if (c < 0xc0) {
      n += 6
      i++
    } else {
      const len = sequenceLength(c)
      n += len === 4 ? 12 : 6
      i += len
    }
  }
  return n
}

function escapeUtf8 (b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(escapedLength(b))
  let j = 0
  const unit = (u: number) => {
    out[j] = 0x5c
    out[j + 1] = 0x75
    out[j + 2] = HEX[(u >> 12) & 15]
    out[j + 3] = HEX[(u >> 8) & 15]
    out[j + 4] = HEX[(u >> 4) & 15]
    out[j + 5] = HEX[u & 15]
    j += 6
  }
  for (let i = 0; i < b.length;) {
    const c = b[i]
    if (c < 0x80) {
      const e = ASCII_ESCAPE[c]
      if (e === 0) out[j++] = c
      else if (e === 1) unit(c)
      else {
        out[j++] = 0x5c
        out[j++] = e
      }
      i++
    } else if (c < 0xc0) {
      // a continuation byte with no lead: not a character
      unit(0xfffd)
      i++
    } else if (c < 0xe0) {
      unit(((c & 0x1f) << 6) | (b[i + 1] & 0x3f))
      i += 2
    } else if (c < 0xf0) {
      unit(((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f))
      i += 3
    } else {
      const cp = (((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f)) - 0x10000
      unit(0xd800 + (cp >> 10))
      unit(0xdc00 + (cp & 0x3ff))
      i += 4
    }
  }
  return out
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
