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
 * Above 5000 datasets (or with --bulk) it writes the tables straight instead
 * (generateBulk, the search benchmark's catalog: 200 organizations, 2,000
 * tags, half Thai and half English datasets), then builds the dicts and the
 * search index with reindex(); 100,000 datasets take under 10 minutes.
 *
 *   npx tsx bench/generate.ts --datasets 1000      (against DATABASE_URL)
 *   npx tsx bench/generate.ts --datasets 100000    (bulk)
 */
import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Kysely, sql } from 'kysely'
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
import { extractGdc, GDC_DATASET_FIELDS } from '../src/catalog/gdc.js'
import { tagErrors } from '../src/catalog/validators.js'
import { reindex } from '../src/search/reindex.js'

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
export function prng (seed: number) {
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

/** the GDC data type whose datasets carry years and units */
const STAT = 'ข้อมูลสถิติ'

const isoDate = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`

/**
 * A generated dataset's Thai GDC fields, with the random picks in a fixed
 * order; `dates` is called after them (created, last updated).
 */
function gdcFields (r: ReturnType<typeof prng>, o: { dataType: string, source: string, language: string, dates: () => [string, string], years: [number, number], unit: string }): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    data_type: o.dataType,
    data_category: 'ข้อมูลสาธารณะ',
    data_classification: 'เปิดเผย',
    allow_harvest: 'True',
    objective: r.some(OBJECTIVES, 1, 2),
    update_frequency_unit: r.pick(FREQUENCIES),
    update_frequency_interval: '1',
    geo_coverage: r.pick(COVERAGE),
    data_source: o.source,
    data_format: r.some(DATA_FORMATS, 1, 3),
    data_language: [o.language]
  }
  ;[fields.created_date, fields.last_updated_date] = o.dates()
  if (o.dataType !== STAT) return fields
  return { ...fields, first_year_of_data: String(o.years[0]), last_year_of_data: String(o.years[1]), unit_of_measure: o.unit, unit_of_multiplier: 'หน่วย', official_statistics: 'False' }
}

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
  const isStat = dataType === STAT
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
    ...gdcFields(r, {
      dataType,
      source: org.title,
      language: 'ไทย',
      dates: () => [isoDate(year - 544, r.int(1, 12), r.int(1, 28)), isoDate(year - 543, r.int(1, 12), r.int(1, 28))],
      years: [year - 5, year],
      unit
    })
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

// ---------------------------------------------------------------- bulk mode
//
// 100,000 datasets through package_create would take more than half an hour.
// The bulk mode writes the same tables straight, in transactions of 1000
// datasets with one JSON parameter per table, then builds the package_show
// dicts and the search index with reindex() — the code every write and
// `opend reindex` run, so the stored dicts and index rows are what opend
// itself would have written.

/** [slug, romanized name, Thai name] */
const BULK_PROVINCES: readonly [string, string, string][] = [
  ['bangkok', 'Bangkok', 'กรุงเทพมหานคร'], ['chiangmai', 'Chiang Mai', 'เชียงใหม่'], ['chiangrai', 'Chiang Rai', 'เชียงราย'],
  ['lampang', 'Lampang', 'ลำปาง'], ['phitsanulok', 'Phitsanulok', 'พิษณุโลก'], ['nakhonsawan', 'Nakhon Sawan', 'นครสวรรค์'],
  ['khonkaen', 'Khon Kaen', 'ขอนแก่น'], ['korat', 'Nakhon Ratchasima', 'นครราชสีมา'], ['udonthani', 'Udon Thani', 'อุดรธานี'],
  ['ubon', 'Ubon Ratchathani', 'อุบลราชธานี'], ['buriram', 'Buri Ram', 'บุรีรัมย์'], ['surin', 'Surin', 'สุรินทร์'],
  ['roiet', 'Roi Et', 'ร้อยเอ็ด'], ['sakonnakhon', 'Sakon Nakhon', 'สกลนคร'], ['nakhonphanom', 'Nakhon Phanom', 'นครพนม'],
  ['nongkhai', 'Nong Khai', 'หนองคาย'], ['chonburi', 'Chon Buri', 'ชลบุรี'], ['rayong', 'Rayong', 'ระยอง'],
  ['chanthaburi', 'Chanthaburi', 'จันทบุรี'], ['chachoengsao', 'Chachoengsao', 'ฉะเชิงเทรา'], ['nonthaburi', 'Nonthaburi', 'นนทบุรี'],
  ['pathumthani', 'Pathum Thani', 'ปทุมธานี'], ['samutprakan', 'Samut Prakan', 'สมุทรปราการ'], ['nakhonpathom', 'Nakhon Pathom', 'นครปฐม'],
  ['ayutthaya', 'Phra Nakhon Si Ayutthaya', 'พระนครศรีอยุธยา'], ['kanchanaburi', 'Kanchanaburi', 'กาญจนบุรี'], ['ratchaburi', 'Ratchaburi', 'ราชบุรี'],
  ['phetchaburi', 'Phetchaburi', 'เพชรบุรี'], ['prachuap', 'Prachuap Khiri Khan', 'ประจวบคีรีขันธ์'], ['suratthani', 'Surat Thani', 'สุราษฎร์ธานี'],
  ['nakhonsi', 'Nakhon Si Thammarat', 'นครศรีธรรมราช'], ['phuket', 'Phuket', 'ภูเก็ต'], ['krabi', 'Krabi', 'กระบี่'],
  ['phangnga', 'Phangnga', 'พังงา'], ['songkhla', 'Songkhla', 'สงขลา'], ['pattani', 'Pattani', 'ปัตตานี'],
  ['yala', 'Yala', 'ยะลา'], ['narathiwat', 'Narathiwat', 'นราธิวาส'], ['trang', 'Trang', 'ตรัง'], ['satun', 'Satun', 'สตูล']
]

/** Provincial offices: [slug prefix, Thai title before the province, English title with {p} for the province] */
const PROVINCIAL_AGENCIES: readonly [string, string, string][] = [
  ['ppho', 'สำนักงานสาธารณสุขจังหวัด', '{p} Provincial Public Health Office'],
  ['pso', 'สำนักงานสถิติจังหวัด', '{p} Provincial Statistical Office'],
  ['pao', 'องค์การบริหารส่วนจังหวัด', '{p} Provincial Administrative Organization'],
  ['pcom', 'สำนักงานพาณิชย์จังหวัด', '{p} Provincial Commerce Office'],
  ['pagri', 'สำนักงานเกษตรจังหวัด', '{p} Provincial Agricultural Extension Office'],
  ['pmots', 'สำนักงานการท่องเที่ยวและกีฬาจังหวัด', '{p} Provincial Office of Tourism and Sports']
]

interface BulkOrg { name: string, title: string, description: string }

/** 200 organizations: the 20 national agencies above and 180 provincial offices, one in four with an English title. */
export function bulkOrganizations (): BulkOrg[] {
  const out: BulkOrg[] = [...BENCH_ORGANIZATIONS]
  for (const [slug, en, th] of BULK_PROVINCES.slice(0, 30)) {
    for (const [prefix, thTitle, enTitle] of PROVINCIAL_AGENCIES) {
      const english = out.length % 4 === 0
      out.push({
        name: `${prefix}-${slug}`,
        title: english ? enTitle.replace('{p}', en) : thTitle + th,
        description: english ? `Open data published by the ${enTitle.replace('{p}', en)}.` : `ข้อมูลเปิดของ${thTitle}${th}`
      })
    }
  }
  return out
}

interface Subject {
  slug: string
  th: string
  en: string
  unit: string
  unitEn: string
  group: string
  /** Thai words a description of this subject uses (and users type) */
  words: string[]
  wordsEn: string[]
}

// [slug, Thai, English, unit, English unit, group, Thai words, English words]
const SUBJECT_ROWS: readonly [string, string, string, string, string, string, string, string][] = [
  ['population', 'สถิติจำนวนประชากรจากการทะเบียนราษฎร', 'Registered population statistics', 'คน', 'persons', 'population', 'ประชากร ทะเบียนราษฎร สำมะโนประชากร ครัวเรือน', 'population census household registration'],
  ['births-deaths', 'จำนวนการเกิดและการตายของประชากร', 'Births and deaths', 'คน', 'persons', 'population', 'การเกิด การตาย ประชากร อัตราการเกิด', 'births deaths mortality fertility'],
  ['elderly', 'จำนวนผู้สูงอายุที่ได้รับเบี้ยยังชีพ', 'Elderly people receiving the old-age allowance', 'คน', 'persons', 'population', 'ผู้สูงอายุ เบี้ยยังชีพ สวัสดิการ สังคมสูงวัย', 'elderly allowance welfare ageing'],
  ['disabled', 'จำนวนคนพิการที่มีบัตรประจำตัวคนพิการ', 'Registered persons with disabilities', 'คน', 'persons', 'population', 'คนพิการ ผู้พิการ สวัสดิการ บัตรประจำตัว', 'disability welfare registration'],
  ['welfare-card', 'ผู้ลงทะเบียนบัตรสวัสดิการแห่งรัฐ', 'State welfare card holders', 'คน', 'persons', 'economy', 'สวัสดิการแห่งรัฐ ผู้มีรายได้น้อย บัตรสวัสดิการ', 'welfare card low income subsidy'],
  ['tourists', 'จำนวนนักท่องเที่ยวชาวไทยและชาวต่างชาติ', 'Thai and foreign tourist arrivals', 'คน', 'persons', 'tourism', 'นักท่องเที่ยว การท่องเที่ยว ชาวต่างชาติ แหล่งท่องเที่ยว', 'tourists tourism arrivals visitors'],
  ['tourism-revenue', 'รายได้จากการท่องเที่ยว', 'Tourism revenue', 'ล้านบาท', 'million baht', 'tourism', 'รายได้ การท่องเที่ยว นักท่องเที่ยว เศรษฐกิจ', 'tourism revenue spending economy'],
  ['hotels', 'อัตราการเข้าพักโรงแรมและที่พัก', 'Hotel occupancy rate', 'ร้อยละ', 'percent', 'tourism', 'โรงแรม ที่พัก อัตราการเข้าพัก การท่องเที่ยว', 'hotel occupancy accommodation tourism'],
  ['attractions', 'รายชื่อแหล่งท่องเที่ยวและจำนวนผู้เข้าชม', 'Tourist attractions and visitor numbers', 'คน', 'persons', 'tourism', 'แหล่งท่องเที่ยว นักท่องเที่ยว อุทยาน วัด', 'attractions visitors parks temples'],
  ['budget', 'งบประมาณรายจ่ายประจำปีงบประมาณ', 'Annual budget expenditure', 'บาท', 'baht', 'government', 'งบประมาณ ปีงบประมาณ รายจ่าย แผนงาน โครงการ', 'budget expenditure fiscal year appropriation'],
  ['disbursement', 'ผลการเบิกจ่ายงบประมาณ', 'Budget disbursement results', 'บาท', 'baht', 'government', 'งบประมาณ การเบิกจ่าย ปีงบประมาณ ลงทุน', 'budget disbursement spending investment'],
  ['procurement', 'ข้อมูลการจัดซื้อจัดจ้างภาครัฐ', 'Government procurement', 'บาท', 'baht', 'government', 'จัดซื้อจัดจ้าง สัญญา งบประมาณ ผู้รับจ้าง', 'procurement contracts tender suppliers'],
  ['air-quality', 'คุณภาพอากาศและค่าดัชนีคุณภาพอากาศ', 'Air quality index', 'AQI', 'AQI', 'environment', 'คุณภาพอากาศ มลพิษทางอากาศ ฝุ่นละออง สถานีตรวจวัด', 'air quality pollution AQI monitoring'],
  ['pm25', 'ปริมาณฝุ่นละอองขนาดเล็ก PM2.5 รายชั่วโมง', 'Hourly fine particulate matter PM2.5', 'ไมโครกรัมต่อลูกบาศก์เมตร', 'µg/m³', 'environment', 'ฝุ่นละอองขนาดเล็ก PM2.5 ฝุ่นละออง คุณภาพอากาศ หมอกควัน', 'PM2.5 dust particulate haze air'],
  ['hotspots', 'จุดความร้อนและไฟป่าจากดาวเทียม', 'Satellite fire hotspots', 'จุด', 'points', 'environment', 'ไฟป่า จุดความร้อน การเผาในที่โล่ง หมอกควัน', 'wildfire hotspots burning haze'],
  ['water-quality', 'คุณภาพน้ำในแม่น้ำสายหลัก', 'River water quality', 'มิลลิกรัมต่อลิตร', 'mg/l', 'environment', 'คุณภาพน้ำ แม่น้ำ มลพิษทางน้ำ ออกซิเจนละลายน้ำ', 'water quality river pollution oxygen'],
  ['waste', 'ปริมาณขยะมูลฝอยชุมชน', 'Municipal solid waste', 'ตันต่อวัน', 'tonnes per day', 'environment', 'ขยะมูลฝอย ขยะ การคัดแยกขยะ รีไซเคิล', 'waste garbage recycling landfill'],
  ['forest', 'พื้นที่ป่าไม้รายจังหวัด', 'Forest area by province', 'ไร่', 'rai', 'environment', 'ป่าไม้ พื้นที่ป่า ป่าสงวน การบุกรุก', 'forest cover reserve deforestation'],
  ['rainfall', 'ปริมาณน้ำฝนรายวัน', 'Daily rainfall', 'มิลลิเมตร', 'mm', 'environment', 'น้ำฝน ปริมาณฝน อุตุนิยมวิทยา สถานีวัดน้ำฝน', 'rainfall precipitation weather station'],
  ['reservoirs', 'ปริมาณน้ำในอ่างเก็บน้ำขนาดใหญ่', 'Water in large reservoirs', 'ล้านลูกบาศก์เมตร', 'million m³', 'agriculture', 'อ่างเก็บน้ำ เขื่อน ปริมาณน้ำ ชลประทาน', 'reservoir dam water storage irrigation'],
  ['flood', 'พื้นที่ประสบอุทกภัยและผู้ได้รับผลกระทบ', 'Flooded areas and affected people', 'ไร่', 'rai', 'environment', 'น้ำท่วม อุทกภัย ภัยพิบัติ ผู้ประสบภัย', 'flood disaster affected households'],
  ['drought', 'พื้นที่ประกาศเขตภัยแล้ง', 'Declared drought areas', 'หมู่บ้าน', 'villages', 'agriculture', 'ภัยแล้ง ขาดแคลนน้ำ ภัยพิบัติ เกษตรกร', 'drought water shortage disaster'],
  ['hospital-patients', 'จำนวนผู้ป่วยนอกและผู้ป่วยในของโรงพยาบาล', 'Outpatients and inpatients of hospitals', 'ราย', 'cases', 'health', 'ผู้ป่วย โรงพยาบาล ผู้ป่วยนอก ผู้ป่วยใน การรักษา', 'patients hospital outpatients inpatients'],
  ['hospital-beds', 'จำนวนโรงพยาบาลและเตียงผู้ป่วย', 'Hospitals and hospital beds', 'เตียง', 'beds', 'health', 'โรงพยาบาล เตียง สถานพยาบาล บุคลากรทางการแพทย์', 'hospitals beds health facilities'],
  ['dengue', 'ผู้ป่วยโรคไข้เลือดออก', 'Dengue fever cases', 'ราย', 'cases', 'health', 'ไข้เลือดออก ผู้ป่วย โรคติดต่อ ยุงลาย', 'dengue cases communicable mosquito'],
  ['covid-vaccine', 'ผู้ได้รับวัคซีนป้องกันโรคโควิด 19', 'COVID-19 vaccinations', 'โดส', 'doses', 'health', 'วัคซีน โควิด 19 โรคติดเชื้อ การฉีดวัคซีน', 'vaccine COVID-19 vaccination doses'],
  ['ncd', 'ผู้ป่วยโรคเบาหวานและความดันโลหิตสูง', 'Diabetes and hypertension patients', 'ราย', 'cases', 'health', 'เบาหวาน ความดันโลหิตสูง ผู้ป่วย โรคไม่ติดต่อเรื้อรัง', 'diabetes hypertension chronic disease'],
  ['health-staff', 'บุคลากรทางการแพทย์และสาธารณสุข', 'Medical and public health personnel', 'คน', 'persons', 'health', 'แพทย์ พยาบาล บุคลากรทางการแพทย์ สาธารณสุข', 'doctors nurses health personnel'],
  ['road-accidents', 'สถิติอุบัติเหตุทางถนนบนทางหลวง', 'Road accidents on highways', 'ครั้ง', 'accidents', 'logistic', 'อุบัติเหตุ ทางหลวง ผู้เสียชีวิต ผู้บาดเจ็บ ความปลอดภัยทางถนน', 'road accidents highways fatalities injuries'],
  ['songkran-accidents', 'อุบัติเหตุช่วงเทศกาลสงกรานต์และปีใหม่', 'Accidents during the Songkran and New Year holidays', 'ครั้ง', 'accidents', 'logistic', 'อุบัติเหตุ เทศกาล สงกรานต์ ปีใหม่ เมาแล้วขับ', 'accidents holidays Songkran drink driving'],
  ['highway-traffic', 'ปริมาณการจราจรบนทางหลวงแผ่นดิน', 'Traffic volume on national highways', 'คันต่อวัน', 'vehicles per day', 'logistic', 'การจราจร ทางหลวง ปริมาณรถ กรมทางหลวง', 'traffic volume highways vehicles'],
  ['expressway', 'ปริมาณจราจรและรายได้ค่าผ่านทางพิเศษ', 'Expressway traffic and toll revenue', 'คัน', 'vehicles', 'logistic', 'ทางพิเศษ ทางด่วน ค่าผ่านทาง การจราจร', 'expressway toll traffic revenue'],
  ['vehicles', 'จำนวนรถจดทะเบียนใหม่และรถสะสม', 'New and cumulative vehicle registrations', 'คัน', 'vehicles', 'logistic', 'รถจดทะเบียน รถยนต์ รถจักรยานยนต์ ขนส่งทางบก', 'vehicle registration cars motorcycles'],
  ['bus-routes', 'เส้นทางเดินรถโดยสารประจำทางและป้ายรถเมล์', 'Bus routes and bus stops', 'เส้นทาง', 'routes', 'logistic', 'รถโดยสารประจำทาง รถเมล์ ป้ายรถเมล์ ขนส่งสาธารณะ', 'bus routes stops public transport'],
  ['rail-passengers', 'จำนวนผู้โดยสารรถไฟฟ้าและรถไฟ', 'Rail and metro passengers', 'เที่ยวคน', 'trips', 'logistic', 'รถไฟฟ้า รถไฟ ผู้โดยสาร ขนส่งมวลชน', 'metro rail passengers ridership'],
  ['airports', 'ผู้โดยสารและเที่ยวบินของท่าอากาศยาน', 'Airport passengers and flights', 'คน', 'persons', 'logistic', 'ท่าอากาศยาน สนามบิน ผู้โดยสาร เที่ยวบิน', 'airports passengers flights aviation'],
  ['rice-prices', 'ราคาข้าวเปลือกที่เกษตรกรขายได้', 'Farm-gate paddy prices', 'บาทต่อตัน', 'baht per tonne', 'agriculture', 'ข้าว ข้าวเปลือก ราคาสินค้าเกษตร ชาวนา', 'rice paddy prices farmers'],
  ['rice-output', 'ผลผลิตข้าวนาปีและนาปรัง', 'Main and second rice crop output', 'ตัน', 'tonnes', 'agriculture', 'ข้าว นาปี นาปรัง ผลผลิต พื้นที่เพาะปลูก', 'rice crop yield planted area'],
  ['rubber', 'ราคายางพาราแผ่นดิบและน้ำยางสด', 'Rubber sheet and latex prices', 'บาทต่อกิโลกรัม', 'baht per kg', 'agriculture', 'ยางพารา ราคายาง น้ำยางสด เกษตรกรชาวสวนยาง', 'rubber latex prices smallholders'],
  ['farm-prices', 'ราคาสินค้าเกษตรรายสัปดาห์', 'Weekly agricultural commodity prices', 'บาท', 'baht', 'agriculture', 'ราคาสินค้าเกษตร มันสำปะหลัง ข้าวโพด อ้อย ปาล์มน้ำมัน', 'commodity prices cassava maize sugarcane palm oil'],
  ['livestock', 'จำนวนปศุสัตว์และเกษตรกรผู้เลี้ยงสัตว์', 'Livestock and livestock farmers', 'ตัว', 'head', 'agriculture', 'ปศุสัตว์ โคเนื้อ สุกร ไก่ เกษตรกร', 'livestock cattle pigs poultry'],
  ['farmers', 'ทะเบียนเกษตรกรและพื้นที่ถือครองทางการเกษตร', 'Registered farmers and farm holdings', 'ครัวเรือน', 'households', 'agriculture', 'เกษตรกร ทะเบียนเกษตรกร พื้นที่เกษตร ครัวเรือนเกษตร', 'farmers registry farmland households'],
  ['labour-force', 'ภาวะการทำงานของประชากรและอัตราการว่างงาน', 'Labour force and unemployment rate', 'คน', 'persons', 'economy', 'แรงงาน ว่างงาน อัตราการว่างงาน ผู้มีงานทำ', 'labour force unemployment employment'],
  ['migrant-workers', 'จำนวนแรงงานต่างด้าวที่ได้รับอนุญาตทำงาน', 'Migrant workers with work permits', 'คน', 'persons', 'economy', 'แรงงานต่างด้าว ใบอนุญาตทำงาน แรงงาน การจ้างงาน', 'migrant workers work permits labour'],
  ['job-vacancies', 'ตำแหน่งงานว่างและผู้สมัครงาน', 'Job vacancies and job seekers', 'อัตรา', 'positions', 'economy', 'ตำแหน่งงานว่าง ผู้สมัครงาน การจัดหางาน แรงงาน', 'job vacancies seekers employment'],
  ['minimum-wage', 'อัตราค่าจ้างขั้นต่ำรายจังหวัด', 'Minimum wage by province', 'บาทต่อวัน', 'baht per day', 'economy', 'ค่าจ้างขั้นต่ำ ค่าแรง แรงงาน ลูกจ้าง', 'minimum wage labour employees'],
  ['schools', 'จำนวนโรงเรียน นักเรียน และครู', 'Schools, students and teachers', 'คน', 'persons', 'population', 'โรงเรียน นักเรียน ครู สถานศึกษา การศึกษา', 'schools students teachers education'],
  ['dropouts', 'จำนวนนักเรียนที่ออกกลางคัน', 'School dropouts', 'คน', 'persons', 'population', 'นักเรียน ออกกลางคัน การศึกษา เด็กนอกระบบ', 'students dropouts education'],
  ['onet', 'ผลการทดสอบทางการศึกษาระดับชาติขั้นพื้นฐาน O-NET', 'O-NET national test scores', 'คะแนน', 'points', 'population', 'O-NET คะแนนสอบ นักเรียน โรงเรียน การศึกษา', 'O-NET test scores students'],
  ['electricity', 'ปริมาณการใช้ไฟฟ้าจำแนกตามประเภทผู้ใช้', 'Electricity consumption by user type', 'กิโลวัตต์ชั่วโมง', 'kWh', 'energy', 'ไฟฟ้า การใช้ไฟฟ้า พลังงาน ผู้ใช้ไฟฟ้า', 'electricity consumption energy kWh'],
  ['renewables', 'กำลังการผลิตไฟฟ้าจากพลังงานทดแทน', 'Renewable power capacity', 'เมกะวัตต์', 'MW', 'energy', 'พลังงานทดแทน พลังงานแสงอาทิตย์ โซลาร์เซลล์ พลังงานลม', 'renewable solar wind capacity'],
  ['fuel-prices', 'ราคาขายปลีกน้ำมันเชื้อเพลิง', 'Retail fuel prices', 'บาทต่อลิตร', 'baht per litre', 'energy', 'น้ำมันเชื้อเพลิง ราคาน้ำมัน ดีเซล แก๊สโซฮอล์ พลังงาน', 'fuel prices diesel gasohol'],
  ['tap-water', 'ปริมาณการผลิตและจำหน่ายน้ำประปา', 'Tap water production and sales', 'ลูกบาศก์เมตร', 'm³', 'energy', 'น้ำประปา การประปา ผู้ใช้น้ำ ปริมาณน้ำ', 'tap water supply consumers'],
  ['gpp', 'ผลิตภัณฑ์มวลรวมจังหวัด', 'Gross provincial product', 'ล้านบาท', 'million baht', 'economy', 'ผลิตภัณฑ์มวลรวม เศรษฐกิจ รายได้ต่อหัว GDP', 'GDP gross provincial product economy'],
  ['cpi', 'ดัชนีราคาผู้บริโภคทั่วไป', 'Consumer price index', 'ดัชนี', 'index', 'economy', 'ดัชนีราคาผู้บริโภค เงินเฟ้อ ราคาสินค้า ค่าครองชีพ', 'consumer price index inflation'],
  ['exports', 'มูลค่าการส่งออกและนำเข้าสินค้า', 'Exports and imports of goods', 'ล้านบาท', 'million baht', 'economy', 'การส่งออก การนำเข้า การค้าระหว่างประเทศ ศุลกากร', 'exports imports trade customs'],
  ['factories', 'ทะเบียนโรงงานอุตสาหกรรม', 'Registered factories', 'แห่ง', 'factories', 'economy', 'โรงงานอุตสาหกรรม อุตสาหกรรม เงินลงทุน การจ้างงาน', 'factories industry investment'],
  ['community-products', 'ผลิตภัณฑ์ชุมชนหนึ่งตำบลหนึ่งผลิตภัณฑ์ OTOP', 'OTOP community products', 'ผลิตภัณฑ์', 'products', 'economy', 'OTOP ผลิตภัณฑ์ชุมชน วิสาหกิจชุมชน รายได้ชุมชน', 'OTOP community products enterprises'],
  ['crime', 'สถิติคดีอาญาที่รับแจ้งและจับกุม', 'Reported and solved criminal cases', 'คดี', 'cases', 'government', 'คดีอาญา อาชญากรรม ตำรวจ การจับกุม', 'crime cases police arrests'],
  ['complaints', 'เรื่องร้องเรียนผ่านศูนย์ดำรงธรรม', 'Complaints to the Damrongdhama centres', 'เรื่อง', 'complaints', 'government', 'เรื่องร้องเรียน ศูนย์ดำรงธรรม บริการประชาชน', 'complaints public service grievances'],
  ['cctv', 'ตำแหน่งกล้องวงจรปิด CCTV', 'CCTV camera locations', 'จุด', 'points', 'government', 'กล้องวงจรปิด CCTV ความปลอดภัย จุดเสี่ยง', 'CCTV cameras safety locations'],
  ['local-revenue', 'รายได้ขององค์กรปกครองส่วนท้องถิ่น', 'Local government revenue', 'บาท', 'baht', 'government', 'องค์กรปกครองส่วนท้องถิ่น รายได้ ภาษี เทศบาล', 'local government revenue taxes municipality']
]

const SUBJECTS_BULK: Subject[] = SUBJECT_ROWS.map(([slug, th, en, unit, unitEn, group, words, wordsEn]) =>
  ({ slug, th, en, unit, unitEn, group, words: words.split(' '), wordsEn: wordsEn.split(' ') }))

const BREAKDOWNS_TH = ['จำแนกตามจังหวัด', 'รายจังหวัด', 'รายเดือน', 'รายไตรมาส', 'รายปี', 'จำแนกตามเพศและกลุ่มอายุ', 'จำแนกตามประเภท', 'จำแนกตามอำเภอ', 'จำแนกตามภาค', 'รายสัปดาห์']
const BREAKDOWNS_EN = ['by province', 'monthly', 'quarterly', 'annual', 'by sex and age group', 'by type', 'by district', 'by region', 'weekly']
const REGIONS_TH = ['ภาคเหนือ', 'ภาคตะวันออกเฉียงเหนือ', 'ภาคกลาง', 'ภาคตะวันออก', 'ภาคใต้', 'กรุงเทพมหานครและปริมณฑล']
/** Words that run through Thai government data whatever its subject */
const COMMON_WORDS_TH = ['สถิติ', 'จำนวน', 'ข้อมูลเปิด', 'รายจังหวัด', 'รายเดือน', 'ปีงบประมาณ', 'ตัวชี้วัด', 'แนวโน้ม', 'การวางแผน', 'ประชาชน', 'พื้นที่', 'หน่วยงานภาครัฐ']

const SENTENCES_TH = [
  'ชุดข้อมูล{s} จัดทำโดย{o} เพื่อเผยแพร่เป็นข้อมูลเปิดภาครัฐตามนโยบายรัฐบาลดิจิทัล',
  'ข้อมูลครอบคลุมช่วงปี พ.ศ. {y0} ถึง {y} และปรับปรุงตามรอบการรายงานของหน่วยงาน',
  'หน่วยนับของข้อมูลคือ {u} ค่าที่ว่างหมายถึงยังไม่ได้รับรายงาน',
  'ข้อมูลรวบรวมจากรายงานของหน่วยงานในส่วนภูมิภาคทั้ง 76 จังหวัดและกรุงเทพมหานคร',
  'ผู้ใช้สามารถนำข้อมูลไปวิเคราะห์แนวโน้ม{k} เปรียบเทียบระหว่างจังหวัด และใช้ประกอบการวางแผนเชิงนโยบาย',
  'เนื้อหาของชุดข้อมูลเกี่ยวข้องกับ{k} {k2} และ{k3}',
  'สำหรับจังหวัด{p} มีการจัดเก็บข้อมูลเพิ่มเติมในระดับอำเภอและตำบล',
  'ตัวเลขเบื้องต้นของปี {y} อาจมีการปรับปรุงเมื่อได้รับรายงานฉบับสมบูรณ์',
  'ข้อมูลส่วนบุคคลถูกปกปิดตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562',
  'ข้อมูลเชิงพื้นที่อ้างอิงระบบพิกัด WGS 84 และรหัสเขตการปกครองของกรมการปกครอง',
  'สามารถเรียกใช้ข้อมูลผ่าน API ในรูปแบบ JSON หรือดาวน์โหลดเป็นไฟล์ CSV และ XLSX',
  'หากพบข้อผิดพลาดโปรดแจ้ง{o} ทางอีเมลที่ระบุไว้ในรายละเอียดชุดข้อมูล',
  'ข้อมูลใช้ประกอบการติดตามตัวชี้วัดตามยุทธศาสตร์ชาติ 20 ปี และแผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ',
  'การจัดเก็บข้อมูลเป็นไปตามมาตรฐานสถิติทางการของสำนักงานสถิติแห่งชาติ',
  'ค่าสถิติที่แสดงเป็นผลรวม{b} ไม่รวมข้อมูลที่อยู่ระหว่างการตรวจสอบ',
  'ในปี {y} {k}มีแนวโน้มเพิ่มขึ้นเมื่อเทียบกับปีก่อนหน้า โดยเฉพาะในพื้นที่{r}',
  'ในปีงบประมาณ {y} {k}ใน{r}ลดลงเล็กน้อย ขณะที่จังหวัด{p}ยังคงสูงกว่าค่าเฉลี่ยของประเทศ',
  'ข้อมูล{k}ของจังหวัด{p}รายงานเป็น{b} ตั้งแต่ปี {y0}',
  'ชุดข้อมูลนี้เป็นส่วนหนึ่งของบัญชีข้อมูลภาครัฐ (Government Data Catalog) ของ{o}',
  'ผู้ใช้ควรตรวจสอบวันที่ปรับปรุงล่าสุดก่อนนำข้อมูล{k}ไปใช้อ้างอิง',
  'ข้อมูลได้รับการตรวจสอบความถูกต้องโดยคณะทำงานธรรมาภิบาลข้อมูลของหน่วยงาน',
  'รายละเอียดคำอธิบายตัวแปรอยู่ในไฟล์พจนานุกรมข้อมูลที่แนบมากับชุดข้อมูล',
  'ข้อมูลสนับสนุนการตัดสินใจของผู้บริหารในการจัดสรรงบประมาณและทรัพยากรให้เหมาะสมกับพื้นที่',
  'สำนักงานในจังหวัด{p}เป็นผู้รวบรวมข้อมูล{k}จากหน่วยบริการในพื้นที่ทุกเดือน',
  'ตารางสรุป{s} {b} แสดงจำนวน{k2}และสัดส่วนต่อประชากรหนึ่งแสนคน'
]

const SENTENCES_EN = [
  'This dataset of {s} is published by the {o} as open government data.',
  'It covers the years {y0} to {y} and is updated on the agency\'s reporting cycle.',
  'Figures are in {u}; empty cells mean the report has not been received yet.',
  'The data are compiled from the reports of regional offices in all 76 provinces and Bangkok.',
  'Users can analyse trends in {k}, compare provinces and support policy planning.',
  'The dataset relates to {k}, {k2} and {k3}.',
  'For {p} Province the data are also collected at district and sub-district level.',
  'Preliminary figures for {y} may be revised when the final report is received.',
  'Personal data are masked under the Personal Data Protection Act B.E. 2562 (2019).',
  'Spatial data use the WGS 84 coordinate system and the Department of Provincial Administration\'s area codes.',
  'The data can be retrieved through the API as JSON or downloaded as CSV and XLSX files.',
  'Please report errors to the {o} at the e-mail address given in the dataset details.',
  'The data support the monitoring of indicators of the 20-year National Strategy.',
  'Collection follows the official statistics standards of the National Statistical Office.',
  'In {y} {k} increased compared with the previous year, especially in {r}.',
  'A data dictionary describing every column is attached to the dataset.',
  'Check the last-modified date before citing the {k} figures.',
  'The summary table shows {s} {b} and the rate per 100,000 population.'
]
const REGIONS_EN = ['the North', 'the Northeast', 'the Central region', 'the East', 'the South', 'Greater Bangkok']

/** Hand-picked tags people put on Thai government datasets, Thai and English */
const BASE_TAGS = [
  ...new Set([
    ...SUBJECTS_BULK.flatMap((s) => s.words), ...SUBJECTS_BULK.flatMap((s) => s.wordsEn.map((w) => w.toLowerCase())), ...COMMON_WORDS_TH,
    'open-data', 'opendata', 'GDC', 'ข้อมูลเปิดภาครัฐ', 'covid-19', 'PM2.5', 'SDGs', 'smart-city', 'เมืองอัจฉริยะ', 'ภูมิสารสนเทศ', 'GIS',
    'statistics', 'รายปี', 'รายไตรมาส', 'annual', 'monthly', 'quarterly', 'dashboard', 'API', 'real-time'
  ].filter((t) => t.length >= 2 && !tagErrors(t).length))
]

/** 2,000 tags: the base vocabulary, provinces, then topic-by-province and topic-by-year tags, as catalogs accumulate them */
export function bulkTags (): string[] {
  const tags = new Set<string>(BASE_TAGS)
  for (const [, en, th] of BULK_PROVINCES) { tags.add(th); tags.add(en.toLowerCase().replace(/ /g, '-')) }
  const topics = SUBJECTS_BULK.map((s) => s.words[0])
  const topicsEn = SUBJECTS_BULK.map((s) => s.wordsEn[0].toLowerCase())
  for (const [slug, , th] of BULK_PROVINCES) {
    for (let k = 0; k < topics.length && tags.size < 1500; k++) {
      tags.add(`${topics[k]}${th}`)
      if (k % 3 === 0) tags.add(`${topicsEn[k]}-${slug}`)
    }
  }
  for (let y = 2556; y <= 2568; y++) {
    for (const t of [...topics, ...topicsEn]) {
      if (tags.size < 2000) tags.add(`${t} ${/[a-z]/.test(t) ? y - 543 : y}`)
    }
  }
  return [...tags].slice(0, 2000)
}

const RES_FORMATS: readonly { format: string, ext: string, mimetype: string | null, weight: number }[] = [
  { format: 'CSV', ext: 'csv', mimetype: 'text/csv', weight: 30 },
  { format: 'XLSX', ext: 'xlsx', mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', weight: 18 },
  { format: 'PDF', ext: 'pdf', mimetype: 'application/pdf', weight: 14 },
  { format: 'JSON', ext: 'json', mimetype: 'application/json', weight: 10 },
  { format: 'API', ext: '', mimetype: null, weight: 8 },
  { format: 'XLS', ext: 'xls', mimetype: 'application/vnd.ms-excel', weight: 6 },
  { format: 'XML', ext: 'xml', mimetype: 'application/xml', weight: 4 },
  { format: 'SHP', ext: 'zip', mimetype: 'application/zip', weight: 4 },
  { format: 'GeoJSON', ext: 'geojson', mimetype: 'application/geo+json', weight: 3 },
  { format: 'KML', ext: 'kml', mimetype: null, weight: 1 },
  { format: 'DOCX', ext: 'docx', mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', weight: 1 },
  { format: 'ZIP', ext: 'zip', mimetype: 'application/zip', weight: 1 }
]

/** A sampler for `n` items where item k has weight 1/(k+1)^s: a few big organizations, subjects and tags, a long tail. */
function zipf (n: number, s: number) {
  const cum: number[] = []
  let total = 0
  for (let k = 0; k < n; k++) { total += 1 / (k + 1) ** s; cum.push(total) }
  return (u: number) => {
    const x = u * total
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid] < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Pick one of `xs` with probability proportional to its weight. */
function weighted<T extends { weight: number }> (xs: readonly T[]) {
  const total = xs.reduce((a, x) => a + x.weight, 0)
  return (u: number): T => {
    let x = u * total
    for (const item of xs) {
      x -= item.weight
      if (x < 0) return item
    }
    return xs[xs.length - 1]
  }
}

const CATALOG_START = Date.UTC(2020, 10, 27)
const CATALOG_END = Date.UTC(2025, 10, 27)

/** Fill a template: {k} {k2} {k3} draw from the subject's words */
function fill (t: string, v: Record<string, string>, words: () => string): string {
  return t.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'k' || k === 'k2' || k === 'k3') ? words() : (v[k] ?? ''))
}

/** Sentences until the text reaches `target` characters (cut at a sentence), never more than `max` */
function paragraph (first: string, pool: readonly string[], target: number, max: number, sep: string, render: (t: string) => string, pick: (xs: readonly string[]) => string): string {
  let text = first
  for (let guard = 0; text.length < target && guard < 200; guard++) {
    const next = render(pick(pool))
    if (text.length + sep.length + next.length > max) break
    text += sep + next
  }
  return text
}

/** Above this many datasets the command line uses the bulk mode unless told --no-bulk. */
export const BULK_THRESHOLD = 5000

export interface BulkDataset {
  pkg: Record<string, unknown>
  resources: Record<string, unknown>[]
  tags: string[]
  groups: string[]
}

const pickOrg = zipf(200, 0.9)
const pickSubject = zipf(SUBJECTS_BULK.length, 0.8)
const pickFormat = weighted(RES_FORMATS)

/** The rows of the i-th bulk dataset: even i are Thai, odd i English. ids are derived from the seed. */
export function bulkDataset (i: number, seed: number, orgs: readonly BulkOrg[], tags: readonly string[], pickTag: (u: number) => number): BulkDataset {
  const r = prng(seed * 1_000_003 + i + 7_777_777)
  const thai = i % 2 === 0
  const org = orgs[pickOrg(r.next())]
  const subject = SUBJECTS_BULK[pickSubject(r.next())]
  const province = BULK_PROVINCES[Math.floor(r.next() ** 1.5 * BULK_PROVINCES.length)]
  const year = r.int(2559, 2568)
  const y0 = year - r.int(1, 9)
  const regionTh = r.pick(REGIONS_TH)
  const regionEn = r.pick(REGIONS_EN)
  const id = randomUUIDFrom(r.next)

  let title: string
  let notes: string
  if (thai) {
    const b = r.pick(BREAKDOWNS_TH)
    const parts = [subject.th, r.next() < 0.6 ? b : '', r.next() < 0.45 ? `จังหวัด${province[2]}` : '', r.next() < 0.5 ? `ปีงบประมาณ ${year}` : `ปี ${year}`].filter(Boolean)
    while (parts.join(' ').length > 80 && parts.length > 1) parts.splice(parts.length - 2, 1)
    title = parts.join(' ').slice(0, 80)
    const words = [...subject.words, ...COMMON_WORDS_TH]
    const v = { s: subject.th, o: org.title, y: String(year), y0: String(y0), u: subject.unit, p: province[2], b, r: regionTh }
    const render = (t: string) => fill(t, v, () => r.pick(words))
    const target = Math.round(100 * 15 ** r.next())
    notes = paragraph(`${subject.th} ${b} ${render(r.pick(SENTENCES_TH))}`, SENTENCES_TH, target, 1500, ' ', render, r.pick)
  } else {
    const b = r.pick(BREAKDOWNS_EN)
    const parts = [subject.en, r.next() < 0.6 ? b : '', r.next() < 0.45 ? `${province[1]} Province` : '', r.next() < 0.5 ? `fiscal year ${year - 543}` : String(year - 543)].filter(Boolean)
    while (parts.join(' ').length > 80 && parts.length > 1) parts.splice(parts.length - 2, 1)
    title = parts.join(', ').slice(0, 80)
    const v = { s: subject.en.toLowerCase(), o: org.title, y: String(year - 543), y0: String(y0 - 543), u: subject.unitEn, p: province[1], b, r: regionEn }
    const render = (t: string) => fill(t, v, () => r.pick(subject.wordsEn))
    const target = Math.round(100 * 15 ** r.next())
    notes = paragraph(`${subject.en}, ${b}. ${render(r.pick(SENTENCES_EN))}`, SENTENCES_EN, target, 1500, ' ', render, r.pick)
  }
  if (title.length < 20) title = `${title} ${thai ? `ปี ${year}` : year - 543}`
  if (notes.length < 100) notes += thai ? ' ข้อมูลเปิดภาครัฐ เผยแพร่เพื่อให้ประชาชนและหน่วยงานนำไปใช้ประโยชน์ได้อย่างเสรี' : ' Open government data, free for anyone to use and share.'

  const created = CATALOG_START + Math.floor(r.next() * (CATALOG_END - CATALOG_START))
  const modified = r.next() < 0.4 ? created : created + Math.floor(r.next() ** 2 * (CATALOG_END - created))
  const name = `${org.name}-${subject.slug}-${String(i).padStart(6, '0')}`

  // tags: the subject's own words, sometimes its province, and the long tail
  const tagSet = new Set<string>()
  const own = thai ? subject.words : subject.wordsEn.map((w) => w.toLowerCase())
  for (const w of r.some(own, 1, 3)) if (!tagErrors(w).length && w.length >= 2) tagSet.add(w)
  if (r.next() < 0.3) tagSet.add(thai ? province[2] : province[1].toLowerCase().replace(/ /g, '-'))
  for (let n = r.int(0, 4); n > 0; n--) tagSet.add(tags[pickTag(r.next())])

  const dataType = r.pick(DATA_TYPES)
  const isStat = dataType === STAT
  const gdcErrors: Record<string, string[]> = {}
  const gdc = extractGdc(gdcFields(r, {
    dataType,
    source: org.title,
    language: thai ? 'ไทย' : 'อังกฤษ',
    dates: () => [new Date(created).toISOString().slice(0, 10), new Date(modified).toISOString().slice(0, 10)],
    years: [y0, year],
    unit: subject.unit
  }), GDC_DATASET_FIELDS, false, gdcErrors)
  if (Object.keys(gdcErrors).length) throw new Error(`generated GDC fields are invalid: ${JSON.stringify(gdcErrors)}`)

  const resources = Array.from({ length: r.int(1, 8) }, (_, k) => {
    const { format, ext, mimetype } = pickFormat(r.next())
    const ry = year - k
    const rid = randomUUIDFrom(r.next)
    const rname = thai ? `${subject.th} ปี ${ry}` : `${subject.en} ${ry - 543}`
    return {
      id: rid,
      package_id: id,
      position: k,
      url: ext ? `https://data.go.th/dataset/${name}/resource/${rid}/download/${subject.slug}_${ry}.${ext}` : `https://api.example.go.th/${org.name}/v1/${subject.slug}?year=${ry}`,
      name: rname,
      description: r.next() < 0.6 ? (thai ? `ข้อมูล${subject.th} พ.ศ. ${ry} ${r.pick(SENTENCES_TH).replace(/\{\w+\}/g, '')}` : `${subject.en}, ${ry - 543}.`) : '',
      format,
      hash: '',
      mimetype,
      mimetype_inner: null,
      size: ext ? r.int(2_000, 50_000_000) : null,
      resource_type: null,
      url_type: null,
      cache_url: null,
      cache_last_updated: null,
      created: new Date(created).toISOString(),
      last_modified: null,
      metadata_modified: new Date(modified).toISOString(),
      state: 'active',
      datastore_active: false,
      extras: isStat
        ? { resource_first_year_of_data: String(ry), resource_last_year_of_data: String(ry), resource_unit_of_measure: subject.unit, resource_unit_of_multiplier: 'หน่วย' }
        : {}
    }
  })

  return {
    pkg: {
      id,
      name,
      title,
      notes,
      author: null,
      author_email: null,
      maintainer: thai ? `ฝ่ายเทคโนโลยีสารสนเทศ ${org.title}` : `IT division, ${org.title}`,
      maintainer_email: `opendata-${org.name}@example.go.th`,
      license_id: r.pick(LICENSES),
      url: null,
      version: r.next() < 0.3 ? `${year}.${r.int(1, 4)}` : null,
      type: 'dataset',
      owner_org: null, // set by the caller, which knows the organizations' ids
      private: r.next() < 0.03,
      state: 'active',
      creator_user_id: null,
      metadata_created: new Date(created).toISOString(),
      metadata_modified: new Date(modified).toISOString(),
      extras: {},
      gdc,
      plugin_data: null,
      dict: '',
      _org: org.name
    },
    resources,
    tags: [...tagSet],
    groups: [...new Set([subject.group, ...(r.next() < 0.2 ? [r.pick(GROUPS)] : [])])]
  }
}

export interface BulkOptions {
  datasets: number
  seed?: number
  /** datasets per transaction */
  batch?: number
  onProgress?: (phase: 'insert' | 'index', done: number, total: number) => void
}

export interface BulkResult extends GenerateResult {
  insertMs: number
  indexMs: number
}

/**
 * Fill a migrated database with `datasets` bulk datasets straight into the
 * tables, then build their dicts and the search index. Datasets already
 * present (by name) are skipped; the index is rebuilt only when something
 * was written or it is incomplete.
 */
export async function generateBulk (db: Kysely<Database>, config: Config, opts: BulkOptions): Promise<BulkResult> {
  const started = performance.now()
  const seed = opts.seed ?? 1
  const batch = opts.batch ?? 1000
  // a catalog this size is already there, indexed: nothing to do (a re-run of the benchmark on a kept database)
  const count = async (table: 'packages' | 'search_index') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
  const present = await count('packages')
  if (present >= opts.datasets && await count('search_index') === present) {
    return { created: 0, skipped: present, resources: 0, ms: Math.round(performance.now() - started), insertMs: 0, indexMs: 0 }
  }
  const log = pino({ level: 'warn' }, pino.destination(2))
  const u = (await findUser(db, BENCH_USER)) ?? await insertUser(db, { name: BENCH_USER, fullname: 'opend benchmark loader', sysadmin: true })
  const ctx: ActionContext = { db, user: { id: u.id, name: u.name, sysadmin: true, tokenId: null }, config, log }

  // 200 organizations and the demo groups through the actions: few, and they set up memberships
  const orgs = bulkOrganizations()
  const existingGroups = new Set((await db.selectFrom('groups').select('name').execute()).map((g) => g.name))
  for (const o of orgs) if (!existingGroups.has(o.name)) await runAction('organization_create', { ...o }, ctx)
  for (const g of DEMO_GROUPS) if (!existingGroups.has(g.name)) await runAction('group_create', { ...g }, ctx)
  const groupIds = new Map((await db.selectFrom('groups').select(['id', 'name']).execute()).map((g) => [g.name, g.id]))

  const tags = bulkTags()
  await sql`INSERT INTO tags (id, name, vocabulary_id) SELECT gen_random_uuid()::text, t, NULL FROM unnest(${tags}::text[]) t ON CONFLICT (name) DO NOTHING`.execute(db)
  const tagIds = new Map((await db.selectFrom('tags').select(['id', 'name']).execute()).map((t) => [t.name, t.id]))
  const pickTag = zipf(tags.length, 1)

  const existing = new Set((await db.selectFrom('packages').select('name').execute()).map((p) => p.name))
  let created = 0
  let skipped = 0
  let resources = 0
  const insertStarted = performance.now()
  for (let from = 0; from < opts.datasets; from += batch) {
    const pkgs: Record<string, unknown>[] = []
    const res: Record<string, unknown>[] = []
    const ptags: { package_id: string, tag_id: string }[] = []
    const pgroups: { package_id: string, group_id: string }[] = []
    for (let i = from; i < Math.min(from + batch, opts.datasets); i++) {
      const d = bulkDataset(i, seed, orgs, tags, pickTag)
      if (existing.has(d.pkg.name as string)) { skipped++; continue }
      const { _org: orgName, ...pkg } = d.pkg
      pkgs.push({ ...pkg, owner_org: groupIds.get(orgName as string), creator_user_id: u.id })
      res.push(...d.resources)
      for (const t of d.tags) ptags.push({ package_id: pkg.id as string, tag_id: tagIds.get(t)! })
      for (const g of d.groups) pgroups.push({ package_id: pkg.id as string, group_id: groupIds.get(g)! })
    }
    if (pkgs.length) {
      await db.transaction().execute(async (trx) => {
        await sql`INSERT INTO packages SELECT * FROM jsonb_populate_recordset(NULL::packages, ${JSON.stringify(pkgs)}::jsonb)`.execute(trx)
        await sql`INSERT INTO resources SELECT * FROM jsonb_populate_recordset(NULL::resources, ${JSON.stringify(res)}::jsonb)`.execute(trx)
        await sql`INSERT INTO package_tags SELECT * FROM jsonb_populate_recordset(NULL::package_tags, ${JSON.stringify(ptags)}::jsonb)`.execute(trx)
        if (pgroups.length) await sql`INSERT INTO package_groups SELECT * FROM jsonb_populate_recordset(NULL::package_groups, ${JSON.stringify(pgroups)}::jsonb)`.execute(trx)
      })
    }
    created += pkgs.length
    resources += res.length
    opts.onProgress?.('insert', Math.min(from + batch, opts.datasets), opts.datasets)
  }
  const insertMs = Math.round(performance.now() - insertStarted)

  // the dicts and the index: reindex() is what `opend reindex` runs, plus the dicts
  const indexStarted = performance.now()
  if (created > 0 || await count('search_index') < await count('packages')) {
    await reindex(db, { materialize: { siteUrl: config.siteUrl }, onProgress: (d, t) => opts.onProgress?.('index', d, t) })
  }
  const indexMs = Math.round(performance.now() - indexStarted)
  return { created, skipped, resources, ms: Math.round(performance.now() - started), insertMs, indexMs }
}

async function main () {
  const { values } = parseArgs({
    options: {
      datasets: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '6' },
      bulk: { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false }
    },
    allowNegative: true
  })
  if (values.help) {
    process.stdout.write('usage: npx tsx bench/generate.ts [--datasets N] [--seed S] [--concurrency C] [--bulk | --no-bulk]\n' +
      '  writes into DATABASE_URL (or the embedded PGlite in OPEND_DATA_DIR when unset)\n' +
      '  --bulk (the default above 5000 datasets) writes the tables straight, then builds the dicts and the search index\n')
    return
  }
  const datasets = Number(values.datasets)
  if (!Number.isInteger(datasets) || datasets < 1) throw new Error(`--datasets must be a positive integer (got ${values.datasets})`)
  const bulk = values.bulk ?? datasets > BULK_THRESHOLD
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: Number(values.concurrency) + 2 })
  try {
    await migrateToLatest(db.kysely)
    if (bulk) {
      const r = await generateBulk(db.kysely, config, {
        datasets,
        seed: Number(values.seed),
        onProgress: (phase, n, t) => process.stderr.write(`  ${phase === 'insert' ? 'inserted' : 'indexed'} ${n}/${t}\r`)
      })
      process.stderr.write('\n')
      process.stdout.write(`generated ${r.created} datasets (${r.resources} resources), ${r.skipped} already present, in ${(r.ms / 1000).toFixed(1)} s ` +
        `(rows ${(r.insertMs / 1000).toFixed(1)} s, dicts and search index ${(r.indexMs / 1000).toFixed(1)} s)\n`)
    } else {
      const r = await generate(db.kysely, config, {
        datasets,
        seed: Number(values.seed),
        concurrency: Number(values.concurrency),
        onProgress: (n, t) => process.stderr.write(`  ${n}/${t}\r`)
      })
      process.stdout.write(`generated ${r.created} datasets (${r.resources} resources), ${r.skipped} already present, in ${(r.ms / 1000).toFixed(1)} s\n`)
    }
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
