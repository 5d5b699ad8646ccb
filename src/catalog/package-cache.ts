/**
 * package_show answers for public datasets (and package_list pages), kept in
 * process memory. Every
 * write that rebuilds a package dict also sends `NOTIFY opend_package, <id>`
 * in its transaction, so every opend process drops the entry when the write
 * commits; a process whose notification channel is down serves nothing from
 * the cache until it is back (and starts empty). Entries also expire after
 * TTL_MS as a last safety net.
 */

export const CHANNEL = 'opend_package'
const TTL_MS = 60_000
const MAX_ENTRIES = 10_000

interface Entry { id: string, dict: string, expires: number }

/** Entries that depend on every dataset (package_list pages) are stored under this id. */
export const ANY_PACKAGE = '\u0000any'

export class PackageCache {
  private readonly entries = new Map<string, Entry>()
  /** bumped by every invalidation: a read that began before one may not fill the cache */
  private gen = 0
  private live = false

  get generation (): number { return this.gen }

  /** Caching is on only while invalidations can reach this process. */
  setLive (live: boolean): void {
    this.live = live
    this.invalidate()
  }

  get (key: string): string | undefined {
    if (!this.live) return undefined
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.expires < Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return e.dict
  }

  /** Store a public dataset's dict, read from the database at `generation`. */
  set (key: string, id: string, dict: string, generation: number): void {
    if (!this.live || generation !== this.gen) return
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(key, { id, dict, expires: Date.now() + TTL_MS })
  }

  /** Drop one dataset's entries (under its name and its id), or all. */
  invalidate (id?: string): void {
    this.gen++
    if (id === undefined) {
      this.entries.clear()
      return
    }
    for (const [key, e] of this.entries) if (e.id === id || e.id === ANY_PACKAGE) this.entries.delete(key)
  }
}
