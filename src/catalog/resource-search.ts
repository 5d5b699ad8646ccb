/**
 * resource_search (ckan/logic/action/get.py): `field:term` criteria over the
 * resource columns CKAN exposes (CORE_RESOURCE_COLUMNS), for active resources
 * of active public datasets. CKAN reports bad criteria with bare-string
 * values ({"query": "Missing value"}), not lists, and so does opend.
 */
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely'
import { ValidationError } from '../ckan/errors.js'
import type { Database, Resource } from '../db/database.js'
import { containsPattern, prefixPattern } from './like.js'

/** Text columns: a case-insensitive substring (hash: a prefix). */
const TEXT_FIELDS = ['url', 'format', 'description', 'hash', 'name', 'resource_type', 'mimetype', 'mimetype_inner', 'cache_url', 'url_type'] as const
/** Other columns: equality, as CKAN 2.10 compares non-text columns. */
const TIME_FIELDS = ['created', 'last_modified', 'metadata_modified', 'cache_last_updated'] as const
type Field = typeof TEXT_FIELDS[number] | typeof TIME_FIELDS[number] | 'size'
const FIELDS = new Set<string>([...TEXT_FIELDS, ...TIME_FIELDS, 'size'])

/** Columns `order_by` may name (hasattr(model.Resource, order_by) in CKAN); anything else is ignored, as there. */
const ORDER_COLUMNS = new Set<string>([...FIELDS, 'id', 'package_id', 'position', 'state'])

export interface ResourceSearchParams {
  query?: unknown
  fields?: object
  order_by?: string
  offset?: number
  limit?: number
}

export type Criteria = [Field, string][]

const PAIRS = 'Must be <field>:<value> pair(s)'

/**
 * The criteria, as CKAN reads them: `query` (a string or a list of
 * `field:term` strings), or the deprecated `fields` dict whose string values
 * are split on whitespace; never both. Every pair is checked before any
 * field, as CKAN builds its dict first. CKAN keeps only the last term of a
 * repeated field (a dict); opend ANDs them all, as CKAN's docstring promises.
 */
export function resourceCriteria (p: ResourceSearchParams): Criteria {
  if (p.query === undefined && p.fields === undefined) throw new ValidationError({ query: 'Missing value' })
  if (p.query !== undefined && p.fields !== undefined) throw new ValidationError({ fields: 'Do not specify if using "query" parameter' })
  const pairs: [string, string][] = []
  if (p.query !== undefined) {
    const list = Array.isArray(p.query) ? p.query : [p.query]
    for (const pair of list) {
      const at = typeof pair === 'string' ? pair.indexOf(':') : -1
      if (at < 0) throw new ValidationError({ query: PAIRS })
      pairs.push([(pair as string).slice(0, at), (pair as string).slice(at + 1)])
    }
  } else {
    for (const [field, terms] of Object.entries(p.fields!) as [string, unknown][]) {
      const list = typeof terms === 'string' ? terms.split(/\s+/).filter((t) => t !== '') : Array.isArray(terms) ? terms.map(String) : [String(terms)]
      for (const term of list) pairs.push([field, term])
    }
  }
  for (const [field] of pairs) {
    if (!FIELDS.has(field)) throw new ValidationError({ query: `Field "${field}" not recognised in resource_search.` })
  }
  return pairs as Criteria
}

const never = sql<SqlBool>`false`

/** A timestamp as CKAN's dicts write it (UTC, no zone), or with a zone. */
function parseTimestamp (term: string): Date | null {
  const m = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(term.trim())
  if (!m) return null
  const text = term.trim().replace(' ', 'T')
  const d = new Date(m[1] || !text.includes('T') ? text : text + 'Z')
  return Number.isNaN(d.getTime()) ? null : d
}

function criterion (field: Field, term: string): Expression<SqlBool> {
  const col = sql.ref(`resources.${field}`)
  if (field === 'hash') return sql<SqlBool>`${col} ILIKE ${prefixPattern(term)}`
  if ((TEXT_FIELDS as readonly string[]).includes(field)) return sql<SqlBool>`${col} ILIKE ${containsPattern(term)}`
  // CKAN hands a term that is no number or date to PostgreSQL and fails
  // with a 500; opend answers that nothing matches
  if (field === 'size') return /^\s*[-+]?\d{1,15}\s*$/.test(term) ? sql<SqlBool>`${col} = ${parseInt(term, 10)}` : never
  const at = parseTimestamp(term)
  return at ? sql<SqlBool>`${col} = ${at}` : never
}

/** The page of matching resource rows, and how many match in all. */
export async function searchResources (db: Kysely<Database>, criteria: Criteria, p: ResourceSearchParams): Promise<{ count: number, rows: Resource[] }> {
  const matching = db.selectFrom('resources').innerJoin('packages', 'packages.id', 'resources.package_id')
    .where('packages.state', '=', 'active').where('packages.private', '=', false)
    .where('resources.state', '=', 'active')
    .where((eb) => eb.and(criteria.map(([field, term]) => criterion(field, term))))
  const total = await matching.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  let page = matching.selectAll('resources')
  // without order_by CKAN leaves the order to PostgreSQL; creation order keeps pages stable
  page = p.order_by && ORDER_COLUMNS.has(p.order_by)
    ? page.orderBy(sql.ref(`resources.${p.order_by}`)).orderBy('resources.id')
    : page.orderBy('resources.created').orderBy('resources.id')
  if (p.limit !== undefined) page = page.limit(p.limit)
  if (p.offset) page = page.offset(p.offset)
  return { count: Number(total.count), rows: await page.execute() }
}
