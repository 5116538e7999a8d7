// The model of the set-based write and upsert tests: users with a unique email, posts by authors,
// comments with a public flag and counters; foreign keys as `Ddl.ddl` declares them. `agree` runs a
// plan on PostgreSQL and on the memory semantics (from the same rows, with the model's constraints)
// and returns both outcomes and both states, for the tests to compare.
import * as E from 'fp-ts/lib/Either.js'
import type postgres from 'postgres'
import { Column, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import { differential } from './agree.js'

export const user = Schema.table(
  'user',
  'users',
  { id: Column.serial, name: Column.text, email: Column.text, visits: Column.integer },
  { unique: ['email'] },
)
export const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.integer,
  title: Column.text,
  views: Column.integer,
  score: Column.nullable(Column.integer),
})
export const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.integer,
  body: Column.text,
  public: Column.boolean,
  likes: Column.integer,
})
export const tag = Schema.table(
  'tag',
  'tags',
  { slug: Column.text, label: Column.text, uses: Column.integer },
  { primaryKey: ['slug'] },
)
export const archive = Schema.table('archive', 'archives', {
  id: Column.serial,
  title: Column.text,
  note: Column.nullable(Column.text),
})

export const M = Schema.modelOrThrow(
  { user, post, comment, tag, archive },
  {
    user: { posts: Schema.hasMany('post', { foreignKey: 'author_id' }) },
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      comments: Schema.hasMany('comment'),
    },
    comment: { post: Schema.belongsTo('post') },
  },
)

export const tables = ['users', 'posts', 'comments', 'tags', 'archives'] as const

export const ddl = (): ReadonlyArray<string> => {
  const d = Ddl.ddl(M)
  if (E.isLeft(d)) throw new Error(d.left.message)
  return d.right
}

export const seed: ReadonlyArray<string> = [
  `insert into users (id, name, email, visits) values (1, 'ada', 'ada@x', 0), (2, 'bob', 'bob@x', 5), (3, 'cy', 'cy@x', 2)`,
  `insert into posts (id, author_id, title, views, score) values (1, 1, 'hello', 10, null), (2, 1, 'again', 0, 3), (3, 2, 'bobs', 7, 1)`,
  `insert into comments (id, post_id, body, public, likes) values (1, 1, 'a', false, 0), (2, 1, 'b', true, 2), (3, 2, 'c', false, 1), (4, 3, 'd', false, 0)`,
  `insert into tags (slug, label, uses) values ('sql', 'SQL', 1), ('fp', 'FP', 0)`,
  ...['users', 'posts', 'comments', 'archives'].map(
    t =>
      `select setval(pg_get_serial_sequence('${t}', 'id'), (select coalesce(max(id), 0) + 1 from ${t}), false)`,
  ),
]

export const fresh = (): ReadonlyArray<string> => [
  ...tables.map(t => `drop table if exists "${t}" cascade`),
  ...ddl(),
  ...seed,
]

// Rows as the memory interpreter holds them (what postgres.js answers), in key order.
export const state = async (sql: postgres.Sql): Promise<Map<string, ReadonlyArray<RawRow>>> => {
  const out = new Map<string, ReadonlyArray<RawRow>>()
  for (const t of tables) {
    const order = t === 'tags' ? 'slug' : 'id'
    out.set(
      t,
      [...(await sql.unsafe(`select * from "${t}" order by "${order}"`))].map(r => ({ ...r })),
    )
  }
  return out
}

const sorted = (tables: ReadonlyMap<string, ReadonlyArray<RawRow>>): Map<string, ReadonlyArray<RawRow>> =>
  new Map(
    [...tables].map(([t, rows]) => [
      t,
      [...rows].sort((a, b) =>
        String(a['id'] ?? a['slug']).localeCompare(String(b['id'] ?? b['slug']), 'en', { numeric: true }),
      ),
    ]),
  )

export const { agree, checkOn } = differential(state, sorted)
export { kindOf, right, type Outcome } from './agree.js'
