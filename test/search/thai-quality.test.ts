/**
 * Thai search quality: a small catalog of real-looking Thai government
 * datasets and the queries a Thai user types into data.go.th — single words,
 * words inside compounds, unspaced two-word queries, mixed Thai/English and
 * English only. Each query's relevant datasets were judged from the
 * datasets' text and meaning before the results were looked at, including
 * datasets a purely lexical search cannot reach (they count as misses).
 *
 * The measure is recall@5: relevant datasets in the top five, over
 * min(5, relevant), averaged over the queries (issue #3 asks for ≥ 0.9).
 */
import t from 'tap'
import { build, ok, type TestApp } from '../helper.js'

const ORGS: Record<string, string> = {
  pcd: 'กรมควบคุมมลพิษ',
  nso: 'สำนักงานสถิติแห่งชาติ',
  nesdc: 'สำนักงานสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ',
  tat: 'การท่องเที่ยวแห่งประเทศไทย',
  dlt: 'กรมการขนส่งทางบก',
  exat: 'การทางพิเศษแห่งประเทศไทย',
  ddc: 'กรมควบคุมโรค',
  tmd: 'กรมอุตุนิยมวิทยา',
  bma: 'กรุงเทพมหานคร',
  oae: 'สำนักงานเศรษฐกิจการเกษตร',
  rid: 'กรมชลประทาน'
}

/** [name, organization, title, notes, tags] */
type Row = [string, string, string, string, string[]]
const DATASETS: Row[] = [
  ['pcd-pm25-hourly', 'pcd', 'ค่าฝุ่นละออง PM2.5 รายชั่วโมง',
    'ข้อมูลความเข้มข้นของฝุ่นละอองขนาดไม่เกิน 2.5 ไมครอน จากสถานีตรวจวัดคุณภาพอากาศทั่วประเทศ', ['PM2.5', 'ฝุ่นละออง', 'คุณภาพอากาศ']],
  ['pcd-aqi-bangkok', 'pcd', 'ดัชนีคุณภาพอากาศ กรุงเทพมหานคร', 'ค่า AQI รายวันของสถานีตรวจวัดในเขตกรุงเทพมหานครและปริมณฑล', ['AQI', 'คุณภาพอากาศ']],
  ['pcd-river-water-quality', 'pcd', 'คุณภาพน้ำแม่น้ำสายหลัก',
    'ผลการตรวจวัดคุณภาพน้ำผิวดินในแม่น้ำสายหลัก 65 สาย ได้แก่ ออกซิเจนละลายน้ำ (DO) และแบคทีเรียกลุ่มโคลิฟอร์ม', ['คุณภาพน้ำ', 'แม่น้ำ']],
  ['pcd-solid-waste', 'pcd', 'ปริมาณขยะมูลฝอยชุมชน รายจังหวัด', 'ปริมาณขยะมูลฝอยที่เกิดขึ้น การนำกลับมาใช้ประโยชน์ และการกำจัดอย่างถูกต้อง', ['ขยะ', 'ขยะมูลฝอย']],
  ['pcd-noise', 'pcd', 'ระดับเสียงในเขตเมือง', 'ผลการตรวจวัดระดับเสียงเฉลี่ย 24 ชั่วโมง ริมถนนในกรุงเทพมหานคร', ['มลพิษทางเสียง']],
  ['nso-labour-force', 'nso', 'การสำรวจภาวะการทำงานของประชากร',
    'จำนวนผู้มีงานทำ ผู้ว่างงาน และอัตราการว่างงาน รายไตรมาส (Labour Force Survey)', ['แรงงาน', 'การว่างงาน']],
  ['nso-population', 'nso', 'จำนวนประชากรจากการทะเบียน รายจังหวัด', 'จำนวนประชากรจำแนกตามเพศและกลุ่มอายุ', ['ประชากร']],
  ['nso-household-income', 'nso', 'รายได้และรายจ่ายของครัวเรือน',
    'ผลการสำรวจภาวะเศรษฐกิจและสังคมของครัวเรือน รายได้เฉลี่ยต่อเดือนต่อครัวเรือน หนี้สินครัวเรือน', ['รายได้', 'ครัวเรือน', 'หนี้สิน']],
  ['nso-cpi', 'nso', 'ดัชนีราคาผู้บริโภค', 'ดัชนีราคาผู้บริโภคทั่วไป (CPI) และอัตราเงินเฟ้อ รายเดือน', ['เงินเฟ้อ', 'CPI']],
  ['nso-ict-household', 'nso', 'การมีการใช้เทคโนโลยีสารสนเทศและการสื่อสารในครัวเรือน',
    'ผู้ใช้อินเทอร์เน็ต โทรศัพท์มือถือ และคอมพิวเตอร์ จำแนกตามภาค', ['อินเทอร์เน็ต', 'ICT']],
  ['nso-elderly', 'nso', 'สถานการณ์ผู้สูงอายุไทย', 'ข้อมูลจากการสำรวจประชากรสูงอายุในประเทศไทย', ['ผู้สูงอายุ']],
  ['nesdc-gpp', 'nesdc', 'ผลิตภัณฑ์มวลรวมจังหวัด', 'ผลิตภัณฑ์มวลรวมจังหวัด (Gross Provincial Product) และรายได้ต่อหัว ณ ราคาประจำปี', ['GPP', 'เศรษฐกิจ']],
  ['tat-domestic-tourism', 'tat', 'สถิติการท่องเที่ยวภายในประเทศ',
    'จำนวนผู้เยี่ยมเยือน นักท่องเที่ยว และรายได้จากการท่องเที่ยว จำแนกรายจังหวัด', ['ท่องเที่ยว', 'นักท่องเที่ยว']],
  ['tat-foreign-arrivals', 'tat', 'จำนวนนักท่องเที่ยวชาวต่างชาติเดินทางเข้าประเทศไทย',
    'International tourist arrivals to Thailand by nationality, monthly', ['นักท่องเที่ยวต่างชาติ', 'tourism']],
  ['tat-attractions', 'tat', 'ข้อมูลแหล่งท่องเที่ยว', 'ชื่อ ที่ตั้ง และพิกัดของแหล่งท่องเที่ยวทางธรรมชาติและวัฒนธรรมทั่วประเทศ', ['แหล่งท่องเที่ยว']],
  ['tat-hotels', 'tat', 'อัตราการเข้าพักโรงแรม', 'อัตราการเข้าพักของสถานพักแรมรายเดือน จำแนกตามภูมิภาค (hotel occupancy rate)', ['โรงแรม', 'ที่พัก']],
  ['tat-events', 'tat', 'ปฏิทินงานเทศกาลประเพณี', 'กิจกรรมและเทศกาลท่องเที่ยวตลอดปี เช่น สงกรานต์ ลอยกระทง', ['เทศกาล', 'ประเพณี']],
  ['dlt-new-registrations', 'dlt', 'สถิติรถจดทะเบียนใหม่',
    'จำนวนรถที่จดทะเบียนใหม่ตามกฎหมายว่าด้วยรถยนต์และรถจักรยานยนต์ รายเดือน', ['รถยนต์', 'จดทะเบียน']],
  ['dlt-accumulated-vehicles', 'dlt', 'จำนวนรถจดทะเบียนสะสม', 'จำนวนรถจดทะเบียนสะสม ณ วันที่ 31 ธันวาคม จำแนกตามประเภทรถและจังหวัด', ['รถยนต์']],
  ['dlt-driving-licence', 'dlt', 'สถิติใบอนุญาตขับรถ', 'จำนวนใบอนุญาตขับรถที่ออกใหม่และต่ออายุ (driving licences issued)', ['ใบขับขี่', 'ใบอนุญาตขับรถ']],
  ['dlt-ev', 'dlt', 'รถยนต์ไฟฟ้าจดทะเบียนใหม่', 'จำนวนรถยนต์ไฟฟ้า (EV) และรถไฮบริดที่จดทะเบียนใหม่ รายเดือน', ['EV', 'รถยนต์ไฟฟ้า']],
  ['dlt-bus-routes', 'dlt', 'เส้นทางรถโดยสารประจำทาง', 'เส้นทางเดินรถโดยสารสาธารณะระหว่างจังหวัด และจุดจอดรถ (bus routes)', ['รถโดยสาร', 'ขนส่งสาธารณะ']],
  ['exat-traffic', 'exat', 'ปริมาณจราจรบนทางพิเศษ', 'ปริมาณรถที่ผ่านด่านเก็บค่าผ่านทางพิเศษ รายวัน', ['ทางด่วน', 'จราจร']],
  ['exat-accidents', 'exat', 'อุบัติเหตุบนทางพิเศษ', 'จำนวนอุบัติเหตุ ผู้บาดเจ็บ และผู้เสียชีวิตบนทางพิเศษ จำแนกตามสายทาง', ['อุบัติเหตุ', 'ทางด่วน']],
  ['ddc-dengue', 'ddc', 'สถานการณ์โรคไข้เลือดออก',
    'จำนวนผู้ป่วยและผู้เสียชีวิตด้วยโรคไข้เลือดออก รายสัปดาห์ จำแนกรายจังหวัด (dengue fever)', ['ไข้เลือดออก', 'โรคติดต่อ']],
  ['ddc-covid', 'ddc', 'ผู้ติดเชื้อโควิด 19 รายวัน', 'จำนวนผู้ติดเชื้อ COVID-19 รายใหม่ ผู้รักษาหาย และผู้เสียชีวิต', ['COVID-19', 'โควิด']],
  ['ddc-road-injuries', 'ddc', 'การบาดเจ็บและเสียชีวิตจากอุบัติเหตุทางถนน',
    'ข้อมูลการบาดเจ็บและเสียชีวิตจากอุบัติเหตุทางถนน ช่วงเทศกาลปีใหม่และสงกรานต์', ['อุบัติเหตุ', 'ความปลอดภัยทางถนน']],
  ['tmd-rainfall', 'tmd', 'ปริมาณน้ำฝนรายวัน', 'ปริมาณน้ำฝนสะสม 24 ชั่วโมง จากสถานีตรวจอากาศทั่วประเทศ (daily rainfall)', ['ฝน', 'อุตุนิยมวิทยา']],
  ['tmd-temperature', 'tmd', 'อุณหภูมิสูงสุดและต่ำสุดรายวัน', 'อุณหภูมิอากาศจากสถานีตรวจอากาศ 122 สถานี', ['อุณหภูมิ', 'สภาพอากาศ']],
  ['tmd-forecast', 'tmd', 'พยากรณ์อากาศ 7 วันล่วงหน้า', 'พยากรณ์อากาศรายจังหวัด ปริมาณฝน อุณหภูมิ และความเร็วลม', ['พยากรณ์อากาศ']],
  ['bma-flood-points', 'bma', 'จุดเสี่ยงน้ำท่วมในกรุงเทพมหานคร', 'ตำแหน่งจุดอ่อนน้ำท่วมและจุดเฝ้าระวังน้ำท่วมขังในพื้นที่ 50 เขต', ['น้ำท่วม', 'กรุงเทพมหานคร']],
  ['bma-cctv', 'bma', 'ตำแหน่งกล้องโทรทัศน์วงจรปิด', 'ตำแหน่งกล้อง CCTV ของกรุงเทพมหานคร จำแนกตามเขต', ['CCTV', 'ความปลอดภัย']],
  ['bma-parks', 'bma', 'สวนสาธารณะในกรุงเทพมหานคร', 'รายชื่อ ที่ตั้ง และขนาดพื้นที่ของสวนสาธารณะ', ['สวนสาธารณะ', 'พื้นที่สีเขียว']],
  ['bma-budget', 'bma', 'งบประมาณรายจ่ายประจำปีของกรุงเทพมหานคร',
    'ข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณ จำแนกตามหน่วยงานและแผนงาน', ['งบประมาณ']],
  ['bma-pm25-sensors', 'bma', 'ค่าฝุ่น PM2.5 จากเซนเซอร์ของกรุงเทพมหานคร',
    'ข้อมูลฝุ่นละอองจากเครื่องวัดขนาดเล็กที่ติดตั้งในโรงเรียนและสำนักงานเขต', ['PM2.5', 'ฝุ่น']],
  ['bma-traffic-index', 'bma', 'Bangkok traffic congestion index', 'Average travel speed on major roads in Bangkok, by hour', ['traffic', 'bangkok']],
  ['oae-rice-production', 'oae', 'ผลผลิตข้าวนาปี รายจังหวัด', 'เนื้อที่เพาะปลูก ผลผลิต และผลผลิตต่อไร่ของข้าวนาปี (rice production)', ['ข้าว', 'เกษตร']],
  ['oae-farm-prices', 'oae', 'ราคาสินค้าเกษตรที่เกษตรกรขายได้',
    'ราคาข้าวเปลือก ยางพารา มันสำปะหลัง และอ้อย ที่เกษตรกรขายได้ ณ ไร่นา รายเดือน', ['ราคาสินค้าเกษตร', 'ยางพารา']],
  ['oae-durian-export', 'oae', 'ปริมาณและมูลค่าการส่งออกทุเรียน',
    'การส่งออกทุเรียนสดและทุเรียนแช่แข็ง จำแนกตามประเทศปลายทาง (durian exports)', ['ทุเรียน', 'ส่งออก']],
  ['rid-reservoirs', 'rid', 'ปริมาณน้ำในอ่างเก็บน้ำขนาดใหญ่',
    'ปริมาตรน้ำกักเก็บและน้ำใช้การได้ของเขื่อนและอ่างเก็บน้ำขนาดใหญ่ทั่วประเทศ รายวัน', ['เขื่อน', 'อ่างเก็บน้ำ']],
  ['rid-irrigation-area', 'rid', 'พื้นที่ชลประทาน', 'พื้นที่ชลประทานจำแนกตามโครงการและจังหวัด', ['ชลประทาน']],
  ['rid-drought', 'rid', 'พื้นที่ประสบภัยแล้ง', 'หมู่บ้านและพื้นที่การเกษตรที่ประสบภัยแล้ง จำแนกรายอำเภอ (drought)', ['ภัยแล้ง']]
]

/**
 * Query → relevant datasets, judged from the text and what the user is
 * after. Some relevant datasets share no word with the query (EV
 * registrations for รถจดทะเบียน, expressway accidents for อุบัติเหตุทางถนน).
 */
const QUERIES: Array<[query: string, relevant: string[], kind: string]> = [
  ['ท่องเที่ยว', ['tat-domestic-tourism', 'tat-foreign-arrivals', 'tat-attractions', 'tat-events'], 'a word inside compounds'],
  ['นักท่องเที่ยว', ['tat-domestic-tourism', 'tat-foreign-arrivals'], 'a compound inside a longer one'],
  ['คุณภาพอากาศ', ['pcd-pm25-hourly', 'pcd-aqi-bangkok', 'bma-pm25-sensors'], 'a compound'],
  ['ฝุ่น', ['pcd-pm25-hourly', 'bma-pm25-sensors'], 'a word inside ฝุ่นละออง'],
  ['ฝุ่นละออง', ['pcd-pm25-hourly', 'bma-pm25-sensors'], 'a compound'],
  ['ว่างงาน', ['nso-labour-force'], 'inside อัตราการว่างงาน'],
  ['ขยะ', ['pcd-solid-waste'], 'a word inside ขยะมูลฝอย'],
  ['น้ำท่วม', ['bma-flood-points'], 'a word'],
  ['ไข้เลือดออก', ['ddc-dengue'], 'a word'],
  ['โควิด', ['ddc-covid'], 'a word'],
  ['อุบัติเหตุ', ['exat-accidents', 'ddc-road-injuries'], 'a word'],
  ['อุบัติเหตุทางถนน', ['ddc-road-injuries', 'exat-accidents'], 'an unspaced phrase'],
  ['ทางด่วน', ['exat-traffic', 'exat-accidents'], 'a tag'],
  ['ทางพิเศษ', ['exat-traffic', 'exat-accidents'], 'a word inside titles'],
  ['รถจดทะเบียน', ['dlt-new-registrations', 'dlt-accumulated-vehicles', 'dlt-ev'], 'an unspaced phrase'],
  ['รถยนต์ไฟฟ้า', ['dlt-ev'], 'a compound'],
  ['ใบขับขี่', ['dlt-driving-licence'], 'the everyday word for ใบอนุญาตขับรถ'],
  ['ยางพารา', ['oae-farm-prices'], 'a word in the notes'],
  ['ข้าว', ['oae-rice-production', 'oae-farm-prices'], 'a word inside ข้าวนาปี and ข้าวเปลือก'],
  ['ทุเรียน', ['oae-durian-export'], 'a word'],
  ['เขื่อน', ['rid-reservoirs'], 'a word'],
  ['ภัยแล้ง', ['rid-drought'], 'a word'],
  ['ฝน', ['tmd-rainfall', 'tmd-forecast'], 'a one-syllable word inside น้ำฝน'],
  ['พยากรณ์อากาศ', ['tmd-forecast'], 'a compound'],
  ['งบประมาณ', ['bma-budget'], 'a word'],
  ['สวนสาธารณะ', ['bma-parks'], 'a compound'],
  ['ผู้สูงอายุ', ['nso-elderly'], 'a compound'],
  ['เงินเฟ้อ', ['nso-cpi'], 'a word'],
  ['อินเทอร์เน็ต', ['nso-ict-household'], 'a transliteration'],
  ['รายได้ครัวเรือน', ['nso-household-income'], 'an unspaced phrase whose words are apart in the title'],
  ['คุณภาพน้ำ แม่น้ำ', ['pcd-river-water-quality'], 'two words'],
  ['ฝุ่น กรุงเทพ', ['bma-pm25-sensors'], 'two words, one a prefix of กรุงเทพมหานคร'],
  ['PM2.5 กรุงเทพ', ['bma-pm25-sensors'], 'mixed Thai and English'],
  ['CCTV กรุงเทพ', ['bma-cctv'], 'mixed Thai and English'],
  ['ค่า AQI', ['pcd-aqi-bangkok'], 'mixed Thai and English'],
  ['EV', ['dlt-ev'], 'English only'],
  ['covid', ['ddc-covid'], 'English, lower case'],
  ['tourist arrivals', ['tat-foreign-arrivals'], 'English only'],
  ['rainfall', ['tmd-rainfall'], 'English only'],
  ['hotel occupancy', ['tat-hotels'], 'English only'],
  ['Labour Force Survey', ['nso-labour-force'], 'English only'],
  ['traffic', ['bma-traffic-index', 'exat-traffic'], 'English, one relevant dataset Thai only']
]

async function catalog (app: TestApp): Promise<void> {
  for (const [name, title] of Object.entries(ORGS)) ok(await app.call('organization_create', { name, title }))
  for (const [name, org, title, notes, tags] of DATASETS) {
    ok(await app.call('package_create', {
      name,
      title,
      notes,
      owner_org: org,
      tags: tags.map((tag) => ({ name: tag })),
      resources: [{ name: title, url: `https://data.example.go.th/${name}.csv`, format: 'CSV' }]
    }))
  }
}

t.test('recall@5 over realistic Thai queries', async (t) => {
  const app = await build(t)
  await catalog(app)
  const known = new Set(DATASETS.map((d) => d[0]))
  for (const [, relevant] of QUERIES) for (const r of relevant) t.ok(known.has(r), `${r} is in the catalog`)
  t.ok(DATASETS.length >= 30 && QUERIES.length >= 25, `${DATASETS.length} datasets, ${QUERIES.length} queries`)

  let total = 0
  const misses: string[] = []
  for (const [query, relevant, kind] of QUERIES) {
    const r = ok(await app.app.inject({ method: 'GET', url: `/api/3/action/package_search?${new URLSearchParams({ q: query, rows: '5' }).toString()}` }))
    const top: string[] = r.results.map((p: any) => p.name)
    const found = relevant.filter((n) => top.includes(n))
    const recall = found.length / Math.min(5, relevant.length)
    total += recall
    if (recall < 1) {
      misses.push(`${query} (${kind}): recall ${recall.toFixed(2)}, missing ${relevant.filter((n) => !top.includes(n)).join(', ')}; top 5: ${top.join(', ') || 'nothing'}`)
    }
  }
  const mean = total / QUERIES.length
  t.comment(`recall@5 = ${mean.toFixed(3)} over ${QUERIES.length} queries`)
  for (const m of misses) t.comment(`miss: ${m}`)
  t.ok(mean >= 0.9, `recall@5 ${mean.toFixed(3)} ≥ 0.9`)
})
