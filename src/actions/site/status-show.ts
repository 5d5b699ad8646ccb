import Type from 'typebox'
import { defineAction } from '../../ckan/action.js'

/** The CKAN version whose API opend speaks; clients branch on it. */
export const CKAN_VERSION = '2.10.10'

export default defineAction({
  name: 'status_show',
  sideEffectFree: true,
  help: 'Return the site\'s title, description, URL, default locale, extensions and the CKAN API version it speaks.',
  params: Type.Object({}),
  result: Type.Object({
    site_title: Type.String(),
    site_description: Type.String(),
    site_url: Type.String(),
    error_emails_to: Type.String(),
    locale_default: Type.String(),
    extensions: Type.Array(Type.String()),
    ckan_version: Type.String()
  }),
  async handler (_params, { config }) {
    return {
      site_title: config.siteTitle,
      site_description: config.siteDescription,
      site_url: config.siteUrl,
      error_emails_to: '',
      locale_default: 'en',
      // CKAN lists its plugins here, and clients look for "datastore" before
      // using the DataStore API: opend names the CKAN plugins whose actions it serves
      extensions: ['datastore', 'xloader'],
      ckan_version: CKAN_VERSION
    }
  }
})
