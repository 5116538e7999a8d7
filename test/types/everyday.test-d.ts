// Type tests of the everyday queries (test/query/everyday-queries.ts): the row type of each, as a user
// reads it off `Pg.all` (nullable left-join columns, aggregate types, relation counts, scalar subqueries).
import { describe, expectTypeOf, it } from 'vitest'
import type { Query } from '../../src/index.js'
import * as Q from '../query/everyday-queries.js'

type RowOf<X> = Query.RowOf<X>

describe('everyday queries: row types', () => {
  it('the blog', () => {
    expectTypeOf<RowOf<typeof Q.withRemarkCounts>>().toEqualTypeOf<{
      readonly title: string
      readonly remarks: number
      readonly approved: number
    }>()
    expectTypeOf<RowOf<typeof Q.topAuthors>>().toEqualTypeOf<{
      readonly name: string
      readonly published: number
    }>()
    expectTypeOf<RowOf<typeof Q.popularLabels>>().toEqualTypeOf<{
      readonly label: string
      readonly uses: number
    }>()
    expectTypeOf<RowOf<typeof Q.latestPerAuthor>>().toEqualTypeOf<{
      readonly author: number | null
      readonly title: string
    }>()
    // a left lateral join: its outputs are nullable
    expectTypeOf<RowOf<typeof Q.latestPerAuthorLateral>>().toEqualTypeOf<{
      readonly name: string
      readonly latest: string | null
    }>()
    expectTypeOf<RowOf<ReturnType<typeof Q.search>>>().toEqualTypeOf<{
      readonly id: number
      readonly title: string
    }>()
    expectTypeOf<RowOf<ReturnType<typeof Q.page>>>().toEqualTypeOf<{ readonly id: number }>()
    expectTypeOf<RowOf<ReturnType<typeof Q.after>>>().toEqualTypeOf<{ readonly id: number }>()
    expectTypeOf<RowOf<typeof Q.labelList>>().toEqualTypeOf<{
      readonly id: number
      readonly labels: string | null
    }>()
    expectTypeOf<RowOf<typeof Q.remarkIds>>().toEqualTypeOf<{
      readonly article: number
      readonly ids: ReadonlyArray<number> | null
    }>()
    expectTypeOf<RowOf<typeof Q.authorFlags>>().toEqualTypeOf<{
      readonly author: number | null
      readonly hasDraft: boolean | null
      readonly allRead: boolean | null
    }>()
    expectTypeOf<RowOf<typeof Q.discussed>>().toEqualTypeOf<{
      readonly name: string
      readonly received: number
    }>()
    // a left-joined binding's column is nullable
    expectTypeOf<RowOf<typeof Q.taggedSql>>().toEqualTypeOf<{
      readonly title: string
      readonly by: string | null
    }>()
    expectTypeOf<RowOf<typeof Q.prolific>>().toEqualTypeOf<{
      readonly author: number | null
      readonly months: number
      readonly most: number | null
    }>()
  })

  it('the shop', () => {
    expectTypeOf<RowOf<typeof Q.revenuePerMonth>>().toEqualTypeOf<{
      readonly month: Date
      readonly revenue: string | null
    }>()
    expectTypeOf<RowOf<typeof Q.ordersWithCustomer>>().toEqualTypeOf<{
      readonly id: number
      readonly customer: string | null
    }>()
    expectTypeOf<RowOf<typeof Q.neverOrdered>>().toEqualTypeOf<{ readonly name: string }>()
    expectTypeOf<RowOf<typeof Q.neverOrderedSub>>().toEqualTypeOf<{ readonly name: string }>()
    expectTypeOf<RowOf<typeof Q.neverSold>>().toEqualTypeOf<{ readonly name: string }>()
    expectTypeOf<RowOf<typeof Q.ratings>>().toEqualTypeOf<{
      readonly product: number
      readonly avg: number | null
      readonly good: number
      readonly reviews: number
    }>()
    expectTypeOf<RowOf<typeof Q.ratingsByProduct>>().toEqualTypeOf<{
      readonly name: string
      readonly avg: number | null
      readonly good: number
    }>()
    expectTypeOf<RowOf<typeof Q.loyal>>().toEqualTypeOf<{ readonly name: string; readonly orders: number }>()
    // a scalar subquery and a relation max: NULL with no row
    expectTypeOf<RowOf<typeof Q.lastOrdered>>().toEqualTypeOf<{
      readonly name: string
      readonly last: Date | null
    }>()
    expectTypeOf<RowOf<typeof Q.lastOrderedThrough>>().toEqualTypeOf<{
      readonly name: string
      readonly last: Date | null
    }>()
    expectTypeOf<RowOf<typeof Q.gizmoBuyers>>().toEqualTypeOf<{ readonly name: string }>()
    expectTypeOf<RowOf<typeof Q.basket>>().toEqualTypeOf<{
      readonly name: string
      readonly items: number
      readonly products: number
    }>()
    expectTypeOf<RowOf<typeof Q.priceBands>>().toEqualTypeOf<{
      readonly name: string
      readonly band: string
    }>()
    expectTypeOf<RowOf<typeof Q.displayNames>>().toEqualTypeOf<{
      readonly id: number
      readonly shown: string
      readonly city: string
    }>()
    expectTypeOf<RowOf<typeof Q.buyers>>().toEqualTypeOf<{
      readonly product: number
      readonly buyers: number
    }>()
    // a sum of bigints is decimal text; a count a number
    expectTypeOf<RowOf<typeof Q.ledgerTotal>>().toEqualTypeOf<{
      readonly total: string | null
      readonly n: number
    }>()
    expectTypeOf<RowOf<typeof Q.orderTotals>>().toEqualTypeOf<{
      readonly id: number
      readonly total: string | null
      readonly lines: number
    }>()
    expectTypeOf<RowOf<typeof Q.revenuePerCustomer>>().toEqualTypeOf<{
      readonly name: string
      readonly revenue: string
    }>()
    expectTypeOf<RowOf<typeof Q.stockValue>>().toEqualTypeOf<{
      readonly name: string
      readonly value: string
    }>()
  })
})
