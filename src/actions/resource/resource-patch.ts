import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { resourceForWrite, updateResource } from '../../catalog/resources.js'
import { resourceDictize } from '../../ckan/dictize.js'
import { ResourceSchema } from '../../schemas/catalog.js'
import { ResourceParams } from './resource-create.js'

export default defineAction({
  name: 'resource_patch',
  sideEffectFree: false,
  help: 'Change some fields of a resource, keeping the others.',
  params: Type.Object({ id: P.string({ required: true }), ...ResourceParams.properties }, { additionalProperties: true }),
  result: ResourceSchema,
  example: { id: '0753ab8a-95bd-4354-913a-58da0464baf5', description: 'คำอธิบายรายการข้อมูล' },
  async handler (params, ctx) {
    const { resource } = await resourceForWrite(ctx, params.id)
    const current = resourceDictize(resource, ctx.config.siteUrl)
    return updateResource(ctx, resource, { ...current, ...params })
  }
})
