/** Every migration, in order. Explicit so that a compiled build never depends on directory scanning. */
import type { Migration } from 'kysely'
import * as catalog from './20261127T120000-catalog.js'
import * as search from './20261127T150000-search.js'
import * as searchNarrow from './20261127T180000-search-narrow.js'
import * as datastore from './20261127T190000-datastore.js'
import * as datastoreLoadJobs from './20261128T120000-datastore-load-jobs.js'
import * as apiKeys from './20261129T120000-api-keys.js'
import * as datastoreFullTextVersion from './20261130T120000-datastore-full-text-version.js'

export const migrations: Record<string, Migration> = {
  '20261127T120000-catalog': catalog,
  '20261127T150000-search': search,
  '20261127T180000-search-narrow': searchNarrow,
  '20261127T190000-datastore': datastore,
  '20261128T120000-datastore-load-jobs': datastoreLoadJobs,
  '20261129T120000-api-keys': apiKeys,
  '20261130T120000-datastore-full-text-version': datastoreFullTextVersion
}
