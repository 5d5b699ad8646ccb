/**
 * The database as `app.db`: opened by the caller (server, CLI or test) and
 * closed with the app.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/factory.js'

declare module 'fastify' {
  interface FastifyInstance { db: Db }
}

export default fp(async function db (app: FastifyInstance, opts: { db: Db, closeWithApp: boolean }) {
  app.decorate('db', opts.db)
  if (opts.closeWithApp) app.addHook('onClose', () => opts.db.close())
}, { name: 'db' })
