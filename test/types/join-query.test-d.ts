// Type tests of joined subqueries: `$.joined[as]` has the subquery's projection, nullable after a
// left or full join (and every earlier binding after a right or full one); lateral joins likewise.
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Column, Fn, Pred, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'

const posts = Query.from(Blog, 'post')
const counts = pipe(
  Query.from(Blog, 'comment'),
  Query.groupBy(c => [c.post_id]),
  Query.select(c => ({ post_id: c.post_id, n: Fn.count() })),
)

describe('joined subqueries', () => {
  it('inner: the outputs as they are; left: nullable', () => {
    const _inner = pipe(
      posts,
      Query.joinQuery(counts, 'inner', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.select((p, $) => ({ id: p.id, n: $.joined.stats.n })),
    )
    expectTypeOf<Query.RowOf<typeof _inner>>().toEqualTypeOf<{ readonly id: number; readonly n: number }>()
    const _left = pipe(
      posts,
      Query.joinQuery(counts, 'left', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.select((p, $) => ({ id: p.id, n: $.joined.stats.n })),
    )
    expectTypeOf<Query.RowOf<typeof _left>>().toEqualTypeOf<{
      readonly id: number
      readonly n: number | null
    }>()
  })

  it('right: the root becomes nullable; a later association join keeps the subquery rows', () => {
    const _right = pipe(
      posts,
      Query.joinQuery(counts, 'right', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.select((p, $) => ({ id: p.id, n: $.joined.stats.n })),
    )
    expectTypeOf<Query.RowOf<typeof _right>>().toEqualTypeOf<{
      readonly id: number | null
      readonly n: number
    }>()
    const _then = pipe(
      posts,
      Query.joinQuery(counts, 'inner', { as: 'stats', on: (s, p) => Pred.eq(s.post_id, p.id) }),
      Query.join('author', 'full'),
      Query.select((_, $) => ({ n: $.joined.stats.n, name: $.joined.author.name })),
    )
    expectTypeOf<Query.RowOf<typeof _then>>().toEqualTypeOf<{
      readonly n: number | null
      readonly name: string | null
    }>()
  })

  it('lateral: the callback reads the row; left makes the outputs nullable', () => {
    const _q = pipe(
      posts,
      Query.joinLateral(
        'top',
        p =>
          pipe(
            Query.from(Blog, 'comment'),
            Query.where(c => Pred.eq(c.post_id, p.id)),
            Query.select(c => ({ body: c.body })),
          ),
        'left',
      ),
      Query.select((_, $) => ({ body: $.joined.top.body })),
    )
    expectTypeOf<Query.RowOf<typeof _q>>().toEqualTypeOf<{ readonly body: string | null }>()
  })

  it('misuse does not compile: an unknown output, a lateral right join', () => {
    pipe(
      posts,
      Query.joinQuery(counts, 'inner', { as: 'stats' }),
      // @ts-expect-error: the subquery has no output 'nope'
      Query.select((_, $) => ({ x: $.joined.stats.nope })),
    )
    // @ts-expect-error: a lateral join is inner or left
    Query.joinLateral('x', () => counts, 'right')
  })
})

describe('typed fragments', () => {
  it('a fragment is a term of its type, nullable', () => {
    const _q = pipe(
      posts,
      Query.select(p => ({
        n: Fn.fragment(Column.integer)`length(${p.title})`,
        t: Fn.fragment(Column.text)`upper(${p.title})`,
      })),
    )
    expectTypeOf<Query.RowOf<typeof _q>>().toEqualTypeOf<{
      readonly n: number | null
      readonly t: string | null
    }>()
  })
})
