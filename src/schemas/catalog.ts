/**
 * Result schemas for OpenAPI and for the tests that check every answer
 * against its declared shape. Free-form parts (extras, Thai GDC fields,
 * resource extras) are declared open so nothing a client sends is hidden.
 */
import Type from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Text = Nullable(Type.String())
const Timestamp = Type.String({ description: 'naive UTC ISO 8601 with microseconds, e.g. 2026-11-27T10:34:29.278798' })

export const ResourceSchema = Type.Object({
  id: Type.String(),
  package_id: Type.String(),
  url: Type.String(),
  name: Text,
  description: Text,
  format: Text,
  hash: Type.String(),
  mimetype: Text,
  mimetype_inner: Text,
  size: Nullable(Type.Integer()),
  position: Type.Integer(),
  resource_type: Text,
  url_type: Text,
  cache_url: Text,
  cache_last_updated: Nullable(Timestamp),
  created: Timestamp,
  last_modified: Nullable(Timestamp),
  metadata_modified: Timestamp,
  state: Type.String(),
  datastore_active: Type.Boolean()
}, { additionalProperties: true, description: 'A resource; free-form extras and Thai GDC resource fields appear as extra keys' })

export const PackageOrganizationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  type: Type.String(),
  description: Type.String(),
  image_url: Type.String(),
  created: Timestamp,
  is_organization: Type.Boolean(),
  approval_status: Type.String(),
  state: Type.String()
})

export const TagSchema = Type.Object({
  display_name: Type.String(),
  id: Type.String(),
  name: Type.String(),
  state: Type.String(),
  vocabulary_id: Text
})

export const PackageGroupSchema = Type.Object({
  description: Type.String(),
  display_name: Type.String(),
  id: Type.String(),
  image_display_url: Type.String(),
  name: Type.String(),
  title: Type.String()
})

export const PackageSchema = Type.Object({
  author: Text,
  author_email: Text,
  creator_user_id: Text,
  id: Type.String(),
  isopen: Type.Boolean(),
  license_id: Text,
  license_title: Text,
  license_url: Type.Optional(Type.String()),
  maintainer: Text,
  maintainer_email: Text,
  metadata_created: Timestamp,
  metadata_modified: Timestamp,
  name: Type.String(),
  notes: Text,
  num_resources: Type.Integer(),
  num_tags: Type.Integer(),
  organization: Nullable(PackageOrganizationSchema),
  owner_org: Text,
  private: Type.Boolean(),
  state: Type.String(),
  title: Type.String(),
  type: Type.String(),
  url: Text,
  version: Text,
  resources: Type.Array(ResourceSchema),
  tags: Type.Array(TagSchema),
  extras: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
  groups: Type.Array(PackageGroupSchema),
  relationships_as_subject: Type.Array(Type.Unknown()),
  relationships_as_object: Type.Array(Type.Unknown())
}, { additionalProperties: true, description: 'A dataset as package_show returns it; set Thai GDC fields (data_type, objective, ...) appear as extra top-level keys' })

export const GroupSchema = Type.Object({
  approval_status: Type.String(),
  created: Timestamp,
  description: Type.String(),
  display_name: Type.String(),
  id: Type.String(),
  image_display_url: Type.String(),
  image_url: Type.String(),
  is_organization: Type.Boolean(),
  name: Type.String(),
  num_followers: Type.Integer(),
  package_count: Type.Optional(Type.Integer()),
  state: Type.String(),
  title: Type.String(),
  type: Type.String()
}, { additionalProperties: true })

export const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  fullname: Text,
  created: Timestamp,
  about: Text,
  last_active: Nullable(Timestamp),
  activity_streams_email_notifications: Type.Boolean(),
  sysadmin: Type.Boolean(),
  state: Type.String(),
  image_url: Text,
  display_name: Type.String(),
  email_hash: Type.String(),
  number_created_packages: Type.Integer(),
  image_display_url: Type.String(),
  email: Type.Optional(Text)
}, { additionalProperties: true })

export const LicenseSchema = Type.Object({
  domain_content: Type.String(),
  id: Type.String(),
  domain_data: Type.String(),
  domain_software: Type.String(),
  family: Type.String(),
  is_generic: Type.String(),
  od_conformance: Type.String(),
  osd_conformance: Type.String(),
  maintainer: Type.String(),
  status: Type.String(),
  url: Type.String(),
  title: Type.String()
})

export const MemberSchema = Type.Object({
  id: Type.String(),
  table_name: Type.String(),
  table_id: Type.String(),
  capacity: Type.String(),
  group_id: Type.String(),
  state: Type.String()
})

export const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user_id: Type.String(),
  created_at: Timestamp,
  last_access: Nullable(Timestamp),
  // opend's additions (issue #5); CKAN clients read the fields above
  user_name: Type.String(),
  tier: Type.String({ description: 'rate-limit tier' }),
  state: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('pending')]),
  expires_at: Nullable(Timestamp)
})

export const Null = Type.Null({ description: 'CKAN answers null' })
export const NameList = Type.Array(Type.String())
