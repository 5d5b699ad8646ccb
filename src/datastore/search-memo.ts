/**
 * What datastore_search learns about a table and can reuse until the table
 * changes: how many rows a filter matches (a count over millions of rows
 * costs tens of milliseconds, every time a client asks for the next page),
 * and where the pages of a filter in `_id` order start, so that a client
 * following `_links.next` with `offset=N` gets its page by a keyset seek
 * (`_id > last`) instead of walking N rows. The links themselves stay
 * CKAN's, so clients see no difference.
 *
 * Entries are keyed by the table's version (datastore_tables.modified, moved
 * by every write, tables.ts): after a write nothing old is read again, and
 * the stale entries age out of the LRU. Keys also carry the resource id, a
 * random UUID, so one memo per process serves every app in it. Nothing is
 * read from it before the caller's right to read the table is checked.
 */

/** Entries kept; an entry is a key of a few hundred characters and a number. */
const MAX_ENTRIES = 50_000

const entries = new Map<string, number>()

function remember (key: string, value: number): void {
  entries.delete(key)
  entries.set(key, value)
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!)
}

function recall (key: string): number | undefined {
  const value = entries.get(key)
  if (value !== undefined) remember(key, value)
  return value
}

/**
 * Pages of ranked full-text searches, the one kind whose cost grows with
 * the matches rather than the page (every match is ranked to find the top
 * ones): apps send the same searches over and over. Bounded by the
 * characters held.
 */
const MAX_PAGE_CHARS = 32 * 2 ** 20
const pages = new Map<string, string>()
let pageChars = 0

function keepPage (key: string, text: string): void {
  if (text.length > MAX_PAGE_CHARS / 64) return
  dropPage(key)
  pages.set(key, text)
  pageChars += key.length + text.length
  while (pageChars > MAX_PAGE_CHARS) dropPage(pages.keys().next().value!)
}

function dropPage (key: string): void {
  const text = pages.get(key)
  if (text === undefined) return
  pages.delete(key)
  pageChars -= key.length + text.length
}

/** One search's memory: the table at its version, and the filter as compiled SQL with its values. */
export class SearchMemo {
  private readonly key: string

  constructor (resourceId: string, version: string, condition: { sql: string, parameters: readonly unknown[] }) {
    this.key = `${resourceId}\u0000${version}\u0000${condition.sql}\u0000${JSON.stringify(condition.parameters)}`
  }

  count (): number | undefined {
    return recall(`${this.key}\u0000count`)
  }

  setCount (n: number): void {
    remember(`${this.key}\u0000count`, n)
  }

  /** The last `_id` before the row at `offset`, when a page ending there has been served. */
  before (offset: number): number | undefined {
    return recall(`${this.key}\u0000${offset}`)
  }

  setBefore (offset: number, id: number): void {
    remember(`${this.key}\u0000${offset}`, id)
  }

  /** The records of a page, by its statement (the selected columns, the order, limit and offset). */
  page (statement: { sql: string, parameters: readonly unknown[] }): string | undefined {
    const key = this.pageKey(statement)
    const text = pages.get(key)
    if (text !== undefined) {
      pages.delete(key)
      pages.set(key, text)
    }
    return text
  }

  setPage (statement: { sql: string, parameters: readonly unknown[] }, records: string): void {
    keepPage(this.pageKey(statement), records)
  }

  private pageKey (statement: { sql: string, parameters: readonly unknown[] }): string {
    return `${this.key}\u0000${statement.sql}\u0000${JSON.stringify(statement.parameters)}`
  }
}
