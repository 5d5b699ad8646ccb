import Type from 'typebox'
import { stat } from 'node:fs/promises'
import { defineAction } from '../../ckan/action.js'
import { ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { resourceForWrite } from '../../catalog/resources.js'
import { isLoadable, uploadPath } from '../../catalog/uploads.js'
import { queueLoad } from '../../datastore/load-jobs.js'

export default defineAction({
  name: 'xloader_submit',
  sideEffectFree: false,
  help: `Queue a load of a resource's uploaded file into the DataStore again (ckanext-xloader's xloader_submit).

The file must be an upload (url_type "upload") that is a CSV or XLSX file, by its format or
its name; opend does not fetch files from other sites. A load already queued for the resource
is replaced by this one. Needs the right to edit the resource. Follow the load with
xloader_status.

:param resource_id: the resource id
:param ignore_hash: accepted for xloader's clients; opend loads the file whatever its hash

:returns: true when the load was queued`,
  params: Type.Object({
    resource_id: P.string({ required: true, description: 'the resource id' }),
    ignore_hash: P.boolean({ description: 'accepted, without effect: the file is loaded whatever its hash' })
  }),
  result: Type.Boolean(),
  example: { resource_id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  async handler (params, ctx) {
    const { resource } = await resourceForWrite(ctx, params.resource_id)
    const name = resource.url.split('/').pop() ?? ''
    const stored = resource.url_type === 'upload' && await stat(uploadPath(ctx.config.dataDir, resource.id)).then(() => true, () => false)
    if (!stored) throw new ValidationError({ resource_id: ['The resource has no uploaded file to load'] })
    if (!isLoadable(resource.format, name)) throw new ValidationError({ resource_id: ['Only CSV and XLSX files are loaded into the DataStore'] })
    await queueLoad(ctx.db, resource.id, name)
    return true
  }
})
