// Arithmetic over numeric and bigint columns is typed as decimal text (issue 15): the result type is
// the decoded type of PostgreSQL's result type, text columns take no arithmetic, and numbers stay
// numbers.
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expectTypeOf, it } from 'vitest'
import { Column, Fn, Pred, Query, Schema } from '../../src/index.js'

const item = Schema.table('item', 'items', {
  id: Column.serial,
  placed_at: Column.timestamptz,
  qty: Column.integer,
  unit_price: Column.numeric,
  amount: Column.bigint,
  rate: Column.double,
  discount: Column.nullable(Column.numeric),
  note: Column.text,
  code: Column.uuid,
})
const M = Schema.modelOrThrow({ item }, {})
const items = Query.from(M, 'item')
declare const rowOf: <Q extends Query.AnyQuery>(q: Q) => Query.RowOf<Q>

describe('decimal arithmetic', () => {
  it('revenue per month: sum(qty * unit_price) is numeric text, NULL over no rows', () => {
    const q = pipe(
      items,
      Query.groupBy(i => [Fn.dateTrunc('month', i.placed_at)]),
      Query.select(i => ({
        month: Fn.dateTrunc('month', i.placed_at),
        revenue: Fn.sum(Fn.mul(i.qty, i.unit_price)),
        mean: Fn.avg(Fn.mul(i.qty, i.unit_price)),
        top: Fn.max(Fn.mul(i.qty, i.unit_price)),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly month: Date
      readonly revenue: string | null
      readonly mean: string | null
      readonly top: string | null
    }>()
  })

  it('each combination: decimal when a side is, NULL when a side may be, numbers stay numbers', () => {
    const q = pipe(
      items,
      Query.select(i => ({
        intNumeric: Fn.mul(i.qty, i.unit_price),
        numericInt: Fn.add(i.unit_price, 1),
        bigintInt: Fn.div(i.amount, 2),
        intBigint: Fn.sub(i.qty, i.amount),
        bigintNumeric: Fn.add(i.amount, i.unit_price),
        text: Fn.mul(i.qty, '1.10'),
        nested: Fn.add(Fn.mul(i.qty, i.unit_price), Fn.mod(i.amount, 3)),
        nullable: Fn.sub(i.unit_price, i.discount),
        numbers: Fn.mul(i.qty, 2),
        doubles: Fn.mul(i.rate, i.qty),
        cast: Fn.mul(i.qty, Fn.cast(i.rate, 'numeric')),
        abs: Fn.abs(i.discount),
        absInt: Fn.abs(i.qty),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly intNumeric: string
      readonly numericInt: string
      readonly bigintInt: string
      readonly intBigint: string
      readonly bigintNumeric: string
      readonly text: string
      readonly nested: string
      readonly nullable: string | null
      readonly numbers: number
      readonly doubles: number
      readonly cast: string
      readonly abs: string | null
      readonly absInt: number
    }>()
  })

  it('columns carry their SQL type; text and uuid take no arithmetic', () => {
    pipe(
      items,
      Query.select(i => {
        expectTypeOf(i.unit_price).toEqualTypeOf<Query.TableRefs<typeof M, 'item'>['unit_price']>()
        expectTypeOf(i.discount).toMatchTypeOf<Fn.Decimal>()
        return {
          // @ts-expect-error arithmetic on text
          a: Fn.add(i.note, 1),
          // @ts-expect-error arithmetic on a uuid
          b: Fn.mul(i.qty, i.code),
          // @ts-expect-error a boolean is no operand
          c: Fn.mul(i.unit_price, true),
        }
      }),
    )
  })

  it('round and neg follow their term: numeric and bigint stay exact text, numbers stay numbers', () => {
    const q = pipe(
      items,
      Query.select(i => ({
        price: Fn.round(i.unit_price),
        amount: Fn.round(i.amount),
        qty: Fn.round(i.qty),
        rate: Fn.round(i.rate),
        discount: Fn.round(i.discount),
        cents: Fn.round(i.unit_price, 2),
        qtyCents: Fn.round(i.qty, 2),
        amountCents: Fn.round(i.amount, -3),
        discountCents: Fn.round(i.discount, 2),
        total: Fn.round(Fn.mul(i.qty, i.unit_price), 2),
        negQty: Fn.neg(i.qty),
        negPrice: Fn.neg(i.unit_price),
        negAmount: Fn.neg(i.amount),
        negRate: Fn.neg(i.rate),
        negDiscount: Fn.neg(i.discount),
        again: Fn.add(Fn.neg(i.unit_price), Fn.round(i.unit_price, 1)),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly price: string
      readonly amount: string
      readonly qty: number
      readonly rate: number
      readonly discount: string | null
      readonly cents: string
      readonly qtyCents: string
      readonly amountCents: string
      readonly discountCents: string | null
      readonly total: string
      readonly negQty: number
      readonly negPrice: string
      readonly negAmount: string
      readonly negRate: number
      readonly negDiscount: string | null
      readonly again: string
    }>()
    pipe(
      items,
      Query.select(i => ({
        // @ts-expect-error PostgreSQL has no round(double precision, integer)
        a: Fn.round(i.rate, 1),
        // @ts-expect-error round of text
        b: Fn.round(i.note),
        // @ts-expect-error negation of text
        c: Fn.neg(i.note),
      })),
    )
  })

  it('outputs of a derived table and of joined subqueries keep their SQL type marks', () => {
    const sub = pipe(
      items,
      Query.select(i => ({
        id: i.id,
        total: Fn.mul(i.qty, i.unit_price),
        amount: i.amount,
        note: i.note,
        rate: i.rate,
      })),
    )
    const q = pipe(
      Query.fromQuery(sub),
      Query.select(d => ({
        withTax: Fn.mul(d.total, '1.2'),
        rounded: Fn.round(d.total, 2),
        next: Fn.add(d.amount, 1),
        back: Fn.neg(d.total),
      })),
    )
    expectTypeOf(rowOf(q)).toEqualTypeOf<{
      readonly withTax: string
      readonly rounded: string
      readonly next: string
      readonly back: string
    }>()
    pipe(
      Query.fromQuery(sub),
      Query.select(d => {
        expectTypeOf(d.total).toEqualTypeOf<Pred.Term<string> & Column.Sql<'numeric'>>()
        expectTypeOf(d.amount).toEqualTypeOf<Pred.Term<string> & Column.Sql<'bigint'>>()
        // bigint + integer is bigint, as PostgreSQL types it
        expectTypeOf(Fn.add(d.amount, 1)).toEqualTypeOf<Pred.Term<string> & Column.Sql<'bigint'>>()
        return {
          // @ts-expect-error arithmetic on a text output
          a: Fn.add(d.note, 1),
          // @ts-expect-error PostgreSQL has no round(double precision, integer)
          b: Fn.round(d.rate, 1),
        }
      }),
    )
    // A joined subquery (left: nullable) and a lateral one keep them too.
    const joined = pipe(
      items,
      Query.joinQuery(sub, 'left', { as: 'd', on: (d, i) => Pred.eq(d.id, i.id) }),
      Query.joinLateral('l', i =>
        pipe(
          items,
          Query.where(o => Pred.eq(o.id, i.id)),
          Query.select(o => ({ price: o.unit_price, note: o.note })),
        ),
      ),
      Query.select((_, $) => {
        expectTypeOf($.joined.d.total).toEqualTypeOf<Pred.Term<string | null> & Column.Sql<'numeric'>>()
        // @ts-expect-error arithmetic on a text output of a lateral join
        void Fn.mul($.joined.l.note, 2)
        return { due: Fn.sub($.joined.d.total, $.joined.l.price) }
      }),
    )
    expectTypeOf(rowOf(joined)).toEqualTypeOf<{ readonly due: string | null }>()
  })
})
