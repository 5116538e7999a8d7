// The statement of a projection found again by its shape (issues 15 and 17, query/Compiled.ts): for a
// select built per call, `Compiled.projection` gives what lowering and compiling it gives
// (`Sql.toSql(Lower.select(s))`), text, parameters and their JSON and row-count marks, whether its
// shape was met before with other values or not. Each case builds the same code twice or more with
// different values, and with values that change the text (a list of one value, two relation
// aggregates that share their rows or not, a limit); a property does the same over random algebra
// queries, each built twice.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Fn, Pred, Query } from '../../src/index.js'
import type * as Select from '../../src/ast/Select.js'
import * as Compiled from '../../src/query/Compiled.js'
import * as Lower from '../../src/query/Lower.js'
import * as Sql from '../../src/sql/Compile.js'
import * as Arb from '../../src/testing/index.js'
import { Blog } from '../support/blog.js'
import { numRuns } from '../property/support.js'

// The statement as computed without the cache, and from it: the same, field by field.
const fresh = (s: Select.Select): Sql.CompiledQuery => Sql.toSql(Lower.select(s))
const same = (s: Select.Select): Sql.CompiledQuery => {
  const got = Compiled.projection(s)
  expect(got).toEqual(fresh(s))
  expect(Object.isFrozen(got) && Object.isFrozen(got.params)).toBe(true)
  return got
}

const counts = (lo: number, hi: number) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.and(Pred.gte(p.id, lo), Pred.lte(p.id, hi))),
    Query.orderBy(['id']),
    Query.select((p, $) => ({
      id: p.id,
      title: p.title,
      comments: $.count('comments'),
      tags: $.count('tags'),
    })),
  )

const report = (lo: number, hi: number, min: number) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.and(Pred.gte(p.author_id, lo), Pred.lte(p.author_id, hi))),
    Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
    Query.having(() => Pred.gt(Fn.count(), min)),
    Query.select((p, $) => ({
      author_id: p.author_id,
      month: Fn.dateTrunc('month', p.inserted_at),
      posts: Fn.count(),
      comments: Fn.sum($.count('comments')),
    })),
    Query.orderBy(['author_id', 'month']),
  )

describe('Compiled.projection', () => {
  it('gives a shape met before its text with the new values (relation counts over a range)', () => {
    const first = same(counts(1, 10).select)
    const second = same(counts(5, 7).select)
    expect(second.text).toBe(first.text)
    expect(first.params).toContain(10)
    expect(second.params).toContain(7)
    expect(second.params).not.toContain(10)
  })

  it('does the same for a grouped report with a having and a sum of counts', () => {
    const first = same(report(1, 3, 2).select)
    const second = same(report(2, 9, 0).select)
    expect(second.text).toBe(first.text)
    expect(second.params).toEqual(expect.arrayContaining([2, 9, 0]))
  })

  it('tells a list of one value from a list of several (the text differs)', () => {
    const listed = (ids: ReadonlyArray<number>) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.isIn(p.id, ids)),
        Query.select((p, $) => ({ id: p.id, n: $.count('comments') })),
      ).select
    const one = same(listed([4]))
    const many = same(listed([1, 2, 3]))
    const other = same(listed([7, 8]))
    const again = same(listed([9]))
    expect(one.text).not.toBe(many.text)
    expect(other.text).toBe(many.text)
    expect(other.params).toContainEqual([7, 8])
    expect(again.text).toBe(one.text)
    expect(again.params).toContain(9)
  })

  it('keeps two filtered counts with values apart or together as their values say', () => {
    const filtered = (a: boolean, b: boolean) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.select((p, $) => ({
          id: p.id,
          x: $.count('comments', c => Pred.eq(c.public, a)),
          y: $.count('comments', c => Pred.eq(c.public, b)),
        })),
      ).select
    const together = same(filtered(true, true))
    const apart = same(filtered(true, false))
    expect(together.text).not.toBe(apart.text)
    expect(same(filtered(false, false)).text).toBe(together.text)
    expect(same(filtered(false, true)).text).toBe(apart.text)
  })

  it('takes row counts as part of the shape', () => {
    const limited = (n: number, lo: number) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.gte(p.id, lo)),
        Query.orderBy(['id']),
        Query.limit(n),
        Query.select((p, $) => ({ id: p.id, n: $.count('comments') })),
      ).select
    expect(same(limited(3, 1)).params).toContain(3)
    expect(same(limited(5, 1)).params).toContain(5)
    expect(same(limited(3, 2)).params).toEqual(expect.arrayContaining([3, 2]))
  })

  it('tells one expression met twice from two equal ones', () => {
    const grouped = (shared: boolean, min: number) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.groupBy(p => [p.author_id]),
        Query.having(() => Pred.gt(Fn.count(), min)),
        Query.select((p, $) => {
          const total = Fn.sum($.count('comments'))
          return { author_id: p.author_id, a: total, b: shared ? total : Fn.sum($.count('comments')) }
        }),
      ).select
    same(grouped(true, 1))
    same(grouped(false, 1))
    same(grouped(true, 2))
    same(grouped(false, 2))
    // an order term naming an output is that output's expression: one column of the grouped rows, where
    // an equal expression written again is a column of its own
    const ordered = (byName: boolean, min: number) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.groupBy(p => [Fn.dateTrunc('month', p.inserted_at)]),
        Query.having(() => Pred.gt(Fn.count(), min)),
        Query.select((p, $) => ({
          month: Fn.dateTrunc('month', p.inserted_at),
          comments: Fn.sum($.count('comments')),
        })),
        byName ? Query.orderBy(['month']) : Query.orderBy(p => [Fn.dateTrunc('month', p.inserted_at)]),
      ).select
    const named = same(ordered(true, 1))
    const written = same(ordered(false, 1))
    expect(named.text).not.toBe(written.text)
    expect(same(ordered(true, 3)).text).toBe(named.text)
    expect(same(ordered(false, 3)).text).toBe(written.text)
  })

  it('over random projections, each built twice', () => {
    const cases = Arb.model({ maxTables: 4 }).chain(g =>
      Arb.rows(g, { maxRows: 3 }).chain(data => Arb.algebraQuery(g).map(spec => ({ g, data, spec }))),
    )
    fc.assert(
      fc.property(cases, ({ g, data, spec }) => {
        const a = Arb.toAlgebraQuery(g, data, spec)
        const b = Arb.toAlgebraQuery(g, data, spec)
        if (a.errors.length > 0 || !a.projected) return
        const sql = Query.toSql(a)
        if (E.isLeft(sql)) return
        same(a.select)
        same(b.select)
        same(a.select)
      }),
      { numRuns: numRuns(100) },
    )
  })
})

// The structural check of a grouped query (`problems` in query/Query.ts) runs when the query's errors
// are first read, not after each of `groupBy`, `having`, `select` and `orderBy`: every step still
// reports what the query it returns is, in the same order.
describe('the grouping check, put off until the errors are read', () => {
  const grouped = pipe(
    Query.from(Blog, 'post'),
    Query.groupBy(p => [p.author_id]),
  )
  const having = pipe(
    grouped,
    Query.having(() => Pred.gt(Fn.count(), 1)),
  )
  const selected = pipe(
    having,
    Query.select(p => ({ author_id: p.author_id, posts: Fn.count() })),
  )
  const ordered = pipe(selected, Query.orderBy(['author_id']))

  it('reports each step as it is: whole rows refused, the projection accepted', () => {
    // read last first: each query judges itself, whatever was read before
    expect(ordered.errors).toEqual([])
    expect(selected.errors).toEqual([])
    const refused = expect.objectContaining({
      code: 'InvalidArgument',
      message: expect.stringMatching(
        /^column 'post\.id' is neither grouped \(Query\.groupBy\) nor inside an aggregate/,
      ),
    })
    expect(having.errors).toEqual([refused])
    expect(grouped.errors).toEqual([refused])
    // found once: the same list at every read
    expect(having.errors).toBe(having.errors)
    expect(Query.toSql(having)).toEqual(E.left(having.errors[0]))
    expect(E.isRight(Query.toSql(ordered))).toBe(true)
  })

  it('keeps a step’s own errors before the structural ones, as they were', () => {
    const bad = pipe(
      grouped,
      Query.select(p => ({ title: p.title })),
      Query.orderBy(['nope' as never]),
    )
    expect(bad.errors.map(e => e.message)).toEqual([
      expect.stringMatching(/^column 'post\.title' is neither grouped/),
      expect.stringMatching(/nope/),
    ])
    // a spread holds the errors as data; a later step over it judges its own query
    const copy = { ...bad }
    expect(copy.errors).toEqual(bad.errors)
    const fixed = pipe(
      grouped,
      Query.select(p => ({ title: p.title })),
      Query.where(p => Pred.eq(p.id, 1)),
      Query.groupBy(p => [p.title]),
    )
    expect(fixed.errors).toEqual([])
  })
})
