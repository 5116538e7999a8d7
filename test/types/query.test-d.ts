// Type tests: inferred row types of queries and of association targets, and the misuses the compiler
// must reject.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { describe, expectTypeOf, it } from 'vitest'
import { Column, Pg, Pred, Query, Schema, type QuiverError } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog, comment, post, user } from '../support/blog.js'
import type postgres from 'postgres'

declare const sql: postgres.Sql

type User = { readonly id: number; readonly name: string; readonly email: string | null }
type Post = {
  readonly id: number
  readonly author_id: number | null
  readonly title: string
  readonly body: string
  readonly published: boolean
  readonly inserted_at: Date
}
type Comment = {
  readonly id: number
  readonly post_id: number | null
  readonly author_id: number | null
  readonly parent_id: number | null
  readonly body: string
  readonly public: boolean
  readonly inserted_at: Date
}
type Permalink = { readonly id: number; readonly post_id: number | null; readonly url: string }
type Tag = { readonly id: number; readonly name: string }

const rowsOf = async <A>(p: Promise<E.Either<LoadError, A>>) => {
  const r = await p
  if (r._tag === 'Left') throw new Error(r.left.message)
  return r.right
}

describe('row types', () => {
  it('Pg.all of from: readonly fields, nullable columns, Date for timestamptz', async () => {
    const posts = await rowsOf(Pg.all(Query.from(Blog, 'post'))(sql)())
    expectTypeOf(posts).toEqualTypeOf<ReadonlyArray<Post>>()
    const p = posts[0]
    expectTypeOf(p).toEqualTypeOf<Post | undefined>()
    if (p === undefined) return
    expectTypeOf(p.author_id).toEqualTypeOf<number | null>()
    expectTypeOf(p.inserted_at).toEqualTypeOf<Date>()
    // @ts-expect-error fields are readonly
    p.title = 'x'
    // @ts-expect-error there is no such column
    void p.titel
  })

  it('Pg.one and Pg.first', () => {
    expectTypeOf(Pg.one(Query.from(Blog, 'user'))(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, User>>>()
    const first = Pg.first(Query.from(Blog, 'tag'))(sql)()
    expectTypeOf(first).resolves.toMatchTypeOf<
      E.Either<LoadError, { _tag: 'Some'; value: Tag } | { _tag: 'None' }>
    >()
  })

  it('the errors are a subset of QuiverError', () => {
    expectTypeOf<LoadError>().toMatchTypeOf<QuiverError>()
  })

  it('combinators keep the row type', async () => {
    const q = pipe(
      Query.from(Blog, 'comment'),
      Query.where(c => Pred.eq(c.public, true)),
      Query.orderBy([['desc', 'inserted_at'], 'id']),
      Query.limit(3),
      Query.offset(1),
      Query.distinct(),
      Query.join('author'),
    )
    expectTypeOf(await rowsOf(Pg.all(q)(sql)())).toEqualTypeOf<ReadonlyArray<Comment>>()
  })

  it('custom column codecs', () => {
    const tt = Schema.table('t', 'ts', {
      id: Column.serial,
      big: Column.bigint,
      price: Column.nullable(Column.numeric),
      data: Column.json(t.type({ a: t.number })),
    })
    const _m = Schema.modelOrThrow({ t: tt }, {})
    type R = Schema.Row<typeof _m, 't'>
    expectTypeOf<R>().toEqualTypeOf<{
      readonly id: number
      readonly big: string
      readonly price: string | null
      readonly data: { a: number }
    }>()
  })
})

describe('assoc target types', () => {
  const p = {} as Post
  const c = {} as Comment
  const u = {} as User
  it('direct associations', () => {
    expectTypeOf(Query.assoc(Blog, 'post', 'comments')([p])).toEqualTypeOf<
      Query.Query<typeof Blog, 'comment'>
    >()
    expectTypeOf(Query.assoc(Blog, 'post', 'author')(p)).toEqualTypeOf<Query.Query<typeof Blog, 'user'>>()
    expectTypeOf(Query.assoc(Blog, 'post', 'permalink')(p)).toEqualTypeOf<
      Query.Query<typeof Blog, 'permalink'>
    >()
    expectTypeOf(Query.assoc(Blog, 'post', 'tags')(p)).toEqualTypeOf<Query.Query<typeof Blog, 'tag'>>()
    expectTypeOf(Query.assoc(Blog, 'comment', 'parent')(c)).toEqualTypeOf<
      Query.Query<typeof Blog, 'comment'>
    >()
  })

  it('throughs, nested throughs and paths', async () => {
    expectTypeOf(Query.assoc(Blog, 'post', 'commentsAuthors')(p)).toEqualTypeOf<
      Query.Query<typeof Blog, 'user'>
    >()
    expectTypeOf(Query.assoc(Blog, 'comment', 'postPermalink')(c)).toEqualTypeOf<
      Query.Query<typeof Blog, 'permalink'>
    >()
    expectTypeOf(Query.assoc(Blog, 'user', 'commentedPosts')(u)).toEqualTypeOf<
      Query.Query<typeof Blog, 'post'>
    >()
    expectTypeOf(Query.assoc(Blog, 'post', ['comments', 'author'])(p)).toEqualTypeOf<
      Query.Query<typeof Blog, 'user'>
    >()
    expectTypeOf(Query.assoc(Blog, 'user', ['commentedPosts', 'tags'])(u)).toEqualTypeOf<
      Query.Query<typeof Blog, 'tag'>
    >()
    const rows = await rowsOf(Pg.all(Query.assoc(Blog, 'post', ['comments', 'post', 'permalink'])(p))(sql)())
    expectTypeOf(rows).toEqualTypeOf<ReadonlyArray<Permalink>>()
  })

  it('cardinality', () => {
    expectTypeOf<Schema.Cardinality<typeof Blog, 'post', 'comments'>>().toEqualTypeOf<'many'>()
    expectTypeOf<Schema.Cardinality<typeof Blog, 'post', 'author'>>().toEqualTypeOf<'one'>()
    expectTypeOf<Schema.Cardinality<typeof Blog, 'post', 'permalink'>>().toEqualTypeOf<'one'>()
    expectTypeOf<Schema.Cardinality<typeof Blog, 'comment', 'postPermalink'>>().toEqualTypeOf<'one'>()
    expectTypeOf<Schema.Cardinality<typeof Blog, 'post', 'commentsAuthors'>>().toEqualTypeOf<'many'>()
  })
})

describe('rejected at compile time', () => {
  it('a misspelled schema in from', () => {
    // @ts-expect-error 'posts' is not a schema of the model
    Query.from(Blog, 'posts')
  })

  it('a misspelled column in a where callback and in orderBy', () => {
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no column 'titel'
      Query.where(p => Pred.eq(p.titel, 'x')),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no column 'titel'
      Query.orderBy(['titel']),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no column 'titel'
      Query.orderBy([['desc', 'titel']]),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error not a direction
      Query.orderBy([['down', 'id']]),
    )
  })

  it('a misspelled association in assoc / exists / join', () => {
    // @ts-expect-error no association 'coments'
    Query.assoc(Blog, 'post', 'coments')
    // @ts-expect-error a path with a misspelled second hop
    Query.assoc(Blog, 'post', ['comments', 'autor'])
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no association 'coments'
      Query.where((_, $) => $.exists('coments')),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no association 'coments'
      Query.where((_, $) => $.every('coments', () => Pred.and())),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error no association 'coments'
      Query.join('coments'),
    )
  })

  it('an exists callback sees the target columns, and a joined binding its own', () => {
    pipe(
      Query.from(Blog, 'post'),
      Query.where((_, $) => $.exists('comments', c => Pred.eq(c.public, true))),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error 'title' is a post column, not a comment column
      Query.where((_, $) => $.exists('comments', c => Pred.eq(c.title, 'x'))),
    )
    pipe(
      Query.from(Blog, 'post'),
      Query.join('author'),
      Query.where((_, $) => Pred.eq($.joined.author.name, 'ada')),
    )
    pipe(
      Query.from(Blog, 'post'),
      Query.join('author'),
      // @ts-expect-error 'comments' was not joined
      Query.where((_, $) => Pred.eq($.joined.comments.id, 1)),
    )
  })

  it('comparing a number column with a string, or with null', () => {
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error a number column against a string
      Query.where(p => Pred.eq(p.id, '1')),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error null is not a value: use Pred.isNull
      Query.where(p => Pred.eq(p.author_id, null)),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error a list of the wrong type
      Query.where(p => Pred.in(p.id, ['1'])),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error like on a number column
      Query.where(p => Pred.like(p.id, '1%')),
    )
    pipe(
      Query.from(Blog, 'post'),
      // @ts-expect-error a Date column against a string
      Query.where(p => Pred.gt(p.inserted_at, '2026-01-01')),
    )
  })

  it('a hasMany target that is not a schema of the model', () => {
    Schema.model(
      { user, post, comment },
      {
        // @ts-expect-error 'tag' is not a table of this model
        post: { tags: Schema.hasMany('tag') },
      },
    )
  })

  it('assoc owners of the wrong schema', () => {
    // @ts-expect-error a user row is not a post row
    Query.assoc(Blog, 'post', 'comments')({} as User)
  })
})
