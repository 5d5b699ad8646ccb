/**
 * How text becomes searchable, the same way at index and at query time.
 *
 * Thai is written without spaces between words, and PostgreSQL's parser
 * (like CKAN's Solr schema) takes an unspaced Thai run as one word, so
 * `ท่องเที่ยว` would never be found inside `สถิติการท่องเที่ยวภายในประเทศ`.
 * ICU's word segmentation (Intl.Segmenter, in every official Node build)
 * splits it first; the words are joined with spaces and PostgreSQL's
 * `opend_text` configuration then stems the Latin words (roads → road) and
 * leaves the Thai ones as they are.
 */

/**
 * The text search configuration every tsvector and tsquery is built with:
 * English stemming without a stop-word list (migrations/*-search.ts).
 */
export const TS_CONFIG = 'opend_text'

/**
 * Bump when the way documents are analysed changes, so that existing
 * indexes are rebuilt at the next start (src/search/reindex.ts).
 */
export const ANALYZER_VERSION = '1'

/** ICU splits some dictionary words differently between versions. */
export function analyzerFingerprint (): string {
  return `${ANALYZER_VERSION}/icu-${process.versions.icu ?? 'none'}`
}

const segmenter = new Intl.Segmenter('th', { granularity: 'word' })

/** Word-like segments of the text, lower-cased, joined by single spaces. */
export function segment (text: string): string {
  const words: string[] = []
  for (const s of segmenter.segment(text.toLowerCase())) if (s.isWordLike) words.push(s.segment)
  return words.join(' ')
}

const THAI = /[\u0E00-\u0E7F]/
const THAI_RUNS = /[\u0E00-\u0E7F]+/g

/**
 * The text with each Thai run segmented into words and set apart by
 * spaces; everything else is left to PostgreSQL's parser, as CKAN's
 * DataStore leaves it (`cat-7` stays `cat` and `-7` there, not `cat` and `7`).
 */
export function segmentThai (text: string): string {
  return text.replace(THAI_RUNS, (run) => ` ${segment(run)} `)
}

/** The DataStore full-text versions (datastore_tables.full_text_version) and how each analyses a text. */
export const FULL_TEXT_VERSION = 2
export const fullTextAnalyzer = (version: number): (text: string) => string => version >= 2 ? segmentThai : segment

export function hasThai (text: string): boolean {
  return THAI.test(text)
}
