/**
 * LIKE patterns from user text, with the wildcards escaped as CKAN's
 * escape_sql_like_special_characters does, so that `%` and `_` match
 * themselves. PostgreSQL's default LIKE escape character is the backslash.
 */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => '\\' + c)

/** `%text%`: the text anywhere */
export const containsPattern = (s: string): string => `%${escapeLike(s)}%`

/** `text%`: the text as a prefix */
export const prefixPattern = (s: string): string => `${escapeLike(s)}%`
