import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'

export default defineAction({
  name: 'site_read',
  sideEffectFree: true,
  help: 'Return true: the site can be read (CKAN 2.10).',
  params: Type.Object({}),
  result: Type.Boolean(),
  handler: async () => true
})
