/**
 * The catalog: users, API tokens, organizations/groups with members, licenses,
 * packages (with their materialized package_show dict), resources and tags.
 * Frozen once landed: later changes go in a new migration.
 */
import { type Kysely, sql } from 'kysely'

const CATALOG = [
  `
    CREATE TABLE users (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      fullname text,
      email text,
      about text,
      image_url text,
      sysadmin boolean NOT NULL DEFAULT false,
      state text NOT NULL DEFAULT 'active',
      created timestamptz NOT NULL DEFAULT now(),
      last_active timestamptz,
      -- scrypt, for CKAN clients that set one; the API itself authenticates by token
      password_hash text
    )
  `,
  `
    CREATE TABLE api_tokens (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      -- the first characters of the token, indexed, so a lookup never scans hashes
      prefix text NOT NULL UNIQUE,
      -- sha256 of the whole token; the token itself is never stored
      hash text NOT NULL,
      tier text NOT NULL DEFAULT 'default',
      created_at timestamptz NOT NULL DEFAULT now(),
      last_access timestamptz,
      expires_at timestamptz,
      plugin_extras jsonb
    )
  `,
  `
    CREATE INDEX api_tokens_user_id ON api_tokens (user_id)
  `,
  `
    -- CKAN keeps organizations and groups in one table; so does opend
    CREATE TABLE groups (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      title text NOT NULL DEFAULT '',
      description text NOT NULL DEFAULT '',
      image_url text NOT NULL DEFAULT '',
      type text NOT NULL,
      is_organization boolean NOT NULL,
      approval_status text NOT NULL DEFAULT 'approved',
      state text NOT NULL DEFAULT 'active',
      created timestamptz NOT NULL DEFAULT now(),
      extras jsonb NOT NULL DEFAULT '{}'
    )
  `,
  `
    CREATE TABLE group_members (
      group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      capacity text NOT NULL,
      PRIMARY KEY (group_id, user_id)
    )
  `,
  `
    CREATE INDEX group_members_user_id ON group_members (user_id)
  `,
  `
    CREATE TABLE licenses (
      id text PRIMARY KEY,
      position integer NOT NULL,
      title text NOT NULL,
      url text NOT NULL DEFAULT '',
      od_conformance text NOT NULL DEFAULT 'not reviewed',
      osd_conformance text NOT NULL DEFAULT 'not reviewed',
      is_generic boolean NOT NULL DEFAULT false,
      domain_content boolean NOT NULL DEFAULT false,
      domain_data boolean NOT NULL DEFAULT false,
      domain_software boolean NOT NULL DEFAULT false,
      family text NOT NULL DEFAULT '',
      maintainer text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active'
    )
  `,
  `
    CREATE TABLE packages (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      title text NOT NULL,
      notes text,
      author text,
      author_email text,
      maintainer text,
      maintainer_email text,
      license_id text,
      url text,
      version text,
      type text NOT NULL DEFAULT 'dataset',
      owner_org text REFERENCES groups(id),
      private boolean NOT NULL DEFAULT false,
      state text NOT NULL DEFAULT 'active',
      creator_user_id text,
      metadata_created timestamptz NOT NULL,
      metadata_modified timestamptz NOT NULL,
      extras jsonb NOT NULL DEFAULT '{}',
      gdc jsonb NOT NULL DEFAULT '{}',
      plugin_data jsonb,
      -- the package_show dict as served (JSON text), rebuilt on every write
      dict text NOT NULL DEFAULT ''
    )
  `,
  // package_show reads the stored dict on every uncached call: keep it out of
  // line but uncompressed, which trades some disk for no decompression per read
  `
    ALTER TABLE packages ALTER COLUMN dict SET STORAGE EXTERNAL
  `,
  `
    CREATE INDEX packages_owner_org ON packages (owner_org)
  `,
  `
    CREATE INDEX packages_public_name ON packages (name) WHERE state = 'active' AND NOT private
  `,
  `
    CREATE INDEX packages_creator ON packages (creator_user_id)
  `,
  `
    CREATE TABLE resources (
      id text PRIMARY KEY,
      package_id text NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
      position integer NOT NULL,
      url text NOT NULL DEFAULT '',
      name text,
      description text,
      format text,
      hash text NOT NULL DEFAULT '',
      mimetype text,
      mimetype_inner text,
      size bigint,
      resource_type text,
      url_type text,
      cache_url text,
      cache_last_updated timestamptz,
      created timestamptz NOT NULL,
      last_modified timestamptz,
      metadata_modified timestamptz NOT NULL,
      state text NOT NULL DEFAULT 'active',
      datastore_active boolean NOT NULL DEFAULT false,
      extras jsonb NOT NULL DEFAULT '{}'
    )
  `,
  `
    CREATE INDEX resources_package_id ON resources (package_id, position)
  `,
  `
    CREATE TABLE tags (
      id text PRIMARY KEY,
      name text NOT NULL UNIQUE,
      vocabulary_id text
    )
  `,
  `
    CREATE TABLE package_tags (
      package_id text NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
      tag_id text NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
      PRIMARY KEY (package_id, tag_id)
    )
  `,
  `
    CREATE INDEX package_tags_tag_id ON package_tags (tag_id)
  `,
  `
    CREATE TABLE package_groups (
      package_id text NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
      group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
      PRIMARY KEY (package_id, group_id)
    )
  `,
  `
    CREATE INDEX package_groups_group_id ON package_groups (group_id)
  `
]

export async function up (db: Kysely<any>): Promise<void> {
  // one statement per query: PGlite prepares every query, and a prepared
  // statement holds one command
  for (const statement of CATALOG) await sql.raw(statement).execute(db)

  await seedLicenses(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const table of ['package_groups', 'package_tags', 'tags', 'resources', 'packages', 'licenses', 'group_members', 'groups', 'api_tokens', 'users']) {
    await db.schema.dropTable(table).execute()
  }
}

// CKAN 2.10's default licence register (ckan/model/license.py), in its order,
// then the licences data.go.th offers. data.go.th uses the title strings as ids
// (Thai GDC schema choices), so those are kept verbatim as ids here.
type L = [id: string, title: string, url: string, od: string, generic: boolean, content: boolean, data: boolean, software: boolean]
const LICENSES: L[] = [
  ['notspecified', 'License not specified', '', 'not reviewed', true, false, false, false],
  ['odc-pddl', 'Open Data Commons Public Domain Dedication and License (PDDL)', 'http://www.opendefinition.org/licenses/odc-pddl', 'approved', false, false, true, false],
  ['odc-odbl', 'Open Data Commons Open Database License (ODbL)', 'http://www.opendefinition.org/licenses/odc-odbl', 'approved', false, false, true, false],
  ['odc-by', 'Open Data Commons Attribution License', 'http://www.opendefinition.org/licenses/odc-by', 'approved', false, false, true, false],
  ['cc-zero', 'Creative Commons CCZero', 'http://www.opendefinition.org/licenses/cc-zero', 'approved', false, true, true, false],
  ['cc-by', 'Creative Commons Attribution', 'http://www.opendefinition.org/licenses/cc-by', 'approved', false, false, false, false],
  ['cc-by-sa', 'Creative Commons Attribution Share-Alike', 'http://www.opendefinition.org/licenses/cc-by-sa', 'approved', false, true, false, false],
  ['gfdl', 'GNU Free Documentation License', 'http://www.opendefinition.org/licenses/gfdl', 'approved', false, true, false, false],
  ['other-open', 'Other (Open)', '', 'approved', true, true, false, false],
  ['other-pd', 'Other (Public Domain)', '', 'approved', true, true, false, false],
  ['other-at', 'Other (Attribution)', '', 'approved', true, true, false, false],
  ['uk-ogl', 'UK Open Government Licence (OGL)', 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/', 'approved', false, true, false, false],
  ['cc-nc', 'Creative Commons Non-Commercial (Any)', 'http://creativecommons.org/licenses/by-nc/2.0/', 'not reviewed', false, false, false, false],
  ['other-nc', 'Other (Non-Commercial)', '', 'not reviewed', true, false, false, false],
  ['other-closed', 'Other (Not Open)', '', 'not reviewed', true, false, false, false],
  ['DGA Open Government License', 'DGA Open Government License', 'https://data.go.th/pages/dga-open-government-license', 'approved', false, true, true, false],
  ['Open Data Common', 'Open Data Common', '', 'not reviewed', false, false, true, false],
  ['Creative Commons Attributions', 'Creative Commons Attributions', '', 'not reviewed', false, true, false, false],
  ['Creative Commons Attribution Non-Commercial', 'Creative Commons Attribution Non-Commercial', '', 'not reviewed', false, true, false, false],
  ['Creative Commons Attribution Share-Alike', 'Creative Commons Attribution Share-Alike', '', 'not reviewed', false, true, false, false],
  ['Creative Commons Attribution Non-Commercial Share-Alike', 'Creative Commons Attribution Non-Commercial Share-Alike', '', 'not reviewed', false, true, false, false],
  ['Creative Commons Attribution Non-Commercial No-Derivs', 'Creative Commons Attribution Non-Commercial No-Derivs', '', 'not reviewed', false, true, false, false],
  ['Creative Commons Attribution No-Derivs', 'Creative Commons Attribution No-Derivs', '', 'not reviewed', false, true, false, false],
  ['License not specified', 'License not specified', '', 'not reviewed', true, false, false, false]
]

async function seedLicenses (db: Kysely<any>): Promise<void> {
  await db.insertInto('licenses').values(LICENSES.map(([id, title, url, od, generic, content, data, software], position) => ({
    id, position, title, url, od_conformance: od, is_generic: generic, domain_content: content, domain_data: data, domain_software: software
  }))).execute()
}
