// Compiled by test/package/run.mjs with `declaration: true` in a scratch app that installed the packed
// tarball, under each module resolution (nodenext ESM, node16 CommonJS, node10). Every export below has
// an inferred type; tsc must be able to name each one through the package's public entry points
// (TS2742 otherwise: "the inferred type cannot be named without a reference to ...").
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as t from 'io-ts'
import {
  Column,
  Ddl,
  Fn,
  Memory,
  Pg,
  Pred,
  Preload,
  Prepared,
  Query,
  Run,
  Schema,
  Sql,
  Write,
} from 'quiver-sql'
import { start } from 'quiver-sql/embedded'
import * as Arb from 'quiver-sql/testing'

// models
export const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
export const post = Schema.table('post', 'posts', {
  id: Column.serial,
  author_id: Column.nullable(Column.integer),
  title: Column.text,
  inserted_at: Column.timestamptz,
})
export const comment = Schema.table('comment', 'comments', {
  id: Column.serial,
  post_id: Column.nullable(Column.integer),
  author_id: Column.nullable(Column.integer),
  body: Column.text,
  public: Column.boolean,
})
export const tag = Schema.table('tag', 'tags', {
  id: Column.serial,
  name: Column.text,
  meta: Column.json(t.unknown),
})
export const checked = Schema.model(
  { user, post, comment, tag },
  {
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      comments: Schema.hasMany('comment'),
      publicComments: Schema.hasMany('comment', { where: { public: true } }),
      commentsAuthors: Schema.through(['comments', 'author']),
      tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }),
    },
    comment: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) },
  },
)
export const Blog = Schema.modelOrThrow(
  { user, post, comment, tag },
  {
    post: {
      author: Schema.belongsTo('user', { foreignKey: 'author_id' }),
      comments: Schema.hasMany('comment'),
      publicComments: Schema.hasMany('comment', { where: { public: true } }),
      commentsAuthors: Schema.through(['comments', 'author']),
      tags: Schema.manyToMany('tag', { joinThrough: 'posts_tags' }),
    },
    comment: { author: Schema.belongsTo('user', { foreignKey: 'author_id' }) },
  },
)
export type Post = Schema.Row<typeof Blog, 'post'>
export const ddl = Ddl.ddl(Blog)

// queries
export const posts = Query.from(Blog, 'post')
export const recent = pipe(
  posts,
  Query.where(p => Pred.and(Pred.isNotNull(p.author_id), Pred.ilike(p.title, '%sql%'))),
  Query.orderBy([['desc', 'inserted_at']]),
  Query.limit(10),
)
export const joined = pipe(
  posts,
  Query.join('author', 'left'),
  Query.where((_, $) => $.exists('comments', c => Pred.eq(c.public, false))),
)
export const preloaded = pipe(
  recent,
  Query.preload({
    author: true,
    comments: Preload.query({ limit: 2 }, { author: true }),
    commentsAuthors: Preload.query({ hops: 'hide' }),
    tags: true,
  }),
)
export const comments = (rows: ReadonlyArray<Post>) => Query.assoc(Blog, 'post', 'comments')(rows)
export const compiled = Query.toSql(preloaded)
export const statement = Sql.toSql
export const byId = Prepared.make({ id: t.number }, ({ id }) =>
  pipe(
    posts,
    Query.where(p => Pred.eq(p.id, id)),
    Query.preload({ comments: true }),
  ),
)

// programs and preloaded results
export const loadAll = Pg.all(preloaded)
export const loadOne = Pg.one(preloaded, { strategy: 'lateral' })
export const loadFirst = Pg.first(recent)
export const loadById = Pg.prepared(byId)
export const preloadInto = Pg.preloadInto(Blog, 'post', { tags: true })
export const inMemory = Memory.all(preloaded)
export const neutral = Run.all(preloaded)
// projections: Fn terms, relation aggregates, grouping, a left join's nullable columns
export const projected = pipe(
  Query.from(Blog, 'post'),
  Query.join('author', 'left'),
  Query.groupBy((p, $) => [p.id, $.joined.author.id]),
  Query.select((p, $) => ({
    title: p.title,
    author: $.joined.author.name,
    comments: $.count('comments'),
    words: Fn.length(p.title),
    n: Fn.count(),
  })),
)
export const projectedRows = Pg.all(projected)
export const projectedInMemory = Memory.first(projected)
export const result = async (sql: Parameters<typeof loadAll>[0]) => {
  const r = await loadAll(sql)()
  return E.isRight(r) ? r.right : []
}
export const firstComments = async (sql: Parameters<typeof loadAll>[0]) =>
  pipe(
    await loadAll(sql)(),
    E.map(rows => rows.map(r => r.comments.map(c => c.author))),
  )
export const transaction = Pg.transact(
  pipe(
    loadFirst,
    RTE.map(o => o),
  ),
)

// write plans
export const insertTag = Write.insert(Blog, 'tag', { name: 'sql', meta: { a: 1 } })
export const insertPosts = Write.insertAll(Blog, 'post', [
  { title: 'a', author_id: null, inserted_at: new Date(0) },
])
export const deletePost = (p: Post) => Write.delete(Blog, 'post', p, { cascade: true })
export const built = (p: Post) => Write.build(Blog, 'post', 'comments')(p, { body: 'hi', public: true })
export const change = (p: Post & { readonly comments: ReadonlyArray<Schema.Row<typeof Blog, 'comment'>> }) =>
  pipe(
    Write.change(Blog, 'post', p),
    Write.putAssoc('comments', [{ body: 'new', public: true }]),
    E.flatMap(Write.toPlan),
  )
export const ran = pipe(insertTag, E.map(Write.run))
export const pure = pipe(insertTag, E.map(Write.runPure))

// embedded and testing
export const embedded = start({ busyTimeout: 1_000 })
export const arbitraryModel = Arb.model()
