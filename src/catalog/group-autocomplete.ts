/**
 * group_autocomplete and organization_autocomplete: CKAN's
 * Group.search_by_name_or_title (ckan/model/group.py).
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/database.js'
import { containsPattern } from './like.js'

/**
 * Active organizations (or non-organization groups) whose name contains the
 * lower-cased, stripped text or whose title contains it case-insensitively.
 * CKAN means to order by title but drops the ordering (2.10 calls
 * `q.order_by(...)` without keeping the result); opend orders by title, then
 * name. CKAN also leaves `%` and `_` as wildcards; opend escapes them.
 */
export async function groupAutocomplete (db: Kysely<Database>, text: string, isOrganization: boolean, limit: number) {
  const q = text.trim().toLowerCase()
  return db.selectFrom('groups').select(['id', 'name', 'title'])
    .where('is_organization', '=', isOrganization)
    .where('state', '=', 'active')
    .where((eb) => eb.or([eb('name', 'like', containsPattern(q)), eb('title', 'ilike', containsPattern(q))]))
    .orderBy('title').orderBy('name')
    .limit(limit)
    .execute()
}
