/**
 * Rate-limit units of the calls that cost the server more than a lookup
 * (issue #5). Everything else costs one. Documented in README.md.
 */
export const COST = {
  /** datastore_search_sql: arbitrary joins and aggregates */
  sql: 5,
  /** a CSV/TSV export: records_format csv/tsv, or /datastore/dump */
  export: 5,
  /** package_search with facet.field: one aggregate per facet */
  facets: 2
} as const
