// Arithmetic over numeric and bigint columns (issue 15, query algebra I): typed as decimal text and
// computed exactly, with PostgreSQL's result types (integer op numeric is numeric, integer op bigint is
// bigint and truncates its division, a division by zero is 22012), on PostgreSQL and in memory alike;
// and numerics grouped, made distinct and counted by value in memory, as PostgreSQL does (1.0 = 1.00).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Query, Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

const line = Schema.table('line', 'dec_lines', {
  id: Column.serial,
  qty: Column.integer,
  price: Column.numeric,
  amount: Column.bigint,
  rate: Column.double,
  discount: Column.nullable(Column.numeric),
  label: Column.text,
})
const M = Schema.modelOrThrow({ line }, {})
const lines = Query.from(M, 'line')

const big = '9007199254740993' // 2^53 + 1: no JavaScript number
const rows = [
  { id: 1, qty: 3, price: '19.99', amount: big, rate: 0.5, discount: '1.0', label: 'a' },
  { id: 2, qty: -7, price: '0.10', amount: '-5', rate: 2, discount: '1.00', label: 'b' },
  { id: 3, qty: 2, price: '1.0', amount: '7', rate: 0, discount: null, label: 'c' },
  { id: 4, qty: 0, price: '1.00', amount: '0', rate: 1, discount: '0.5', label: 'd' },
] as const

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    `create table dec_lines (id integer primary key, qty integer not null, price numeric not null,
       amount bigint not null, rate double precision not null, discount numeric, label text not null)`,
  ])
  for (const r of rows) await db.sql`insert into dec_lines ${db.sql(r as unknown as Record<string, unknown>)}`
  tables = new Map([['dec_lines', await db.sql.unsafe('select * from dec_lines order by id')]])
})
afterAll(async () => {
  await db.sql.unsafe('drop table if exists dec_lines')
  await db.close()
})

// Both interpreters, the same result.
const both = async <A>(q: Query.Query<typeof M, 'line', {}, {}, A>) => {
  const pg = await Pg.all(q)(db.sql)()
  const mem = await Memory.all(q)(tables)()
  expect(mem).toEqual(pg)
  return pg
}

const right = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

describe('arithmetic over numeric and bigint columns', () => {
  const products = pipe(
    lines,
    Query.select(l => ({
      id: l.id,
      total: Fn.mul(l.qty, l.price), // integer * numeric: numeric
      next: Fn.add(l.amount, 1), // bigint + integer: bigint
      half: Fn.div(l.amount, 2), // bigint / integer: bigint, truncated toward zero
      third: Fn.div(l.price, 3), // numeric / integer: numeric, PostgreSQL's division scale
      marked: Fn.mul(l.qty, '1.10'), // decimal text: cast to numeric beside an integer
      both: Fn.add(l.amount, l.price), // bigint + numeric: numeric
      tax: Fn.mul(l.price, 1.1), // a number beside a numeric is read as numeric: exact
      rest: Fn.mod(l.price, '0.3'),
      net: Fn.sub(l.price, l.discount), // NULL with a NULL side
      size: Fn.abs(Fn.mul(l.qty, l.price)),
    })),
    Query.orderBy(['id']),
  )

  it('golden SQL: columns as they are, decimal text cast to numeric, numbers bare beside a numeric', () => {
    expect(Query.toSql(products)).toEqual(
      E.right({
        text:
          'select "t0"."id", "t0"."qty" * "t0"."price" as "total", "t0"."amount" + $1 as "next", ' +
          '"t0"."amount" / $2 as "half", "t0"."price" / $3 as "third", "t0"."qty" * cast($4 as numeric) as "marked", ' +
          '"t0"."amount" + "t0"."price" as "both", "t0"."price" * $5 as "tax", "t0"."price" % $6 as "rest", ' +
          '"t0"."price" - "t0"."discount" as "net", abs("t0"."qty" * "t0"."price") as "size" from "dec_lines" as "t0" order by "t0"."id" asc',
        params: [1, 2, 3, '1.10', 1.1, '0.3'],
      }),
    )
  })

  it('exact decimal text on PostgreSQL and in memory, beyond 2^53 included', async () => {
    expect(right(await both(products))).toEqual([
      {
        id: 1,
        total: '59.97',
        next: '9007199254740994',
        half: '4503599627370496',
        third: '6.6633333333333333',
        marked: '3.30',
        both: '9007199254741012.99',
        tax: '21.989',
        rest: '0.19',
        net: '18.99',
        size: '59.97',
      },
      {
        id: 2,
        total: '-0.70',
        next: '-4',
        half: '-2',
        third: '0.03333333333333333333',
        marked: '-7.70',
        both: '-4.90',
        tax: '0.110',
        rest: '0.10',
        net: '-0.90',
        size: '0.70',
      },
      {
        id: 3,
        total: '2.0',
        next: '8',
        half: '3',
        third: '0.33333333333333333333',
        marked: '2.20',
        both: '8.0',
        tax: '1.10',
        rest: '0.1',
        net: null,
        size: '2.0',
      },
      {
        id: 4,
        total: '0.00',
        next: '1',
        half: '0',
        third: '0.33333333333333333333',
        marked: '0.00',
        both: '1.00',
        tax: '1.100',
        rest: '0.10',
        net: '0.50',
        size: '0.00',
      },
    ])
  })

  it('sum and avg over products, compared with a value', async () => {
    const q = pipe(
      lines,
      Query.where(l => Pred.gt(Fn.mul(l.qty, l.price), '0')),
      Query.select(l => ({
        revenue: Fn.sum(Fn.mul(l.qty, l.price)),
        mean: Fn.avg(Fn.mul(l.qty, l.price)),
        amounts: Fn.sum(l.amount),
      })),
    )
    // rows 1 and 3: 59.97 + 2.0; 2^53 + 1 + 7
    expect(right(await both(q))).toEqual([
      { revenue: '61.97', mean: '30.9850000000000000', amounts: '9007199254741000' },
    ])
  })

  it('a division by zero is 22012 on both interpreters, for numeric and bigint alike', async () => {
    for (const q of [
      pipe(
        lines,
        Query.select(l => ({ x: Fn.div(l.price, 0) })),
      ),
      pipe(
        lines,
        // Each fails on its first row: postgres.js 3.4.9 leaves the rows a statement sent before its error
        // as holes at the head of the next statement's result (porsager/postgres#1119, #1181).
        Query.select(l => ({ x: Fn.div(l.amount, Fn.sub(l.qty, l.qty)) })),
      ),
      pipe(
        lines,
        Query.select(l => ({ x: Fn.mod(l.price, Fn.sub(l.amount, l.amount)) })),
      ),
    ]) {
      for (const r of [await Pg.all(q)(db.sql)(), await Memory.all(q)(tables)()])
        expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError', code: '22012' })
    }
  })

  it('a double precision term beside a numeric one is refused with what to write, before any SQL', async () => {
    const q = pipe(
      lines,
      Query.select(l => ({ x: Fn.mul(l.price, l.rate) })),
    )
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left.message).toMatch(/double precision term beside a numeric.*Fn\.cast/)
    expect(E.isLeft(await both(q))).toBe(true)
    // Either cast is accepted: numeric exact, double a number.
    const exact = pipe(
      lines,
      Query.select(l => ({
        id: l.id,
        n: Fn.mul(l.price, Fn.cast(l.rate, 'numeric')),
        d: Fn.mul(Fn.cast(l.price, 'double'), l.rate),
      })),
      Query.orderBy(['id']),
    )
    expect(right(await both(exact)).map(r => [r.n, r.d])).toEqual([
      ['9.995', 9.995],
      ['0.20', 0.2],
      ['0.0', 0],
      ['1.00', 1],
    ])
  })

  it('text that is no number is refused', () => {
    const q = pipe(
      lines,
      Query.select(l => ({ x: Fn.mul(l.price, 'ten') })),
    )
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left.message).toMatch(/Fn\.mul: expected a number or decimal text, got "ten"/)
  })

  it('text beside a bigint or numeric term must be what PostgreSQL reads as one (else 22P02): refused', () => {
    const q = pipe(
      lines,
      Query.select(l => ({ x: Fn.coalesce(l.amount, '0.5'), y: Fn.coalesce(l.discount, 'none') })),
    )
    const r = Query.toSql(q)
    expect(E.isLeft(r) && r.left.message).toMatch(/"0\.5" is not whole decimal text.*bigint/)
    const ok = pipe(
      lines,
      Query.select(l => ({ x: Fn.coalesce(l.discount, '0') })),
    )
    expect(Query.toSql(ok)).toEqual(
      E.right({
        text: 'select coalesce("t0"."discount", $1) as "x" from "dec_lines" as "t0"',
        params: ['0'],
      }),
    )
  })

  it('a text column is refused at run time too (and by the types)', () => {
    const q = pipe(
      lines,
      Query.select(l => ({
        // @ts-expect-error arithmetic on text
        x: Fn.add(l.label, 1),
      })),
    )
    expect(E.isLeft(Query.toSql(q))).toBe(true)
  })
})

describe('numerics group by value in memory, as on PostgreSQL', () => {
  it('equality, lists and order compare numerics by value', async () => {
    const q = pipe(
      lines,
      Query.where(l => Pred.or(Pred.in(l.price, ['1', '0.1']), Pred.eq(l.discount, '1'))),
      Query.select(l => ({ id: l.id })),
      Query.orderBy([['desc', 'id']]),
    )
    expect(right(await both(q)).map(r => r.id)).toEqual([4, 3, 2, 1])
  })

  it('distinct whole rows ordered by a bigint column (found by the algebra property: memory said 42P10)', async () => {
    const q = pipe(lines, Query.distinct(), Query.orderBy([['desc', 'amount']]))
    expect(right(await both(q)).map(r => r.id)).toEqual([1, 3, 4, 2])
  })

  // 1.0, 1.00 and 1.0 / 1.00 / 1.0 (discount) are one value of three texts.
  it('group by, count(distinct), distinct and distinct on', async () => {
    const grouped = pipe(
      lines,
      Query.where(l => Pred.isNotNull(l.discount)),
      Query.groupBy(l => [l.discount]),
      Query.select(l => ({ n: Fn.count(), low: Fn.min(l.id) })),
      Query.orderBy(['low']),
    )
    expect(right(await both(grouped))).toEqual([
      { n: 2, low: 1 },
      { n: 1, low: 4 },
    ])
    const counted = pipe(
      lines,
      Query.select(l => ({ prices: Fn.countDistinct(l.price), discounts: Fn.countDistinct(l.discount) })),
    )
    expect(right(await both(counted))).toEqual([{ prices: 3, discounts: 2 }])
    const distinct = pipe(
      lines,
      Query.select(l => ({ p: l.price })),
      Query.distinct(),
      Query.orderBy(['p']),
    )
    // Which text a value of several shows is PostgreSQL's choice: compared by value.
    expect(
      right(await both(distinct))
        .map(r => Number(r.p))
        .sort((a, b) => a - b),
    ).toEqual([0.1, 1, 19.99])
    const on = pipe(
      lines,
      Query.distinctOn(l => [l.price]),
      Query.orderBy([
        ['asc', 'price'],
        ['asc', 'id'],
      ]),
      Query.select(l => ({ id: l.id })),
    )
    expect(right(await both(on))).toEqual([{ id: 2 }, { id: 3 }, { id: 1 }])
  })
})
