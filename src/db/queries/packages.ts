/** Package reads and the materialized package_show dict. */
import { type Kysely, sql } from 'kysely'
import type { Database, Package } from '../database.js'
import { packageDictize, type PackageParts } from '../../ckan/dictize.js'
import { asciiJson } from '../../ckan/json.js'
import { CHANNEL } from '../../catalog/package-cache.js'
import { idFirst, idOrName } from './lookup.js'

/** By id or name, as CKAN's Package.get does; any state. */
export async function findPackage (db: Kysely<Database>, ref: string): Promise<Package | undefined> {
  return db.selectFrom('packages').selectAll()
    .where(idOrName(ref)).orderBy(idFirst(ref), 'desc').limit(1).executeTakeFirst()
}

/**
 * Just what package_show needs to decide visibility and answer. Two index
 * lookups (by id, then by name) rather than one OR, which PostgreSQL can only
 * answer with a bitmap scan and a sort.
 */
export async function findPackageForShow (db: Kysely<Database>, ref: string) {
  const cols = ['id', 'name', 'state', 'private', 'owner_org', 'creator_user_id', 'dict'] as const
  const byId = db.selectFrom('packages').select(cols).select(sql<number>`0`.as('o')).where('id', '=', ref)
  const byName = db.selectFrom('packages').select(cols).select(sql<number>`1`.as('o')).where('name', '=', ref)
  return byId.unionAll(byName).orderBy('o').limit(1).executeTakeFirst()
}

export async function loadPackageParts (db: Kysely<Database>, pkg: Package): Promise<PackageParts> {
  const [organization, resources, tags, groups, license] = await Promise.all([
    pkg.owner_org ? db.selectFrom('groups').selectAll().where('id', '=', pkg.owner_org).executeTakeFirst() : undefined,
    db.selectFrom('resources').selectAll().where('package_id', '=', pkg.id).where('state', '=', 'active').orderBy('position').execute(),
    db.selectFrom('tags').innerJoin('package_tags', 'package_tags.tag_id', 'tags.id').selectAll('tags')
      .where('package_tags.package_id', '=', pkg.id).execute(),
    db.selectFrom('groups').innerJoin('package_groups', 'package_groups.group_id', 'groups.id').selectAll('groups')
      .where('package_groups.package_id', '=', pkg.id).where('groups.state', '=', 'active').execute(),
    pkg.license_id ? db.selectFrom('licenses').selectAll().where('id', '=', pkg.license_id).executeTakeFirst() : undefined
  ])
  return { pkg, organization: organization ?? null, resources, tags, groups, license: license ?? null }
}

/** Rebuild and store the package_show dict of each package; returns them by id. */
export async function materializePackages (db: Kysely<Database>, ids: readonly string[], siteUrl: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>()
  if (ids.length === 0) return out
  const pkgs = await db.selectFrom('packages').selectAll().where('id', 'in', [...new Set(ids)]).execute()
  for (const pkg of pkgs) {
    const dict = packageDictize(await loadPackageParts(db, pkg), siteUrl)
    await db.updateTable('packages').set({ dict: asciiJson(dict) }).where('id', '=', pkg.id).execute()
    out.set(pkg.id, dict)
  }
  await notifyPackagesChanged(db, pkgs.map((p) => p.id))
  return out
}

/** Tell every opend process (package-cache.ts) that these datasets changed; delivered on commit. */
export async function notifyPackagesChanged (db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  for (const id of ids) await sql`SELECT pg_notify(${CHANNEL}, ${id})`.execute(db)
}

export async function packageIdsInGroup (db: Kysely<Database>, groupId: string): Promise<string[]> {
  const [owned, member] = await Promise.all([
    db.selectFrom('packages').select('id').where('owner_org', '=', groupId).execute(),
    db.selectFrom('package_groups').select('package_id as id').where('group_id', '=', groupId).execute()
  ])
  return [...owned, ...member].map((r) => r.id)
}
