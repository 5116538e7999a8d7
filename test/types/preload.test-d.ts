// Type tests for preloading: the loaded type follows from the model and the spec (nested shapes,
// Option for to-one, ReadonlyArray for to-many, through hops exposed unless hidden), and misspelled
// association names or columns are compile errors.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Pg, Preload, Query, Run } from '../../src/index.js'
import type { Loaded } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog } from '../support/blog.js'
import { Big } from './big-model.js'
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

describe('Loaded', () => {
  it('no spec is the row', () => {
    expectTypeOf<Loaded<typeof Blog, 'post', {}>>().toEqualTypeOf<Post>()
  })

  it('nested shapes, Option for to-one and ReadonlyArray for to-many', () => {
    type P = Loaded<typeof Blog, 'post', { comments: { author: true }; permalink: true; tags: true }>
    expectTypeOf<P['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User> }>
    >()
    expectTypeOf<P['permalink']>().toEqualTypeOf<O.Option<Permalink>>()
    expectTypeOf<P['tags']>().toEqualTypeOf<ReadonlyArray<Tag>>()
    expectTypeOf<P['title']>().toEqualTypeOf<string>()
  })

  it('a custom query keeps its nested spec', () => {
    const _spec = {
      comments: Preload.query({ limit: 3, orderBy: [['desc', 'id']] }, { post: { author: true } }),
    }
    type P = Loaded<typeof Blog, 'post', typeof _spec>
    expectTypeOf<P['comments'][number]['post']>().toEqualTypeOf<
      O.Option<Post & { readonly author: O.Option<User> }>
    >()
  })

  it('a custom query without a nested spec, inside pipe, loads plain rows', () => {
    const _q = pipe(
      Query.from(Blog, 'post'),
      Query.preload({ comments: Preload.query({ limit: 3 }), author: Preload.query({ offset: 0 }) }),
    )
    type R = Extract<
      Awaited<
        ReturnType<ReturnType<ReturnType<typeof Pg.all<typeof Blog, 'post', (typeof _q)['preload'], {}>>>>
      >,
      { readonly _tag: 'Right' }
    >
    expectTypeOf<R['right'][number]['comments']>().toEqualTypeOf<ReadonlyArray<Comment>>()
    expectTypeOf<R['right'][number]['author']>().toEqualTypeOf<O.Option<User>>()
    expectTypeOf(Preload.query({ limit: 3 }).preload).toEqualTypeOf<{}>()
    const _h = pipe(
      Query.from(Blog, 'post'),
      Query.preload({ commentsAuthors: Preload.query({ hops: 'hide' }) }),
    )
    type H = Loaded<typeof Blog, 'post', (typeof _h)['preload']>
    expectTypeOf<H['commentsAuthors']>().toEqualTypeOf<ReadonlyArray<User>>()
  })

  it('through: value typed by cardinality, first hop exposed unless hidden', () => {
    type P = Loaded<typeof Blog, 'post', { commentsAuthors: true }>
    expectTypeOf<P['commentsAuthors']>().toEqualTypeOf<ReadonlyArray<User>>()
    expectTypeOf<P['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User> }>
    >()
    type C = Loaded<typeof Blog, 'comment', { postPermalink: true }>
    expectTypeOf<C['postPermalink']>().toEqualTypeOf<O.Option<Permalink>>()
    expectTypeOf<C['post']>().toEqualTypeOf<O.Option<Post & { readonly permalink: O.Option<Permalink> }>>()
    const _hide = { commentsAuthors: Preload.query({ hops: 'hide' }) }
    type H = Loaded<typeof Blog, 'post', typeof _hide>
    expectTypeOf<H>().not.toHaveProperty('comments')
    expectTypeOf<H['commentsAuthors']>().toEqualTypeOf<ReadonlyArray<User>>()
  })

  it('a through with a nested spec puts it on the last hop', () => {
    type U = Loaded<typeof Blog, 'user', { commentedPosts: { tags: true } }>
    expectTypeOf<U['commentedPosts']>().toEqualTypeOf<
      ReadonlyArray<Post & { readonly tags: ReadonlyArray<Tag> }>
    >()
  })
})

describe('Query.preload and Pg', () => {
  it('Pg.all returns the loaded type', () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.preload({ comments: { author: true } }),
      Query.preload({ permalink: true }),
    )
    type R = Loaded<typeof Blog, 'post', typeof q.preload>
    expectTypeOf<R['permalink']>().toEqualTypeOf<O.Option<Permalink>>()
    expectTypeOf<R['comments'][number]['author']>().toEqualTypeOf<O.Option<User>>()
    expectTypeOf(Pg.all(q, { strategy: 'lateral' })(sql)()).resolves.toEqualTypeOf<
      E.Either<LoadError, ReadonlyArray<R>>
    >()
  })

  it('preloadInto takes rows of the schema', () => {
    const f = Run.preloadInto(Blog, 'post', { tags: true })
    expectTypeOf(f).parameter(0).toEqualTypeOf<ReadonlyArray<Post>>()
  })

  it('misspelled names and columns are compile errors', () => {
    // @ts-expect-error: no association 'commnets'
    pipe(Query.from(Blog, 'post'), Query.preload({ commnets: true }))
    // @ts-expect-error: a nested name that does not exist on the target
    pipe(Query.from(Blog, 'post'), Query.preload({ permalink: { author: true } }))
    // @ts-expect-error: nested under a through
    pipe(Query.from(Blog, 'post'), Query.preload({ commentsAuthors: { tags: true } }))
    // @ts-expect-error: a where column that the target does not have
    pipe(Query.from(Blog, 'post'), Query.preload({ comments: Preload.query({ where: { titel: 'x' } }) }))
    const posts = Query.from(Blog, 'post')
    // @ts-expect-error: an order column that the target does not have
    pipe(posts, Query.preload({ comments: Preload.query({ orderBy: [['desc', 'nope']] }) }))
    // @ts-expect-error: preloadInto checks too
    Run.preloadInto(Blog, 'post', { author: { comentz: true } })
  })
})

describe('a 30-table model stays cheap', () => {
  it('deep specs type-check', () => {
    const _q = pipe(
      Query.from(Big, 's0'),
      Query.preload({
        next: { next: { next: { first: { prev: true } } } },
        peers: { nextNext: true },
        prevFirst: true,
      }),
    )
    type R = Loaded<typeof Big, 's0', typeof _q.preload>
    expectTypeOf<R['next'][number]['next'][number]['next'][number]['first']>().toMatchTypeOf<
      O.Option<{ readonly id: number; readonly big: string; readonly at: Date }>
    >()
    expectTypeOf<R['peers'][number]['nextNext'][number]['s1_id']>().toEqualTypeOf<number | null>()
    expectTypeOf<R['prevFirst']>().toMatchTypeOf<O.Option<{ readonly s29_id: number | null }>>()
    // @ts-expect-error: s3 has no association 'nxt'
    pipe(Query.from(Big, 's3'), Query.preload({ next: { nxt: true } }))
  })
})
