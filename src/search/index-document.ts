/**
 * One dataset's search_index row, built from the same parts as its
 * package_show dict. Field names follow CKAN's Solr index
 * (ckan/lib/search/index.py), so `fq` and `q` can name them as CKAN users do.
 */
import type { Selectable } from 'kysely'
import type { PackageParts } from '../ckan/dictize.js'
import type { SearchIndexTable } from '../db/database.js'
import { GDC_DATASET_FIELD_NAMES } from '../catalog/gdc.js'
import { segment } from './analyzer.js'

/** The search_index row (its tsvectors are built from `weighted` in SQL), and what search_text is built from. */
export interface IndexDocument extends Omit<Selectable<SearchIndexTable>, 'rank' | 'fts'> {
  /** Solr string fields: exact, case-sensitive values */
  fields: Record<string, string[]>
  /** Solr text fields other than title and notes (which have weights of their own), segmented, for field-restricted text queries */
  texts: Record<string, string>
  /** segmented text of each weight: A title and name, B tags, C notes, D the rest */
  weighted: [a: string, b: string, c: string, d: string]
}

/** CKAN index fields that are not extras (a dataset's extras are also indexed under their own key unless it is one of these). */
const RESERVED = new Set(['id', 'name', 'title', 'notes', 'text', 'tags', 'groups', 'organization', 'owner_org', 'res_name',
  'res_description', 'res_format', 'res_url', 'res_type', 'license_id', 'license', 'capacity', 'state', 'type', 'dataset_type',
  'creator_user_id', 'metadata_created', 'metadata_modified', 'num_resources', 'num_tags', 'author', 'maintainer', 'url',
  'version', 'site_id', 'permission_labels', 'index_id', 'data_dict', 'validated_data_dict'])

/** Fields CKAN's Solr schema analyses as text rather than keeping as exact strings. */
export const TEXT_FIELDS = new Set(['title', 'notes', 'author', 'maintainer', 'res_name', 'res_description', 'text'])

/**
 * Bounds on what one dataset puts in the index. A tsvector holds at most
 * 1 MB, and a trigram index entry per distinct trigram makes a megabyte of
 * notes cost seconds to write; metadata that long is pasted data, and its
 * start is what a search needs.
 */
const MAX_INDEXED_TEXT = 100_000
const MAX_TITLE_STRING = 1_000

const present = (values: (string | null | undefined)[]): string[] => values.filter((v): v is string => typeof v === 'string' && v !== '')

export function indexDocument ({ pkg, organization, resources, tags, groups, license }: PackageParts): IndexDocument {
  const tagNames = tags.map((t) => t.name).sort()
  const groupNames = groups.map((g) => g.name).sort()
  const formats = [...new Set(present(resources.map((r) => r.format)))]
  const extras = pkg.extras as Record<string, string>
  const gdc = pkg.gdc as Record<string, string | string[]>

  const fields: Record<string, string[]> = {}
  const put = (key: string, values: (string | null | undefined)[]) => {
    const v = present(values)
    if (v.length) fields[key] = [...new Set([...(fields[key] ?? []), ...v])]
  }
  put('id', [pkg.id])
  put('name', [pkg.name])
  put('owner_org', [pkg.owner_org])
  put('organization', [organization?.name])
  put('groups', groupNames)
  put('tags', tagNames)
  put('res_format', formats)
  put('res_url', resources.map((r) => r.url))
  put('res_type', resources.map((r) => r.resource_type))
  put('license_id', [pkg.license_id])
  put('license', [license?.title])
  put('capacity', [pkg.private ? 'private' : 'public'])
  put('state', [pkg.state])
  put('type', [pkg.type])
  put('dataset_type', [pkg.type])
  put('creator_user_id', [pkg.creator_user_id])
  put('url', [pkg.url])
  put('version', [pkg.version])
  put('site_id', ['default'])
  for (const [key, value] of Object.entries(gdc)) put(key, Array.isArray(value) ? value : [value])
  for (const [key, value] of Object.entries(extras)) {
    put(`extras_${key}`, [value])
    if (!RESERVED.has(key) && !GDC_DATASET_FIELD_NAMES.has(key)) put(key, [value])
  }

  const texts: Record<string, string> = {}
  const text = (key: string, values: (string | null | undefined)[]) => {
    const s = segment(present(values).join('\n').slice(0, MAX_INDEXED_TEXT))
    if (s) texts[key] = s
  }
  text('author', [pkg.author])
  text('maintainer', [pkg.maintainer])
  text('res_name', resources.map((r) => r.name))
  text('res_description', resources.map((r) => r.description))
  for (const [key, value] of Object.entries(extras)) text(`extras_${key}`, [value])

  const gdcText = Object.values(gdc).flat()
  const bounded = (t: string) => segment(t.slice(0, MAX_INDEXED_TEXT))
  const weighted: IndexDocument['weighted'] = [
    bounded(`${pkg.title}\n${pkg.name.replace(/[-_]/g, ' ')}`),
    bounded(tagNames.join('\n')),
    bounded(pkg.notes ?? ''),
    // the text fields were segmented above: each piece of text is segmented once
    [
      bounded(present([organization?.title, organization?.name, ...groups.flatMap((g) => [g.title, g.name]), ...gdcText]).join('\n')),
      ...Object.values(texts)
    ].join(' ')
  ]
  return {
    package_id: pkg.id,
    state: pkg.state,
    private: pkg.private,
    type: pkg.type,
    owner_org: pkg.owner_org,
    creator_user_id: pkg.creator_user_id,
    name: pkg.name,
    title: pkg.title,
    title_string: pkg.title.slice(0, MAX_TITLE_STRING).toLowerCase(),
    metadata_created: pkg.metadata_created,
    metadata_modified: pkg.metadata_modified,
    num_resources: resources.length,
    num_tags: tags.length,
    organization: organization?.name ?? null,
    groups: groupNames,
    tags: tagNames,
    res_format: formats,
    license_id: pkg.license_id,
    fields,
    texts,
    weighted,
    // the substring net: the short fields a Thai word is looked for in (migrations/20261127T180000-search-narrow.ts)
    body: [pkg.title.slice(0, MAX_TITLE_STRING), pkg.name, ...tagNames, organization?.title ?? ''].join('\n').toLowerCase()
  }
}
