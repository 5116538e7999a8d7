// Arithmetic in the set of updateAll and of an upsert (issue 15, query algebra: expressions): a term is
// assigned only to a column of a type it converts to exactly and alike on both interpreters (numeric
// takes numeric and bigint arithmetic, bigint bigint, integer integer, double precision double and
// integer); anything else is a compile error where the terms say their SQL type and, from untyped
// code, a WriteError naming the schema and the column before any SQL. What is accepted runs the same
// on PostgreSQL and in memory: exact decimal text, NULLs, and 22003 for an overflow.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Fn, Pred, Query, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { differential, kindOf, right } from './agree.js'

const stock = Schema.table(
  'stock',
  'asg_stock',
  {
    id: Column.serial,
    sku: Column.text,
    qty: Column.integer,
    amount: Column.bigint,
    price: Column.numeric,
    rate: Column.double,
    discount: Column.nullable(Column.numeric),
  },
  { unique: ['sku'] },
)
const M = Schema.modelOrThrow({ stock }, {})
const stocks = Query.from(M, 'stock')

const seed = [
  `insert into asg_stock (id, sku, qty, amount, price, rate, discount) values
     (1, 'a', 3, '9007199254740993', 19.99, 0.5, null),
     (2, 'b', -2147483648, '9223372036854775807', 0.10, 2, 1.5),
     (3, 'c', 0, '-5', 1.0, -1.5, 0.00)`,
  `select setval(pg_get_serial_sequence('asg_stock', 'id'), 4, false)`,
]

const state = async (sql: postgres.Sql): Promise<Map<string, ReadonlyArray<RawRow>>> =>
  new Map([
    ['asg_stock', [...(await sql.unsafe('select * from asg_stock order by id'))].map(r => ({ ...r }))],
  ])
const sorted = (tables: ReadonlyMap<string, ReadonlyArray<RawRow>>): Map<string, ReadonlyArray<RawRow>> =>
  new Map([...tables].map(([t, rows]) => [t, [...rows].sort((a, b) => Number(a['id']) - Number(b['id']))]))
const { agree, checkOn } = differential(state, sorted)

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => {
  await db.sql.unsafe('drop table if exists asg_stock')
  await db.close()
})
beforeEach(async () => {
  const ddl = Ddl.ddl(M)
  if (E.isLeft(ddl)) throw new Error(ddl.left.message)
  await run(db.sql, ['drop table if exists asg_stock', ...ddl.right, ...seed])
})

const failsAlike = async (plan: Write.Plan<unknown>, code: string) => {
  const o = await agree(db.sql, plan)
  expect(kindOf(o.pg)).toMatchObject({ _tag: 'DbError', code })
  expect(kindOf(o.memory)).toMatchObject({ _tag: 'DbError', code })
  expect(o.pgState).toEqual(o.before)
  expect(o.memoryState).toEqual(o.before)
}

// The error of a refused plan: a WriteError naming the schema and the column.
const refused = (r: E.Either<unknown, unknown>) => {
  expect(E.isLeft(r)).toBe(true)
  return E.isLeft(r)
    ? (r.left as { readonly _tag: string; readonly message: string; readonly column?: string })
    : null
}

describe('updateAll with arithmetic', () => {
  it('each column takes arithmetic of its own type: exact decimal text, NULL stays NULL, the same state on both', async () => {
    const plan = right(
      Write.updateAll(
        pipe(
          stocks,
          Query.where(s => Pred.neq(s.id, 2)),
        ),
        s => ({
          price: Fn.round(Fn.mul(s.price, '1.075'), 2), // numeric
          amount: Fn.add(s.amount, 1), // bigint + integer: bigint
          qty: Fn.sub(s.qty, 1), // integer
          rate: Fn.mul(s.rate, s.qty), // double * integer: double
          discount: Fn.sub(s.discount, Fn.neg(s.amount)), // numeric - bigint: numeric; NULL stays NULL
        }),
        { returning: true },
      ),
    )
    const o = await checkOn(db.sql, plan, [
      {
        text:
          'update "asg_stock" as "t0" set "price" = round("t0"."price" * $1, $2), "amount" = "t0"."amount" + $3, ' +
          '"qty" = "t0"."qty" - $4, "rate" = "t0"."rate" * "t0"."qty", "discount" = "t0"."discount" - -("t0"."amount") ' +
          'where "t0"."id" <> $5 returning "id", "sku", "qty", "amount", "price", "rate", "discount"',
        params: ['1.075', 2, 1, 1, 2],
      },
    ])
    expect(o.pg).toEqual(
      E.right([
        { id: 1, sku: 'a', qty: 2, amount: '9007199254740994', price: '21.49', rate: 1.5, discount: null },
        { id: 3, sku: 'c', qty: -1, amount: '-4', price: '1.08', rate: -0, discount: '-5.00' },
      ]),
    )
  })

  it('a numeric term is no integer column (PostgreSQL would round it): a compile error, and a WriteError before SQL', () => {
    // @ts-expect-error numeric into integer
    const r = Write.updateAll(stocks, s => ({ qty: Fn.mul(s.qty, s.price) }))
    expect(refused(r)).toMatchObject({
      _tag: 'WriteError',
      schema: 'stock',
      column: 'qty',
      message: expect.stringMatching(
        /column 'qty' of schema 'stock': a numeric term cannot be assigned to a integer column.*Fn\.cast\(t, 'integer'\)/,
      ),
    })
  })

  it('each conversion that would round or change representation is refused, by the types where they say it', () => {
    const cases: ReadonlyArray<readonly [string, E.Either<unknown, unknown>]> = [
      // @ts-expect-error numeric into bigint
      ['amount', Write.updateAll(stocks, s => ({ amount: Fn.mul(s.amount, '1.5') }))],
      // @ts-expect-error integer into bigint (a number where PostgreSQL holds text)
      ['amount', Write.updateAll(stocks, s => ({ amount: s.qty }))],
      // @ts-expect-error double into numeric
      ['price', Write.updateAll(stocks, s => ({ price: s.rate }))],
      // @ts-expect-error numeric into double
      ['rate', Write.updateAll(stocks, s => ({ rate: s.price }))],
      // @ts-expect-error double into integer
      ['qty', Write.updateAll(stocks, s => ({ qty: s.rate }))],
      // @ts-expect-error text into numeric
      ['price', Write.updateAll(stocks, s => ({ price: Fn.lower(s.sku) }))],
      // @ts-expect-error numeric into text
      ['sku', Write.updateAll(stocks, s => ({ sku: Fn.add(s.price, 1) }))],
      // A computed number has no mark: refused when lowered.
      ['qty', Write.updateAll(stocks, s => ({ qty: Fn.mul(s.rate, 2) }))],
    ]
    for (const [column, r] of cases) expect(refused(r)).toMatchObject({ _tag: 'WriteError', column })
    // The casts the messages name are accepted.
    expect(
      E.isRight(Write.updateAll(stocks, s => ({ qty: Fn.cast(Fn.mul(s.qty, s.price), 'integer') }))),
    ).toBe(true)
    expect(E.isRight(Write.updateAll(stocks, s => ({ amount: Fn.cast(s.qty, 'bigint') })))).toBe(true)
    expect(E.isRight(Write.updateAll(stocks, s => ({ price: Fn.add(s.amount, s.qty) })))).toBe(true)
  })

  it('an overflow is 22003 on both, and nothing changes', async () => {
    await failsAlike(right(Write.updateAll(stocks, s => ({ qty: Fn.neg(s.qty) }))), '22003')
    await failsAlike(right(Write.updateAll(stocks, s => ({ amount: Fn.add(s.amount, 1) }))), '22003')
    await failsAlike(right(Write.updateAll(stocks, { qty: Write.inc(-1) })), '22003')
  })

  it('a casted assignment agrees: numeric to integer rounds half away from zero on both', async () => {
    const plan = right(
      Write.updateAll(
        pipe(
          stocks,
          Query.where(s => Pred.neq(s.id, 2)),
        ),
        s => ({
          qty: Fn.cast(Fn.mul(s.qty, s.price), 'integer'),
          amount: Fn.cast(Fn.round(s.price, 0), 'bigint'),
        }),
      ),
    )
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(o.pgState.get('asg_stock')?.map(r => [r['qty'], r['amount']])).toEqual([
      [60, '20'],
      [-2147483648, '9223372036854775807'],
      [0, '1'],
    ])
  })
})

describe('upsert with arithmetic over the row and excluded', () => {
  it('numeric and integer sums of the existing and the proposed row agree', async () => {
    const plan = right(
      Write.insertAll(
        M,
        'stock',
        [
          { sku: 'a', qty: 2, amount: '1', price: '0.01', rate: 1, discount: '2.5' },
          { sku: 'z', qty: 1, amount: '7', price: '3.30', rate: 0, discount: null },
        ],
        {
          onConflict: {
            target: ['sku'],
            action: {
              update: (s, ex) => ({
                qty: Fn.add(s.qty, ex.qty),
                amount: Fn.add(s.amount, ex.amount),
                price: Fn.add(s.price, ex.price),
                discount: Fn.coalesce(s.discount, ex.discount),
              }),
            },
          },
        },
      ),
    )
    const o = await agree(db.sql, plan)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(
      o.pgState.get('asg_stock')?.map(r => [r['sku'], r['qty'], r['amount'], r['price'], r['discount']]),
    ).toEqual([
      ['a', 5, '9007199254740994', '20.00', '2.5'],
      ['b', -2147483648, '9223372036854775807', '0.10', '1.5'],
      ['c', 0, '-5', '1.0', '0.00'],
      ['z', 1, '7', '3.30', null],
    ])
  })

  it('a numeric term for an integer column is refused the same way', () => {
    const r = Write.insertAll(
      M,
      'stock',
      [{ sku: 'a', qty: 2, amount: '1', price: '0.01', rate: 1, discount: null }],
      {
        onConflict: {
          target: ['sku'],
          // @ts-expect-error numeric into integer
          action: { update: (s, ex) => ({ qty: Fn.add(s.qty, ex.price) }) },
        },
      },
    )
    expect(refused(r)).toMatchObject({ _tag: 'WriteError', column: 'qty' })
  })
})

describe('insertFrom takes outputs as assignments take terms', () => {
  it('a numeric output for an integer column is refused before SQL; cast, it agrees on both', async () => {
    const bad = Write.insertFrom(
      M,
      'stock',
      pipe(
        stocks,
        Query.select(s => ({
          sku: Fn.concat(s.sku, '2'),
          qty: Fn.mul(s.qty, s.price) as unknown as Pred.Term<number>,
          amount: s.amount,
          price: s.price,
          rate: s.rate,
        })),
      ),
    )
    expect(refused(bad)).toMatchObject({
      _tag: 'WriteError',
      column: 'qty',
      message: expect.stringMatching(/Fn\.cast\(t, 'integer'\)/),
    })
    const ok = right(
      Write.insertFrom(
        M,
        'stock',
        pipe(
          stocks,
          Query.where(s => Pred.neq(s.id, 2)),
          Query.select(s => ({
            sku: Fn.concat(s.sku, '2'),
            qty: Fn.cast(Fn.mul(s.qty, s.price), 'integer'),
            amount: Fn.sub(s.amount, 1),
            price: Fn.round(Fn.mul(s.price, '0.5'), 2),
            rate: s.rate,
          })),
        ),
      ),
    )
    const o = await agree(db.sql, ok)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(
      o.pgState
        .get('asg_stock')
        ?.slice(3)
        .map(r => [r['sku'], r['qty'], r['amount'], r['price']]),
    ).toEqual([
      ['a2', 60, '9007199254740992', '10.00'],
      ['c2', 0, '-6', '0.50'],
    ])
  })
})
