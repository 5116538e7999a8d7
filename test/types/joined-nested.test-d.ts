// Type tests of nested join-preloads: a nested `Preload.joined` names a binding of the query over its
// association's target (by default its path, as `Query.join` names it), checked by the compiler at any
// depth as at the top level; a join-preload under a plain preload is refused too.
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Fn, Pred, Preload, Query, Schema } from '../../src/index.js'
import { Blog } from '../support/blog.js'

type User = Schema.Row<typeof Blog, 'user'>
type Comment = Schema.Row<typeof Blog, 'comment'>

const posts = Query.from(Blog, 'post')

describe('nested Preload.joined', () => {
  it('accepts a nested binding joined over the path (default or named)', () => {
    const _q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.preload({ comments: Preload.joined({ author: Preload.joined('comments.author') }) }),
    )
    expectTypeOf<Query.RowOf<typeof _q>['comments']>().toEqualTypeOf<
      ReadonlyArray<Comment & { readonly author: O.Option<User> }>
    >()
    const _r = pipe(
      Query.from(Blog, 'user'),
      Query.join(['posts', 'comments'], 'left'),
      Query.preload({ posts: Preload.joined({ comments: Preload.joined({ author: true }) }) }),
    )
    expectTypeOf<Query.RowOf<typeof _r>['posts'][number]['comments'][number]['author']>().toEqualTypeOf<
      O.Option<User>
    >()
  })

  it('refuses a nested binding the query does not join, or of another schema', () => {
    pipe(
      posts,
      Query.join(['comments', 'author']),
      // @ts-expect-error no binding 'nope'
      Query.preload({ comments: Preload.joined({ author: Preload.joined('nope') }) }),
    )
    pipe(
      posts,
      Query.join('comments'),
      // @ts-expect-error the default binding 'comments.author' is not joined
      Query.preload({ comments: Preload.joined({ author: Preload.joined() }) }),
    )
    pipe(
      posts,
      Query.join(['comments', 'author']),
      // @ts-expect-error binding 'comments' joins comments, not users
      Query.preload({ comments: Preload.joined({ author: Preload.joined('comments') }) }),
    )
    pipe(
      Query.from(Blog, 'user'),
      Query.join(['posts', 'comments']),
      // @ts-expect-error two levels down: no binding 'posts.comments.author'
      Query.preload({ posts: Preload.joined({ comments: Preload.joined({ author: Preload.joined() }) }) }),
    )
  })

  it('refuses a nested binding that does not hang from its parent join-preload', () => {
    pipe(
      posts,
      Query.join('comments', 'inner', { as: 'c' }),
      Query.join(['comments', 'author']),
      // @ts-expect-error 'comments.author' is joined from binding 'comments', not from 'c'
      Query.preload({ comments: Preload.joined('c', { author: Preload.joined() }) }),
    )
    pipe(
      posts,
      Query.join('comments', 'inner', { as: 'c' }),
      Query.join(['comments', 'author'], 'inner', { as: 'who' }),
      // @ts-expect-error a named nested binding: 'who' is joined from 'comments', not from 'c'
      Query.preload({ comments: Preload.joined('c', { author: Preload.joined('who') }) }),
    )
    pipe(
      Query.from(Blog, 'user'),
      Query.join(['posts', 'comments']),
      Query.join('posts', 'left', { as: 'p2' }),
      // @ts-expect-error two levels: 'posts.comments' hangs from 'posts', not from 'p2'
      Query.preload({ posts: Preload.joined('p2', { comments: Preload.joined() }) }),
    )
    // The same bindings from their parent are accepted: the named prefix, a named last hop, a hop after
    // a right join (nullable bindings keep where they hang from).
    const _a = pipe(
      posts,
      Query.join('comments', 'inner', { as: 'c' }),
      Query.join(['comments', 'author'], 'inner', { as: 'who' }),
      Query.preload({ comments: Preload.joined('comments', { author: Preload.joined('who') }) }),
    )
    expectTypeOf<Query.RowOf<typeof _a>['comments'][number]['author']>().toEqualTypeOf<O.Option<User>>()
    const _b = pipe(
      Query.from(Blog, 'user'),
      Query.join(['posts', 'comments', 'author'], 'left'),
      Query.preload({
        posts: Preload.joined({
          comments: Preload.joined({ author: Preload.joined('posts.comments.author') }),
        }),
      }),
    )
    expectTypeOf<Query.RowOf<typeof _b>['posts'][number]['comments'][number]['author']>().toEqualTypeOf<
      O.Option<User>
    >()
  })

  it('refuses a join-preload under a plain preload', () => {
    pipe(
      posts,
      Query.join(['comments', 'author']),
      // @ts-expect-error 'author' is join-preloaded under 'comments', which is not
      Query.preload({ comments: { author: Preload.joined() } }),
    )
    pipe(
      posts,
      Query.join(['comments', 'author']),
      // @ts-expect-error under a Preload.query too
      Query.preload({ comments: Preload.query({ limit: 1 }, { author: Preload.joined() }) }),
    )
  })
})

describe('Preload.joined under a projection', () => {
  it('types the rows as the projection plus the join-preloaded fields', () => {
    const _q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.select(p => ({ title: p.title })),
      Query.preload({ comments: Preload.joined({ author: Preload.joined() }) }),
    )
    expectTypeOf<Query.RowOf<typeof _q>>().toEqualTypeOf<
      { readonly title: string } & {
        readonly comments: ReadonlyArray<Comment & { readonly author: O.Option<User> }>
      }
    >()
  })
})

describe('Preload.joined with a projection', () => {
  const comments = Query.from(Blog, 'comment')

  it('types the children as the projection, with the associations loaded under them', () => {
    const _q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.preload({
        comments: Preload.joined(
          'comments',
          { author: Preload.joined(), parent: true },
          pipe(
            comments,
            Query.select(c => ({ text: c.body, at: c.inserted_at })),
          ),
        ),
      }),
    )
    type Child = Query.RowOf<typeof _q>['comments'][number]
    expectTypeOf<keyof Child>().toEqualTypeOf<'text' | 'at' | 'author' | 'parent'>()
    expectTypeOf<Child['text']>().toEqualTypeOf<string>()
    expectTypeOf<Child['at']>().toEqualTypeOf<Date>()
    expectTypeOf<Child['author']>().toEqualTypeOf<O.Option<User>>()
    expectTypeOf<Child['parent']>().toEqualTypeOf<O.Option<Comment>>()
    // Without a nested spec: exactly the projection's rows.
    const _r = pipe(
      posts,
      Query.join('comments'),
      Query.preload({
        comments: Preload.joined(
          'comments',
          {},
          pipe(
            comments,
            Query.select(c => ({ id: c.id })),
          ),
        ),
      }),
    )
    expectTypeOf<Query.RowOf<typeof _r>['comments']>().toEqualTypeOf<ReadonlyArray<{ readonly id: number }>>()
    // A to-one: an Option of the projection; a nested projected level.
    const _s = pipe(
      posts,
      Query.join(['comments', 'author'], 'left'),
      Query.preload({
        comments: Preload.joined({
          author: Preload.joined(
            'comments.author',
            {},
            pipe(
              Query.from(Blog, 'user'),
              Query.select(u => ({ who: u.name })),
            ),
          ),
        }),
      }),
    )
    expectTypeOf<Query.RowOf<typeof _s>['comments'][number]['author']>().toEqualTypeOf<
      O.Option<{ readonly who: string }>
    >()
  })

  it('types computed outputs as the projection types them, beside the nested preloads', () => {
    const _q = pipe(
      posts,
      Query.join('comments', 'left'),
      Query.select(p => ({ title: p.title })),
      Query.preload({
        comments: Preload.joined(
          'comments',
          { author: true },
          pipe(
            comments,
            Query.select((c, $) => ({
              shout: Fn.upper(c.body),
              next: Fn.add(c.id, 1),
              parent: Fn.coalesce(c.parent_id, 0),
              maybeParent: c.parent_id,
              kind: Fn.case_([[Pred.eq(c.public, true), 'public']], 'private'),
              orNull: Fn.case_([[Pred.eq(c.public, true), 'public']]),
              visible: Pred.eq(c.public, true),
              replies: $.count('children'),
            })),
          ),
        ),
      }),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row>().toEqualTypeOf<
      { readonly title: string } & {
        readonly comments: ReadonlyArray<
          {
            readonly shout: string
            readonly next: number
            readonly parent: number
            readonly maybeParent: number | null
            readonly kind: string
            readonly orNull: string | null
            readonly visible: boolean
            readonly replies: number
          } & { readonly author: O.Option<User> }
        >
      }
    >()
    // A to-one's computed projection: an Option of it.
    const _s = pipe(
      posts,
      Query.join('author', 'left'),
      Query.preload({
        author: Preload.joined(
          'author',
          {},
          pipe(
            Query.from(Blog, 'user'),
            Query.select(u => ({ who: Fn.upper(u.name), mail: Fn.coalesce(u.email, '-') })),
          ),
        ),
      }),
    )
    expectTypeOf<Query.RowOf<typeof _s>['author']>().toEqualTypeOf<
      O.Option<{ readonly who: string; readonly mail: string }>
    >()
  })

  it('refuses a projection over another schema, or whole rows', () => {
    pipe(
      posts,
      Query.join('comments'),
      // @ts-expect-error a projection over 'user' for comments
      Query.preload({
        comments: Preload.joined(
          'comments',
          {},
          pipe(
            Query.from(Blog, 'user'),
            Query.select(u => ({ n: u.name })),
          ),
        ),
      }),
    )
    // @ts-expect-error a query of whole rows is no projection
    Preload.joined('comments', {}, comments)
  })
})
