/**
 * Row → CKAN dict mappers ("dictize", CKAN's own term), kept apart from the
 * queries that fetch the rows. Key sets and order follow CKAN 2.10.10's
 * observed output (shared reference §3).
 */
import { createHash } from 'node:crypto'
import type { Group, License, Package, Resource, Tag, User } from '../db/database.js'
import { ckanTimestamp } from './json.js'

type Dict = Record<string, unknown>

const sortKeys = (o: Dict): Dict => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

export function licenseDictize (l: License): Dict {
  // CKAN's register renders every value as a string, booleans as "True"/"False"
  const b = (v: boolean) => (v ? 'True' : 'False')
  return {
    domain_content: b(l.domain_content),
    id: l.id,
    domain_data: b(l.domain_data),
    domain_software: b(l.domain_software),
    family: l.family,
    is_generic: b(l.is_generic),
    od_conformance: l.od_conformance,
    osd_conformance: l.osd_conformance,
    maintainer: l.maintainer,
    status: l.status,
    url: l.url,
    title: l.title
  }
}

export function resourceDictize (r: Resource, siteUrl: string): Dict {
  let url = r.url
  if (r.url_type === 'upload' && url && !/^https?:\/\//.test(url)) {
    url = `${siteUrl}/dataset/${r.package_id}/resource/${r.id}/download/${url.split('/').pop()}`
  }
  return sortKeys({
    ...(r.extras as Dict),
    cache_last_updated: ckanTimestamp(r.cache_last_updated),
    cache_url: r.cache_url,
    created: ckanTimestamp(r.created),
    datastore_active: r.datastore_active,
    description: r.description,
    format: r.format,
    hash: r.hash,
    id: r.id,
    last_modified: ckanTimestamp(r.last_modified),
    metadata_modified: ckanTimestamp(r.metadata_modified),
    mimetype: r.mimetype,
    mimetype_inner: r.mimetype_inner,
    name: r.name,
    package_id: r.package_id,
    position: r.position,
    resource_type: r.resource_type,
    size: r.size,
    state: r.state,
    url,
    url_type: r.url_type
  })
}

/**
 * A dict with CKAN 2.10's (always zero) `tracking_summary` added where CKAN
 * emits it: among the alphabetical keys, so between `title` and `type` in a
 * package and between `state` and `url` in a resource.
 */
export function withTrackingSummary (d: Dict): Dict {
  const out: Dict = {}
  let done = false
  for (const [k, v] of Object.entries(d)) {
    if (!done && k > 'tracking_summary') { out.tracking_summary = { total: 0, recent: 0 }; done = true }
    if (k !== 'tracking_summary') out[k] = v
  }
  if (!done) out.tracking_summary = { total: 0, recent: 0 }
  return out
}

/** The `organization` object embedded in a package dict. */
export function packageOrganizationDictize (g: Group): Dict {
  return {
    id: g.id,
    name: g.name,
    title: g.title,
    type: g.type,
    description: g.description,
    image_url: g.image_url,
    created: ckanTimestamp(g.created),
    is_organization: g.is_organization,
    approval_status: g.approval_status,
    state: g.state
  }
}

export function imageDisplayUrl (g: Pick<Group, 'image_url'>, siteUrl: string): string {
  const u = g.image_url
  if (!u) return ''
  return /^https?:\/\//.test(u) ? u : `${siteUrl}/uploads/group/${u}`
}

/** The `groups[]` items of a package dict. */
export function packageGroupDictize (g: Group, siteUrl: string): Dict {
  return {
    description: g.description,
    display_name: g.title || g.name,
    id: g.id,
    image_display_url: imageDisplayUrl(g, siteUrl),
    name: g.name,
    title: g.title
  }
}

export function tagDictize (t: Tag): Dict {
  return { display_name: t.name, id: t.id, name: t.name, state: 'active', vocabulary_id: t.vocabulary_id }
}

export interface PackageParts {
  pkg: Package
  organization: Group | null
  resources: Resource[]
  tags: Tag[]
  groups: Group[]
  license: License | null
}

export function isOpen (license: License | null): boolean {
  return !!license && (license.od_conformance === 'approved' || license.osd_conformance === 'approved')
}

export function packageDictize ({ pkg, organization, resources, tags, groups, license }: PackageParts, siteUrl: string): Dict {
  let licenseTitle: string | null = null
  if (pkg.license_id) {
    licenseTitle = license ? license.title : pkg.license_id
    // CKAN keeps only the last part of a "::" title when the licence has a URL
    if (license?.url && licenseTitle.includes('::')) licenseTitle = licenseTitle.split('::').pop()!.trim()
  }
  const scalars: Dict = {
    ...(pkg.gdc as Dict),
    author: pkg.author,
    author_email: pkg.author_email,
    creator_user_id: pkg.creator_user_id,
    id: pkg.id,
    isopen: isOpen(license),
    license_id: pkg.license_id,
    license_title: licenseTitle,
    ...(license?.url ? { license_url: license.url } : {}),
    maintainer: pkg.maintainer,
    maintainer_email: pkg.maintainer_email,
    metadata_created: ckanTimestamp(pkg.metadata_created),
    metadata_modified: ckanTimestamp(pkg.metadata_modified),
    name: pkg.name,
    notes: pkg.notes,
    num_resources: resources.length,
    num_tags: tags.length,
    organization: organization ? packageOrganizationDictize(organization) : null,
    owner_org: pkg.owner_org,
    private: pkg.private,
    state: pkg.state,
    title: pkg.title,
    type: pkg.type,
    url: pkg.url,
    version: pkg.version
  }
  const extras = Object.entries(pkg.extras as Record<string, string>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }))
  return {
    ...sortKeys(scalars),
    resources: resources.map((r) => resourceDictize(r, siteUrl)),
    tags: [...tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(tagDictize),
    extras,
    groups: [...groups].sort((a, b) => (a.name < b.name ? -1 : 1)).map((g) => packageGroupDictize(g, siteUrl)),
    relationships_as_subject: [],
    relationships_as_object: []
  }
}

/** group_show / organization_show / *_list all_fields (without the lists). */
export function groupDictize (g: Group, packageCount: number | undefined, siteUrl: string): Dict {
  return {
    approval_status: g.approval_status,
    created: ckanTimestamp(g.created),
    description: g.description,
    display_name: g.title || g.name,
    id: g.id,
    image_display_url: imageDisplayUrl(g, siteUrl),
    image_url: g.image_url,
    is_organization: g.is_organization,
    name: g.name,
    num_followers: 0,
    ...(packageCount !== undefined ? { package_count: packageCount } : {}),
    state: g.state,
    title: g.title,
    type: g.type
  }
}

export function emailHash (email: string | null): string {
  return email ? createMd5(email.trim().toLowerCase()) : ''
}

function createMd5 (s: string): string { return createHash('md5').update(s).digest('hex') }

export interface UserDictizeOptions {
  /** the caller is this user or a sysadmin: e-mail is shown */
  privileged: boolean
  numberCreatedPackages: number
}

export function userDictize (u: User, o: UserDictizeOptions): Dict {
  return {
    id: u.id,
    name: u.name,
    fullname: u.fullname,
    created: ckanTimestamp(u.created),
    about: u.about,
    last_active: ckanTimestamp(u.last_active),
    activity_streams_email_notifications: false,
    sysadmin: u.sysadmin,
    state: u.state,
    image_url: u.image_url,
    display_name: u.fullname || u.name,
    email_hash: emailHash(u.email),
    number_created_packages: o.numberCreatedPackages,
    image_display_url: u.image_url ?? '',
    ...(o.privileged ? { email: u.email } : {})
  }
}
