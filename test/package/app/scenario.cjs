// The package test's scenario, shared by the scratch ESM app (esm.mjs, which loads quiver-sql with
// `import`) and the scratch CommonJS app (cjs.cjs, with `require`): it only receives the modules. It
// builds a model, creates its tables (Ddl) in a schema of its own, writes with a plan, and reads back
// with a nested preload in both strategies. Throws on any mismatch.
'use strict'
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports */
const assert = require('node:assert/strict')

const right = (e, what) => {
  if (e._tag !== 'Right')
    throw new Error(`${what}: ${JSON.stringify(e.left && e.left.message ? e.left.message : e)}`)
  return e.right
}

// `q` is quiver-sql; `sql` a postgres.js client; `tag` names the tables (apps may share a database).
const run = async (q, sql, tag) => {
  const [authors, books] = [`quiver_package_${tag}_authors`, `quiver_package_${tag}_books`]
  try {
    return await scenario(q, sql, authors, books)
  } finally {
    await sql.unsafe(`drop table if exists "${books}", "${authors}"`)
  }
}

const scenario = async (q, sql, authors, books) => {
  const { Column, Ddl, Pg, Pred, Query, Schema, Write } = q
  const author = Schema.table('author', authors, { id: Column.serial, name: Column.text })
  const book = Schema.table('book', books, {
    id: Column.serial,
    author_id: Column.nullable(Column.integer),
    title: Column.text,
    published: Column.timestamptz,
  })
  const Library = right(
    Schema.model(
      { author, book },
      {
        author: { books: Schema.hasMany('book', { preloadOrder: [['asc', 'id']] }) },
        book: { author: Schema.belongsTo('author') },
      },
    ),
    'model',
  )
  for (const s of right(Ddl.ddl(Library), 'ddl')) await sql.unsafe(s)
  const db = Pg.interpreter(sql)
  for (const name of ['melville', 'verne'])
    right(await Write.run(right(Write.insert(Library, 'author', { name }), 'plan'))(db)(), 'insert')
  const rows = [
    [1, 'Moby Dick', '1851-10-18'],
    [2, 'Twenty Thousand Leagues Under the Seas', '1870-06-20'],
    [1, 'The Sea Story', '1855-01-01'],
  ].map(([author_id, title, date]) => ({ author_id, title, published: new Date(`${date}T00:00:00Z`) }))
  right(await Write.run(right(Write.insertAll(Library, 'book', rows), 'plan'))(db)(), 'insertAll')

  const query = Query.preload({ books: true })(
    Query.orderBy(['id'])(Query.where(a => Pred.ilike(a.name, '%e%'))(Query.from(Library, 'author'))),
  )
  const expected = [
    { id: 1, name: 'melville', books: [1, 3] },
    { id: 2, name: 'verne', books: [2] },
  ]
  for (const strategy of ['batched', 'lateral']) {
    const rows = right(await Pg.all(query, { strategy })(sql)(), `Pg.all ${strategy}`)
    assert.deepEqual(
      rows.map(r => ({ id: r.id, name: r.name, books: r.books.map(b => b.id) })),
      expected,
      strategy,
    )
    assert.ok(rows[0].books[0].published instanceof Date, `${strategy}: a timestamptz is a Date`)
  }
  const sea = right(
    await Pg.all(
      Query.where(b => Pred.ilike(b.title, '%sea%'))(
        Query.assoc(Library, 'author', 'books')([{ id: 1, name: 'melville' }]),
      ),
    )(sql)(),
    'assoc',
  )
  assert.deepEqual(
    sea.map(b => b.title),
    ['The Sea Story'],
  )
  const bad = Schema.model(
    { author, book },
    { author: { books: Schema.hasMany('book', { foreignKey: 'writer_id' }) } },
  )
  assert.equal(bad._tag, 'Left', 'a definition error is a value')
  return expected.length
}

module.exports = { run }
