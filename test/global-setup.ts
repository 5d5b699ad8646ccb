import { writeTemplate } from './pglite-template.js'

// only the embedded database needs a template; PostgreSQL runs get a schema per file
if (!process.env.DATABASE_URL) await writeTemplate()
