/**
 * CKAN's _tag_search (ckan/logic/action/get.py), shared by tag_search and
 * tag_autocomplete: free tags applied to a dataset whose names contain every
 * term, case-insensitively (Thai included).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/database.js'
import { containsPattern } from './like.js'

export interface TagSearchParams {
  query?: unknown
  q?: unknown
  fields?: object
  limit?: number
  offset?: number
}

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

/**
 * The search terms, as CKAN collects them: `query`, else `q`, a string or a
 * list, stripped, empty ones dropped; then the deprecated `fields` dict's
 * `tag`/`tags` values.
 */
export function tagSearchTerms (p: TagSearchParams): string[] {
  // Python's `query or q`: an empty list falls through to q as well
  const given = p.query !== undefined && !(Array.isArray(p.query) && p.query.length === 0) ? p.query : p.q
  const terms = strings(given).map((t) => t.trim()).filter((t) => t !== '')
  for (const [field, value] of Object.entries(p.fields ?? {}) as [string, unknown][]) {
    if (field === 'tag' || field === 'tags') terms.push(...strings(value))
  }
  return terms
}

/**
 * Matching tags and their total count. No terms means no tags, as in CKAN.
 * Unlike CKAN, which counts a tag on any dataset, the dataset must be active
 * (as tag_list has it), so deleted datasets leave no tags behind; and the
 * order, which CKAN leaves undefined, is by name, so that pages are stable.
 */
export async function searchTags (db: Kysely<Database>, p: TagSearchParams): Promise<{ count: number, tags: { id: string, name: string, vocabulary_id: string | null }[] }> {
  const terms = tagSearchTerms(p)
  if (terms.length === 0) return { count: 0, tags: [] }
  let matching = db.selectFrom('tags').select(['tags.id', 'tags.name', 'tags.vocabulary_id']).distinct()
    .innerJoin('package_tags', 'package_tags.tag_id', 'tags.id')
    .innerJoin('packages', 'packages.id', 'package_tags.package_id')
    .where('packages.state', '=', 'active')
    .where('tags.vocabulary_id', 'is', null)
  for (const term of terms) matching = matching.where('tags.name', 'ilike', containsPattern(term))
  const total = await db.selectFrom(matching.as('m')).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  let page = matching.orderBy('tags.name')
  if (p.limit !== undefined) page = page.limit(p.limit)
  if (p.offset) page = page.offset(p.offset)
  return { count: Number(total.count), tags: await page.execute() }
}
