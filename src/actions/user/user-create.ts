import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { AuthorizationError, ValidationError, type FieldErrors } from '../../ckan/errors.js'
import { P } from '../../ckan/params.js'
import { userDictize } from '../../ckan/dictize.js'
import { who } from '../../catalog/authz.js'
import { isEmail, nameErrors } from '../../catalog/validators.js'
import { findUser, insertUser } from '../../db/queries/users.js'
import { UserSchema } from '../../schemas/catalog.js'

export default defineAction({
  name: 'user_create',
  sideEffectFree: false,
  help: 'Create a user (sysadmins only, as CKAN by default). API keys for the new user are made with api_token_create.',
  params: Type.Object({
    name: P.string({ required: true, description: '2-100 lowercase ascii letters, digits, - and _' }),
    email: P.string({ required: true }),
    password: P.string({ description: 'at least 8 characters; stored as a scrypt hash' }),
    fullname: P.string(),
    about: P.string(),
    image_url: P.string(),
    sysadmin: P.boolean({ default: false })
  }),
  result: UserSchema,
  example: { name: 'somchai', email: 'somchai@example.go.th', fullname: 'สมชาย ใจดี' },
  async handler (params, { db, user }) {
    if (!user?.sysadmin) throw new AuthorizationError(`User ${who(user)} not authorized to create users`)
    const errors: FieldErrors = {}
    const nameMsgs = nameErrors(params.name)
    if (!nameMsgs.length && await findUser(db, params.name)) nameMsgs.push('That login name is not available.')
    if (nameMsgs.length) errors.name = nameMsgs
    if (!isEmail(params.email)) errors.email = [`Email ${params.email} is not a valid format`]
    if (params.password !== undefined && params.password.length < 8) errors.password = ['Your password must be 8 characters or longer']
    if (Object.keys(errors).length) throw new ValidationError(errors)
    const u = await insertUser(db, { ...params, sysadmin: params.sysadmin ?? false })
    return userDictize(u, { privileged: true, numberCreatedPackages: 0 })
  }
})
