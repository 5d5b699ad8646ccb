import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, NotFoundError, ValidationError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { who } from '../../catalog/authz.js'
import { materializePackages } from '../../db/queries/packages.js'
import { Null } from '../../schemas/catalog.js'
import { idOrName } from '../../db/queries/lookup.js'

export default defineAction({
  name: 'tag_delete',
  sideEffectFree: false,
  help: 'Delete a tag from every dataset (sysadmins only).',
  params: Type.Object({ id: P.string({ description: 'tag id or name' }), vocabulary_id: P.string() }),
  result: Null,
  example: { id: 'ทางด่วน' },
  async handler (params, { db, user, config }) {
    // CKAN's only bare-string message for this action
    if (!params.id) throw new ValidationError({ id: 'id not in data' })
    const id = params.id
    const tag = await db.selectFrom('tags').selectAll().where(idOrName(id)).executeTakeFirst()
    // CKAN looks the tag up before checking rights (its test A5 expects 404 for anonymous)
    if (!tag) throw new NotFoundError(`Could not find tag "${id}"`)
    if (!user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to delete tags`)
    const pkgs = await db.selectFrom('package_tags').select('package_id').where('tag_id', '=', tag.id).execute()
    await db.deleteFrom('tags').where('id', '=', tag.id).execute()
    await materializePackages(db, pkgs.map((p) => p.package_id), config.siteUrl)
    return null
  }
})
