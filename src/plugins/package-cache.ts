/**
 * The package_show cache (catalog/package-cache.ts) as `app.packageCache`,
 * fed by the database's NOTIFY channel so that every opend process drops a
 * dataset's entry as soon as a write to it commits anywhere.
 * Depends on: db.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CHANNEL, PackageCache } from '../catalog/package-cache.js'

declare module 'fastify' {
  interface FastifyInstance { packageCache: PackageCache }
}

export default fp(async function packageCache (app: FastifyInstance, opts: { enabled: boolean }) {
  const cache = new PackageCache()
  app.decorate('packageCache', cache)
  // disabled (OPEND_PACKAGE_CACHE=false): never live, so every read goes to the database
  if (!opts.enabled) return
  const unlisten = await app.db.listen(CHANNEL, (id) => cache.invalidate(id), (up) => {
    if (!up) app.log.warn('package change notifications lost: package_show is served without its cache until they are back')
    cache.setLive(up)
  })
  app.addHook('onClose', async () => {
    cache.setLive(false)
    await unlisten()
  })
}, { name: 'package-cache', dependencies: ['db'] })
