// The scratch CommonJS app: quiver-sql loaded with `require` (dist/cjs), with @electric-sql/pglite
// installed, so quiver-sql/embedded runs the scenario too.
'use strict'
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
const assert = require('node:assert/strict')
const postgres = require('postgres')
const q = require('quiver-sql')
const { start } = require('quiver-sql/embedded')
const scenario = require('./scenario.cjs')

const { readFileSync } = require('node:fs')
const version = name => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version
const main = async () => {
  console.log(`cjs: quiver-sql ${version('quiver-sql')} at ${require.resolve('quiver-sql')}`)
  console.log(
    `cjs: fp-ts ${version('fp-ts')}, io-ts ${version('io-ts')}, postgres ${version('postgres')}, @electric-sql/pglite ${version('@electric-sql/pglite')}`,
  )
  assert.match(require.resolve('quiver-sql'), /\/dist\/cjs\/index\.js$/)
  assert.equal(typeof q.Query.from, 'function')

  const sql = postgres(process.env.DATABASE_URL, { max: 2, onnotice: () => undefined })
  try {
    const n = await scenario.run(q, sql, `cjs_${process.pid}`)
    console.log(
      `cjs: ok on ${new URL(process.env.DATABASE_URL).host} (${n} authors with their books, batched and lateral)`,
    )
  } finally {
    await sql.end()
  }

  const db = await start()()
  assert.equal(db._tag, 'Right', db._tag === 'Left' ? db.left.message : '')
  try {
    const n = await scenario.run(q, db.right.sql, 'embedded')
    console.log(`cjs: ok on the embedded engine (${n} authors)`)
  } finally {
    await db.right.stop()
  }
}
main().catch(e => {
  console.error(e)
  process.exit(1)
})
