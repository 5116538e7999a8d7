// Smoke test of the BUILT package (its ES modules), as a consumer sees it: plain Node ESM, no TypeScript loader, imports by
// the package's own name (self-reference through the exports map). Run `npm run build` first.
// Exits non-zero on any mismatch.
import assert from 'node:assert/strict'
import { Column, Pg, Pred, Query, Schema } from 'quiver-sql'
import { start } from 'quiver-sql/embedded'

const fail = message => {
  console.error(`smoke: FAIL ${message}`)
  process.exit(1)
}
process.on('unhandledRejection', e => fail(String(e && e.stack ? e.stack : e)))

const author = Schema.table('author', 'authors', { id: Column.serial, name: Column.text })
const book = Schema.table('book', 'books', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
})
const Library = Schema.model({ author, book }, { author: { books: Schema.hasMany('book') } })
if (Library._tag !== 'Right') fail(`model rejected: ${JSON.stringify(Library.left)}`)
const L = Library.right

const q = Query.where(b => Pred.ilike(b.title, '%sea%'))(
  Query.assoc(
    L,
    'author',
    'books',
  )([
    { id: 1, name: 'melville' },
    { id: 2, name: 'verne' },
  ]),
)
const compiled = Query.toSql(Query.orderBy(['id'])(q))
const expected = {
  text: 'select "t0"."id", "t0"."author_id", "t0"."title" from "books" as "t0" where "t0"."author_id" = any($1) and "t0"."title" ilike $2 order by "t0"."id" asc',
  params: [[1, 2], '%sea%'],
}
console.log(JSON.stringify(compiled))
try {
  assert.deepEqual(compiled, { _tag: 'Right', right: expected })
} catch (e) {
  fail(e.message)
}

// A definition error is a value, not a throw.
const bad = Schema.model(
  { author, book },
  { author: { books: Schema.hasMany('book', { foreignKey: 'writer_id' }) } },
)
if (bad._tag !== 'Left' || bad.left._tag !== 'SchemaError' || bad.left.option !== 'foreignKey')
  fail(`expected a SchemaError on foreignKey, got ${JSON.stringify(bad)}`)

// The same query on the embedded database.
const db = await start()()
if (db._tag !== 'Right') fail(`embedded database did not start: ${db.left.message}`)
const { sql, stop } = db.right
try {
  await sql.unsafe('create table authors (id integer primary key, name text not null)')
  await sql.unsafe('create table books (id integer primary key, author_id integer, title text not null)')
  await sql.unsafe("insert into authors values (1, 'melville'), (2, 'verne'), (3, 'austen')")
  await sql.unsafe(
    "insert into books values (1, 1, 'Moby Dick'), (2, 2, 'Twenty Thousand Leagues Under the Sea'), (3, 3, 'Emma'), (4, 1, 'The Sea Story')",
  )
  const rows = await Pg.all(Query.orderBy(['id'])(q))(sql)()
  if (rows._tag !== 'Right') fail(`query failed: ${rows.left.message}`)
  assert.deepEqual(
    rows.right.map(b => b.id),
    [2, 4],
  )
  console.log(`smoke: ok (${rows.right.length} rows)`)
  // Invariant: the public API has no `any`. Scan the built declarations with comments removed.
  const { readdirSync, readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const dts = dir =>
    readdirSync(dir, { withFileTypes: true }).flatMap(e =>
      e.isDirectory() ? dts(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
    )
  const dist = new URL('../../dist/esm/', import.meta.url).pathname
  const offenders = dts(dist).filter(f =>
    /\bany\b/.test(
      readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/'[^'\n]*'|`[^`\n]*`/g, "''"),
    ),
  )
  assert.deepEqual(offenders, [], 'declarations with an `any` type')
  console.log(`smoke: no any in ${dts(dist).length} declaration files`)
} catch (e) {
  fail(e.message)
} finally {
  await stop()
}
