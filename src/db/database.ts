/** Kysely table types: one interface per table, snake_case as in CKAN. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string, Date | string>
type GenTimestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>
type GenJson<T> = ColumnType<T, string | undefined, string>

export interface UserTable {
  id: string
  name: string
  fullname: string | null
  email: string | null
  about: string | null
  image_url: string | null
  sysadmin: Generated<boolean>
  state: Generated<string>
  created: GenTimestamp
  last_active: Timestamp | null
  password_hash: string | null
}

export interface ApiTokenTable {
  id: string
  user_id: string
  name: string
  prefix: string
  hash: string
  tier: Generated<string>
  created_at: GenTimestamp
  last_access: Timestamp | null
  expires_at: Timestamp | null
  plugin_extras: Json<Record<string, unknown>> | null
  state: Generated<TokenState>
  revoked_at: Timestamp | null
}

export type TokenState = 'active' | 'disabled' | 'pending'

export interface ApiTokenUsageTable {
  token_id: string
  day: string
  action: string
  requests: Generated<string>
  limited: Generated<string>
}

export interface GroupTable {
  id: string
  name: string
  title: Generated<string>
  description: Generated<string>
  image_url: Generated<string>
  type: string
  is_organization: boolean
  approval_status: Generated<string>
  state: Generated<string>
  created: GenTimestamp
  extras: GenJson<Record<string, string>>
}

export interface GroupMemberTable {
  group_id: string
  user_id: string
  capacity: string
}

export interface LicenseTable {
  id: string
  position: number
  title: string
  url: string
  od_conformance: string
  osd_conformance: string
  is_generic: boolean
  domain_content: boolean
  domain_data: boolean
  domain_software: boolean
  family: string
  maintainer: string
  status: string
}

export interface PackageTable {
  id: string
  name: string
  title: string
  notes: string | null
  author: string | null
  author_email: string | null
  maintainer: string | null
  maintainer_email: string | null
  license_id: string | null
  url: string | null
  version: string | null
  type: Generated<string>
  owner_org: string | null
  private: boolean
  state: string
  creator_user_id: string | null
  metadata_created: Timestamp
  metadata_modified: Timestamp
  extras: Json<Record<string, string>>
  gdc: Json<Record<string, string | string[]>>
  plugin_data: Json<Record<string, unknown>> | null
  dict: Generated<string>
}

export interface ResourceTable {
  id: string
  package_id: string
  position: number
  url: string
  name: string | null
  description: string | null
  format: string | null
  hash: string
  mimetype: string | null
  mimetype_inner: string | null
  size: ColumnType<number | null, number | null, number | null>
  resource_type: string | null
  url_type: string | null
  cache_url: string | null
  cache_last_updated: Timestamp | null
  created: Timestamp
  last_modified: Timestamp | null
  metadata_modified: Timestamp
  state: string
  datastore_active: boolean
  extras: Json<Record<string, unknown>>
}

export interface TagTable {
  id: string
  name: string
  vocabulary_id: string | null
}

export interface PackageTagTable { package_id: string, tag_id: string }
export interface PackageGroupTable { package_id: string, group_id: string }

export interface SearchIndexTable {
  package_id: string
  state: string
  private: boolean
  type: string
  owner_org: string | null
  creator_user_id: string | null
  name: string
  title: string
  title_string: string
  metadata_created: Timestamp
  metadata_modified: Timestamp
  num_resources: number
  num_tags: number
  organization: string | null
  groups: string[]
  tags: string[]
  res_format: string[]
  license_id: string | null
  /** written by src/db/queries/search-index.ts in SQL (setweight(to_tsvector(...))) */
  rank: ColumnType<string, never, never>
  fts: ColumnType<string, never, never>
  body: string
}

export interface SearchTextTable {
  package_id: string
  fields: Json<Record<string, string[]>>
  texts: Json<Record<string, string>>
}

export interface DatastoreTableTable {
  resource_id: string
  fields: Json<DatastoreField[]>
  primary_key: ColumnType<string[], string[] | undefined, string[]>
  row_count: ColumnType<number, number | undefined, number>
  /** how `_full_text` is analysed (src/search/analyzer.ts fullTextAnalyzer) */
  full_text_version: ColumnType<number, number | undefined, number>
  created: GenTimestamp
  modified: GenTimestamp
}

/** A DataStore column as CKAN reports it: `type` is the PostgreSQL type name (int4, float8, _text, json, ...). */
export interface DatastoreField { id: string, type: string, info?: Record<string, unknown> }

export interface DatastoreAliasTable {
  name: string
  resource_id: string
}

export type LoadJobStatus = 'pending' | 'running' | 'complete' | 'error'

/** A line of a load job's log, as xloader_status shows it. */
export interface LoadJobLog { timestamp: string, level: 'INFO' | 'ERROR', message: string }

export interface DatastoreLoadJobTable {
  id: string
  resource_id: string
  status: LoadJobStatus
  worker: string
  file_name: string
  error: string | null
  row_count: number | null
  logs: GenJson<LoadJobLog[]>
  created: GenTimestamp
  started: Timestamp | null
  finished: Timestamp | null
  last_updated: GenTimestamp
}

export interface SearchMetaTable {
  key: string
  value: string
}

export interface Database {
  users: UserTable
  api_tokens: ApiTokenTable
  api_token_usage: ApiTokenUsageTable
  groups: GroupTable
  group_members: GroupMemberTable
  licenses: LicenseTable
  packages: PackageTable
  resources: ResourceTable
  tags: TagTable
  package_tags: PackageTagTable
  package_groups: PackageGroupTable
  search_index: SearchIndexTable
  search_text: SearchTextTable
  search_meta: SearchMetaTable
  datastore_tables: DatastoreTableTable
  datastore_aliases: DatastoreAliasTable
  datastore_load_jobs: DatastoreLoadJobTable
}

export type User = Selectable<UserTable>
export type ApiToken = Selectable<ApiTokenTable>
export type Group = Selectable<GroupTable>
export type License = Selectable<LicenseTable>
export type Package = Selectable<PackageTable>
export type NewPackage = Insertable<PackageTable>
export type PackageUpdate = Updateable<PackageTable>
export type Resource = Selectable<ResourceTable>
export type NewResource = Insertable<ResourceTable>
export type Tag = Selectable<TagTable>
