import { defineAction } from '../../ckan/action.js'
import { deleteResource, resourceForWrite } from '../../catalog/resources.js'
import { Null } from '../../schemas/catalog.js'
import { IdParams } from '../../schemas/params.js'

export default defineAction({
  name: 'resource_delete',
  sideEffectFree: false,
  help: 'Delete a resource from its dataset.',
  params: IdParams,
  result: Null,
  example: { id: '0753ab8a-95bd-4354-913a-58da0464baf5' },
  async handler (params, ctx) {
    const { resource } = await resourceForWrite(ctx, params.id, 'delete')
    await deleteResource(ctx, resource)
    return null
  }
})
