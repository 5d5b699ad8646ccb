import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { licenseDictize } from '../../ckan/dictize.js'
import { LicenseSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'license_list',
  sideEffectFree: true,
  help: 'Return the licences a dataset can have: CKAN\'s default register, then the licences data.go.th offers (whose ids are their titles, as on data.go.th). Every value is a string, as in CKAN.',
  params: Type.Object({}),
  result: Type.Array(LicenseSchema),
  async handler (_params, { db }) {
    return (await db.selectFrom('licenses').selectAll().orderBy('position').execute()).map(licenseDictize)
  }
})
