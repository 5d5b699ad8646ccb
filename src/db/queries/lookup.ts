/**
 * CKAN's Model.get(): users, datasets, organizations, groups and tags are
 * named by their id or their name. For single-table queries.
 */
import { sql, type SqlBool } from 'kysely'

export const idOrName = (ref: string) => sql<SqlBool>`(id = ${ref} OR name = ${ref})`

/** Order by this, descending: an id match wins over a name match (a name may equal another row's id). */
export const idFirst = (ref: string) => sql<boolean>`id = ${ref}`
