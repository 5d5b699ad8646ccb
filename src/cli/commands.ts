/**
 * The `opend` commands that work on the database (migrate, demo, reindex,
 * user add, token add), parsed and checked before any database is opened, then run
 * over an open one: by the CLI process itself, or by a running server on
 * behalf of the CLI (control.ts) when the embedded database is the server's.
 */
import { parseArgs } from 'node:util'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Db } from '../db/factory.js'
import { migrateToLatest } from '../db/migrate.js'
import { createToken, findTokenRow, listTokens, revokeToken, updateToken, type TokenChange } from '../db/queries/tokens.js'
import { DEFAULT_TIER } from '../limits/tiers.js'
import { checkTier } from '../catalog/tokens.js'
import { ValidationError } from '../ckan/errors.js'
import { findUser, insertUser } from '../db/queries/users.js'
import { isEmail, nameErrors } from '../catalog/validators.js'
import { loadDemo } from '../demo/load.js'
import { reindex } from '../search/reindex.js'
import { resolve } from 'node:path'
import { loadFile } from '../datastore/load.js'

export const USAGE = `usage:
  opend serve                                     start the API server (what npm start runs)
  opend migrate                                   bring the database schema up to date
  opend user add <name> [--sysadmin] [--email E]  create a user
  opend token add <user> [--name N] [--tier T] [--expires ISO-DATE]
                                                  create an API key; prints it alone on stdout
  opend token list [user]                         list keys (id, user, name, tier, state, expiry, last use)
  opend token disable|enable|revoke <id>          stop a key for now, start it again, or for good
  opend token tier <id> <tier>                    move a key to another rate-limit tier
  opend demo                                      load the demo catalog (idempotent)
  opend reindex                                   rebuild the package search index
  opend datastore load <resource_id> <file.csv|file.xlsx> [--encoding E]
                                                  load a file into the resource's DataStore table,
                                                  replacing its rows (E: utf-8 or tis-620; detected by default)
environment: PORT, HOST, DATABASE_URL, OPEND_DATA_DIR, OPEND_SITE_URL, LOG_LEVEL, ...`

/** A mistake in the command line: reported with the usage text. */
export class UsageError extends Error {}

export interface CommandContext {
  db: Db
  config: Config
  log: FastifyBaseLogger
  out: (text: string) => void
  /** long commands report progress here when someone is watching a terminal */
  progress?: (done: number, total: number) => void
}
export type Command = (ctx: CommandContext) => Promise<void>

export function parseDbCommand (argv: string[]): Command {
  const [cmd, sub, ...rest] = argv
  switch (cmd) {
    case 'migrate':
      return async ({ db, out }) => {
        const results = await migrateToLatest(db.kysely)
        for (const r of results) out(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName}\n`)
        if (results.length === 0) out('the database is up to date\n')
      }
    case 'demo':
      return async ({ db, config, log, out }) => {
        const { created, skipped } = await loadDemo(db.kysely, config, log)
        out(`demo catalog: ${created} datasets created, ${skipped} already present\n`)
      }
    case 'reindex':
      if (sub !== undefined) throw new UsageError('reindex takes no arguments')
      return async ({ db, out, progress }) => {
        const { packages, ms } = await reindex(db.kysely, { onProgress: progress })
        out(`search index rebuilt: ${packages} datasets in ${(ms / 1000).toFixed(1)} s\n`)
      }
    case 'datastore': {
      if (sub !== 'load') throw new UsageError('datastore: the subcommand is load')
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { encoding: { type: 'string' } } })
      if (positionals.length !== 2) throw new UsageError('datastore load takes a resource id and a file')
      // the server may run the command for us (PGlite), from another directory
      const [resourceId, file] = [positionals[0], resolve(positionals[1])]
      return async ({ db, config, out, progress }) => {
        const started = performance.now()
        const r = await loadFile(db, resourceId, file, { encoding: values.encoding, siteUrl: config.siteUrl, onProgress: progress })
        out(`loaded ${r.rows} rows into ${resourceId} in ${((performance.now() - started) / 1000).toFixed(1)} s (${r.format}${r.encoding ? `, ${r.encoding}` : ''}): ${r.fields.map((f) => `${f.id} ${f.type}`).join(', ')}\n`)
      }
    }
    case 'user': {
      if (sub !== 'add') throw new UsageError(`unknown command: user ${sub ?? ''}`)
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { sysadmin: { type: 'boolean', default: false }, email: { type: 'string' } } })
      const name = positionals[0]
      if (!name || positionals.length > 1) throw new UsageError('user add takes one name')
      const bad = nameErrors(name)
      if (bad.length) throw new UsageError(`invalid user name "${name}": ${bad.join(', ')}`)
      if (values.email !== undefined && !isEmail(values.email)) throw new UsageError(`invalid e-mail address "${values.email}"`)
      return async ({ db, out }) => {
        // not a usage mistake: one line, without the usage text
        if (await findUser(db.kysely, name)) throw new Error(`user "${name}" already exists`)
        const u = await insertUser(db.kysely, { name, email: values.email ?? null, sysadmin: values.sysadmin })
        out(`created user ${u.name} (${u.id})${u.sysadmin ? ', sysadmin' : ''}\n`)
      }
    }
    case 'token':
      return parseTokenCommand(sub, rest)
    default:
      throw new UsageError(`unknown command: ${cmd}`)
  }
}

function parseTokenCommand (sub: string | undefined, rest: string[]): Command {
  if (sub === 'add') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string', default: 'cli' }, tier: { type: 'string', default: DEFAULT_TIER }, expires: { type: 'string' } } })
    const userRef = positionals[0]
    if (!userRef || positionals.length > 1) throw new UsageError('token add takes one user name')
    const expiresAt = values.expires === undefined ? null : new Date(values.expires)
    if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError(`--expires takes an ISO 8601 date (got ${values.expires})`)
    return async ({ db, config, out }) => {
      const tier = checkTier(config, values.tier)
      const u = await findUser(db.kysely, userRef)
      if (!u) throw new Error(`no user "${userRef}" (create one with: opend user add ${userRef})`)
      const { token } = await createToken(db.kysely, u.id, { name: values.name, tier, expiresAt })
      out(token + '\n')
    }
  }
  if (sub === 'list') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} })
    if (positionals.length > 1) throw new UsageError('token list takes at most one user name')
    return async ({ db, out }) => {
      let userId: string | undefined
      if (positionals[0]) {
        const u = await findUser(db.kysely, positionals[0])
        if (!u) throw new Error(`no user "${positionals[0]}"`)
        userId = u.id
      }
      for (const t of await listTokens(db.kysely, { userId })) {
        out([t.id, t.user_name, t.name, t.tier, t.state, t.expires_at?.toISOString() ?? '-', t.last_access?.toISOString() ?? '-'].join('\t') + '\n')
      }
    }
  }
  const changes: Record<string, (args: string[]) => TokenChange | 'revoke'> = {
    disable: () => ({ state: 'disabled' }),
    enable: () => ({ state: 'active' }),
    revoke: () => 'revoke',
    tier: (args) => ({ tier: args[0] })
  }
  const change = sub === undefined ? undefined : changes[sub]
  if (!change) throw new UsageError(`unknown command: token ${sub ?? ''}`)
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} })
  const [id, ...args] = positionals
  if (!id || args.length !== (sub === 'tier' ? 1 : 0)) throw new UsageError(sub === 'tier' ? 'token tier takes a key id and a tier' : `token ${sub} takes one key id`)
  const what = change(args)
  return async ({ db, config, out }) => {
    const row = await findTokenRow(db.kysely, id)
    if (!row || row.revoked_at) throw new Error(`no key with id ${id} (opend token list shows them)`)
    if (what === 'revoke') await revokeToken(db.kysely, id)
    else await updateToken(db.kysely, id, { ...what, ...(what.tier ? { tier: checkTier(config, what.tier) } : {}) })
    out(`${sub === 'revoke' ? 'revoked' : 'updated'} key ${id}; every instance applies it within 3 s\n`)
  }
}

/** The one-line message (and usage, for usage mistakes) a failed command prints. */
export function describeError (err: unknown): string {
  if (err instanceof UsageError) return `opend: ${err.message}\n${USAGE}\n`
  if (err instanceof Error && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return `opend: ${err.message}\n${USAGE}\n`
  // the checks the actions share speak CKAN's field errors: {"tier": ["Unknown tier ..."]}
  if (err instanceof ValidationError) return `opend: ${Object.entries(err.fields).map(([k, v]) => `${k}: ${[v].flat().join('; ')}`).join('; ')}\n`
  return `opend: ${err instanceof Error ? err.message : String(err)}\n`
}
