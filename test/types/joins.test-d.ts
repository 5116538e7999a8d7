// Type tests of joins over association paths: the names of the bindings (the path joined with '.',
// each prefix, or `as`), their nullability by join kind, the `on` callback's row, scope and root row,
// and the paths the compiler rejects.
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Column, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'

const posts = Query.from(Blog, 'post')
declare const rowOf: <Q extends Query.AnyQuery>(q: Q) => Query.RowOf<Q>

describe('join: binding names and nullability', () => {
  it('a left path join binds the last hop under the dotted path and each prefix, all nullable', () => {
    pipe(
      posts,
      Query.join(['comments', 'author'], 'left'),
      Query.select((p, $) => {
        // Column terms carry their column's SQL type mark (Column.Sql): text takes no arithmetic.
        expectTypeOf($.joined['comments.author'].name).toEqualTypeOf<
          Pred.Term<string | null> & Column.Sql<'text'>
        >()
        expectTypeOf($.joined.comments.body).toEqualTypeOf<Pred.Term<string | null> & Column.Sql<'text'>>()
        expectTypeOf(p.title).toEqualTypeOf<Pred.Term<string> & Column.Sql<'text'>>()
        return { id: p.id }
      }),
    )
  })

  it('an inner path join leaves every binding non-null', () => {
    const q = pipe(
      posts,
      Query.join(['comments', 'author']),
      Query.select((_, $) => ({ by: $.joined['comments.author'].name, body: $.joined.comments.body })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{ readonly by: string; readonly body: string }>()
  })

  it('as names the last binding; a reused prefix keeps its nullability', () => {
    const q = pipe(
      posts,
      Query.join('comments'),
      Query.join(['comments', 'author'], 'left', { as: 'commenter' }),
      Query.select((_, $) => ({ by: $.joined.commenter.name, body: $.joined.comments.body })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly by: string | null
      readonly body: string
    }>()
  })

  it('right makes the root and every earlier binding nullable, full the joined ones too', () => {
    const right = pipe(
      posts,
      Query.join('author'),
      Query.join(['comments', 'author'], 'right'),
      Query.select((p, $) => ({
        title: p.title,
        author: $.joined.author.name,
        comment: $.joined.comments.body,
        by: $.joined['comments.author'].name,
      })),
    )
    expectTypeOf(rowOf(right)).toEqualTypeOf<{
      readonly title: string | null
      readonly author: string | null
      readonly comment: string | null
      readonly by: string
    }>()
    const full = pipe(
      posts,
      Query.join(['tags'], 'full', { as: 'tag' }),
      Query.select((p, $) => ({ title: p.title, tag: $.joined.tag.name })),
    )
    expectTypeOf(rowOf(full)).toEqualTypeOf<{
      readonly title: string | null
      readonly tag: string | null
    }>()
  })

  it("on gets the joined row's columns (not null) and a scope over the joined schema", () => {
    pipe(
      posts,
      Query.join('author', 'left'),
      Query.join(['comments', 'author'], 'left', {
        on: (u, $) => {
          expectTypeOf(u.name).toEqualTypeOf<Pred.Term<string> & Column.Sql<'text'>>()
          expectTypeOf($.joined.comments.public).toEqualTypeOf<Pred.Term<boolean | null>>()
          expectTypeOf($.joined.author.id).toEqualTypeOf<Pred.Term<number | null> & Column.Sql<'integer'>>()
          return Pred.and(Pred.neq($.joined.author.id, u.id), $.exists('posts'))
        },
      }),
    )
  })
})

describe('join: on reads the parent binding', () => {
  it("on gets the root row as its third argument, typed as the root's terms at that point", () => {
    pipe(
      posts,
      Query.join('comments', 'left', {
        on: (c, _$, p) => {
          expectTypeOf(p.author_id).toEqualTypeOf<Pred.Term<number | null> & Column.Sql<'integer'>>()
          return Pred.eq(c.author_id, p.author_id)
        },
      }),
    )
    pipe(
      posts,
      Query.join('author', 'right'),
      Query.join(['comments', 'author'], 'inner', {
        on: (u, $, p) => {
          // after a right join the root may be NULL
          expectTypeOf(p.title).toEqualTypeOf<Pred.Term<string | null> & Column.Sql<'text'>>()
          // the right join's own binding is not (its rows are all kept)
          expectTypeOf($.joined.author.id).toEqualTypeOf<Pred.Term<number> & Column.Sql<'integer'>>()
          // the path's hop (the last hop's parent binding) is bound before the on runs
          expectTypeOf($.joined.comments.author_id).toEqualTypeOf<
            Pred.Term<number | null> & Column.Sql<'integer'>
          >()
          return Pred.and(Pred.eq(u.id, p.author_id), Pred.eq($.joined.comments.author_id, u.id))
        },
      }),
    )
  })

  it('a binding joined later, or a column the root does not have, does not compile', () => {
    pipe(
      posts,
      // @ts-expect-error 'later' is not joined before this join (the pipe refuses the join)
      Query.join(['comments', 'author'], 'left', { on: (u, $) => Pred.eq(u.id, $.joined.later.id) }),
    )
    // @ts-expect-error posts have no name
    pipe(posts, Query.join('comments', 'left', { on: (_c, _$, p) => Pred.eq(p.name, 'x') }))
    const last = 'comments.author'
    pipe(
      posts,
      // @ts-expect-error the last hop of ['comments', 'author'] is not bound while its own on runs
      Query.join(['comments', 'author'], 'left', { on: (u, $) => Pred.eq(u.id, $.joined[last].id) }),
    )
  })
})

describe('join: misuse does not compile', () => {
  it('an association that does not exist at its hop of the path', () => {
    // @ts-expect-error 'writer' is no association of comment
    pipe(posts, Query.join(['comments', 'writer']))
    // @ts-expect-error 'nope' is no association of post
    pipe(posts, Query.join(['nope', 'author']))
    // @ts-expect-error 'nope' is no association of post
    pipe(posts, Query.join('nope'))
  })

  it('a binding that is not joined, a kind outside the four, a column the on row does not have', () => {
    pipe(
      posts,
      Query.join(['comments', 'author'], 'left', { as: 'who' }),
      Query.select((_, $) => ({
        // @ts-expect-error the last hop is named 'who', not 'comments.author'
        by: $.joined['comments.author'].name,
      })),
    )
    // @ts-expect-error no cross joins
    pipe(posts, Query.join(['comments', 'author'], 'cross'))
    // @ts-expect-error users have no title
    pipe(posts, Query.join(['comments', 'author'], 'left', { on: u => Pred.eq(u.title, 'x') }))
  })
})
