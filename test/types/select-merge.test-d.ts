// Type tests of `Query.selectMerge`: the whole row (or the projection) with each output in place of the
// field of its name and the new outputs added, nullable after a right join, plus preloads.
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Fn, Preload, Query, Schema } from '../../src/index.js'
import { Blog } from '../support/blog.js'

type User = Schema.Row<typeof Blog, 'user'>
type Post = Schema.Row<typeof Blog, 'post'>

const posts = Query.from(Blog, 'post')

describe('Query.selectMerge', () => {
  it('the whole row plus outputs; an output named like a column replaces its type', () => {
    const _q = pipe(
      posts,
      Query.selectMerge((p, $) => ({ id: Fn.cast(p.id, 'text'), n: $.count('comments') })),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row>().toEqualTypeOf<{
      readonly id: string
      readonly author_id: number | null
      readonly title: string
      readonly body: string
      readonly published: boolean
      readonly inserted_at: Date
      readonly n: number
    }>()
  })

  it('onto a projection, with preloads', () => {
    const _q = pipe(
      posts,
      Query.select(p => ({ title: p.title })),
      Query.selectMerge((_, $) => ({ n: $.count('comments') })),
      Query.preload({ author: true }),
    )
    expectTypeOf<Query.RowOf<typeof _q>>().toEqualTypeOf<
      { readonly title: string; readonly n: number } & { readonly author: O.Option<User> }
    >()
  })

  it('after a right join the whole row is nullable', () => {
    const _q = pipe(
      posts,
      Query.join('author', 'right'),
      Query.selectMerge((_, $) => ({ who: $.joined.author.name })),
    )
    type Row = Query.RowOf<typeof _q>
    expectTypeOf<Row['title']>().toEqualTypeOf<string | null>()
    expectTypeOf<Row['who']>().toEqualTypeOf<string>()
  })

  it('as a preload query: the children are the merged rows', () => {
    const _q = pipe(
      Query.from(Blog, 'user'),
      Query.preload({
        posts: Preload.query(
          pipe(
            posts,
            Query.selectMerge((_, $) => ({ n: $.count('comments') })),
          ),
        ),
      }),
    )
    expectTypeOf<Query.RowOf<typeof _q>['posts']>().toEqualTypeOf<
      ReadonlyArray<{ readonly [K in keyof Post | 'n']: K extends 'n' ? number : Post[K & keyof Post] }>
    >()
  })
})
