/**
 * Generates a benchmark catalog: N datasets with Thai titles and notes, 1-8
 * resources each, 20 organizations, the demo's groups and a tag vocabulary.
 *
 * Everything is written through opend's own write actions (organization_create,
 * group_create, package_create) as a sysadmin, so the stored rows and the
 * materialized package_show dicts are exactly what a client's writes produce.
 * Datasets are created a few transactions at a time to keep 1000 of them
 * under ~20 s on a laptop.
 *
 * Deterministic for a given seed; re-running against the same database skips
 * whatever already exists.
 *
 *   npx tsx bench/generate.ts --datasets 1000      (against DATABASE_URL)
 */
import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Kysely } from 'kysely'
import pino from 'pino'
import type { Action, ActionContext } from '../src/ckan/action.js'
import type { Config } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { ACTIONS } from '../src/actions/index.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/factory.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { findUser, insertUser } from '../src/db/queries/users.js'
import { DEMO_GROUPS } from '../src/demo/catalog.js'

export const BENCH_USER = 'opend-bench'

export interface GenerateOptions {
  datasets?: number
  seed?: number
  /** transactions in flight at once */
  concurrency?: number
  onProgress?: (done: number, total: number) => void
}

export interface GenerateResult {
  created: number
  skipped: number
  resources: number
  ms: number
}

// mulberry32: small, seedable, good enough to pick words
function prng (seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]
  const some = <T>(xs: readonly T[], lo: number, hi: number): T[] => {
    const pool = [...xs]
    const out: T[] = []
    for (let n = Math.min(int(lo, hi), pool.length); n > 0; n--) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0])
    return out
  }
  return { next, int, pick, some }
}

export const BENCH_ORGANIZATIONS: { name: string, title: string, description: string }[] = [
  { name: 'exat', title: 'การทางพิเศษแห่งประเทศไทย', description: 'รัฐวิสาหกิจสังกัดกระทรวงคมนาคม ดูแลการก่อสร้างและให้บริการทางพิเศษ' },
  { name: 'dlt', title: 'กรมการขนส่งทางบก', description: 'หน่วยงานระดับกรม สังกัดกระทรวงคมนาคม รับผิดชอบงานทะเบียนรถ ใบอนุญาตขับรถ และการกำกับดูแลการขนส่งทางถนน' },
  { name: 'nso', title: 'สำนักงานสถิติแห่งชาติ', description: 'หน่วยงานกลางด้านสถิติของประเทศ จัดทำสำมะโนและการสำรวจข้อมูลสถิติ' },
  { name: 'moph-ddc', title: 'กรมควบคุมโรค', description: 'หน่วยงานระดับกรม สังกัดกระทรวงสาธารณสุข ดำเนินการเฝ้าระวัง ป้องกัน และควบคุมโรคและภัยสุขภาพ' },
  { name: 'tat', title: 'การท่องเที่ยวแห่งประเทศไทย', description: 'รัฐวิสาหกิจสังกัดกระทรวงการท่องเที่ยวและกีฬา ส่งเสริมการท่องเที่ยวของประเทศไทย' },
  { name: 'mots', title: 'กระทรวงการท่องเที่ยวและกีฬา', description: 'จัดทำสถิติด้านการท่องเที่ยว ทั้งนักท่องเที่ยวชาวไทยและชาวต่างชาติ' },
  { name: 'pcd', title: 'กรมควบคุมมลพิษ', description: 'ติดตามตรวจสอบคุณภาพอากาศ น้ำ และการจัดการของเสีย' },
  { name: 'bma', title: 'กรุงเทพมหานคร', description: 'องค์กรปกครองส่วนท้องถิ่นรูปแบบพิเศษ ให้บริการสาธารณะแก่ประชาชนในพื้นที่กรุงเทพมหานคร' },
  { name: 'oae', title: 'สำนักงานเศรษฐกิจการเกษตร', description: 'จัดทำสารสนเทศและสถิติเศรษฐกิจการเกษตรของประเทศ' },
  { name: 'dga', title: 'สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)', description: 'ผู้ดูแลศูนย์กลางข้อมูลเปิดภาครัฐ และส่งเสริมการพัฒนารัฐบาลดิจิทัล' },
  { name: 'dopa', title: 'กรมการปกครอง', description: 'หน่วยงานระดับกรม สังกัดกระทรวงมหาดไทย รับผิดชอบงานทะเบียนราษฎร' },
  { name: 'nesdc', title: 'สำนักงานสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ', description: 'จัดทำบัญชีประชาชาติ ผลิตภัณฑ์มวลรวมในประเทศ และรายงานภาวะสังคม' },
  { name: 'tmd', title: 'กรมอุตุนิยมวิทยา', description: 'ตรวจวัดและพยากรณ์อากาศ เฝ้าระวังแผ่นดินไหวและสึนามิ' },
  { name: 'rid', title: 'กรมชลประทาน', description: 'บริหารจัดการน้ำเพื่อการเกษตรและป้องกันความเสียหายจากน้ำ' },
  { name: 'doe', title: 'กรมการจัดหางาน', description: 'ส่งเสริมการมีงานทำและคุ้มครองคนหางาน' },
  { name: 'obec', title: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน', description: 'กำกับดูแลสถานศึกษาระดับการศึกษาขั้นพื้นฐานทั่วประเทศ' },
  { name: 'dld', title: 'กรมปศุสัตว์', description: 'ส่งเสริมการเลี้ยงสัตว์ ควบคุมโรคสัตว์ และความปลอดภัยของอาหารจากสัตว์' },
  { name: 'dnp', title: 'กรมอุทยานแห่งชาติ สัตว์ป่า และพันธุ์พืช', description: 'อนุรักษ์ทรัพยากรป่าไม้ สัตว์ป่า และดูแลอุทยานแห่งชาติ' },
  { name: 'pea', title: 'การไฟฟ้าส่วนภูมิภาค', description: 'ผลิต จัดหา และจำหน่ายไฟฟ้าแก่ประชาชนในส่วนภูมิภาค' },
  { name: 'mwa', title: 'การประปานครหลวง', description: 'ผลิตและจำหน่ายน้ำประปาในกรุงเทพมหานคร นนทบุรี และสมุทรปราการ' }
]

/** [slug, Thai subject, unit of measure] */
const SUBJECTS: readonly [string, string, string][] = [
  ['accidents', 'สถิติอุบัติเหตุทางถนน', 'ครั้ง'],
  ['vehicles', 'จำนวนรถจดทะเบียนสะสม', 'คัน'],
  ['population', 'จำนวนประชากรจากการทะเบียน', 'คน'],
  ['births', 'จำนวนการเกิดและการตาย', 'คน'],
  ['dengue', 'ผู้ป่วยโรคไข้เลือดออก', 'ราย'],
  ['tourists', 'จำนวนนักท่องเที่ยวชาวไทยและชาวต่างชาติ', 'คน'],
  ['hotel-rooms', 'อัตราการเข้าพักโรงแรม', 'ร้อยละ'],
  ['pm25', 'ค่าฝุ่นละอองขนาดเล็ก PM2.5 รายชั่วโมง', 'ไมโครกรัมต่อลูกบาศก์เมตร'],
  ['water-quality', 'คุณภาพน้ำในแม่น้ำสายหลัก', 'มิลลิกรัมต่อลิตร'],
  ['rainfall', 'ปริมาณน้ำฝนรายวัน', 'มิลลิเมตร'],
  ['reservoirs', 'ปริมาณน้ำในอ่างเก็บน้ำขนาดใหญ่', 'ล้านลูกบาศก์เมตร'],
  ['rice', 'ผลผลิตข้าวนาปีและนาปรัง', 'ตัน'],
  ['rubber', 'ราคายางพาราที่เกษตรกรขายได้', 'บาทต่อกิโลกรัม'],
  ['livestock', 'จำนวนปศุสัตว์และเกษตรกรผู้เลี้ยง', 'ตัว'],
  ['gdp', 'ผลิตภัณฑ์มวลรวมจังหวัด', 'ล้านบาท'],
  ['labour', 'ภาวะการทำงานของประชากร', 'คน'],
  ['job-seekers', 'ผู้สมัครงานและตำแหน่งงานว่าง', 'อัตรา'],
  ['schools', 'รายชื่อสถานศึกษาและจำนวนนักเรียน', 'คน'],
  ['electricity', 'ปริมาณการใช้ไฟฟ้าจำแนกตามประเภทผู้ใช้', 'กิโลวัตต์ชั่วโมง'],
  ['tap-water', 'ปริมาณการผลิตและจำหน่ายน้ำประปา', 'ลูกบาศก์เมตร'],
  ['parks', 'รายชื่ออุทยานแห่งชาติและจำนวนผู้เข้าชม', 'คน'],
  ['forest', 'พื้นที่ป่าไม้รายจังหวัด', 'ไร่'],
  ['expressway-traffic', 'ปริมาณจราจรบนทางพิเศษ', 'คันต่อวัน'],
  ['budget', 'งบประมาณรายจ่ายประจำปี', 'บาท'],
  ['complaints', 'เรื่องร้องเรียนผ่านศูนย์ดำรงธรรม', 'เรื่อง'],
  ['flood', 'พื้นที่ประสบอุทกภัย', 'ไร่'],
  ['earthquakes', 'เหตุการณ์แผ่นดินไหวที่ตรวจวัดได้', 'ครั้ง'],
  ['covid19', 'ผู้ได้รับวัคซีนโควิด 19', 'โดส'],
  ['bus-routes', 'เส้นทางเดินรถโดยสารประจำทาง', 'เส้นทาง'],
  ['waste', 'ปริมาณขยะมูลฝอยชุมชน', 'ตันต่อวัน']
]

const QUALIFIERS = ['จำแนกตามจังหวัด', 'จำแนกตามเพศและกลุ่มอายุ', 'รายเดือน', 'รายไตรมาส', 'จำแนกตามภาค', 'ในเขตกรุงเทพมหานครและปริมณฑล', 'จำแนกตามอำเภอ', '']
const PROVINCES = ['กรุงเทพมหานคร', 'เชียงใหม่', 'ขอนแก่น', 'นครราชสีมา', 'ภูเก็ต', 'สงขลา', 'ชลบุรี', 'อุบลราชธานี', 'พิษณุโลก', 'สุราษฎร์ธานี', 'นครศรีธรรมราช', 'อุดรธานี', 'เชียงราย', 'ระยอง', 'กาญจนบุรี']
const SENTENCES = [
  'ข้อมูลจัดเก็บจากระบบสารสนเทศของหน่วยงาน และผ่านการตรวจสอบความถูกต้องก่อนเผยแพร่',
  'ชุดข้อมูลนี้ปรับปรุงตามรอบการรายงานของหน่วยงาน ผู้ใช้ควรตรวจสอบวันที่ปรับปรุงล่าสุดก่อนนำไปใช้',
  'สามารถนำไปใช้ในการวิเคราะห์เชิงนโยบาย การวางแผนพัฒนาพื้นที่ และการวิจัย',
  'ตัวเลขปีที่ผ่านมาอาจมีการแก้ไขย้อนหลังเมื่อได้รับข้อมูลครบถ้วน',
  'รหัสจังหวัดและอำเภอเป็นไปตามรหัสเขตการปกครองของกรมการปกครอง',
  'ข้อมูลเชิงพื้นที่อ้างอิงระบบพิกัด WGS 84',
  'หากพบข้อผิดพลาดสามารถแจ้งหน่วยงานเจ้าของข้อมูลได้ทางอีเมลที่ระบุ',
  'ข้อมูลส่วนบุคคลได้ถูกปกปิดตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562'
]
const TAGS = [
  'สถิติ', 'ประชากร', 'สาธารณสุข', 'โรคติดต่อ', 'ท่องเที่ยว', 'นักท่องเที่ยว', 'คมนาคม', 'อุบัติเหตุ', 'ทางพิเศษ', 'รถยนต์',
  'สิ่งแวดล้อม', 'คุณภาพอากาศ', 'ฝุ่นละออง', 'น้ำ', 'ชลประทาน', 'ฝน', 'อุตุนิยมวิทยา', 'เกษตร', 'ข้าว', 'ยางพารา',
  'ปศุสัตว์', 'เศรษฐกิจ', 'รายได้', 'แรงงาน', 'การจ้างงาน', 'การศึกษา', 'โรงเรียน', 'พลังงาน', 'ไฟฟ้า', 'ประปา',
  'ป่าไม้', 'อุทยานแห่งชาติ', 'งบประมาณ', 'ภัยพิบัติ', 'น้ำท่วม', 'แผ่นดินไหว', 'วัคซีน', 'ขนส่งสาธารณะ', 'ขยะ', 'กรุงเทพมหานคร',
  'จังหวัด', 'ภูมิสารสนเทศ', 'open-data', 'GDC', 'รายเดือน', 'รายปี', 'ทะเบียนราษฎร', 'ร้องเรียน', 'บริการประชาชน', 'ดัชนี'
]
const GROUPS = DEMO_GROUPS.map((g) => g.name)
const LICENSES = ['Open Data Common', 'Creative Commons Attributions', 'DGA Open Government License', 'License not specified', 'cc-by', 'odc-by']
const FORMATS: readonly [string, string][] = [['CSV', 'csv'], ['CSV', 'csv'], ['XLSX', 'xlsx'], ['JSON', 'json'], ['PDF', 'pdf'], ['API', ''], ['XML', 'xml'], ['SHP', 'zip']]
const DATA_TYPES = ['ข้อมูลระเบียน', 'ข้อมูลสถิติ', 'ข้อมูลสถิติ', 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่', 'ข้อมูลหลากหลายประเภท']
const OBJECTIVES = ['พันธกิจหน่วยงาน', 'เพื่อการให้บริการประชาชน', 'ยุทธศาสตร์ชาติ', 'นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี', 'ดัชนี/ตัวชี้วัดระดับนานาชาติ']
const FREQUENCIES = ['ปี', 'เดือน', 'ไตรมาส', 'วัน', 'ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล']
const COVERAGE = ['ประเทศ', 'ภาค', 'จังหวัด', 'อำเภอ', 'ตำบล']
const COLLECT = ['บุคคล', 'ครัวเรือน/ครอบครัว', 'บริษัท/ห้างร้าน/สถานประกอบการ', 'เส้นทางการเดินทาง เช่น ถนน ทางรถไฟ', 'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ']
const DATA_FORMATS = ['CSV', 'XLS', 'JSON', 'PDF', 'Database', 'Shapefile']

const isoDate = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`

/** The package_create body of the i-th generated dataset. */
export function datasetBody (i: number, seed = 1): Record<string, unknown> {
  const r = prng(seed * 1_000_003 + i)
  const org = BENCH_ORGANIZATIONS[i % BENCH_ORGANIZATIONS.length]
  const [slug, subject, unit] = r.pick(SUBJECTS)
  const qualifier = r.pick(QUALIFIERS)
  const province = r.next() < 0.3 ? r.pick(PROVINCES) : null
  const year = r.int(2558, 2567)
  const title = [subject, qualifier, province ? `จังหวัด${province}` : '', `ปี ${year}`].filter(Boolean).join(' ')
  const notes = [`${subject}${qualifier ? ' ' + qualifier : ''} ของ${org.title} หน่วยนับ: ${unit}`, ...r.some(SENTENCES, 1, 4)].join(' ')
  const dataType = r.pick(DATA_TYPES)
  const isStat = dataType === 'ข้อมูลสถิติ'
  const name = `${org.name}-${slug}-${String(i).padStart(5, '0')}`
  const resources = Array.from({ length: r.int(1, 8) }, (_, k) => {
    const [format, ext] = r.pick(FORMATS)
    const ry = year - k
    const res: Record<string, unknown> = {
      name: `${subject} ปี ${ry}`,
      description: r.next() < 0.7 ? `${subject} ข้อมูลปี พ.ศ. ${ry} ${r.pick(SENTENCES)}` : '',
      url: ext ? `https://data.go.th/dataset/${name}/resource/${randomUUIDFrom(r.next)}/download/${slug}_${ry}.${ext}` : `https://api.example.go.th/${org.name}/v1/${slug}?year=${ry}`,
      format,
      resource_last_updated_date: isoDate(ry - 543, r.int(1, 12), r.int(1, 28))
    }
    if (isStat) {
      Object.assign(res, { resource_first_year_of_data: String(ry), resource_last_year_of_data: String(ry), resource_unit_of_measure: unit, resource_unit_of_multiplier: 'หน่วย' })
    } else {
      Object.assign(res, { resource_created_date: isoDate(ry - 543, 1, r.int(1, 28)), resource_data_collect: r.pick(COLLECT) })
    }
    return res
  })
  return {
    name,
    title,
    notes,
    owner_org: org.name,
    private: r.next() < 0.03,
    license_id: r.pick(LICENSES),
    maintainer: `ฝ่ายเทคโนโลยีสารสนเทศ ${org.title}`,
    maintainer_email: `opendata-${org.name}@example.go.th`,
    ...(r.next() < 0.3 ? { version: `${year}.${r.int(1, 4)}` } : {}),
    // sorted, so concurrent transactions touch shared tag rows in one order
    tags: r.some(TAGS, 2, 8).sort().map((t) => ({ name: t })),
    groups: r.some(GROUPS, 0, 2).map((g) => ({ name: g })),
    resources,
    data_type: dataType,
    data_category: 'ข้อมูลสาธารณะ',
    data_classification: 'เปิดเผย',
    allow_harvest: 'True',
    objective: r.some(OBJECTIVES, 1, 2),
    update_frequency_unit: r.pick(FREQUENCIES),
    update_frequency_interval: '1',
    geo_coverage: r.pick(COVERAGE),
    data_source: org.title,
    data_format: r.some(DATA_FORMATS, 1, 3),
    data_language: ['ไทย'],
    created_date: isoDate(year - 544, r.int(1, 12), r.int(1, 28)),
    last_updated_date: isoDate(year - 543, r.int(1, 12), r.int(1, 28)),
    ...(isStat ? { first_year_of_data: String(year - 5), last_year_of_data: String(year), unit_of_measure: unit, unit_of_multiplier: 'หน่วย', official_statistics: 'False' } : {})
  }
}

// resource ids in URLs should look real but stay reproducible
function randomUUIDFrom (next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

function runAction (name: string, params: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const action = ACTIONS.find((a) => a.name === name) as Action<any> | undefined
  if (!action) throw new Error(`no action ${name}`)
  return ctx.db.transaction().execute((trx) => action.handler(params, { ...ctx, db: trx }))
}

/** Fill a migrated database with the benchmark catalog. */
export async function generate (db: Kysely<Database>, config: Config, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const started = performance.now()
  const total = opts.datasets ?? 1000
  const seed = opts.seed ?? 1
  const log = pino({ level: 'warn' }, pino.destination(2))
  const u = (await findUser(db, BENCH_USER)) ?? await insertUser(db, { name: BENCH_USER, fullname: 'opend benchmark loader', sysadmin: true })
  const ctx: ActionContext = { db, user: { id: u.id, name: u.name, sysadmin: true, tokenId: null }, config, log }

  const existingGroups = new Set((await db.selectFrom('groups').select('name').execute()).map((g) => g.name))
  for (const o of BENCH_ORGANIZATIONS) {
    if (!existingGroups.has(o.name)) await runAction('organization_create', { ...o }, ctx)
  }
  for (const g of DEMO_GROUPS) {
    if (!existingGroups.has(g.name)) await runAction('group_create', { ...g }, ctx)
  }
  // the whole vocabulary up front: concurrent creates then never wait on each other's new tags
  await db.insertInto('tags').values(TAGS.map((name) => ({ id: randomUUID(), name, vocabulary_id: null })))
    .onConflict((oc) => oc.column('name').doNothing()).execute()

  const existing = new Set((await db.selectFrom('packages').select('name').execute()).map((p) => p.name))
  let next = 0
  let created = 0
  let skipped = 0
  let resources = 0
  const worker = async () => {
    while (next < total) {
      const body = datasetBody(next++, seed)
      if (existing.has(body.name as string)) { skipped++; continue }
      await runAction('package_create', body, ctx)
      created++
      resources += (body.resources as unknown[]).length
      if ((created + skipped) % 100 === 0) opts.onProgress?.(created + skipped, total)
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency ?? 6 }, worker))
  return { created, skipped, resources, ms: Math.round(performance.now() - started) }
}

async function main () {
  const { values } = parseArgs({
    options: {
      datasets: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '6' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write('usage: npx tsx bench/generate.ts [--datasets N] [--seed S] [--concurrency C]\n  writes into DATABASE_URL (or the embedded PGlite in OPEND_DATA_DIR when unset)\n')
    return
  }
  const datasets = Number(values.datasets)
  if (!Number.isInteger(datasets) || datasets < 1) throw new Error(`--datasets must be a positive integer (got ${values.datasets})`)
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: Number(values.concurrency) + 2 })
  try {
    await migrateToLatest(db.kysely)
    const r = await generate(db.kysely, config, {
      datasets,
      seed: Number(values.seed),
      concurrency: Number(values.concurrency),
      onProgress: (n, t) => process.stderr.write(`  ${n}/${t}\r`)
    })
    process.stdout.write(`generated ${r.created} datasets (${r.resources} resources), ${r.skipped} already present, in ${(r.ms / 1000).toFixed(1)} s\n`)
  } finally {
    await db.close()
  }
}

const invoked = process.argv[1] ? realpathSync(process.argv[1]) : ''
if (invoked === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  })
}
