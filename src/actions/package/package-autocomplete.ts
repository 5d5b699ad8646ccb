import Type from 'typebox'
import { sql } from 'kysely'
import { defineAction } from '../../ckan/action.js'
import { P } from '../../ckan/params.js'
import { containsPattern } from '../../catalog/like.js'
import { visibilityFilter } from '../../search/visibility.js'

export default defineAction({
  name: 'package_autocomplete',
  sideEffectFree: true,
  help: `Return the datasets whose name or title contains a given string, for autocompletion.

The match is a case-insensitive substring of the name or the title, so a Thai
prefix or any part of a Thai title finds it. Anonymous callers see active public
datasets; signed-in users also their organizations' private ones; sysadmins all
active datasets. Datasets matched by name come first.

:param q: the string to search for
:param limit: the maximum number of datasets to return (optional, default: 10)

:returns: a list of {"name", "title", "match_field", "match_displayed"}: match_field
is "name" when the name contains q, else "title"; match_displayed is the name, or
"<title> (<name>)"`,
  params: Type.Object({
    q: P.string({ required: true, description: 'the string to search for', examples: ['ทางพิเศษ', 'exat'] }),
    limit: P.natural({ description: 'the maximum number of datasets to return', default: 10 })
  }),
  result: Type.Array(Type.Object({
    name: Type.String(),
    title: Type.String(),
    match_field: Type.Union([Type.Literal('name'), Type.Literal('title')]),
    match_displayed: Type.String()
  })),
  example: { q: 'ทางพิเศษ' },
  async handler (params, { db, user }) {
    const q = params.q.toLowerCase()
    const like = containsPattern(q)
    const nameMatches = sql<boolean>`si.name ILIKE ${like}`
    // CKAN asks Solr for name_ngram/title_ngram/name/title OR-ed and keeps
    // Solr's score order: whole-token hits above n-gram hits, ties as
    // indexed. opend puts name matches first, then title matches, shorter
    // names first (closest to the typed text), then by name.
    const rows = await db.selectFrom('search_index as si').select(['si.name', 'si.title'])
      .where(await visibilityFilter(db, user, { includePrivate: true, includeDrafts: false }))
      .where((eb) => eb.or([nameMatches, eb('si.title_string', 'like', sql<string>`lower(${like})`)]))
      .orderBy(sql`${nameMatches} DESC`).orderBy(sql`length(si.name)`).orderBy('si.name')
      .limit(params.limit ?? 10)
      .execute()
    return rows.map(({ name, title }) => name.includes(q)
      ? { name, title, match_field: 'name' as const, match_displayed: name }
      : { name, title, match_field: 'title' as const, match_displayed: `${title} (${name})` })
  }
})
