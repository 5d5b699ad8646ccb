/**
 * Reading the rows of a CSV or XLSX file for the DataStore: the encoding
 * (UTF-8, with or without a BOM, or TIS-620/Windows-874, which many Thai
 * government CSVs still use), the delimiter, the header turned into valid
 * field names. CSV is parsed by csv-parse and XLSX by exceljs, both
 * streaming, so a file of any size is read in constant memory.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { parse } from 'csv-parse'
import ExcelJS from 'exceljs'

export interface FileRow { line: number, values: string[] }

export class LoadError extends Error {}

/** Labels TextDecoder knows that Thai files come in; TIS-620 is a subset of Windows-874. */
const ENCODINGS: Record<string, string> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'tis-620': 'windows-874', tis620: 'windows-874', 'windows-874': 'windows-874', cp874: 'windows-874', 'iso-8859-11': 'windows-874'
}

export function encodingLabel (name: string): string {
  const e = ENCODINGS[name.trim().toLowerCase()]
  if (!e) throw new LoadError(`unknown encoding ${name}: use utf-8 or tis-620 (windows-874)`)
  return e
}

/** UTF-8 when the start of the file decodes as UTF-8 (a BOM or none), Windows-874 otherwise. */
export function detectEncoding (sample: Buffer): string {
  try {
    // stream: a character cut at the end of the sample is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true })
    return 'utf-8'
  } catch {
    return 'windows-874'
  }
}

/** The delimiter of the first line: whichever of , ; tab and | occurs most (outside quotes, roughly). */
function detectDelimiter (firstLine: string): string {
  const counts = [',', '\t', ';', '|'].map((d) => [d, firstLine.split(d).length - 1] as const)
  return counts.reduce((a, b) => (b[1] > a[1] ? b : a))[0]
}

/** Text decoded chunk by chunk: a character split between chunks is kept for the next one. */
function decoder (encoding: string): Transform {
  const d = new TextDecoder(encoding)
  return new Transform({
    transform (chunk: Buffer, _enc, done) { done(null, d.decode(chunk, { stream: true })) },
    flush (done) { done(null, d.decode()) }
  })
}

export interface OpenedFile {
  format: 'csv' | 'xlsx'
  encoding: string | null
  header: string[]
  rows: AsyncIterable<FileRow>
  /** bytes read so far, for progress */
  bytesRead: () => number
  size: number
}

export async function openRows (path: string, encoding?: string): Promise<OpenedFile> {
  const handle = await open(path).catch((err: NodeJS.ErrnoException) => { throw new LoadError(`cannot read ${path}: ${err.code ?? err.message}`) })
  const { size } = await handle.stat()
  const sample = Buffer.alloc(Math.min(size, 65536))
  await handle.read(sample, 0, sample.length, 0)
  await handle.close()
  const isXlsx = extname(path).toLowerCase() === '.xlsx' || sample.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))
  let read = 0
  const source = createReadStream(path)
  source.on('data', (c) => { read += c.length })
  const rows = isXlsx ? xlsxRows(source) : csvRows(source, encoding ? encodingLabel(encoding) : detectEncoding(sample), sample)
  const first = await rows.next()
  if (first.done) throw new LoadError(`${path} has no header row`)
  return {
    format: isXlsx ? 'xlsx' : 'csv',
    encoding: isXlsx ? null : (encoding ? encodingLabel(encoding) : detectEncoding(sample)),
    header: first.value.values,
    rows: { [Symbol.asyncIterator]: () => rows },
    bytesRead: () => read,
    size
  }
}

async function * csvRows (source: Readable, encoding: string, sample: Buffer): AsyncGenerator<FileRow> {
  const head = new TextDecoder(encoding).decode(sample).replace(/^\uFEFF/, '').split(/\r?\n/)[0]
  // a row of the wrong length is reported by the loader, the same for CSV and XLSX
  const parser = parse({ delimiter: detectDelimiter(head), bom: true, skip_empty_lines: true, relax_column_count: true, info: true })
  source.pipe(decoder(encoding)).pipe(parser)
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[], info: { lines: number } }>) {
      yield { line: rec.info.lines, values: rec.record }
    }
  } catch (err) {
    const e = err as { message: string, lines?: number }
    throw new LoadError(`line ${e.lines ?? '?'}: ${e.message}`)
  } finally {
    // a load stopped early (a malformed row) would leave the paused file open for good
    source.destroy()
  }
}

/** A cell as text: numbers and dates as their usual text, formulas by their result, rich text joined. */
function cellText (v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) {
    const iso = v.toISOString()
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ')
  }
  if (typeof v === 'object') {
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue)
    if ('richText' in v) return v.richText.map((r) => r.text).join('')
    if ('text' in v) return String(v.text)
    if ('error' in v) return ''
    return JSON.stringify(v)
  }
  return String(v)
}

async function * xlsxRows (source: Readable): AsyncGenerator<FileRow> {
  try {
    yield * sheetRows(source)
  } finally {
    source.destroy()
  }
}

async function * sheetRows (source: Readable): AsyncGenerator<FileRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source as never, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache' })
  // the first worksheet only, as xloader loads it
  const sheets = reader[Symbol.asyncIterator]()
  const first = await sheets.next()
  if (first.done) return
  let width = 0
  for await (const row of first.value as AsyncIterable<ExcelJS.Row>) {
    // exceljs rows are 1-based and sparse
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText)
    if (width === 0) width = values.length
    if (values.every((v) => v === '')) continue
    while (values.length < width) values.push('')
    yield { line: row.number, values }
  }
  await sheets.return?.(undefined)
}

/** PostgreSQL's identifier limit, in bytes. */
const MAX_NAME = 63

/**
 * Field names from a header row: trimmed, never empty, never starting with
 * `_`, without `"`, within 63 bytes (a Thai header is cut at a character),
 * and unique (a repeat gets `_2`, `_3`, ...).
 */
export function headerFields (header: string[]): string[] {
  const seen = new Set<string>()
  return header.map((h, i) => {
    let name = [...h].map((c) => c === '"' || c.charCodeAt(0) < 0x20 ? ' ' : c).join('').trim().replace(/^_+/, '').trim()
    if (name === '') name = `column_${i + 1}`
    const fit = (s: string, room: number) => {
      let out = ''
      for (const ch of s) {
        if (Buffer.byteLength(out + ch) > room) break
        out += ch
      }
      return out.trim()
    }
    name = fit(name, MAX_NAME)
    let unique = name
    for (let n = 2; seen.has(unique); n++) unique = `${fit(name, MAX_NAME - String(n).length - 1)}_${n}`
    seen.add(unique)
    return unique
  })
}
