/**
 * Loading files into the DataStore: UTF-8 with and without a BOM, TIS-620,
 * XLSX, inferred types, a malformed row reported by its line with the old
 * table left as it was, and `opend datastore load` as users run it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import ExcelJS from 'exceljs'
import { loadFile } from '../../src/datastore/load.js'
import { build, ok, tis620 } from '../helper.js'
import { cliSandbox } from '../cli-runner.js'

t.setTimeout(300_000)

const dir = mkdtempSync(join(tmpdir(), 'opend-load-'))
const file = (name: string, data: string | Buffer) => {
  const path = join(dir, name)
  writeFileSync(path, data)
  return path
}

const CSV = 'ปี,จังหวัด,จำนวน,อัตรา,วันที่,หมายเหตุ\n' +
  '2566,เชียงใหม่,1200,3.5,2023-01-31,"ท่องเที่ยว, พักผ่อน"\n' +
  '2566,สงขลา,980,-0.25,2023-02-28,"บรรทัด\nที่สอง"\n' +
  '2567,ขอนแก่น,,12,2024-02-29,\n'

async function fixture (t: Parameters<typeof build>[0]) {
  const app = await build(t)
  ok(await app.call('organization_create', { name: 'nso' }))
  ok(await app.call('package_create', { name: 'tourists', owner_org: 'nso', resources: [{ url: 'http://example.org/t.csv', name: 'นักท่องเที่ยว' }] }))
  const rid = ok(await app.call('package_show', { id: 'tourists' })).resources[0].id as string
  const search = async (params: Record<string, unknown> = {}) => ok(await app.call('datastore_search', { resource_id: rid, ...params }))
  return { ...app, rid, search }
}

t.test('a UTF-8 CSV with a BOM: types inferred, Thai searchable, quoting kept', async (t) => {
  const app = await fixture(t)
  const r = await loadFile(app.db, app.rid, file('bom.csv', '\uFEFF' + CSV), { siteUrl: 'http://test.opend' })
  t.same([r.rows, r.encoding, r.format], [3, 'utf-8', 'csv'])
  t.same(r.fields, [{ id: 'ปี', type: 'int8' }, { id: 'จังหวัด', type: 'text' }, { id: 'จำนวน', type: 'int8' }, { id: 'อัตรา', type: 'numeric' },
    { id: 'วันที่', type: 'date' }, { id: 'หมายเหตุ', type: 'text' }], 'the BOM is not part of the first header')
  const all = await app.search()
  t.same(all.records[1], { _id: 2, ปี: 2566, จังหวัด: 'สงขลา', จำนวน: 980, อัตรา: -0.25, วันที่: '2023-02-28', หมายเหตุ: 'บรรทัด\nที่สอง' })
  t.same(all.records[2].จำนวน, null, 'an empty cell is NULL')
  t.same((await app.search({ q: 'ท่องเที่ยว' })).records.map((x: any) => x.จังหวัด), ['เชียงใหม่'], 'Thai words inside unspaced text')
  t.equal(ok(await app.call('resource_show', { id: app.rid })).datastore_active, true)
})

t.test('TIS-620, detected or named; a semicolon-separated file', async (t) => {
  const app = await fixture(t)
  const path = file('tis.csv', tis620('รหัส;ชื่อ\n1;กรุงเทพมหานคร\n2;นครราชสีมา\n'))
  const r = await loadFile(app.db, app.rid, path, { siteUrl: 'http://test.opend' })
  t.equal(r.encoding, 'windows-874', 'detected: the bytes are not UTF-8')
  t.same((await app.search()).records.map((x: any) => x.ชื่อ), ['กรุงเทพมหานคร', 'นครราชสีมา'])
  const named = await loadFile(app.db, app.rid, path, { siteUrl: 'http://test.opend', encoding: 'TIS-620' })
  t.equal(named.encoding, 'windows-874')
  await t.rejects(loadFile(app.db, app.rid, path, { siteUrl: 'http://test.opend', encoding: 'ebcdic' }), /unknown encoding ebcdic/)
})

t.test('a malformed row names its line and leaves the table as it was', async (t) => {
  const app = await fixture(t)
  await loadFile(app.db, app.rid, file('good.csv', CSV), { siteUrl: 'http://test.opend' })
  const before = await app.search()
  await t.rejects(loadFile(app.db, app.rid, file('short.csv', 'a,b\n1,2\n3,4\n5\n'), { siteUrl: 'http://test.opend' }), /line 4: /)
  await t.rejects(loadFile(app.db, app.rid, file('quote.csv', 'a,b\n1,"open\n'), { siteUrl: 'http://test.opend' }), /line \d+: /)
  t.same(await app.search(), before, 'the previous rows are all there')
  await t.rejects(loadFile(app.db, 'no-such-resource', file('x.csv', 'a\n1\n'), { siteUrl: 'http://test.opend' }), /resource no-such-resource not found/)
})

t.test('odd headers and values that only look like their type', async (t) => {
  const app = await fixture(t)
  const r = await loadFile(app.db, app.rid, file('odd.csv', ' _id ,,x,x,"a""b",d\n1,2,3,4,5,2023-02-30\n'), { siteUrl: 'http://test.opend' })
  t.same(r.fields.map((f) => f.id), ['id', 'column_2', 'x', 'x_2', 'a b', 'd'], 'valid, unique field names')
  t.equal(r.fields[5].type, 'text', 'a date PostgreSQL refuses keeps the column text')
  t.same((await app.search()).records[0].d, '2023-02-30')
  const mixed = await loadFile(app.db, app.rid, file('mixed.csv', 'a,b,c,d\n1,1,,2024-01-01\n2024-01-01,,,2024-01-02 10:00\n3,2.5,,\n'), { siteUrl: 'http://test.opend' })
  t.same(mixed.fields.map((f) => f.type), ['text', 'numeric', 'text', 'text'],
    'a type every value fits, not the last one that fitted: an integer then a date is text; an empty column is text')
})

t.test('XLSX: the first sheet, numbers and dates as values', async (t) => {
  const app = await fixture(t)
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('ข้อมูล')
  ws.addRow(['จังหวัด', 'จำนวน', 'วันที่'])
  ws.addRow(['ภูเก็ต', 420, new Date(Date.UTC(2024, 0, 15))])
  ws.addRow(['ตาก', 130.5, new Date(Date.UTC(2024, 1, 1))])
  wb.addWorksheet('อื่น').addRow(['ignored'])
  const path = join(dir, 'data.xlsx')
  await wb.xlsx.writeFile(path)
  const r = await loadFile(app.db, app.rid, path, { siteUrl: 'http://test.opend' })
  t.same([r.format, r.rows], ['xlsx', 2])
  t.same(r.fields, [{ id: 'จังหวัด', type: 'text' }, { id: 'จำนวน', type: 'numeric' }, { id: 'วันที่', type: 'date' }])
  t.same((await app.search()).records.map((x: any) => [x.จังหวัด, x.จำนวน, x.วันที่]), [['ภูเก็ต', 420, '2024-01-15'], ['ตาก', 130.5, '2024-02-01']])
})

t.test('opend datastore load', async (t) => {
  const { run, withDb } = await cliSandbox(t, 'datastore_load')
  t.equal((await run(['migrate'])).code, 0)
  const usage = await run(['datastore', 'load', 'only-one'])
  t.not(usage.code, 0)
  t.match(usage.stderr, /datastore load takes a resource id and a file/)
  t.equal((await run(['demo'])).code, 0)
  const rid = await withDb(async (db) => (await db.kysely.selectFrom('resources').select('id').where('state', '=', 'active').orderBy('id').executeTakeFirstOrThrow()).id)
  const r = await run(['datastore', 'load', rid, file('cli.csv', CSV)])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, new RegExp(`^loaded 3 rows into ${rid} in \\d+\\.\\d s \\(csv, utf-8\\): ปี int8, จังหวัด text, จำนวน int8, อัตรา numeric, วันที่ date, หมายเหตุ text\\n$`))
  const bad = await run(['datastore', 'load', rid, file('cli-bad.csv', 'a,b\n1\n')])
  t.equal(bad.code, 1)
  t.equal(bad.stderr, 'opend: line 2: 1 values where the header has 2\n', 'a one-line error, no stack')
})
