/**
 * Uploaded resource files, as CKAN's ResourceUpload keeps them
 * (ckan/lib/uploader.py): one file per resource under
 * OPEND_DATA_DIR/resources/<id[0:3]>/<id[3:6]>/<id[6:]>, replaced by each new
 * upload, the resource's url set to the file's munged name and its url_type
 * to "upload" (the dicts then show the download URL). Files arrive in
 * OPEND_DATA_DIR/resources/.incoming (src/ckan/multipart.ts), on the same
 * file system, so keeping one is a rename.
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Kysely } from 'kysely'
import { Upload } from '../ckan/multipart.js'
import type { Database } from '../db/database.js'
import { cancelLoads } from '../datastore/load-jobs.js'

/** Where request bodies put their file parts. A dot name no resource directory can take (see uploadPath). */
export const incomingDir = (dataDir: string): string => join(resolve(dataDir), 'resources', '.incoming')

/**
 * The stored file of a resource. CKAN's layout for ids made of letters,
 * digits, `-` and `_` (every UUID); any other id (a sysadmin may bring ids
 * from another catalog) is hashed first, so no id can point outside the
 * directory.
 */
export function uploadPath (dataDir: string, resourceId: string): string {
  const id = /^[A-Za-z0-9][A-Za-z0-9_-]{6,}$/.test(resourceId) ? resourceId : createHash('sha256').update(resourceId).digest('hex')
  return join(resolve(dataDir), 'resources', id.slice(0, 3), id.slice(3, 6), id.slice(6))
}

/**
 * CKAN's munge_filename (ckan/lib/munge.py): the last path segment,
 * lower-cased, accents dropped, only a-z 0-9 _ . - kept (spaces become -),
 * 3 to 100 characters with the extension kept. As in CKAN, Thai letters do
 * not survive: a Thai-named file keeps its extension and the underscores.
 */
export function mungeFilename (filename: string): string {
  let name = (filename.split(/[/\\]/).pop() ?? '').toLowerCase().trim()
  name = name.normalize('NFKD').replace(/\p{M}/gu, '')
  name = name.replace(/[^a-z0-9_. -]/g, '').replaceAll(' ', '-').replace(/-+/g, '-')
  // Python's os.path.splitext: a leading dot does not start an extension
  const dot = name.lastIndexOf('.')
  const split = dot > 0 && name.slice(0, dot).replace(/\./g, '') !== '' ? dot : -1
  const ext = split < 0 ? '' : name.slice(split, split + 21)
  let stem = split < 0 ? name : name.slice(0, split)
  const min = Math.max(1, 3 - ext.length)
  if (stem.length < min) stem += '_'.repeat(min - stem.length)
  return stem.slice(0, 100 - ext.length) + ext
}

/**
 * The resource fields an upload sets, as ResourceUpload does: url (the
 * munged file name), url_type, last_modified, and size unless the caller
 * gave one. The mimetype and (on create) the format are then guessed from
 * the url by the resource validation, as CKAN guesses them from the name.
 */
export function withUpload (input: Record<string, unknown>, upload: Upload): Record<string, unknown> {
  const given = (v: unknown) => v !== undefined && v !== null && v !== ''
  return {
    ...input,
    url: mungeFilename(upload.filename),
    url_type: 'upload',
    last_modified: new Date().toISOString(),
    size: given(input.size) ? input.size : upload.size
  }
}

/**
 * The file part of a request, taken out of the resource dict. A JSON
 * `upload` is not a file and is ignored, as CKAN ignores it; CKAN's
 * `clear_upload` makes the resource a link again.
 */
export function takeUpload (input: Record<string, unknown>): Upload | null {
  const upload = input.upload
  const clear = input.clear_upload
  delete input.upload
  delete input.clear_upload
  if (upload instanceof Upload) return upload
  if (clear !== undefined && clear !== null && clear !== '' && clear !== false) input.url_type = ''
  return null
}

/** Move an upload into place as the resource's file, replacing any earlier one. */
export async function storeUpload (dataDir: string, resourceId: string, upload: Upload): Promise<void> {
  const path = uploadPath(dataDir, resourceId)
  await mkdir(dirname(path), { recursive: true })
  try {
    await rename(upload.path, path)
  } catch (err) {
    // OPEND_DATA_DIR/resources split across file systems (a mount below it)
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    await copyFile(upload.path, `${path}~`)
    await rename(`${path}~`, path)
    await upload.discard()
  }
}

/**
 * Remove files a request left in the incoming directory when its process
 * died mid-upload. Only old ones: other processes sharing the directory
 * may be receiving files right now, and no request lasts this long.
 */
export async function sweepIncoming (dataDir: string, olderThanMs: number): Promise<number> {
  const dir = incomingDir(dataDir)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return 0
    throw err
  }
  let removed = 0
  for (const name of names) {
    const path = join(dir, name)
    const info = await stat(path).catch(() => null)
    // gone meanwhile: another process swept it, or its request kept it
    if (info === null || Date.now() - info.mtimeMs <= olderThanMs) continue
    await rm(path, { force: true })
    removed++
  }
  return removed
}

/** Remove resources' stored files; resources without one are fine. */
export async function removeUploads (dataDir: string, resourceIds: readonly string[]): Promise<void> {
  for (const id of resourceIds) await rm(uploadPath(dataDir, id), { force: true })
}

/**
 * Resources deleted, or no longer uploads: their files go, and so do their
 * queued loads. Like CKAN, the file is removed before the transaction
 * commits; a write that then fails to commit has lost it.
 */
export async function forgetUploads (db: Kysely<Database>, dataDir: string, resourceIds: readonly string[]): Promise<void> {
  await cancelLoads(db, resourceIds)
  await removeUploads(dataDir, resourceIds)
}

/** Formats and extensions src/datastore/load.ts can read (CSV in any delimiter, XLSX): xloader's list, less what it cannot. */
const LOADABLE_FORMATS = new Set(['csv', 'tsv', 'xlsx', 'text/csv', 'application/csv', 'text/tab-separated-values',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'])
const LOADABLE_EXTENSIONS = new Set(['csv', 'tsv', 'xlsx'])

/** Is this upload one the DataStore loads, by its format or its file name's extension? */
export function isLoadable (format: string | null, filename: string): boolean {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase()
  return LOADABLE_FORMATS.has((format ?? '').trim().toLowerCase()) || (ext !== undefined && LOADABLE_EXTENSIONS.has(ext))
}
