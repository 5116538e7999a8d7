// The model the write tests use: one association per onDelete / onReplace value and defaults form.
import * as E from 'fp-ts/lib/Either.js'
import postgres from 'postgres'
import { Column, Schema, Pg } from '../../src/index.js'
import * as Ddl from '../../src/sql/Ddl.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Write from '../../src/write/Write.js'

export const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
export const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
})
export const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.nullable(Column.integer),
  parent_id: Column.nullable(Column.integer),
  body: Column.text,
})
export const permalink = Schema.table('permalink', 'permalinks', {
  id: Column.serial,
  post_id: Column.nullable(Column.integer),
  url: Column.text,
})
export const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
export const post_tag = Schema.table(
  'post_tag',
  'posts_tags',
  { post_id: Column.integer, tag_id: Column.integer, kind: Column.text },
  { primaryKey: ['post_id', 'tag_id'] },
)

const has = (onReplace: 'raise' | 'mark_as_invalid' | 'nilify' | 'delete' | 'delete_if_exists') =>
  Schema.hasMany('comment', { onReplace })
const one = (onReplace: 'nilify' | 'update' | 'delete' | 'delete_if_exists' | 'raise' | 'mark_as_invalid') =>
  Schema.hasOne('permalink', { onReplace })
const parent = (
  onReplace: 'nilify' | 'update' | 'delete' | 'delete_if_exists' | 'raise' | 'mark_as_invalid',
) => Schema.belongsTo('user', { foreignKey: 'author_id', onReplace })

export const W = Schema.modelOrThrow(
  { user, post, comment, permalink, tag, post_tag },
  {
    user: { posts: Schema.hasMany('post', { foreignKey: 'author_id', onDelete: 'nilify_all' }) },
    post: {
      comments: Schema.hasMany('comment', { onDelete: 'delete_all', defaults: { body: 'empty' } }),
      permalink: Schema.hasOne('permalink', { onDelete: 'delete_all' }),
      tags: Schema.manyToMany('tag', {
        joinThrough: 'post_tag',
        onDelete: 'delete_all',
        onReplace: 'delete',
        joinDefaults: { kind: 'manual' },
        joinWhere: { kind: 'manual' },
      }),
      uniqueTags: Schema.manyToMany('tag', {
        joinThrough: 'post_tag',
        unique: true,
        joinDefaults: { kind: 'manual' },
      }),
      commentsFn: Schema.hasMany('comment', {
        defaults: (child, owner) => ({ ...child, body: `re: ${String(owner?.['title'] ?? '(none)')}` }),
      }),
      commentsArgs: Schema.hasMany('comment', {
        defaults: Schema.withArgs(
          (child, _owner, prefix: string) => ({ ...child, body: `${prefix}body` }),
          '>> ',
        ),
      }),
      archived: Schema.hasMany('comment', { source: 'archived_comments' }),
      commentsRaise: has('raise'),
      commentsInvalid: has('mark_as_invalid'),
      commentsNilify: has('nilify'),
      commentsDelete: has('delete'),
      commentsDeleteIfExists: has('delete_if_exists'),
      permalinkUpdate: one('update'),
      permalinkDelete: one('delete'),
      permalinkNilify: one('nilify'),
      permalinkRaise: one('raise'),
      authorNilify: parent('nilify'),
      authorUpdate: parent('update'),
      authorDelete: parent('delete'),
      authorDeleteIfExists: parent('delete_if_exists'),
      authorInvalid: parent('mark_as_invalid'),
      authorRaise: parent('raise'),
      commentAuthors: Schema.through(['comments', 'children']),
    },
    comment: {
      post: Schema.belongsTo('post'),
      children: Schema.hasMany('comment', { foreignKey: 'parent_id', onDelete: 'delete_all' }),
    },
  },
)

export const ddl = (): ReadonlyArray<string> => {
  const d = Ddl.ddl(W)
  if (E.isLeft(d)) throw new Error(d.left.message)
  // The database leaves cascading to the plans: every foreign key here is plain (no action), so a
  // plan that forgets a child fails on PostgreSQL instead of being rescued by the database.
  return [
    ...d.right.map(s => s.replace(/ on delete (cascade|set null)/g, '')),
    'create unique index permalinks_post_unique on permalinks (post_id)',
  ]
}

export const seed: ReadonlyArray<string> = [
  `insert into users (id, name) values (1, 'ada'), (2, 'bob'), (3, 'cy')`,
  `insert into posts (id, author_id, title) values (1, 1, 'hello'), (2, 1, 'again'), (3, 2, 'bobs')`,
  `insert into comments (id, post_id, parent_id, body) values (1, 1, null, 'a'), (2, 1, 1, 'b'), (3, 1, 2, 'c'),
     (4, 2, null, 'd'), (5, 3, null, 'e'), (6, 3, 2, 'f'), (7, 3, 6, 'g'), (8, 3, 7, 'h')`,
  `insert into archived_comments (id, post_id, parent_id, body) values (1, 3, null, 'old')`,
  `insert into permalinks (id, post_id, url) values (1, 1, '/hello'), (2, 3, '/bobs')`,
  `insert into tags (id, name) values (1, 'x'), (2, 'y'), (3, 'z')`,
  `insert into posts_tags (post_id, tag_id, kind) values (1, 1, 'manual'), (1, 2, 'manual'), (2, 1, 'manual'), (1, 3, 'auto')`,
  ...['users', 'posts', 'comments', 'permalinks', 'tags', 'archived_comments'].map(
    t => `select setval(pg_get_serial_sequence('${t}', 'id'), (select max(id) from ${t}))`,
  ),
]

export const tables = ['users', 'posts', 'comments', 'archived_comments', 'permalinks', 'tags', 'posts_tags']

const sortRows = (rows: ReadonlyArray<RawRow>) =>
  [...rows]
    .map(r => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

export const dump = async (
  sql: postgres.Sql,
  names: ReadonlyArray<string> = tables,
): Promise<Map<string, ReadonlyArray<RawRow>>> => {
  const out = new Map<string, ReadonlyArray<RawRow>>()
  for (const t of names) out.set(t, sortRows(await sql.unsafe(`select * from "${t}"`)))
  return out
}

export const normalize = (m: ReadonlyMap<string, ReadonlyArray<RawRow>>) =>
  new Map([...m].map(([k, v]) => [k, sortRows(v)]))

/**
 * Runs a plan on PostgreSQL and on the memory semantics from the same tables; checks both leave the
 * same tables (or both fail) and returns PostgreSQL's result.
 */
export const both = async <A>(
  sql: postgres.Sql,
  plan: Write.Plan<A>,
  options: { readonly pgOnly?: boolean; readonly tables?: ReadonlyArray<string> } = {},
) => {
  const before = await dump(sql, options.tables)
  const pg = await Write.run(plan)(Pg.interpreter(sql))()
  const after = await dump(sql, options.tables)
  const mem = Write.runPure(plan)(before)
  if (options.pgOnly !== true && E.isRight(pg) !== E.isRight(mem))
    throw new Error(`interpreters disagree: pg ${JSON.stringify(pg)} memory ${JSON.stringify(mem)}`)
  if (
    E.isRight(pg) &&
    E.isRight(mem) &&
    JSON.stringify([...normalize(mem.right.tables)]) !== JSON.stringify([...after])
  )
    throw new Error(
      `tables differ:\npg ${JSON.stringify([...after])}\nmemory ${JSON.stringify([...normalize(mem.right.tables)])}`,
    )
  if (E.isLeft(pg) && JSON.stringify([...before]) !== JSON.stringify([...after]))
    throw new Error('a failed plan changed the database')
  return pg
}

export const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

// Every write test starts from the same tables and rows.
export const fresh = (): ReadonlyArray<string> => [
  `drop table if exists ${tables.map(t => `"${t}"`).join(', ')} cascade`,
  ...ddl(),
  ...seed,
]
