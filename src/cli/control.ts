/**
 * The embedded database belongs to one process. While `opend serve` holds
 * it, the database commands of the CLI (user add, token add, ...) are sent to
 * the server over a Unix socket beside the database, which only the same
 * system user can open, and run there.
 */
import { createConnection, createServer, type Server } from 'node:net'
import { chmodSync, unlinkSync } from 'node:fs'
import { join, resolve as resolvePath } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Db } from '../db/factory.js'
import { describeError, parseDbCommand } from './commands.js'

export interface CommandResult { code: number, stdout: string, stderr: string }

const MAX_REQUEST = 64 * 1024

export function controlSocketPath (config: Config): string {
  return resolvePath(join(config.dataDir, 'opend.sock'))
}

async function runHere (argv: string[], db: Db, config: Config, log: FastifyBaseLogger): Promise<CommandResult> {
  let stdout = ''
  try {
    const command = parseDbCommand(argv)
    await command({ db, config, log, out: (s) => { stdout += s } })
    return { code: 0, stdout, stderr: '' }
  } catch (err) {
    return { code: 1, stdout, stderr: describeError(err) }
  }
}

export function listenControl (config: Config, db: Db, log: FastifyBaseLogger): Promise<Server> {
  const path = controlSocketPath(config)
  try { unlinkSync(path) } catch {}
  const server = createServer((socket) => {
    let data = ''
    socket.setEncoding('utf8')
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: string) => {
      data += chunk
      if (data.length > MAX_REQUEST) socket.destroy()
      if (!data.includes('\n')) return
      let argv: unknown
      try { argv = JSON.parse(data.slice(0, data.indexOf('\n'))).argv } catch {}
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
        socket.end(JSON.stringify({ code: 2, stdout: '', stderr: 'opend: bad control request\n' }) + '\n')
        return
      }
      log.info({ command: argv.slice(0, 2).join(' ') }, 'running a CLI command for a local client')
      runHere(argv, db, config, log).then((r) => socket.end(JSON.stringify(r) + '\n'), () => socket.destroy())
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      chmodSync(path, 0o600)
      resolve(server)
    })
  })
}

/** Run a command in the server that holds the embedded database. */
export function sendToServer (config: Config, argv: string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocketPath(config))
    let data = ''
    socket.setEncoding('utf8')
    socket.setTimeout(120_000, () => socket.destroy(new Error('the server did not answer')))
    socket.on('connect', () => socket.write(JSON.stringify({ argv }) + '\n'))
    socket.on('data', (chunk: string) => { data += chunk })
    socket.on('error', reject)
    socket.on('close', () => {
      try { resolve(JSON.parse(data) as CommandResult) } catch { reject(new Error('the server closed the control connection')) }
    })
  })
}
