// The scratch ESM app: quiver-sql loaded with `import` (dist/esm), without @electric-sql/pglite.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import * as q from 'quiver-sql'
import { start } from 'quiver-sql/embedded'
import scenario from './scenario.cjs'

const version = name => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version
console.log(`esm: quiver-sql ${version('quiver-sql')} at ${import.meta.resolve('quiver-sql')}`)
console.log(`esm: fp-ts ${version('fp-ts')}, io-ts ${version('io-ts')}, postgres ${version('postgres')}`)
assert.match(import.meta.resolve('quiver-sql'), /\/dist\/esm\/index\.js$/)

// The optional engine is absent: starting it is an error value that names the package to install.
const missing = await start()()
assert.equal(missing._tag, 'Left')
assert.equal(missing.left.code, 'QUIVER_MISSING_PEER')
assert.match(missing.left.message, /npm install @electric-sql\/pglite/)
console.log(`esm: without the engine: ${missing.left.message}`)

const sql = postgres(process.env.DATABASE_URL, { max: 2, onnotice: () => undefined })
try {
  const n = await scenario.run(q, sql, `esm_${process.pid}`)
  console.log(`esm: ok (${n} authors with their books, batched and lateral)`)
} finally {
  await sql.end()
}
