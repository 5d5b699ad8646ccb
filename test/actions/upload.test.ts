/**
 * File uploads on resources, as CKAN takes them (the multipart part
 * `upload` of resource_create, resource_update and resource_patch), the
 * download URL that serves them back, and the background load of CSV and
 * XLSX files into the DataStore followed through xloader_status.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import Value from 'typebox/value'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.js'
import { incomingDir, mungeFilename, uploadPath } from '../../src/catalog/uploads.js'
import { readMultipart } from '../../src/ckan/multipart.js'
import { INTERRUPTED } from '../../src/datastore/load-jobs.js'
import { LoadStatusSchema } from '../../src/actions/datastore/xloader-status.js'
import { build, fails, json, ok, tis620 } from '../helper.js'

t.setTimeout(300_000)

type App = Awaited<ReturnType<typeof build>>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface File { name: string, data: Buffer | string, type?: string }

/** A multipart/form-data body as a browser or requests would send it, made by the platform's own FormData. */
async function multipart (fields: Record<string, string>, file?: File) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  if (file) form.append('upload', new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name)
  const res = new Response(form)
  return { payload: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! }
}

async function send (app: App, action: string, fields: Record<string, string>, file?: File, token: string | null = app.admin) {
  const { payload, contentType } = await multipart(fields, file)
  return app.app.inject({ method: 'POST', url: `/api/3/action/${action}`, payload, headers: { 'content-type': contentType, ...(token ? { authorization: token } : {}) } })
}

/** The path of a download URL, for inject. */
const pathOf = (url: string) => new URL(url).pathname

/** The load's final status, once it is complete or failed. */
async function settled (app: App, resourceId: string) {
  for (let i = 0; i < 600; i++) {
    const res = await app.call('xloader_status', { resource_id: resourceId })
    if (res.statusCode === 200) {
      const status = json(res).result
      if (status.status === 'complete' || status.status === 'error') return status
    }
    await sleep(50)
  }
  throw new Error(`the load of ${resourceId} did not finish`)
}

const incoming = (app: App) => {
  const dir = join(app.config.dataDir, 'resources', '.incoming')
  return existsSync(dir) ? readdirSync(dir) : []
}

const CSV = 'ปี,จังหวัด,นักท่องเที่ยว\n2566,เชียงใหม่,1200\n2566,ภูเก็ต,980\n2567,ขอนแก่น,450\n'

async function fixture (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const app = await build(t, env)
  const editor = await app.user('somchai')
  const member = await app.user('malee')
  ok(await app.call('organization_create', { name: 'tat', title: 'การท่องเที่ยวแห่งประเทศไทย' }))
  ok(await app.call('organization_member_create', { id: 'tat', username: 'somchai', role: 'editor' }))
  ok(await app.call('organization_member_create', { id: 'tat', username: 'malee', role: 'member' }))
  const pkg = ok(await app.call('package_create', { name: 'tourists', title: 'นักท่องเที่ยว', owner_org: 'tat' }))
  const search = async (rid: string) => ok(await app.call('datastore_search', { resource_id: rid })).records
    .map((r: Record<string, unknown>) => [r.ปี, r.จังหวัด, r.นักท่องเที่ยว])
  return { ...app, editor, member, pkg, search }
}

t.test('a CSV uploaded with resource_create: the resource, the file served back, the rows in the DataStore', async (t) => {
  const app = await fixture(t)
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists', name: 'รายจังหวัด' }, { name: 'Tourists 2566.csv', data: CSV, type: 'text/csv' }, app.editor.token))
  t.match(res, {
    url_type: 'upload',
    url: `http://test.opend/dataset/${app.pkg.id}/resource/${res.id}/download/tourists-2566.csv`,
    size: Buffer.byteLength(CSV),
    format: 'CSV',
    mimetype: 'text/csv',
    name: 'รายจังหวัด'
  })
  t.ok(res.last_modified, 'last_modified is set, as CKAN sets it for an upload')
  t.same(incoming(app), [], 'the temporary file was moved into place')

  const download = await app.app.inject({ method: 'GET', url: pathOf(res.url) })
  t.equal(download.statusCode, 200)
  t.equal(download.body, CSV, 'the same bytes')
  t.equal(download.headers['content-type'], 'text/csv')
  t.equal(download.headers['content-disposition'], 'inline; filename="tourists-2566.csv"')
  t.equal((await app.app.inject({ method: 'GET', url: `/dataset/tourists/resource/${res.id}/download` })).body, CSV, 'by dataset name, without a file name')
  t.equal((await app.app.inject({ method: 'GET', url: `/dataset/other/resource/${res.id}/download/x.csv` })).statusCode, 404, 'not under another dataset')

  const status = await settled(app, res.id)
  t.ok(Value.Check(LoadStatusSchema, status), JSON.stringify([...Value.Errors(LoadStatusSchema, status)].slice(0, 3)))
  t.match(status, { status: 'complete', error: null, job_url: null, task_info: { data: { row_count: 3 }, error: null, metadata: { resource_id: res.id, file_name: 'tourists-2566.csv' } } })
  t.match(status.task_info.logs.at(-1).message, /^Loaded 3 rows from tourists-2566\.csv \(\d+ bytes, csv, utf-8\): ปี int8, จังหวัด text, นักท่องเที่ยว int8$/)
  t.same(await app.search(res.id), [[2566, 'เชียงใหม่', 1200], [2566, 'ภูเก็ต', 980], [2567, 'ขอนแก่น', 450]])
  t.equal(ok(await app.call('resource_show', { id: res.id })).datastore_active, true)
  const shown = ok(await app.call('package_show', { id: 'tourists' })).resources[0]
  t.match(shown, { id: res.id, url: res.url, datastore_active: true }, 'the dataset shows the download URL and the DataStore')
  t.same(ok(await app.call('datapusher_status', { id: res.id })), status, 'datapusher_status is the same answer')
})

t.test('a TIS-620 (Windows-874) CSV loads with its Thai intact and is served as uploaded', async (t) => {
  const app = await fixture(t)
  const bytes = tis620('ปี;จังหวัด;นักท่องเที่ยว\n2566;นครราชสีมา;730\n2566;สุราษฎร์ธานี;615\n')
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'tis.csv', data: bytes }))
  const status = await settled(app, res.id)
  t.equal(status.status, 'complete', status.error)
  t.match(status.task_info.logs.at(-1).message, /csv, windows-874/)
  t.same(await app.search(res.id), [[2566, 'นครราชสีมา', 730], [2566, 'สุราษฎร์ธานี', 615]])
  t.same((await app.app.inject({ method: 'GET', url: pathOf(res.url) })).rawPayload, bytes, 'the file is not re-encoded')
})

t.test('resource_update: a new file replaces the old one and its rows; a malformed one leaves the table as it was', async (t) => {
  const app = await fixture(t)
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists', name: 'รายปี' }, { name: 'a.csv', data: CSV }))
  t.equal((await settled(app, res.id)).status, 'complete')

  const next = 'ปี,จังหวัด,นักท่องเที่ยว\n2568,น่าน,77\n'
  const updated = ok(await send(app, 'resource_update', { id: res.id, name: 'รายปี' }, { name: 'b.csv', data: next }, app.editor.token))
  t.match(updated, { url_type: 'upload', size: Buffer.byteLength(next), url: new RegExp(`/resource/${res.id}/download/b\\.csv$`) })
  t.equal(updated.format, null, 'as in CKAN, an update does not guess the format')
  t.equal((await app.app.inject({ method: 'GET', url: pathOf(updated.url) })).body, next, 'the new file is served')
  t.equal((await settled(app, res.id)).status, 'complete', 'loaded by its .csv name')
  t.same(await app.search(res.id), [[2568, 'น่าน', 77]], 'the new rows replaced the old')

  const bad = 'ปี,จังหวัด,นักท่องเที่ยว\n2569,ตาก,1\n2569,ยะลา,2\n2569\n'
  ok(await send(app, 'resource_patch', { id: res.id }, { name: 'bad.csv', data: bad }))
  const failed = await settled(app, res.id)
  t.match(failed, { status: 'error', error: 'line 4: 1 values where the header has 3', task_info: { error: { message: 'line 4: 1 values where the header has 3' }, data: null } })
  t.equal(failed.task_info.logs.at(-1).level, 'ERROR')
  t.same(await app.search(res.id), [[2568, 'น่าน', 77]], 'the previous rows are all there')
  const patched = ok(await app.call('resource_show', { id: res.id }))
  t.match(patched, { size: Buffer.byteLength(bad), name: 'รายปี', datastore_active: true }, 'patch: the new file\'s size, the other fields kept')

  // the editor reloads the (fixed) file by hand
  ok(await send(app, 'resource_patch', { id: res.id }, { name: 'fixed.csv', data: CSV }))
  t.equal((await settled(app, res.id)).status, 'complete')
  t.equal(json(await app.call('xloader_submit', { resource_id: res.id }, app.editor.token)).result, true)
  const again = await settled(app, res.id)
  t.not(again.job_id, failed.job_id)
  t.equal(again.status, 'complete')
})

t.test('limits and rights', async (t) => {
  const app = await fixture(t, { OPEND_UPLOAD_MAX_MB: '1' })
  const big = 'a,b\n' + '1234567,89\n'.repeat(110_000)
  const tooLarge = fails(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'big.csv', data: big }), 409)
  t.same(tooLarge, { upload: ['File upload too large'], __type: 'Validation Error' }, 'CKAN\'s error for a file over the limit')
  const huge = Buffer.alloc(12 * 2 ** 20, 0x61)
  t.same(fails(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'huge.csv', data: huge }), 409).upload, ['File upload too large'], 'refused before it is read')
  t.same(ok(await app.call('package_show', { id: 'tourists' })).resources, [], 'no resource was made')

  const member = fails(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'x.csv', data: CSV }, app.member.token), 403)
  t.match(member.message, /^Access denied: User malee not authorized to create resources on dataset tourists/)
  fails(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'x.csv', data: CSV }, null), 403)
  t.same(incoming(app), [], 'refused files do not stay behind')

  const notHere = fails(await send(app, 'package_patch', { id: 'tourists' }, { name: 'x.csv', data: CSV }), 409)
  t.same(notHere.upload, ['package_patch does not accept file uploads'])
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'x.csv', data: CSV }, app.editor.token))
  await settled(app, res.id)
  fails(await app.call('xloader_status', { resource_id: res.id }, null), 403)
  fails(await app.call('xloader_status', { resource_id: res.id }, app.member.token), 403)
  fails(await app.call('xloader_submit', { resource_id: res.id }, app.member.token), 403)
  t.same(fails(await app.call('xloader_status', {}), 409), { resource_id: 'Missing value', __type: 'Validation Error' })
  fails(await app.call('xloader_status', { resource_id: 'no-such-resource' }), 404)
})

t.test('a private dataset\'s file is not found by those who may not read it', async (t) => {
  const app = await fixture(t)
  ok(await app.call('package_create', { name: 'internal', owner_org: 'tat', private: true }))
  const res = ok(await send(app, 'resource_create', { package_id: 'internal' }, { name: 'secret.csv', data: CSV }))
  const path = pathOf(res.url)
  const anonymous = await app.app.inject({ method: 'GET', url: path })
  t.equal(anonymous.statusCode, 404, 'CKAN answers a resource the caller may not read with a 404')
  t.match(json(anonymous), { success: false, error: { __type: 'Not Found Error', message: 'Not found: Resource not found' } })
  const outsider = await app.user('prasert')
  t.equal((await app.app.inject({ method: 'GET', url: path, headers: { authorization: outsider.token } })).statusCode, 404)
  const member = await app.app.inject({ method: 'GET', url: path, headers: { authorization: app.member.token } })
  t.equal(member.statusCode, 200)
  t.equal(member.body, CSV)
  t.equal(member.headers['cache-control'], 'private, max-age=0, must-revalidate')
  t.equal((await app.app.inject({ method: 'GET', url: `${path}?api-key=${app.member.token}` })).statusCode, 200, 'data.go.th\'s api-key parameter')
})

t.test('other files are stored and served but not loaded; links and deletions', async (t) => {
  const app = await fixture(t)
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff]), Buffer.from('\n%%EOF\n')])
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'รายงาน 2566.PDF', data: pdf }))
  t.match(res, { format: 'PDF', mimetype: 'application/pdf', url_type: 'upload', size: pdf.length })
  t.match(res.url, /\/download\/-2566\.pdf$/, 'CKAN\'s munged name: Thai letters do not survive it')
  const download = await app.app.inject({ method: 'GET', url: pathOf(res.url) })
  t.same([download.statusCode, download.headers['content-type']], [200, 'application/pdf'])
  t.same(download.rawPayload, pdf)
  await sleep(200)
  fails(await app.call('xloader_status', { resource_id: res.id }), 404)
  t.equal(ok(await app.call('resource_show', { id: res.id })).datastore_active, false)
  t.same(fails(await app.call('xloader_submit', { resource_id: res.id }), 409).resource_id, ['Only CSV and XLSX files are loaded into the DataStore'])

  // a plain url with url_type cleared: a link again, the file gone
  const file = uploadPath(app.config.dataDir, res.id)
  t.ok(existsSync(file))
  const link = ok(await app.call('resource_update', { id: res.id, url: 'https://www.tat.or.th/report-2566.pdf' }))
  t.same([link.url, link.url_type], ['https://www.tat.or.th/report-2566.pdf', null])
  t.notOk(existsSync(file), 'the stored file was removed')
  const redirect = await app.app.inject({ method: 'GET', url: `/dataset/tourists/resource/${res.id}/download/report-2566.pdf` })
  t.same([redirect.statusCode, redirect.headers.location], [302, 'https://www.tat.or.th/report-2566.pdf'], 'a link redirects, as in CKAN')
  t.same(fails(await app.call('xloader_submit', { resource_id: res.id }), 409).resource_id, ['The resource has no uploaded file to load'])

  // deleting a resource, purging a dataset: their files go
  const gone = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'gone.csv', data: CSV }))
  await settled(app, gone.id)
  ok(await app.call('resource_delete', { id: gone.id }))
  t.notOk(existsSync(uploadPath(app.config.dataDir, gone.id)))
  t.equal((await app.app.inject({ method: 'GET', url: pathOf(gone.url) })).statusCode, 404)
  const purged = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'purged.csv', data: CSV }))
  await settled(app, purged.id)
  t.ok(existsSync(uploadPath(app.config.dataDir, purged.id)))
  ok(await app.call('dataset_purge', { id: 'tourists' }))
  t.notOk(existsSync(uploadPath(app.config.dataDir, purged.id)))
})

t.test('an XLSX upload loads its first sheet; a newer upload supersedes a queued load', async (t) => {
  const app = await fixture(t)
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('ข้อมูล')
  ws.addRow(['ปี', 'จังหวัด', 'นักท่องเที่ยว'])
  ws.addRow([2566, 'ตรัง', 310])
  const xlsx = Buffer.from(await wb.xlsx.writeBuffer())
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'ตาราง.xlsx', data: xlsx }))
  t.match(res, { format: 'XLSX', url: /\/download\/\.xlsx$/ })
  t.equal((await settled(app, res.id)).status, 'complete')
  t.same(await app.search(res.id), [[2566, 'ตรัง', 310]])

  // three files in a row: whatever ran meanwhile, the last one is what the table ends with
  const rows = (n: number) => 'ปี,จังหวัด,นักท่องเที่ยว\n' + Array.from({ length: n }, (_, i) => `2567,จังหวัด ${i},${i}`).join('\n') + '\n'
  ok(await send(app, 'resource_update', { id: res.id }, { name: 'one.csv', data: rows(5000) }))
  ok(await send(app, 'resource_update', { id: res.id }, { name: 'two.csv', data: rows(2) }))
  ok(await send(app, 'resource_update', { id: res.id }, { name: 'three.csv', data: rows(3) }))
  const last = await settled(app, res.id)
  t.match(last, { status: 'complete', task_info: { data: { row_count: 3 }, metadata: { file_name: 'three.csv' } } })
  t.equal((await app.search(res.id)).length, 3)
  const jobs = await app.db.kysely.selectFrom('datastore_load_jobs').select('status').where('resource_id', '=', res.id).execute()
  t.ok(jobs.length <= 2, 'superseded jobs are gone: the latest, and at most one that was running')
})

t.test('multipart bodies read in chunks of any size', async (t) => {
  const file = Buffer.concat([Buffer.from('ปี,ค่า\r\n--not-the-boundary\r\n'), Buffer.alloc(3000, 0x2d), Buffer.from([0, 0xff, 0x0d, 0x0a])])
  const form = new FormData()
  form.append('package_id', 'tourists')
  form.append('name', 'ชื่อ "ไทย"\r\nสองบรรทัด')
  form.append('upload', new Blob([file], { type: 'text/csv' }), 'ข้อมูล "ปี".csv')
  const res = new Response(form)
  const body = Buffer.from(await res.arrayBuffer())
  const contentType = res.headers.get('content-type')!
  const dir = t.testdir()
  async function * chunks (size: number) {
    for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size)
  }
  for (const size of [1, 2, 7, 61, 4096, body.length]) {
    const parsed = await readMultipart(chunks(size), contentType, { tmpDir: dir, fileField: 'upload', fieldBytes: 1 << 20, fileBytes: 1 << 20 })
    t.same(parsed.fields, [['package_id', 'tourists'], ['name', 'ชื่อ "ไทย"\r\nสองบรรทัด']], `fields, in chunks of ${size}`)
    t.same([parsed.upload?.filename, parsed.upload?.contentType, parsed.upload?.size], ['ข้อมูล "ปี".csv', 'text/csv', file.length])
    t.same(readFileSync(parsed.upload!.path), file, 'the file, byte for byte')
    await parsed.upload!.discard()
  }
  const opts = { tmpDir: dir, fileField: 'upload', fieldBytes: 1 << 20, fileBytes: 1 << 20 }
  await t.rejects(readMultipart(chunks(10), contentType, { ...opts, fileBytes: 100 }), /^multipart: file too large/)
  await t.rejects(readMultipart(chunks(10), contentType, { ...opts, fileField: null }), /^multipart: file refused \(upload\)$/)
  await t.rejects(readMultipart(chunks(10), contentType, { ...opts, fieldBytes: 10 }), /^multipart: fields too large$/)
  await t.rejects(readMultipart(chunks(10), 'multipart/form-data', opts), /^multipart: malformed$/, 'no boundary')
  const cut = async function * () { yield body.subarray(0, body.length - 30) }
  await t.rejects(readMultipart(cut(), contentType, opts), /^multipart: malformed$/, 'a body cut short')
  t.same(readdirSync(dir), [], 'no file is left by a refused body')
})

t.test('CKAN\'s file name munging', async (t) => {
  t.equal(mungeFilename('C:\\Users\\somchai\\Data File (1).CSV'), 'data-file-1.csv')
  t.equal(mungeFilename('Café Données.xlsx'), 'cafe-donnees.xlsx')
  t.equal(mungeFilename('ข้อมูล.csv'), '.csv')
  t.equal(mungeFilename('a'), 'a__')
  t.equal(mungeFilename('x'.repeat(150) + '.csv').length, 100)
})

t.test('closing the app while a load runs, and jobs left behind by a stopped process', async (t) => {
  const app = await fixture(t)
  const rows = Array.from({ length: 20_000 }, (_, i) => `${2500 + (i % 70)},จังหวัดที่ ${i},${i}`).join('\n')
  const res = ok(await send(app, 'resource_create', { package_id: 'tourists' }, { name: 'many.csv', data: 'ปี,จังหวัด,นักท่องเที่ยว\n' + rows + '\n' }))
  await app.app.close()
  const job = await app.db.kysely.selectFrom('datastore_load_jobs').selectAll().where('resource_id', '=', res.id).executeTakeFirstOrThrow()
  t.ok(job.status === 'complete' || (job.status === 'error' && job.error === INTERRUPTED), `nothing left running or queued (${job.status})`)
  if (job.status === 'error') {
    const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM datastore_tables WHERE resource_id = ${res.id}`.execute(app.db.kysely)
    t.equal(tables.rows[0].n, 0, 'an interrupted first load leaves no table')
  }

  // a job of a process that died an hour ago is marked when the next server starts listening
  await app.db.kysely.updateTable('datastore_load_jobs').set({ status: 'running', worker: 'gone:1:000000', error: null, last_updated: new Date(Date.now() - 3_600_000) })
    .where('id', '=', job.id).execute()
  const next = await buildApp(app.config, app.db, { closeDb: false })
  t.teardown(() => next.close())
  await next.listen({ port: 0, host: '127.0.0.1' })
  const after = async () => app.db.kysely.selectFrom('datastore_load_jobs').select(['status', 'error']).where('id', '=', job.id).executeTakeFirstOrThrow()
  for (let i = 0; i < 100 && (await after()).status === 'running'; i++) await sleep(20)
  t.same(await after(), { status: 'error', error: INTERRUPTED })
})

t.test('files left in the incoming directory by an interrupted upload are swept at the next start', async (t) => {
  const app = await build(t)
  const dir = incomingDir(app.config.dataDir)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'stale'), 'left by a process that died')
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000)
  utimesSync(join(dir, 'stale'), twoDaysAgo, twoDaysAgo)
  writeFileSync(join(dir, 'fresh'), 'an upload in progress in another process')
  await app.app.listen({ port: 0, host: '127.0.0.1' })
  // Fastify runs onListen hooks once listening, without holding listen() back
  for (let i = 0; i < 100 && existsSync(join(dir, 'stale')); i++) await sleep(20)
  t.same(readdirSync(dir), ['fresh'], 'the old file goes, a recent one stays')
})
