import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { canEditPackage, who } from '../../catalog/authz.js'
import { createResource } from '../../catalog/resources.js'
import { findPackage } from '../../db/queries/packages.js'
import { ResourceSchema } from '../../schemas/catalog.js'

export const ResourceParams = Type.Object({
  url: P.string({ default: '' }),
  name: P.string(),
  description: P.string(),
  format: P.string({ description: 'guessed from the URL when empty' }),
  hash: P.string(),
  mimetype: P.string(),
  mimetype_inner: P.string(),
  size: P.any({ description: 'integer' }),
  resource_type: P.string(),
  url_type: P.string(),
  cache_url: P.string(),
  cache_last_updated: P.string(),
  created: P.string(),
  last_modified: P.string(),
  upload: P.any({ description: 'a file: a multipart/form-data part (anything else is ignored, as CKAN ignores it)' })
}, { additionalProperties: true, description: 'other keys (and Thai GDC resource fields) are kept as resource extras' })

export default defineAction({
  name: 'resource_create',
  sideEffectFree: false,
  acceptsUpload: true,
  help: `Add a resource to a dataset. Keys other than the core resource fields are stored as extras and returned at the top level.

A file sent as the multipart/form-data part \`upload\` (up to OPEND_UPLOAD_MAX_MB) becomes the
resource's file, served at its download URL: url is then the file's name, url_type "upload",
size the file's, and the format and mimetype are guessed from the name when not given. A CSV
or XLSX file is then loaded into the DataStore in the background (see xloader_status).`,
  params: Type.Object({ package_id: P.string({ required: true, description: 'the dataset id or name' }), ...ResourceParams.properties }, { additionalProperties: true }),
  result: ResourceSchema,
  example: { package_id: 'adresit', name: 'ข้อมูลปี 2566', url: 'https://example.go.th/2566.csv', format: 'CSV' },
  async handler (params, ctx) {
    const pkg = await findPackage(ctx.db, params.package_id)
    if (!pkg || pkg.state === 'deleted') throw new NotFoundError('Package was not found.')
    if (!(await canEditPackage(ctx.db, ctx.user, pkg))) throw new AuthorizationError(`User ${who(ctx.user)} not authorized to create resources on dataset ${params.package_id}`)
    return createResource(ctx, pkg, params)
  }
})
