// Source: Thai GDC 2.2.4 ckanext/thai_gdc/ckan_dataset.json (opalthailand/thai-gdc-opal), transcribed via shared/reference/data-go-th.md §6.1/§6.3.

/** How a GDC field's value is stored. `multi` = JSON array of strings; `bool-string` = "True"/"False"; `date` = YYYY-MM-DD; `year` = 4-digit Buddhist-era year string. */
export type GdcFieldKind = 'text' | 'choice' | 'multi' | 'date' | 'year' | 'bool-string'

/** `form_data_type` codes: which `data_type` values a field applies to. */
export type GdcDataTypeCode = 'REC' | 'STAT' | 'GEO' | 'MULTI' | 'OTHER'

export interface GdcField {
  name: string
  labelTh: string | null
  labelEn: string | null
  kind: GdcFieldKind
  /** Stored values in schema order (not display labels). */
  choices?: readonly string[]
  required: boolean
  appliesTo: readonly GdcDataTypeCode[]
}

const ALL: readonly GdcDataTypeCode[] = ['REC', 'STAT', 'GEO', 'MULTI', 'OTHER']

/** `data_type` stored value → `form_data_type` code (Thai keys are valid identifiers, hence unquoted). */
export const GDC_DATA_TYPE_CODES: Readonly<Record<string, GdcDataTypeCode>> = {
  ข้อมูลระเบียน: 'REC',
  ข้อมูลสถิติ: 'STAT',
  ข้อมูลภูมิสารสนเทศเชิงพื้นที่: 'GEO',
  ข้อมูลหลากหลายประเภท: 'MULTI',
  ข้อมูลประเภทอื่นๆ: 'OTHER',
}

/**
 * Dataset-level GDC fields in schema order, minus the CKAN core package fields (title, name, owner_org,
 * maintainer, maintainer_email, tag_string, notes, url, license_id), plus data.go.th's `telephone_number`.
 */
export const GDC_DATASET_FIELDS: readonly GdcField[] = [
  {
    name: 'data_type',
    labelTh: 'ประเภทชุดข้อมูล',
    labelEn: 'Data Type',
    kind: 'choice',
    choices: ['ข้อมูลระเบียน', 'ข้อมูลสถิติ', 'ข้อมูลภูมิสารสนเทศเชิงพื้นที่', 'ข้อมูลหลากหลายประเภท', 'ข้อมูลประเภทอื่นๆ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'data_type_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['OTHER']
  },
  {
    name: 'allow_harvest',
    labelTh: 'ยินยอมให้นำชื่อชุดข้อมูลไปใช้ที่ GD-Catalog',
    labelEn: 'Allow for harvest to GD-Catalog',
    kind: 'bool-string',
    choices: ['False', 'True'],
    required: false,
    appliesTo: ALL
  },
  {
    name: 'reference_url_catalog',
    labelTh: 'อ้างอิง URL Catalog',
    labelEn: 'Reference URL Catalog',
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'objective',
    labelTh: 'วัตถุประสงค์',
    labelEn: 'Objective',
    kind: 'multi',
    choices: ['ยุทธศาสตร์ชาติ', 'แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ', 'แผนความมั่นคงแห่งชาติ', 'แผนแม่บทภายใต้ยุทธศาสตร์ชาติ', 'แผนปฏิรูปประเทศ', 'แผนระดับที่ 3 (มติครม. 4 ธ.ค. 2560)', 'นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี', 'มติคณะรัฐมนตรี', 'เพื่อการให้บริการประชาชน', 'กฎหมายที่เกี่ยวข้อง', 'พันธกิจหน่วยงาน', 'ดัชนี/ตัวชี้วัดระดับนานาชาติ', 'ไม่ทราบ', 'อื่นๆ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'objective_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'update_frequency_unit',
    labelTh: 'หน่วยความถี่ของการปรับปรุงข้อมูล',
    labelEn: 'Update Frequency Unit',
    kind: 'choice',
    choices: ['ไม่ทราบ', 'ปี', 'ครึ่งปี', 'ไตรมาส', 'เดือน', 'สัปดาห์', 'วัน', 'วันทำการ', 'ชั่วโมง', 'นาที', 'ตามเวลาจริง', 'ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล', 'อื่นๆ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'update_frequency_unit_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'update_frequency_interval',
    labelTh: 'ค่าความถี่ของการปรับปรุงข้อมูล (ความถี่น้อยที่สุด)',
    labelEn: 'Update Frequency Interval',
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'geo_coverage',
    labelTh: 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่',
    labelEn: 'Geo Coverage',
    kind: 'choice',
    choices: ['ไม่มี', 'โลก', 'ทวีป/กลุ่มประเทศในทวีป', 'กลุ่มประเทศทางเศรษฐกิจ', 'ประเทศ', 'ภาค', 'จังหวัด', 'อำเภอ', 'ตำบล', 'หมู่บ้าน', 'เทศบาล/อบต.', 'พิกัด', 'ไม่ทราบ', 'อื่นๆ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'geo_coverage_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'data_source',
    labelTh: 'แหล่งที่มา',
    labelEn: 'Data Source',
    kind: 'text',
    required: true,
    appliesTo: ALL
  },
  {
    name: 'data_format',
    labelTh: 'รูปแบบการเก็บข้อมูล',
    labelEn: 'Data Format',
    kind: 'multi',
    choices: ['Database', 'CSV', 'XML', 'Image', 'Video', 'Audio', 'Text', 'JSON', 'HTML', 'DOC/DOCX', 'XLS', 'PDF', 'RDF', 'NoSQL', 'Arc/Info Coverage', 'Shapefile', 'GeoTiff', 'GML', 'ไม่ทราบ', 'อื่นๆ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'data_format_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'data_category',
    labelTh: 'หมวดหมู่ข้อมูลตามธรรมาภิบาลข้อมูลภาครัฐ',
    labelEn: 'Data Category',
    kind: 'choice',
    choices: ['ข้อมูลสาธารณะ', 'ข้อมูลใช้ภายใน', 'ข้อมูลส่วนบุคคล', 'ข้อมูลความมั่นคง', 'ข้อมูลความลับทางราชการ'],
    required: true,
    appliesTo: ALL
  },
  {
    name: 'data_classification',
    labelTh: 'ระดับชั้นข้อมูล',
    labelEn: 'Data Classification',
    kind: 'choice',
    choices: ['เปิดเผย', 'ชั้นเผยแพร่ภายในองค์กร', 'ลับ', 'ลับมาก', 'ลับที่สุด'],
    required: false,
    appliesTo: ALL
  },
  {
    name: 'license_id_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'accessible_condition',
    labelTh: 'เงื่อนไขในการเข้าถึงข้อมูล',
    labelEn: 'Accessible Condition',
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'data_support',
    labelTh: 'ผู้สนับสนุนหรือผู้ร่วมดำเนินการ',
    labelEn: 'Data Support',
    kind: 'choice',
    choices: ['ไม่มี', 'หน่วยงานของรัฐ', 'หน่วยงานเอกชน', 'หน่วยงาน/องค์กรระหว่างประเทศ', 'มูลนิธิ/สมาคม', 'สถาบันการศึกษา', 'อื่นๆ'],
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'data_support_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'data_collect',
    labelTh: 'หน่วยที่ย่อยที่สุดของการจัดเก็บข้อมูล',
    labelEn: 'Data Collect',
    kind: 'choice',
    choices: ['ไม่มี', 'บุคคล', 'ครัวเรือน/ครอบครัว', 'บ้าน/ที่อยู่อาศัย', 'บริษัท/ห้างร้าน/สถานประกอบการ', 'อาคาร/สิ่งปลูกสร้าง', 'พื้นที่การเกษตร ประมง ป่าไม้', 'สัตว์และพันธุ์พืช', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่', 'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ', 'เส้นทางการเดินทาง เช่น ถนน ทางรถไฟ', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'data_collect_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'data_language',
    labelTh: 'ภาษาที่ใช้',
    labelEn: 'Data Language',
    kind: 'multi',
    choices: ['ไทย', 'อังกฤษ', 'จีน', 'มลายู', 'พม่า', 'ลาว', 'เขมร', 'ญี่ปุ่น', 'เกาหลี', 'ฝรั่งเศส', 'เยอรมัน', 'อารบิก', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ALL
  },
  {
    name: 'data_language_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'created_date',
    labelTh: 'วันที่เริ่มต้นสร้าง',
    labelEn: 'Created date',
    kind: 'date',
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'last_updated_date',
    labelTh: 'วันที่ปรับปรุงข้อมูลล่าสุด',
    labelEn: 'Last updated date',
    kind: 'date',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'data_release_calendar',
    labelTh: 'วันที่กำหนดเผยแพร่ข้อมูล',
    labelEn: 'Data release calendar',
    kind: 'date',
    required: false,
    appliesTo: ['STAT', 'GEO']
  },
  {
    name: 'first_year_of_data',
    labelTh: 'ปีข้อมูลที่เริ่มต้นจัดทำ (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'First year of data (Statistical data)',
    kind: 'year',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'last_year_of_data',
    labelTh: 'ปีข้อมูลล่าสุดที่เผยแพร่ (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Last year of data (Statistical data)',
    kind: 'year',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'disaggregate',
    labelTh: 'การจัดจำแนก (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Disaggregate (Statistical data)',
    kind: 'multi',
    choices: ['ไม่มี', 'เพศ', 'อายุ/กลุ่มอายุ', 'สถานภาพสมรส', 'ศาสนา', 'ระดับการศึกษา', 'อาชีพ', 'สถานภาพการทำงาน', 'อุตสาหกรรม/ประเภทกิจการ', 'รายได้', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่', 'ผลิตภัณฑ์', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'disaggregate_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'unit_of_measure',
    labelTh: 'หน่วยวัด (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Unit of measure (Statistical data)',
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'unit_of_multiplier',
    labelTh: 'หน่วยตัวคูณ (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Unit of multiplier (Statistical data)',
    kind: 'choice',
    choices: ['หน่วย', 'สิบ', 'ร้อย', 'พัน', 'หมื่น', 'แสน', 'ล้าน', 'สิบล้าน', 'ร้อยล้าน', 'พันล้าน', 'หมื่นล้าน', 'แสนล้าน', 'ล้านล้าน', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'unit_of_multiplier_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'calculation_method',
    labelTh: 'วิธีการคำนวณ (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Calculation method (Statistical data)',
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'standard',
    labelTh: 'มาตรฐานการจัดทำข้อมูล (สำหรับชุดข้อมูลสถิติ)',
    labelEn: 'Standard (Statistical data)',
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'geographic_data_set',
    labelTh: 'ชุดข้อมูลภูมิศาสตร์ (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'Geographic dataset (Geoinformatics data)',
    kind: 'choice',
    choices: ['ชั้นข้อมูลแปลงที่ดิน', 'ชั้นข้อมูลขอบเขตการปกครอง', 'ชั้นข้อมูลเส้นทางคมนาคม', 'ชั้นข้อมูลชุมนุม/อาคาร', 'ชั้นข้อมูลป่าไม้', 'ชั้นข้อมูลการใช้ประโยชน์ที่ดิน', 'ชั้นข้อมูลแหล่งน้ำ', 'ชั้นข้อมูลอุทกศาสตร์', 'ชั้นข้อมูลหมุดหลักฐานแผนที่', 'ชั้นข้อมูลความสูงภูมิประเทศเชิงตัวเลข', 'ชั้นข้อมูลภาพแผนที่ภูมิประเทศ', 'ชั้นข้อมูลแผนที่ภาพถ่ายทางอากาศ', 'ชั้นข้อมูลภาพวาดดาวเทียมดัดแก้'],
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'equivalent_scale',
    labelTh: 'มาตราส่วน (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'Equivalent scale (Geoinformatics data)',
    kind: 'choice',
    choices: ['1:4,000', '1:10,000', '1:25,000', '1:50,000', '1:250,000', 'อื่นๆ'],
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'equivalent_scale_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'west_bound_longitude',
    labelTh: 'ค่าพิกัดกรอบพื้นที่ด้านทิศตะวันตก (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'West bound longitude (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'east_bound_longitude',
    labelTh: 'ค่าพิกัดกรอบพื้นที่ด้านทิศตะวันออก (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'East bound longitude (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'north_bound_longitude',
    labelTh: 'ค่าพิกัดกรอบพื้นที่ด้านทิศเหนือ (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'North bound longitude (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'south_bound_longitude',
    labelTh: 'ค่าพิกัดกรอบพื้นที่ด้านทิศใต้ (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'South bound longitude (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'positional_accuracy',
    labelTh: 'ความถูกต้องของตำแหน่ง (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'Positional accuracy (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'reference_period',
    labelTh: 'เวลาอ้างอิง (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'Reference period (Geoinformatics data)',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'data_release_date',
    labelTh: 'วันที่เผยแพร่ข้อมูล (สำหรับชุดข้อมูลภูมิศาสตร์สารสนเทศ)',
    labelEn: 'Data release date (Geoinformatics data)',
    kind: 'date',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'high_value_dataset',
    labelTh: 'ชุดข้อมูลที่มีคุณค่าสูง',
    labelEn: 'High Value Dataset',
    kind: 'bool-string',
    choices: ['False', 'True'],
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'reference_data',
    labelTh: 'ข้อมูลอ้างอิง',
    labelEn: 'Reference Data',
    kind: 'bool-string',
    choices: ['False', 'True'],
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'official_statistics',
    labelTh: 'สถิติทางการ',
    labelEn: 'Official Statistics',
    kind: 'bool-string',
    choices: ['False', 'True'],
    required: false,
    appliesTo: ['STAT']
  },
  // Not in Thai GDC: seen in data.go.th package_show output (2022). Labels unknown.
  {
    name: 'telephone_number',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ALL
  }
]

/** Resource-level GDC fields in schema order, minus CKAN core (url, name, description, format) and the opal-only `resource_cdp`. */
export const GDC_RESOURCE_FIELDS: readonly GdcField[] = [
  {
    name: 'resource_accessible_condition',
    labelTh: 'เงื่อนไขในการเข้าถึงข้อมูล',
    labelEn: 'Accessible Condition',
    kind: 'text',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'resource_data_collect',
    labelTh: 'หน่วยที่ย่อยที่สุดของการจัดเก็บข้อมูล',
    labelEn: 'Data Collect',
    kind: 'choice',
    choices: ['ไม่มี', 'บุคคล', 'ครัวเรือน/ครอบครัว', 'บ้าน/ที่อยู่อาศัย', 'บริษัท/ห้างร้าน/สถานประกอบการ', 'อาคาร/สิ่งปลูกสร้าง', 'พื้นที่การเกษตร ประมง ป่าไม้', 'สัตว์และพันธุ์พืช', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่', 'แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ', 'เส้นทางการเดินทาง เช่น ถนน ทางรถไฟ', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'resource_data_collect_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['REC', 'MULTI', 'OTHER']
  },
  {
    name: 'resource_first_year_of_data',
    labelTh: 'ปีข้อมูลที่เริ่มต้นจัดทำ',
    labelEn: 'First year of data',
    kind: 'year',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_last_year_of_data',
    labelTh: 'ปีข้อมูลล่าสุดที่เผยแพร่',
    labelEn: 'Last year of data',
    kind: 'year',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_disaggregate',
    labelTh: 'การจัดจำแนก',
    labelEn: 'Disaggregate',
    kind: 'multi',
    choices: ['ไม่มี', 'เพศ', 'อายุ/กลุ่มอายุ', 'สถานภาพสมรส', 'ศาสนา', 'ระดับการศึกษา', 'อาชีพ', 'สถานภาพการทำงาน', 'อุตสาหกรรม/ประเภทกิจการ', 'รายได้', 'ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่', 'ผลิตภัณฑ์', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_disaggregate_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_unit_of_measure',
    labelTh: 'หน่วยวัด',
    labelEn: 'Unit of measure',
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_unit_of_multiplier',
    labelTh: 'หน่วยตัวคูณ',
    labelEn: 'Unit of multiplier',
    kind: 'choice',
    choices: ['หน่วย', 'สิบ', 'ร้อย', 'พัน', 'หมื่น', 'แสน', 'ล้าน', 'สิบล้าน', 'ร้อยล้าน', 'พันล้าน', 'หมื่นล้าน', 'แสนล้าน', 'ล้านล้าน', 'ไม่ทราบ', 'อื่นๆ'],
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_unit_of_multiplier_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_geographic_data_set',
    labelTh: 'ชุดข้อมูลภูมิศาสตร์',
    labelEn: 'Geographic dataset',
    kind: 'choice',
    choices: ['ชั้นข้อมูลแปลงที่ดิน', 'ชั้นข้อมูลขอบเขตการปกครอง', 'ชั้นข้อมูลเส้นทางคมนาคม', 'ชั้นข้อมูลชุมนุม/อาคาร', 'ชั้นข้อมูลป่าไม้', 'ชั้นข้อมูลการใช้ประโยชน์ที่ดิน', 'ชั้นข้อมูลแหล่งน้ำ', 'ชั้นข้อมูลอุทกศาสตร์', 'ชั้นข้อมูลหมุดหลักฐานแผนที่', 'ชั้นข้อมูลความสูงภูมิประเทศเชิงตัวเลข', 'ชั้นข้อมูลภาพแผนที่ภูมิประเทศ', 'ชั้นข้อมูลแผนที่ภาพถ่ายทางอากาศ', 'ชั้นข้อมูลภาพวาดดาวเทียมดัดแก้'],
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'resource_equivalent_scale',
    labelTh: 'มาตราส่วน',
    labelEn: 'Equivalent scale',
    kind: 'choice',
    choices: ['1:4,000', '1:10,000', '1:25,000', '1:50,000', '1:250,000', 'อื่นๆ'],
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'resource_equivalent_scale_other',
    labelTh: null,
    labelEn: null,
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'resource_positional_accuracy',
    labelTh: 'ความถูกต้องของตำแหน่ง',
    labelEn: 'Positional accuracy',
    kind: 'text',
    required: false,
    appliesTo: ['GEO']
  },
  {
    name: 'resource_created_date',
    labelTh: 'วันที่เริ่มต้นสร้าง',
    labelEn: 'Created date',
    kind: 'date',
    required: false,
    appliesTo: ['REC', 'GEO', 'MULTI', 'OTHER']
  },
  {
    name: 'resource_last_updated_date',
    labelTh: 'วันที่ปรับปรุงข้อมูลล่าสุด',
    labelEn: 'Last updated date',
    kind: 'date',
    required: false,
    appliesTo: ALL
  },
  {
    name: 'resource_data_release_calendar',
    labelTh: 'วันที่กำหนดเผยแพร่ข้อมูล',
    labelEn: 'Data release calendar',
    kind: 'date',
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_official_statistics',
    labelTh: 'สถิติทางการ',
    labelEn: 'Official Statistics',
    kind: 'bool-string',
    choices: ['False', 'True'],
    required: false,
    appliesTo: ['STAT']
  },
  {
    name: 'resource_data_release_date',
    labelTh: 'วันที่เผยแพร่ข้อมูล',
    labelEn: 'Data release date',
    kind: 'date',
    required: false,
    appliesTo: ['GEO']
  }
]
