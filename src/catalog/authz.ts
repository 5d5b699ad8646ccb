/**
 * CKAN's authorization model (ckan/authz.py): sysadmins may do anything;
 * organization admins and editors write their organization's datasets;
 * members read its private ones. A dataset without organization belongs to
 * its creator.
 */
import type { Kysely } from 'kysely'
import type { Caller } from '../ckan/action.js'
import type { Database } from '../db/database.js'

export type Capacity = 'admin' | 'editor' | 'member'

export async function capacityIn (db: Kysely<Database>, userId: string, groupId: string): Promise<Capacity | null> {
  const row = await db.selectFrom('group_members').select('capacity')
    .where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst()
  return (row?.capacity as Capacity | undefined) ?? null
}

export interface PackageOwnership { state: string, private: boolean, owner_org: string | null, creator_user_id: string | null }

/** CKAN's permission labels, resolved for one package. */
export async function canReadPackage (db: Kysely<Database>, user: Caller | null, pkg: PackageOwnership): Promise<boolean> {
  if (pkg.state === 'active' && !pkg.private) return true
  if (!user) return false
  if (user.sysadmin) return true
  if (pkg.owner_org) return (await capacityIn(db, user.id, pkg.owner_org)) !== null
  return pkg.creator_user_id === user.id
}

export async function canEditPackage (db: Kysely<Database>, user: Caller | null, pkg: PackageOwnership): Promise<boolean> {
  if (!user) return false
  if (user.sysadmin) return true
  if (pkg.owner_org) {
    const c = await capacityIn(db, user.id, pkg.owner_org)
    return c === 'admin' || c === 'editor'
  }
  return pkg.creator_user_id === user.id
}

/** May the user create datasets in this organization? */
export async function canCreateIn (db: Kysely<Database>, user: Caller, orgId: string): Promise<boolean> {
  if (user.sysadmin) return true
  const c = await capacityIn(db, user.id, orgId)
  return c === 'admin' || c === 'editor'
}

/** Organizations (ids) where the user holds one of these capacities. */
export async function orgIdsWithCapacity (db: Kysely<Database>, userId: string, capacities: readonly Capacity[]): Promise<string[]> {
  const rows = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('groups.id').where('group_members.user_id', '=', userId).where('groups.is_organization', '=', true)
    .where('group_members.capacity', 'in', capacities).execute()
  return rows.map((r) => r.id)
}

/** Organizations (ids) where the user can create datasets. */
export const editableOrgIds = (db: Kysely<Database>, userId: string) => orgIdsWithCapacity(db, userId, ['admin', 'editor'])

/** Is the caller allowed to manage (update, delete, add members to) this group? */
export async function canManageGroup (db: Kysely<Database>, user: Caller | null, groupId: string): Promise<boolean> {
  if (!user) return false
  if (user.sysadmin) return true
  return (await capacityIn(db, user.id, groupId)) === 'admin'
}

/** The caller's display name in CKAN's messages: "" for anonymous ("User  not authorized"). */
export const who = (user: Caller | null) => user?.name ?? ''
