import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { register } from '../../catalog/registration.js'

export default defineAction({
  name: 'api_token_register',
  sideEffectFree: false,
  keyless: true,
  // registrations are cheap to make and each makes a user: an address may make a few a minute
  cost: () => 10,
  help: 'Register for an API key, as the page at /register does: a name, an email and acceptance of the terms give a user of its own and a key, shown only in this answer. Needs no key. With OPEND_REGISTRATION=approval the key works once a sysadmin enables it (api_token_update state=active); with off, registration is refused.',
  params: Type.Object({
    name: P.string({ required: true, description: 'your name, or your organisation\'s' }),
    email: P.string({ required: true }),
    accept_terms: P.asbool({ required: true, description: 'true: you accept the site\'s terms of use' })
  }),
  result: Type.Object({
    token: Type.String({ description: 'the API key; it is not shown again' }),
    token_id: Type.String(),
    user: Type.String({ description: 'the user name the key belongs to' }),
    tier: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('pending')])
  }),
  example: { name: 'Somchai Jaidee', email: 'somchai@example.org', accept_terms: true },
  async handler (params, { db, config }) {
    return register(db, config, { name: params.name, email: params.email, acceptTerms: params.accept_terms })
  }
})
