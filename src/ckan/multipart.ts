/**
 * multipart/form-data bodies (RFC 7578), read as they arrive: text fields
 * are kept in memory within the limit every other body has, and the one file
 * part an action accepts is written to a temporary file chunk by chunk, so an
 * upload as large as OPEND_UPLOAD_MAX_MB never sits in memory (undici's
 * Response.formData() needs the whole body in memory first). The transport
 * turns the failures into CKAN's answers.
 */
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'

/**
 * A file part, in a temporary file until an action moves it into place. The
 * transport passes it to the action as the `upload` parameter, an instance no
 * JSON body can forge.
 */
export class Upload {
  constructor (readonly path: string, readonly filename: string, readonly contentType: string | null, public size = 0) {}
  /** remove the temporary file; nothing happens once it has been moved away */
  discard (): Promise<void> { return rm(this.path, { force: true }) }
}

export class MultipartBody {
  constructor (readonly fields: [string, string][], readonly upload: Upload | null) {}
}

export type MultipartFailure = 'malformed' | 'fields too large' | 'file too large' | 'file refused'

export class MultipartError extends Error {
  constructor (readonly reason: MultipartFailure, readonly field = '') { super(`multipart: ${reason}${field ? ` (${field})` : ''}`) }
}

export interface MultipartOptions {
  /** where the file part is written; created when first needed */
  tmpDir: string
  /** the name of the one file part accepted, or null when none is */
  fileField: string | null
  /** text fields (and part headers) may not exceed this many bytes in all */
  fieldBytes: number
  /** the file may not exceed this many bytes */
  fileBytes: number
}

const MAX_HEADER_BYTES = 16 * 1024
const MAX_PARTS = 1000

/** The boundary parameter of a multipart content type, or null. */
export function boundaryOf (contentType: string): string | null {
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^;\s"]{1,200}))/i.exec(contentType)
  return m ? (m[1] ?? m[2]) : null
}

interface PartHeaders { name: string, filename: string | null, contentType: string | null }

const PARAM = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g

function parseHeaders (block: string): PartHeaders {
  let disposition = ''
  let contentType: string | null = null
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === 'content-disposition') disposition = value
    else if (key === 'content-type') contentType = value || null
  }
  if (!/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('malformed')
  const params = new Map<string, string>()
  for (const m of disposition.matchAll(PARAM)) {
    // browsers escape only ", CR and LF in names (WHATWG's multipart/form-data encoding); older clients backslash-escape
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]
    params.set(m[1].toLowerCase(), value.replace(/%(22|0D|0A)/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))
  }
  const name = params.get('name')
  if (name === undefined) throw new MultipartError('malformed')
  // RFC 5987's filename*=UTF-8''... wins over the plain form when both are sent
  let filename = params.get('filename') ?? null
  const extended = /^utf-8''(.*)$/i.exec(params.get('filename*') ?? '')
  if (extended) {
    try { filename = decodeURIComponent(extended[1]) } catch { throw new MultipartError('malformed') }
  }
  return { name, filename, contentType }
}

type Part =
  | { kind: 'field', name: string, chunks: Buffer[] }
  | { kind: 'file', upload: Upload, out: WriteStream }
  | { kind: 'skipped', name: string }

/**
 * Read a multipart body. On any failure the temporary file is removed before
 * the error is thrown; on success the caller owns it (Upload.discard).
 */
export async function readMultipart (body: AsyncIterable<Buffer>, contentType: string, o: MultipartOptions): Promise<MultipartBody> {
  const boundary = boundaryOf(contentType)
  if (!boundary) throw new MultipartError('malformed')
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  const fields: [string, string][] = []
  let upload: Upload | null = null
  let part: Part | null = null
  let fieldBytes = 0
  let parts = 0
  let state: 'preamble' | 'boundary' | 'headers' | 'body' | 'done' = 'preamble'
  // the first delimiter opens the body without a CRLF before it
  let buf: Buffer = Buffer.from('\r\n')

  const countField = (n: number) => {
    fieldBytes += n
    if (fieldBytes > o.fieldBytes) throw new MultipartError('fields too large')
  }
  const open = async (h: PartHeaders): Promise<Part> => {
    if (++parts > MAX_PARTS) throw new MultipartError('fields too large')
    if (h.filename === null) return { kind: 'field', name: h.name, chunks: [] }
    if (h.name !== o.fileField || upload) {
      // what a browser sends for a file input left empty
      if (h.filename === '') return { kind: 'skipped', name: h.name }
      throw new MultipartError('file refused', h.name)
    }
    await mkdir(o.tmpDir, { recursive: true })
    upload = new Upload(join(o.tmpDir, randomUUID()), h.filename, h.contentType)
    const out = createWriteStream(upload.path, { flags: 'wx', mode: 0o600 })
    return { kind: 'file', upload, out }
  }
  const write = async (p: Part, data: Buffer) => {
    if (data.length === 0) return
    if (p.kind === 'field') {
      countField(data.length)
      p.chunks.push(data)
    } else if (p.kind === 'file') {
      p.upload.size += data.length
      if (p.upload.size > o.fileBytes) throw new MultipartError('file too large', p.upload.filename)
      // once() rejects when the stream fails, so a full disk is an error, not a hang
      if (!p.out.write(data)) await once(p.out, 'drain')
    } else {
      throw new MultipartError('file refused', p.name)
    }
  }
  const close = async (p: Part) => {
    if (p.kind === 'field') fields.push([p.name, Buffer.concat(p.chunks).toString('utf8')])
    else if (p.kind === 'file') {
      p.out.end()
      await finished(p.out)
      // an empty file input: no file at all, as for the browser's other case above
      if (p.upload.size === 0 && p.upload.filename === '') {
        await p.upload.discard()
        upload = null
      }
    }
  }

  try {
    for await (const chunk of body) {
      if (state === 'done') continue
      buf = buf.length > 0 ? Buffer.concat([buf, chunk]) : chunk
      for (;;) {
        if (state === 'preamble') {
          const i = buf.indexOf(delimiter)
          if (i < 0) {
            buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1))
            break
          }
          buf = buf.subarray(i + delimiter.length)
          state = 'boundary'
        } else if (state === 'boundary') {
          // after a delimiter: "--" ends the body; otherwise optional blanks and a CRLF open a part
          if (buf.length < 2) break
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            state = 'done'
            break
          }
          const eol = buf.indexOf('\r\n')
          if (eol < 0) {
            if (buf.length > 256) throw new MultipartError('malformed')
            break
          }
          if (!/^[ \t]*$/.test(buf.subarray(0, eol).toString('latin1'))) throw new MultipartError('malformed')
          buf = buf.subarray(eol + 2)
          state = 'headers'
        } else if (state === 'headers') {
          // a part without headers starts with the blank line itself
          const end = buf.subarray(0, 2).toString('latin1') === '\r\n' ? -2 : buf.indexOf('\r\n\r\n')
          if (end === -1) {
            if (buf.length > MAX_HEADER_BYTES) throw new MultipartError('malformed')
            break
          }
          const headerBytes = Math.max(end, 0)
          countField(headerBytes)
          part = await open(parseHeaders(buf.subarray(0, headerBytes).toString('utf8')))
          buf = buf.subarray(end + 4)
          state = 'body'
        } else if (state === 'body') {
          const i = buf.indexOf(delimiter)
          if (i < 0) {
            // the end of the buffer may be the start of a delimiter: keep it for the next chunk
            const keep = delimiter.length - 1
            if (buf.length > keep) {
              await write(part!, buf.subarray(0, buf.length - keep))
              buf = buf.subarray(buf.length - keep)
            }
            break
          }
          await write(part!, buf.subarray(0, i))
          await close(part!)
          part = null
          buf = buf.subarray(i + delimiter.length)
          state = 'boundary'
        } else {
          break
        }
      }
    }
    if (state !== 'done') throw new MultipartError('malformed')
    return new MultipartBody(fields, upload)
  } catch (err) {
    if (part?.kind === 'file' && !part.out.closed) {
      // the file may still be opening: removed before that, it would be created after
      const out = part.out
      await new Promise<void>((resolve) => { out.once('close', () => resolve()).destroy() })
    }
    await (upload as Upload | null)?.discard()
    throw err
  }
}
