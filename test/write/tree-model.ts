// The model of the returned-tree and nested-insert tests: posts with an author (belongs_to), comments
// with likes (grandchildren), tags through a join schema (many-to-many, unique tag names), and a
// versioned note per post; foreign keys as `Ddl.ddl` declares them. `agree` runs a plan on PostgreSQL
// and on the memory semantics from the same rows and returns both outcomes and both states.
import * as E from 'fp-ts/lib/Either.js'
import type postgres from 'postgres'
import { Column, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import { differential } from './agree.js'

export const user = Schema.table('user', 'tr_users', { id: Column.serial, name: Column.text })
export const post = Schema.table('post', 'tr_posts', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
})
export const comment = Schema.table('comment', 'tr_comments', {
  id: Column.serial,
  post_id: Column.integer,
  body: Column.text,
  public: Column.boolean,
})
export const like = Schema.table('like', 'tr_likes', {
  id: Column.serial,
  comment_id: Column.integer,
  who: Column.text,
})
export const tag = Schema.table(
  'tag',
  'tr_tags',
  { id: Column.serial, name: Column.text },
  { unique: ['name'] },
)
export const post_tag = Schema.table(
  'post_tag',
  'tr_posts_tags',
  { post_id: Column.integer, tag_id: Column.integer },
  { primaryKey: ['post_id', 'tag_id'] },
)
export const note = Schema.table(
  'note',
  'tr_notes',
  { id: Column.serial, post_id: Column.integer, text: Column.text, version: Column.integer },
  { optimisticLock: 'version' },
)

export const T = Schema.modelOrThrow(
  { user, post, comment, like, tag, post_tag, note },
  {
    user: { posts: Schema.hasMany('post', { foreignKey: 'author_id' }) },
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'author_id', onReplace: 'nilify' }),
      comments: Schema.hasMany('comment', { onReplace: 'delete', defaults: { public: false } }),
      tags: Schema.manyToMany('tag', { joinThrough: 'post_tag', onReplace: 'delete' }),
      note: Schema.hasOne('note', { onReplace: 'update' }),
    },
    comment: { likes: Schema.hasMany('like', { onReplace: 'delete' }), post: Schema.belongsTo('post') },
  },
)

export const tables = [
  'tr_users',
  'tr_posts',
  'tr_comments',
  'tr_likes',
  'tr_tags',
  'tr_posts_tags',
  'tr_notes',
]

export const ddl = (): ReadonlyArray<string> => {
  const d = Ddl.ddl(T)
  if (E.isLeft(d)) throw new Error(d.left.message)
  return d.right
}

export const seed: ReadonlyArray<string> = [
  `insert into tr_users (id, name) values (1, 'ada'), (2, 'bob')`,
  `insert into tr_posts (id, author_id, title) values (1, 1, 'hello'), (2, 2, 'again')`,
  `insert into tr_comments (id, post_id, body, public) values (1, 1, 'a', true), (2, 1, 'b', false), (3, 2, 'c', true)`,
  `insert into tr_likes (id, comment_id, who) values (1, 1, 'bob')`,
  `insert into tr_tags (id, name) values (1, 'sql'), (2, 'fp')`,
  `insert into tr_posts_tags (post_id, tag_id) values (1, 1)`,
  `insert into tr_notes (id, post_id, text, version) values (1, 1, 'n', 3)`,
  ...tables
    .filter(t => t !== 'tr_posts_tags')
    .map(
      t =>
        `select setval(pg_get_serial_sequence('${t}', 'id'), (select coalesce(max(id), 0) + 1 from ${t}), false)`,
    ),
]

export const fresh = (): ReadonlyArray<string> => [
  ...tables.map(t => `drop table if exists "${t}" cascade`),
  ...ddl(),
  ...seed,
]

const keyOf = (r: RawRow): string =>
  JSON.stringify([r['id'] ?? null, r['post_id'] ?? null, r['tag_id'] ?? null])

// Rows as the memory interpreter holds them (what postgres.js answers), in a fixed order.
export const state = async (sql: postgres.Sql): Promise<Map<string, ReadonlyArray<RawRow>>> => {
  const out = new Map<string, ReadonlyArray<RawRow>>()
  for (const t of tables)
    out.set(
      t,
      [...(await sql.unsafe(`select * from "${t}"`))].map(r => ({ ...r })),
    )
  return sorted(out)
}

export const sorted = (
  tables: ReadonlyMap<string, ReadonlyArray<RawRow>>,
): Map<string, ReadonlyArray<RawRow>> =>
  new Map([...tables].map(([t, rows]) => [t, [...rows].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))]))

export const { agree, checkOn } = differential(state, sorted)
export { kindOf, right, type Outcome } from './agree.js'
