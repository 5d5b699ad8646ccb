/** Parameter schemas shared by several actions. */
import Type from 'typebox'
import { P } from '../ckan/params.js'

/** A package dict as package_create / package_update take it. */
export const PackageParams = Type.Object({
  id: P.string({ description: 'package_update: the id or name of the dataset to update; package_create: sysadmins only' }),
  // checked by the package schema itself, whose first message for a non-string is CKAN's "Names must be strings"
  name: P.any({ description: 'the dataset URL name: 2-100 characters, lowercase ascii letters, digits, - and _' }),
  title: P.string(),
  notes: P.string({ description: 'the description' }),
  owner_org: P.string({ description: 'the id or name of the owning organization' }),
  private: P.any({ description: 'boolean; private datasets need an organization' }),
  state: P.string({ description: 'active or draft' }),
  author: P.string(),
  author_email: P.string(),
  maintainer: P.string(),
  maintainer_email: P.string(),
  license_id: P.string({ description: 'an id from license_list' }),
  url: P.string(),
  version: P.string({ description: 'at most 100 characters' }),
  type: P.string({ default: 'dataset' }),
  tags: P.any({ description: 'list of {name}' }),
  tag_string: P.string({ description: 'comma separated tags, instead of tags' }),
  extras: P.any({ description: 'list of {key, value}' }),
  groups: P.any({ description: 'list of {id} or {name}' }),
  resources: P.any({ description: 'list of resource dicts' }),
  plugin_data: P.any({ description: 'sysadmins only' })
}, { additionalProperties: true, description: 'Thai GDC fields (data_type, objective, update_frequency_unit, geo_coverage, data_source, data_format, data_category, ...) are accepted at the top level' })

export const IdParams = Type.Object({ id: P.string({ required: true, description: 'id or name' }) })

export const GroupListParams = Type.Object({
  type: P.string(),
  sort: P.string({ default: 'title asc', description: 'name, title or package_count, with asc or desc' }),
  order_by: P.string({ description: 'deprecated alias of sort' }),
  limit: P.natural({ description: 'capped at 1000, or 25 with all_fields' }),
  offset: P.natural(),
  groups: P.list({ description: 'only these names' }),
  organizations: P.list({ description: 'only these names (organization_list)' }),
  q: P.string({ description: 'substring of name, title or description' }),
  all_fields: P.asbool({ default: false }),
  include_dataset_count: P.asbool({ default: true }),
  include_extras: P.asbool(),
  include_tags: P.asbool(),
  include_groups: P.asbool(),
  include_users: P.asbool(),
  include_followers: P.asbool()
})

export const GroupShowParams = Type.Object({
  id: P.string({ required: true, description: 'id or name' }),
  include_datasets: P.asbool({ default: false, description: 'add up to 10 datasets' }),
  include_dataset_count: P.asbool({ default: true }),
  include_extras: P.asbool({ default: true }),
  include_users: P.asbool({ default: true }),
  include_groups: P.asbool({ default: true }),
  include_tags: P.asbool({ default: true }),
  include_followers: P.asbool({ default: true })
})

export const GroupParams = Type.Object({
  id: P.string({ description: 'update: the id or name; create: sysadmins may choose it' }),
  name: P.string({ description: '2-100 lowercase ascii letters, digits, - and _' }),
  title: P.string(),
  description: P.string(),
  image_url: P.string(),
  type: P.string(),
  extras: P.any({ description: 'list of {key, value}' }),
  users: P.any({ description: 'list of {name, capacity}' })
}, { additionalProperties: true })
