/**
 * The safety check for datastore_search_sql: the statement must be one
 * read-only SELECT over DataStore tables that calls only allow-listed
 * functions. It is judged on the parse tree of PostgreSQL's own parser
 * (libpg-query), not on the text, so quoting (`"pg_sleep"(10)`) cannot hide a
 * call as it does from CKAN 2.10's check. The caller still runs the statement
 * read-only, with `search_path` set to the DataStore schema alone and
 * `standard_conforming_strings` on (the parser's reading of backslashes).
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { AuthorizationError, ValidationError } from '../ckan/errors.js'
import { ALLOWED_FUNCTIONS } from './allowed-functions.js'

export const MAX_SQL_LENGTH = 20_000

// Casts to these types look catalog objects up by name (`'pg_authid'::regclass`).
const REG_TYPES = new Set([
  'regclass', 'regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper',
  'regoperator', 'regproc', 'regprocedure', 'regrole', 'regtype'
])

const notSelect = () => new ValidationError({ query: ['Only a single SELECT statement is allowed.'] })
const notFunction = (name: string) => new AuthorizationError(`Not authorized to call function ${name}`)

type Obj = Record<string, unknown>

/**
 * Checks `sql` and returns the relations it reads (unqualified names as the
 * parser gives them, WITH queries excluded), or throws the CKAN error for
 * the first thing it refuses.
 */
export async function checkSearchSql (sql: string, datastoreSchema: string): Promise<{ tables: string[] }> {
  if (sql.trim() === '') throw new ValidationError({ sql: ['Missing value'] })
  if (sql.length > MAX_SQL_LENGTH) throw new ValidationError({ sql: [`Query is longer than ${MAX_SQL_LENGTH} characters.`] })
  // The parser reads a C string and would stop at a NUL the server might not
  if (sql.includes('\0')) throw new ValidationError({ sql: ['Query contains a NUL character.'] })
  const reply = await parse(sql)
  if (reply.json === undefined) {
    if (reply.syntax === true) throw new ValidationError({ query: [reply.message] })
    throw new Error(`SQL parser failed: ${reply.message}`)
  }
  const tree = JSON.parse(reply.json) as { stmts?: Array<{ stmt?: Obj }> }
  const stmts = tree.stmts ?? []
  if (stmts.length !== 1) throw new ValidationError({ query: ['Query is not a single statement.'] })
  const stmt = stmts[0].stmt
  if (stmt === undefined || !('SelectStmt' in stmt)) throw notSelect()
  const tables = new Set<string>()
  walk(stmt, { datastoreSchema, tables })
  return { tables: [...tables] }
}

/*
 * The parser runs in a worker thread with a 16 MB stack. It writes its tree
 * as JSON recursively, and an expression nested ten thousand deep (`a+a+...`
 * fits in 20,000 characters) overflows the main thread's 1 MB stack inside
 * WebAssembly, which leaves that instance corrupt. The worker's stack is deep
 * enough; a failure other than a syntax error ends the worker and the next
 * call starts a fresh one; and a parse that deep, which takes the best part
 * of a second, does not hold up the event loop.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const pg = require(${JSON.stringify(createRequire(import.meta.url).resolve('libpg-query'))})
parentPort.on('message', async ({ id, sql }) => {
  try {
    await pg.loadModule()
    parentPort.postMessage({ id, json: JSON.stringify(pg.parseSync(sql)) })
  } catch (err) {
    parentPort.postMessage({ id, message: String(err?.message), syntax: err instanceof pg.SqlError })
    if (!(err instanceof pg.SqlError)) process.exit(1)
  }
})`

interface Reply { json?: string, message: string, syntax?: boolean }
let parser: { worker: Worker, pending: Map<number, (reply: Reply) => void> } | undefined
let nextId = 0

function parse (sql: string): Promise<Reply> {
  if (parser === undefined) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { stackSizeMb: 16 } })
    const pending = new Map<number, (reply: Reply) => void>()
    worker.on('message', (reply: Reply & { id: number }) => {
      // a worker that failed is on its way out: send nothing more to it
      if (reply.json === undefined && reply.syntax !== true && parser?.worker === worker) parser = undefined
      pending.get(reply.id)?.(reply)
      pending.delete(reply.id)
      // an idle worker must not keep the process alive
      if (pending.size === 0) worker.unref()
    })
    let failure = 'the parser stopped'
    worker.on('error', (err) => { failure = err.message }) // 'exit' follows
    worker.on('exit', () => {
      if (parser?.worker === worker) parser = undefined
      for (const done of pending.values()) done({ message: failure })
    })
    parser = { worker, pending }
  }
  const { worker, pending } = parser
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, resolve)
    worker.ref()
    worker.postMessage({ id, sql })
  })
}

interface Ctx { datastoreSchema: string, tables: Set<string> }

/**
 * Visits every object and array of the tree, with an explicit stack: a
 * 20,000-character expression can nest thousands of levels deep. Nodes are
 * recognised by their fields as well as by their `{"Type": {...}}` wrapper,
 * because the JSON leaves the wrapper out where the C field has a fixed node
 * type (a set operation's `larg`, a cast's `typeName`). Each entry carries
 * the WITH names in scope, which an unqualified relation name means before
 * any table.
 */
function walk (root: Obj, ctx: Ctx): void {
  type Entry = [unknown, ReadonlySet<string>]
  const stack: Entry[] = [[root, new Set()]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [value, ctes] = top
    const children: Entry[] = []
    if (Array.isArray(value)) {
      for (const item of value) children.push([item, ctes])
    } else {
      const node = value as Obj
      checkNode(node, ctes, ctx)
      let inner = ctes
      if (isObj(node.withClause)) {
        // A plain WITH query sees the ones listed before it; under RECURSIVE
        // every one sees them all, itself included. The statement sees them all.
        const list = Array.isArray(node.withClause.ctes) ? node.withClause.ctes : []
        const names = list.map((c) => String((c as { CommonTableExpr?: Obj }).CommonTableExpr?.ctename))
        const recursive = node.withClause.recursive === true
        list.forEach((cte, i) => children.push([cte, new Set([...ctes, ...(recursive ? names : names.slice(0, i))])]))
        inner = new Set([...ctes, ...names])
      }
      for (const [key, child] of Object.entries(node)) {
        checkKey(key, child)
        if (key !== 'withClause') children.push([child, inner])
      }
    }
    // pushed in reverse, so the tree is visited in order and `tables` follows the text
    for (const entry of children.reverse()) {
      if (entry[0] !== null && typeof entry[0] === 'object') stack.push(entry)
    }
  }
}

/** refusals decided by a node's own fields */
function checkNode (node: Obj, ctes: ReadonlySet<string>, ctx: Ctx): void {
  if (typeof node.relname === 'string') relation(node, ctes, ctx)
  if (Array.isArray(node.funcname)) func(node.funcname)
  // a TypeName: the only node with both
  if (Array.isArray(node.names) && 'typemod' in node) {
    const name = nameOf(node.names.at(-1))
    if (REG_TYPES.has(name)) throw new AuthorizationError(`Not authorized to use type ${name}`)
  }
}

/** refusals decided by a node type or field name */
function checkKey (key: string, child: unknown): void {
  // node types start with a capital; field names (`selectStmt`) do not
  if (key !== 'SelectStmt' && /^[A-Z]\w*Stmt$/.test(key)) throw notSelect()
  if (key === 'intoClause' || (key === 'lockingClause' && Array.isArray(child) && child.length > 0)) throw notSelect()
  // XML constructors and XMLTABLE parse documents; CKAN's list allows none of them
  if (key === 'XmlExpr') {
    const op = String((child as Obj).op) // IS_XMLPARSE, IS_XMLELEMENT, ..., IS_DOCUMENT
    throw notFunction(op === 'IS_DOCUMENT' ? 'IS DOCUMENT' : op.slice(3).toLowerCase())
  }
  if (key === 'XmlSerialize') throw notFunction('xmlserialize')
  if (key === 'RangeTableFunc') throw notFunction('xmltable')
}

function relation (rv: Obj, ctes: ReadonlySet<string>, ctx: Ctx): void {
  const name = rv.relname as string
  const schema = typeof rv.schemaname === 'string' ? rv.schemaname : undefined
  // case-insensitive to stay on the safe side of quoted spellings
  const system = (s: string) => s.toLowerCase().startsWith('pg_')
  if (system(name) || (schema !== undefined && (system(schema) || schema.toLowerCase() === 'information_schema'))) {
    throw new AuthorizationError('Not authorized to access system tables')
  }
  if (rv.catalogname !== undefined || (schema !== undefined && schema !== ctx.datastoreSchema)) {
    throw new AuthorizationError('Not authorized to read resource.')
  }
  if (schema === undefined && ctes.has(name)) return
  ctx.tables.add(name)
}

/**
 * Functions PostgreSQL 14+ writes SQL syntax as, whose older spelling CKAN
 * allows: EXTRACT(year FROM d) is date_part('year', d), which PostgreSQL
 * before 14 made of it and CKAN's list has.
 */
const SQL_SYNTAX: ReadonlySet<string> = new Set(['extract'])

/**
 * An allowed function, unqualified or in pg_catalog, where the grammar puts
 * the functions behind SQL syntax (TRIM, SUBSTRING ... FROM, EXTRACT).
 */
function func (funcname: unknown[]): void {
  const names = funcname.map(nameOf)
  const name = names.at(-1) ?? ''
  if (names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog')) {
    if (!ALLOWED_FUNCTIONS.has(name) && !SQL_SYNTAX.has(name)) throw notFunction(name)
  } else {
    throw notFunction(names.join('.'))
  }
}

/** the text of a `{"String": {"sval": ...}}` name part */
function nameOf (part: unknown): string {
  const sval = isObj(part) && isObj(part.String) ? part.String.sval : undefined
  return typeof sval === 'string' ? sval : ''
}

function isObj (v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
