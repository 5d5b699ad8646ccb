import Type from 'typebox'
import { defineAction, type Action } from '../../ckan/action.js'
import { NotFoundError } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'

/** help_show describes the other actions, so it is built from the registry. */
export function helpShow (actions: () => readonly Action<any>[]) {
  return defineAction({
    name: 'help_show',
    sideEffectFree: true,
    help: 'Return the help text of an action.\n\n:param name: the action name',
    params: Type.Object({ name: P.string({ required: true, description: 'an action name' }) }),
    result: Type.Union([Type.String(), Type.Null()]),
    example: { name: 'package_show' },
    async handler (params) {
      const action = actions().find((a) => a.name === params.name)
      if (!action) throw new NotFoundError('Action function not found')
      return action.help
    }
  })
}
