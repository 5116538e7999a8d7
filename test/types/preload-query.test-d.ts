// Type tests for the completed preloads (issue 15): a query value as a preload's custom query (its own
// preloads and the nested spec typed on the children), join-preloads typed against the query's joins,
// and a projection with preloads (prepared too) typed as the projection plus the preloaded fields.
import * as t from 'io-ts'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Pg, Prepared, Pred, Preload, Query, Schema } from '../../src/index.js'
import { Blog } from '../support/blog.js'

type User = { readonly id: number; readonly name: string; readonly email: string | null }
type Comment = {
  readonly id: number
  readonly post_id: number | null
  readonly author_id: number | null
  readonly parent_id: number | null
  readonly body: string
  readonly public: boolean
  readonly inserted_at: Date
}
type Tag = { readonly id: number; readonly name: string }

const posts = Query.from(Blog, 'post')

describe('Preload.query with a query value', () => {
  it('types the children with the query preloads and the nested spec', () => {
    const _q = pipe(
      posts,
      Query.preload({
        comments: Preload.query(
          pipe(
            Query.from(Blog, 'comment'),
            Query.join('author'),
            Query.orderBy((c, $) => [['desc', $.count('children')], $.joined.author.name, c.id]),
            Query.limit(3),
            Query.preload({ author: true }),
          ),
          { parent: true },
        ),
      }),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User>; readonly parent: O.Option<Comment> }>
    >()
  })

  it('refuses a query over another schema', () => {
    // @ts-expect-error a query over 'tag' for comments
    pipe(posts, Query.preload({ comments: Preload.query(Query.from(Blog, 'tag')) }))
    const names = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({ n: u.name })),
    )
    // @ts-expect-error a projection over 'user' for comments
    pipe(posts, Query.preload({ comments: Preload.query(names) }))
  })

  it('types the children of a projection as its rows with their preloads', () => {
    const _q = pipe(
      posts,
      Query.preload({
        comments: Preload.query(
          pipe(
            Query.from(Blog, 'comment'),
            Query.select((c, $) => ({ body: c.body, replies: $.count('children') })),
            Query.preload({ author: true }),
          ),
          { parent: true },
        ),
        author: Preload.query(
          pipe(
            Query.from(Blog, 'user'),
            Query.select(u => ({ name: u.name })),
          ),
        ),
      }),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row['comments'][number]['body']>().toEqualTypeOf<string>()
    expectTypeOf<Row['comments'][number]['replies']>().toEqualTypeOf<number>()
    expectTypeOf<Row['comments'][number]['author']>().toEqualTypeOf<O.Option<User>>()
    expectTypeOf<Row['comments'][number]['parent']>().toEqualTypeOf<O.Option<Comment>>()
    expectTypeOf<keyof Row['comments'][number]>().toEqualTypeOf<'body' | 'replies' | 'author' | 'parent'>()
    expectTypeOf<Row['author']>().toEqualTypeOf<O.Option<{ readonly name: string }>>()
  })
})

describe('Preload.joined', () => {
  it('types the association as any preload, with its nested spec', () => {
    const _q = pipe(
      posts,
      Query.join('comments', 'left', { as: 'c' }),
      Query.join('tags'),
      Query.where((_, $) => Pred.eq($.joined.c.public, true)),
      Query.preload({ comments: Preload.joined('c', { author: true }), tags: Preload.joined() }),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User> }>
    >()
    expectTypeOf<Row['tags']>().toEqualTypeOf<ReadonlyArray<Tag>>()
  })

  it('types nested join-preloads as nested preloads', () => {
    const _q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.preload({ comments: Preload.joined({ author: Preload.joined(), parent: true }) }),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User>; readonly parent: O.Option<Comment> }>
    >()
  })

  it('refuses a binding the query does not join, or a join of another schema', () => {
    // @ts-expect-error no binding 'comments'
    pipe(posts, Query.preload({ comments: Preload.joined() }))
    // @ts-expect-error binding 'author' joins users, not comments
    pipe(posts, Query.join('author'), Query.preload({ comments: Preload.joined('author') }))
  })
})

describe('projections with preloads', () => {
  it('a prepared projection with preloads gives the projection plus the preloaded fields', () => {
    const p = Prepared.make({ min: t.number }, ({ min }) =>
      pipe(
        posts,
        Query.where(x => Pred.gte(x.id, min)),
        Query.select((x, $) => ({ title: x.title, n: $.count('comments') })),
        Query.preload({ tags: true }),
      ),
    )
    type Rows = ReturnType<
      ReturnType<
        ReturnType<
          ReturnType<
            typeof Pg.prepared<
              typeof Blog,
              'post',
              { readonly tags: true },
              typeof p.params,
              { readonly title: string; readonly n: number }
            >
          >
        >
      >
    >
    expectTypeOf<Rows>().resolves.toMatchTypeOf<unknown>()
    const _load = Pg.prepared(p, { strategy: 'lateral' })({ min: 1 })
    type Out = Awaited<ReturnType<ReturnType<typeof _load>>>
    expectTypeOf<Out>().toEqualTypeOf<
      import('fp-ts/lib/Either.js').Either<
        import('../../src/index.js').LoadError,
        ReadonlyArray<{ readonly title: string; readonly n: number } & { readonly tags: ReadonlyArray<Tag> }>
      >
    >()
  })
})

describe('Preload.query with a query value on a through, hops hidden', () => {
  it('leaves the hops off the rows type, keeps them shown by default', () => {
    const users = Query.from(Blog, 'user')
    const _hidden = pipe(
      posts,
      Query.preload({ commentsAuthors: Preload.query(users, { posts: true }, { hops: 'hide' }) }),
    )
    type Hidden = Query.RowOf<typeof _hidden>
    expectTypeOf<Hidden['commentsAuthors'][number]['posts']>().toEqualTypeOf<
      ReadonlyArray<Schema.Row<typeof Blog, 'post'>>
    >()
    expectTypeOf<'comments' extends keyof Hidden ? true : false>().toEqualTypeOf<false>()
    const _shown = pipe(posts, Query.preload({ commentsAuthors: Preload.query(users) }))
    expectTypeOf<'comments' extends keyof Query.RowOf<typeof _shown> ? true : false>().toEqualTypeOf<true>()
  })
})
