import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', '.tap/**', 'data/**', 'coverage/**'] }),
  // CKAN's API and our tables are snake_case end to end
  { rules: { camelcase: 'off' } }
]
