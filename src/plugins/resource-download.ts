/**
 * The download URL of uploaded resources, as CKAN serves it
 * (ckan/views/resource.py download):
 * GET /dataset/<dataset id or name>/resource/<resource id>/download[/<file name>]
 * streams the stored file (src/catalog/uploads.ts) with the resource's
 * mimetype; a resource that is a link redirects to its URL. A resource the
 * caller may not read is "not found", as CKAN answers it, so a private
 * dataset's files do not even show they exist. The caller is identified as
 * for actions: a key in a header or the query string (plugins/auth.ts).
 * Depends on: db, auth.
 */
import { open } from 'node:fs/promises'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { canReadPackage } from '../catalog/authz.js'
import { MIMETYPES } from '../catalog/packages.js'
import { mungeFilename, uploadPath } from '../catalog/uploads.js'
import { NotFoundError } from '../ckan/errors.js'

interface DownloadParams { id: string, resourceId: string, filename?: string }

export default fp(async function resourceDownload (app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts

  async function download (request: FastifyRequest<{ Params: DownloadParams }>, reply: FastifyReply) {
    const { id, resourceId } = request.params
    const res = await app.db.kysely.selectFrom('resources').innerJoin('packages', 'packages.id', 'resources.package_id')
      .select(['resources.id', 'resources.url', 'resources.url_type', 'resources.mimetype', 'packages.id as package_id', 'packages.name as package_name',
        'packages.state', 'packages.private', 'packages.owner_org', 'packages.creator_user_id'])
      .where('resources.id', '=', resourceId).where('resources.state', '=', 'active').executeTakeFirst()
    const caller = await request.identify()
    // CKAN checks resource_show and package_show and answers both failures with a 404
    if (!res || (id !== res.package_id && id !== res.package_name) || !(await canReadPackage(app.db.kysely, caller, res))) {
      throw new NotFoundError('Resource not found')
    }
    if (res.url_type !== 'upload') {
      if (!res.url) throw new NotFoundError('No download is available')
      return reply.redirect(res.url)
    }
    const handle = await open(uploadPath(config.dataDir, res.id)).catch(() => { throw new NotFoundError('Resource data not found') })
    const { size } = await handle.stat()
    const name = mungeFilename(res.url.split('/').pop() ?? '')
    const type = res.mimetype ?? MIMETYPES[/\.([a-z0-9]+)$/.exec(name)?.[1] ?? ''] ?? 'application/octet-stream'
    // set as a header, not reply.type(), which would add a charset: the file is sent as uploaded (a TIS-620 CSV stays one)
    return reply
      .header('content-type', type)
      .header('content-length', size)
      // werkzeug's send_file with a download_name, as CKAN calls it; munged names need no quoting
      .header('content-disposition', `inline; filename="${name}"`)
      .header('cache-control', res.private || res.state !== 'active' ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, must-revalidate')
      .send(handle.createReadStream())
  }

  app.get('/dataset/:id/resource/:resourceId/download', { schema: { hide: true }, config: { usageName: 'resource_download' } }, download)
  app.get('/dataset/:id/resource/:resourceId/download/:filename', { schema: { hide: true }, config: { usageName: 'resource_download' } }, download)
}, { name: 'resource-download', dependencies: ['db', 'auth'] })
