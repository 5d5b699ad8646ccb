import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { resourceForWrite, updateResource } from '../../catalog/resources.js'
import { ResourceSchema } from '../../schemas/catalog.js'
import { ResourceParams } from './resource-create.js'

export default defineAction({
  name: 'resource_update',
  sideEffectFree: false,
  acceptsUpload: true,
  help: `Replace a resource's fields: fields not sent are cleared (use resource_patch to keep them).

A multipart/form-data part \`upload\` replaces the resource's file (a CSV or XLSX file is loaded
into the DataStore again, in the background); a resource that was an upload and is sent without
url_type "upload" becomes a link and its file is removed.`,
  params: Type.Object({ id: P.string({ required: true }), ...ResourceParams.properties }, { additionalProperties: true }),
  result: ResourceSchema,
  example: { id: '0753ab8a-95bd-4354-913a-58da0464baf5', name: 'Meta Data', url: 'https://example.go.th/meta.csv' },
  async handler (params, ctx) {
    const { resource } = await resourceForWrite(ctx, params.id)
    return updateResource(ctx, resource, params)
  }
})
