/** Package reads and the materialized package_show dict. */
import { type Kysely, sql } from 'kysely'
import type { Database, Package } from '../database.js'
import { packageDictize, type PackageParts } from '../../ckan/dictize.js'
import { asciiJson } from '../../ckan/json.js'
import { CHANNEL } from '../../catalog/package-cache.js'
import { idFirst, idOrName } from './lookup.js'
import { writeIndexDocuments } from './search-index.js'
import { indexDocument } from '../../search/index-document.js'

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

/**
 * Packages by id without their stored dict: what rebuilding a dict or an
 * index row starts from (the old dict is a few kilobytes each, and unused).
 */
export async function packagesForParts (db: Kysely<Database>, ids: readonly string[]): Promise<Package[]> {
  if (ids.length === 0) return []
  return db.selectFrom('packages')
    .select(['id', 'name', 'title', 'notes', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'url', 'version',
      'type', 'owner_org', 'private', 'state', 'creator_user_id', 'metadata_created', 'metadata_modified', 'extras', 'gdc', 'plugin_data'])
    .select(sql<string>`''`.as('dict'))
    .where('id', 'in', [...new Set(ids)]).execute()
}

/**
 * The parts of many packages' dicts, five queries per batch however many
 * packages it holds: writes, reindexing and generated catalogs all go through
 * here.
 */
export async function loadPackageParts (db: Kysely<Database>, pkgs: readonly Package[]): Promise<PackageParts[]> {
  if (pkgs.length === 0) return []
  const ids = pkgs.map((p) => p.id)
  const orgIds = [...new Set(pkgs.map((p) => p.owner_org).filter((o): o is string => o !== null))]
  const licenseIds = [...new Set(pkgs.map((p) => p.license_id).filter((l): l is string => l !== null))]
  const [organizations, resources, tags, groups, licenses] = await Promise.all([
    orgIds.length ? db.selectFrom('groups').selectAll().where('id', 'in', orgIds).execute() : [],
    db.selectFrom('resources').selectAll().where('package_id', 'in', ids).where('state', '=', 'active').orderBy('position').execute(),
    db.selectFrom('tags').innerJoin('package_tags', 'package_tags.tag_id', 'tags.id').selectAll('tags')
      .select('package_tags.package_id').where('package_tags.package_id', 'in', ids).execute(),
    db.selectFrom('groups').innerJoin('package_groups', 'package_groups.group_id', 'groups.id').selectAll('groups')
      .select('package_groups.package_id').where('package_groups.package_id', 'in', ids).where('groups.state', '=', 'active').execute(),
    licenseIds.length ? db.selectFrom('licenses').selectAll().where('id', 'in', licenseIds).execute() : []
  ])
  const byPackage = <T extends { package_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>()
    for (const r of rows) m.set(r.package_id, [...(m.get(r.package_id) ?? []), r])
    return m
  }
  const orgById = new Map(organizations.map((o) => [o.id, o]))
  const licenseById = new Map(licenses.map((l) => [l.id, l]))
  const resourcesOf = byPackage(resources)
  const tagsOf = byPackage(tags)
  const groupsOf = byPackage(groups)
  return pkgs.map((pkg) => ({
    pkg,
    organization: (pkg.owner_org && orgById.get(pkg.owner_org)) || null,
    resources: resourcesOf.get(pkg.id) ?? [],
    tags: (tagsOf.get(pkg.id) ?? []).map(({ package_id: _, ...t }) => t),
    groups: (groupsOf.get(pkg.id) ?? []).map(({ package_id: _, ...g }) => g),
    license: (pkg.license_id && licenseById.get(pkg.license_id)) || null
  }))
}

/**
 * Rebuild and store the package_show dict and the search index row of each
 * package, in the caller's transaction; returns the dicts by id.
 */
export async function materializePackages (db: Kysely<Database>, ids: readonly string[], siteUrl: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>()
  if (ids.length === 0) return out
  const pkgs = await packagesForParts(db, ids)
  const parts = await loadPackageParts(db, pkgs)
  for (const p of parts) out.set(p.pkg.id, packageDictize(p, siteUrl))
  const changed = [...out.keys()]
  await sql`UPDATE packages SET dict = d.dict FROM unnest(${changed}::text[], ${changed.map((id) => asciiJson(out.get(id)))}::text[]) d(id, dict)
    WHERE packages.id = d.id`.execute(db)
  await writeIndexDocuments(db, parts.map(indexDocument))
  await notifyPackagesChanged(db, pkgs.map((p) => p.id))
  return out
}

/** Tell every opend process (package-cache.ts) that these datasets changed; delivered on commit. */
export async function notifyPackagesChanged (db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length) await sql`SELECT pg_notify(${CHANNEL}, id) FROM unnest(${[...ids]}::text[]) id`.execute(db)
}

export async function packageIdsInGroup (db: Kysely<Database>, groupId: string): Promise<string[]> {
  const [owned, member] = await Promise.all([
    db.selectFrom('packages').select('id').where('owner_org', '=', groupId).execute(),
    db.selectFrom('package_groups').select('package_id as id').where('group_id', '=', groupId).execute()
  ])
  return [...owned, ...member].map((r) => r.id)
}
