// Type tests of Query.fromQuery: the outer query's row is the inner projection's, its callbacks read
// the projection's outputs (nullable after a right join), a later select replaces the row, and a query
// of whole rows is a compile error.
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { describe, expectTypeOf, it } from 'vitest'
import { type Column, Fn, Pg, Pred, Query } from '../../src/index.js'
import type { LoadError } from '../../src/run/Run.js'
import { Blog } from '../support/blog.js'

declare const sql: postgres.Sql
declare const rowOf: <Q extends Query.AnyQuery>(q: Q) => Query.RowOf<Q>

const monthly = pipe(
  Query.from(Blog, 'post'),
  Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
  Query.select(p => ({ author: p.author_id, month: Fn.dateTrunc('month', p.inserted_at), n: Fn.count() })),
)
type Monthly = { readonly author: number | null; readonly month: Date; readonly n: number }

describe('Query.fromQuery: row types', () => {
  it('is the projection of the subquery, its outputs the root terms', () => {
    const q = Query.fromQuery(monthly)
    expectTypeOf(rowOf(q)).toEqualTypeOf<Monthly>()
    expectTypeOf(Pg.all(q)(sql)()).toEqualTypeOf<Promise<E.Either<LoadError, ReadonlyArray<Monthly>>>>()
    pipe(
      q,
      Query.where(m => {
        expectTypeOf(m.n).toEqualTypeOf<Pred.Term<number>>()
        // An output keeps its column's SQL type mark (Query.OutputMarks).
        expectTypeOf(m.author).toEqualTypeOf<Pred.Term<number | null> & Column.Sql<'integer'>>()
        // @ts-expect-error the subquery has no output 'title'
        void m.title
        return Pred.gt(m.n, 2)
      }),
    )
  })

  it('a grouped select over its outputs, ordered by them', () => {
    const q = pipe(
      Query.fromQuery(monthly),
      Query.groupBy(m => [m.author]),
      Query.having(m => Pred.gt(Fn.avg(m.n), 2)),
      Query.select(m => ({ author: m.author, perMonth: Fn.avg(m.n), months: Fn.count() })),
      Query.orderBy(['author']),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly author: number | null
      readonly perMonth: number | null
      readonly months: number
    }>()
  })

  it('a subquery joined to it, and a right join making the root nullable', () => {
    const names = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({ id: u.id, name: u.name })),
    )
    const q = pipe(
      Query.fromQuery(monthly),
      Query.joinQuery(names, 'right', { as: 'u', on: (u, m) => Pred.eq(m.author, u.id) }),
      Query.select((m, $) => ({ n: m.n, name: $.joined.u.name })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly n: number | null
      readonly name: string
    }>()
  })

  it('nests', () => {
    const q = pipe(
      Query.fromQuery(Query.fromQuery(monthly)),
      Query.select(m => ({ m: m.month })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{ readonly m: Date }>()
  })

  it('refuses a query of whole rows, and has no associations', () => {
    // @ts-expect-error a projection is required
    Query.fromQuery(Query.from(Blog, 'post'))
    pipe(
      Query.fromQuery(monthly),
      // @ts-expect-error no association of a subquery
      Query.select((_, $) => ({ c: $.count('comments') })),
    )
    // @ts-expect-error no association to preload
    pipe(Query.fromQuery(monthly), Query.preload({ comments: true }))
  })
})

describe('Query.fromQuery: marks kept through the combinators after the select', () => {
  type Author = Pred.Term<number | null> & Column.Sql<'integer'>

  it('where, orderBy, having, distinctOn, limit and the joins keep the outputs marked', () => {
    const later = pipe(
      monthly,
      Query.where(p => Pred.eq(p.published, true)),
      Query.having(p => Pred.isNotNull(p.author_id)),
      Query.orderBy(['author']),
      Query.distinctOn(p => [p.author_id]),
      Query.limit(10),
      Query.join('author', 'left'),
      Query.join(['comments', 'author'], 'left'),
      Query.joinQuery(monthly, 'left', { as: 'other' }),
    )
    pipe(
      Query.fromQuery(later),
      Query.select(m => {
        expectTypeOf(m.author).toEqualTypeOf<Author>()
        return { author: m.author }
      }),
    )
    pipe(
      Query.from(Blog, 'post'),
      Query.joinQuery(later, 'left', { as: 'm' }),
      Query.select((_, $) => {
        expectTypeOf($.joined.m.author).toEqualTypeOf<Author>()
        return { author: $.joined.m.author }
      }),
    )
  })

  it('a later select marks its own outputs; the row type is unchanged by the carried marks', () => {
    const q = pipe(
      monthly,
      Query.orderBy(['author']),
      Query.select(p => ({ title: p.title })),
      Query.where(p => Pred.eq(p.published, true)),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{ readonly title: string }>()
    pipe(
      Query.fromQuery(q),
      Query.where(m => {
        expectTypeOf(m.title).toEqualTypeOf<Pred.Term<string> & Column.Sql<'text'>>()
        // @ts-expect-error the projection replaced 'author'
        void m.author
        // @ts-expect-error text takes no arithmetic (its mark came through the where)
        void Fn.add(m.title, 1)
        return Pred.eq(m.title, 'x')
      }),
    )
  })
})
