/**
 * Which indexed datasets a caller may find: CKAN 2.10's package_search rules
 * (ckan/logic/action/get.py) over the search_index row, aliased `si`.
 *
 * - without include_private, only datasets flagged public (`+capacity:public`);
 * - a state filter of active, plus draft with include_drafts, unless the
 *   caller's own fq already says `+state` (CKAN appends it only then);
 * - permission labels, except for sysadmins: `public` for active public
 *   datasets, `member-<org>` for every dataset of the caller's organizations,
 *   `creator-<user>` for the caller's datasets without an organization.
 *
 * include_deleted changes nothing: CKAN removes deleted datasets from its
 * index (ckan.search.remove_deleted_packages defaults to true), and opend
 * does not index them either.
 */
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely'
import type { Caller } from '../ckan/action.js'
import type { Database } from '../db/database.js'
import { orgIdsWithCapacity } from '../catalog/authz.js'

export interface VisibilityOptions {
  includePrivate: boolean
  includeDrafts: boolean
  /** the caller's fq mentions `+state`: leave the state alone, as CKAN does */
  fqHasState?: boolean
}

export async function visibilityFilter (db: Kysely<Database>, user: Caller | null, o: VisibilityOptions): Promise<Expression<SqlBool>> {
  const parts: Expression<SqlBool>[] = []
  if (!o.includePrivate) parts.push(sql<SqlBool>`NOT si.private`)
  if (!o.fqHasState) parts.push(o.includeDrafts ? sql<SqlBool>`si.state IN ('active', 'draft')` : sql<SqlBool>`si.state = 'active'`)
  if (!user?.sysadmin) {
    const labels: Expression<SqlBool>[] = [sql<SqlBool>`(si.state = 'active' AND NOT si.private)`]
    if (user) {
      // any capacity holds the organization's member-<org> label
      const orgs = await orgIdsWithCapacity(db, user.id, ['admin', 'editor', 'member'])
      if (orgs.length) labels.push(sql<SqlBool>`si.owner_org IN (${sql.join(orgs)})`)
      labels.push(sql<SqlBool>`(si.owner_org IS NULL AND si.creator_user_id = ${user.id})`)
    }
    parts.push(sql<SqlBool>`(${sql.join(labels, sql` OR `)})`)
  }
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` AND `)})` : sql<SqlBool>`true`
}
