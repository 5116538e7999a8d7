// round and negation over every number type (issue 15, query algebra: expressions): `Fn.round` follows
// its term's type (numeric exact text rounded half away from zero, bigint exact through numeric,
// integer and double a double rounded half to even), `Fn.round(t, digits)` is PostgreSQL's
// round(numeric, integer), `Fn.neg` is the prefix minus with PostgreSQL's out-of-range errors (22003
// for the least integer and bigint); PostgreSQL and memory agree, NULL and errors included.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ast, Column, Fn, Memory, Pg, Pred, Query, Schema, Sql } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

const op = Schema.table('op', 'dec_ops', {
  id: Column.serial,
  qty: Column.integer,
  price: Column.numeric,
  amount: Column.bigint,
  rate: Column.double,
  discount: Column.nullable(Column.numeric),
  label: Column.text,
})
const M = Schema.modelOrThrow({ op }, {})
const ops = Query.from(M, 'op')

const rows = [
  { id: 1, qty: 3, price: '2.5', amount: '9007199254740993', rate: 0.5, discount: null, label: 'a' },
  {
    id: 2,
    qty: -2147483648,
    price: '-2.5',
    amount: '-9223372036854775808',
    rate: 0,
    discount: '0.00',
    label: 'b',
  },
  { id: 3, qty: 0, price: '1234.5678', amount: '0', rate: -1.5, discount: '-0.005', label: 'c' },
  {
    id: 4,
    qty: 2147483647,
    price: '-0.5',
    amount: '9223372036854775807',
    rate: 2.5,
    discount: '7',
    label: 'd',
  },
] as const

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    `create table dec_ops (id integer primary key, qty integer not null, price numeric not null,
       amount bigint not null, rate double precision not null, discount numeric, label text not null)`,
  ])
  for (const r of rows) await db.sql`insert into dec_ops ${db.sql(r as unknown as Record<string, unknown>)}`
  tables = new Map([['dec_ops', await db.sql.unsafe('select * from dec_ops order by id')]])
})
afterAll(async () => {
  await db.sql.unsafe('drop table if exists dec_ops')
  await db.close()
})

const both = async <A>(q: Query.Query<typeof M, 'op', {}, {}, A>) => {
  const pg = await Pg.all(q)(db.sql)()
  const mem = await Memory.all(q)(tables)()
  expect(mem).toEqual(pg)
  return pg
}

const right = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

// Each statement fails on its only row: postgres.js 3.4.9 leaves the rows a statement sent before its
// error as holes in the next result (porsager/postgres#1119, #1181).
const failsOnBoth = async <A>(q: Query.Query<typeof M, 'op', {}, {}, A>, code: string, message: RegExp) => {
  for (const r of [await Pg.all(q)(db.sql)(), await Memory.all(q)(tables)()]) {
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError', code })
    expect(E.isLeft(r) && r.left.message).toMatch(message)
  }
}

const refusal = (q: Query.AnyQuery): string => {
  const r = Query.toSql(q)
  return E.isLeft(r) ? r.left.message : 'accepted'
}

describe('Fn.round follows its term', () => {
  const rounded = pipe(
    ops,
    Query.select(o => ({
      id: o.id,
      price: Fn.round(o.price), // numeric: exact text, half away from zero
      amount: Fn.round(o.amount), // bigint: exact through numeric
      qty: Fn.round(o.qty), // integer: round(double precision)
      rate: Fn.round(o.rate), // double: half to even
      discount: Fn.round(o.discount), // NULL stays NULL
      cents: Fn.round(o.price, 2),
      hundreds: Fn.round(o.price, -2),
      qtyCents: Fn.round(o.qty, 2),
      thousands: Fn.round(o.amount, -3),
      discountCents: Fn.round(o.discount, 2),
      again: Fn.add(Fn.round(o.price), 1), // a rounded numeric takes arithmetic
    })),
    Query.orderBy(['id']),
  )

  it('golden SQL: a bigint is rounded as a numeric, digits are a parameter', () => {
    expect(Query.toSql(rounded)).toEqual(
      E.right({
        text:
          'select "t0"."id", round("t0"."price") as "price", round(cast("t0"."amount" as numeric)) as "amount", ' +
          'round("t0"."qty") as "qty", round("t0"."rate") as "rate", round("t0"."discount") as "discount", ' +
          'round("t0"."price", $1) as "cents", round("t0"."price", $2) as "hundreds", round("t0"."qty", $3) as "qtyCents", ' +
          'round(cast("t0"."amount" as numeric), $4) as "thousands", round("t0"."discount", $5) as "discountCents", ' +
          'round("t0"."price") + $6 as "again" from "dec_ops" as "t0" order by "t0"."id" asc',
        params: [2, -2, 2, -3, 2, 1],
      }),
    )
  })

  it('the same values on PostgreSQL and in memory, exact beyond 2^53', async () => {
    expect(right(await both(rounded))).toEqual([
      {
        id: 1,
        price: '3',
        amount: '9007199254740993',
        qty: 3,
        rate: 0,
        discount: null,
        cents: '2.50',
        hundreds: '0',
        qtyCents: '3.00',
        thousands: '9007199254741000',
        discountCents: null,
        again: '4',
      },
      {
        id: 2,
        price: '-3',
        amount: '-9223372036854775808',
        qty: -2147483648,
        rate: 0,
        discount: '0',
        cents: '-2.50',
        hundreds: '0',
        qtyCents: '-2147483648.00',
        thousands: '-9223372036854776000',
        discountCents: '0.00',
        again: '-2',
      },
      {
        id: 3,
        price: '1235',
        amount: '0',
        qty: 0,
        rate: -2,
        discount: '0',
        cents: '1234.57',
        hundreds: '1200',
        qtyCents: '0.00',
        thousands: '0',
        discountCents: '-0.01',
        again: '1236',
      },
      {
        id: 4,
        price: '-1',
        amount: '9223372036854775807',
        qty: 2147483647,
        rate: 2,
        discount: '7',
        cents: '-0.50',
        hundreds: '0',
        qtyCents: '2147483647.00',
        thousands: '9223372036854776000',
        discountCents: '7.00',
        again: '0',
      },
    ])
  })

  it('PostgreSQL has no round(double precision, integer): refused by the types and before any SQL', async () => {
    const q = pipe(
      ops,
      Query.select(o => ({
        // @ts-expect-error digits of a double
        x: Fn.round(o.rate, 1),
      })),
    )
    expect(refusal(q)).toMatch(/Fn\.round: PostgreSQL has no round\(double precision, integer\).*Fn\.cast/)
    expect(E.isLeft(await both(q))).toBe(true)
    // The cast it names is accepted.
    const cast = pipe(
      ops,
      Query.where(o => Pred.eq(o.id, 3)),
      Query.select(o => ({ x: Fn.round(Fn.cast(o.rate, 'numeric'), 1) })),
    )
    expect(right(await both(cast))).toEqual([{ x: '-1.5' }])
  })

  it('digits must be a whole number within 2000 either way', () => {
    for (const d of [1.5, 2001, -2001, Number.NaN, '2' as unknown as number])
      expect(
        refusal(
          pipe(
            ops,
            Query.select(o => ({ x: Fn.round(o.price, d) })),
          ),
        ),
      ).toMatch(/Fn\.round: expected digits, a whole number from -2000 to 2000/)
  })

  it('text is refused by the types and at run time', () => {
    const q = pipe(
      ops,
      Query.select(o => ({
        // @ts-expect-error round of text
        x: Fn.round(o.label),
      })),
    )
    expect(refusal(q)).toMatch(/Fn\.round: expected a term of numbers, got a term of type text/)
  })

  it("a hand-built round of a bigint column is PostgreSQL's round(double precision) in memory too", async () => {
    const { Expr, Select } = Ast
    const s = Select.create({ table: 'dec_ops', alias: 't0' }, [
      { name: 'x', expr: Expr.call('round', [Expr.column('t0', 'amount', 'bigint')]) },
      { name: 'id', expr: Expr.column('t0', 'id') },
    ])
    const sql = right(Sql.toSql(s))
    const pg = (await db.sql.unsafe(sql.text, sql.params as never)).map(r => ({ ...r }))
    const mem = right(Memory.evaluate(tables)(s))
    const byId = (xs: ReadonlyArray<Record<string, unknown>>) =>
      [...xs].sort((a, b) => Number(a['id']) - Number(b['id'])).map(r => r['x'])
    expect(byId(mem)).toEqual(byId(pg))
    // The nearest doubles: 2^53 + 1 is 2^53 there.
    expect(byId(pg)).toEqual([2 ** 53, -(2 ** 63), 0, 2 ** 63])
  })
})

describe('Fn.neg', () => {
  it('golden SQL: the prefix minus, parenthesized (a minus before it never opens a comment)', () => {
    const q = pipe(
      ops,
      Query.select(o => ({ x: Fn.sub(o.qty, Fn.neg(Fn.neg(o.qty))) })),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({ text: 'select "t0"."qty" - -(-("t0"."qty")) as "x" from "dec_ops" as "t0"', params: [] }),
    )
  })

  it('of each type, its own type, on PostgreSQL and in memory (zero: no sign in numeric, -0 in double)', async () => {
    const q = pipe(
      ops,
      Query.where(o => Pred.neq(o.id, 2)),
      Query.select(o => ({
        id: o.id,
        qty: Fn.neg(o.qty),
        price: Fn.neg(o.price),
        amount: Fn.neg(o.amount),
        rate: Fn.neg(o.rate),
        discount: Fn.neg(o.discount),
        zero: Fn.neg(Fn.sub(o.price, o.price)),
        sum: Fn.add(Fn.neg(o.price), o.amount),
      })),
      Query.orderBy(['id']),
    )
    const got = right(await both(q))
    expect(got).toEqual([
      {
        id: 1,
        qty: -3,
        price: '-2.5',
        amount: '-9007199254740993',
        rate: -0.5,
        discount: null,
        zero: '0.0',
        sum: '9007199254740990.5',
      },
      {
        id: 3,
        qty: 0,
        price: '-1234.5678',
        amount: '0',
        rate: 1.5,
        discount: '0.005',
        zero: '0.0000',
        sum: '-1234.5678',
      },
      {
        id: 4,
        qty: -2147483647,
        price: '0.5',
        amount: '-9223372036854775807',
        rate: -2.5,
        discount: '-7',
        zero: '0.0',
        sum: '9223372036854775807.5',
      },
    ])
    // An integer zero negates to 0, a double one to -0, on both.
    expect(Object.is(got[1]?.qty, 0)).toBe(true)
    const doubleZero = pipe(
      ops,
      Query.where(o => Pred.eq(o.id, 2)),
      Query.select(o => ({ rate: Fn.neg(o.rate), discount: Fn.neg(o.discount) })),
    )
    const z = right(await both(doubleZero))
    expect(Object.is(z[0]?.rate, -0)).toBe(true)
    expect(z[0]?.discount).toBe('0.00')
  })

  it('the least integer and bigint have no negation: 22003 on both, as abs of them', async () => {
    const two = pipe(
      ops,
      Query.where(o => Pred.eq(o.id, 2)),
    )
    await failsOnBoth(
      pipe(
        two,
        Query.select(o => ({ x: Fn.neg(o.qty) })),
      ),
      '22003',
      /integer out of range/,
    )
    await failsOnBoth(
      pipe(
        two,
        Query.select(o => ({ x: Fn.neg(o.amount) })),
      ),
      '22003',
      /bigint out of range/,
    )
    await failsOnBoth(
      pipe(
        two,
        Query.select(o => ({ x: Fn.abs(o.amount) })),
      ),
      '22003',
      /bigint out of range/,
    )
    // ... and in a filter, where the error is the same.
    await failsOnBoth(
      pipe(
        two,
        Query.where(o => Pred.gt(Fn.neg(o.qty), 0)),
      ),
      '22003',
      /integer out of range/,
    )
  })

  it('text and values are refused by the types and at run time', () => {
    const q = pipe(
      ops,
      Query.select(o => ({
        // @ts-expect-error negation of text
        x: Fn.neg(o.label),
      })),
    )
    expect(refusal(q)).toMatch(/Fn\.neg: expected a term of numbers, got a term of type text/)
    const v = pipe(
      ops,
      Query.select(() => ({
        // @ts-expect-error a plain value is no term
        x: Fn.neg(5),
      })),
    )
    expect(refusal(v)).toMatch(/Fn\.neg: expected a term \(a column or an expression\), got 5/)
  })
})

describe('outputs of derived tables and joined subqueries keep their SQL type', () => {
  const sub = pipe(
    ops,
    Query.where(o => Pred.in(o.id, [1, 3])),
    Query.select(o => ({
      id: o.id,
      total: Fn.mul(o.qty, o.price),
      amount: o.amount,
      label: o.label,
      rate: o.rate,
    })),
  )

  it('arithmetic, round and neg over a derived numeric or bigint output: exact on both', async () => {
    const q = pipe(
      Query.fromQuery(sub),
      Query.select(d => ({
        id: d.id,
        withTax: Fn.mul(d.total, '1.2'),
        rounded: Fn.round(d.total, 1),
        back: Fn.neg(d.amount),
        next: Fn.add(d.amount, 1),
      })),
      Query.orderBy(['id']),
    )
    const pg = await Pg.all(q)(db.sql)()
    expect(await Memory.all(q)(tables)()).toEqual(pg)
    expect(right(pg)).toEqual([
      { id: 1, withTax: '9.00', rounded: '7.5', back: '-9007199254740993', next: '9007199254740994' },
      { id: 3, withTax: '0.00000', rounded: '0.0', back: '0', next: '1' },
    ])
  })

  it('a lateral join output takes numeric arithmetic on both', async () => {
    const q = pipe(
      ops,
      Query.joinLateral('l', o =>
        pipe(
          ops,
          Query.where(x => Pred.eq(x.id, o.id)),
          Query.select(x => ({ half: Fn.div(x.price, 2) })),
        ),
      ),
      Query.select((o, $) => ({ id: o.id, x: Fn.sub(Fn.neg($.joined.l.half), o.price) })),
      Query.orderBy(['id']),
    )
    const pg = await Pg.all(q)(db.sql)()
    expect(await Memory.all(q)(tables)()).toEqual(pg)
    expect(right(pg).map(r => r.x)).toEqual([
      '-3.75000000000000000000',
      '3.75000000000000000000',
      '-1851.8517000000000000',
      '0.75000000000000000000',
    ])
  })

  it('from untyped code, a text or double output is refused at run time as a column would be', () => {
    const untyped = Fn as unknown as {
      readonly add: (a: unknown, b: unknown) => Pred.Term<unknown>
      readonly round: (a: unknown, b: unknown) => Pred.Term<unknown>
    }
    const q = pipe(
      Query.fromQuery(sub),
      Query.select(d => ({ x: untyped.add(d.label, 1) })),
    )
    expect(refusal(q)).toMatch(/Fn\.add: expected a term of numbers, got a term of type text/)
    const r = pipe(
      Query.fromQuery(sub),
      Query.select(d => ({ x: untyped.round(d.rate, 1) })),
    )
    expect(refusal(r)).toMatch(/Fn\.round: PostgreSQL has no round\(double precision, integer\)/)
  })
})

// A double column's whole values are doubles: memory reads the column's type from its reference (the
// schema's `double precision`), so `abs` / `-` of -2147483648 or of -9223372036854775808 never overflow
// as an integer's would, and aggregates of whole doubles stay doubles, alike on PostgreSQL.
describe('whole doubles are no integers', () => {
  const reading = Schema.table('reading', 'dec_readings', {
    id: Column.serial,
    meter_id: Column.integer,
    v: Column.double,
    cost: Column.numeric,
  })
  const meter = Schema.table('meter', 'dec_meters', { id: Column.serial })
  const R = Schema.modelOrThrow({ reading, meter }, { meter: { readings: Schema.hasMany('reading') } })
  const readings = Query.from(R, 'reading')
  let rtables: Memory.Tables
  beforeAll(async () => {
    await run(db.sql, [
      'create table dec_meters (id integer primary key)',
      `create table dec_readings (id integer primary key, meter_id integer not null references dec_meters(id),
         v double precision not null, cost numeric not null)`,
      'insert into dec_meters values (1), (2), (3)',
      `insert into dec_readings values (1, 1, -2147483648, 10), (2, 2, 2147483648, 9.5), (3, 2, -9223372036854775808, 2),
         (4, 1, 4, 1.25), (5, 3, 0, 100)`,
    ])
    rtables = new Map([
      ['dec_readings', await db.sql.unsafe('select * from dec_readings order by id')],
      ['dec_meters', await db.sql.unsafe('select * from dec_meters order by id')],
    ])
  })
  afterAll(async () => {
    await db.sql.unsafe('drop table if exists dec_readings; drop table if exists dec_meters')
  })
  const agreeOn = async (q: Query.AnyQuery) => {
    const pg = await Pg.all(q)(db.sql)()
    expect(await Memory.all(q)(rtables)()).toEqual(pg)
    return right(pg) as ReadonlyArray<Readonly<Record<string, unknown>>>
  }

  it('abs and neg of a double column, of a subquery output of one, and of an expression over one', async () => {
    const rows = await agreeOn(
      pipe(
        readings,
        Query.select(r => ({ id: r.id, abs: Fn.abs(r.v), neg: Fn.neg(r.v), absNeg: Fn.abs(Fn.neg(r.v)) })),
        Query.orderBy(['id']),
      ),
    )
    expect(rows.map(r => [r['abs'], r['neg']])).toEqual([
      [2147483648, 2147483648],
      [2147483648, -2147483648],
      [9223372036854775808, 9223372036854775808],
      [4, -4],
      [0, -0],
    ])
    const derived = await agreeOn(
      pipe(
        Query.fromQuery(
          pipe(
            readings,
            Query.select(r => ({ id: r.id, v: r.v })),
          ),
        ),
        Query.select(d => ({ id: d.id, abs: Fn.abs(d.v) })),
        Query.orderBy(['id']),
      ),
    )
    expect(derived.map(r => r['abs'])).toEqual([2147483648, 2147483648, 9223372036854775808, 4, 0])
  })

  it('sum, avg, min and max of whole doubles are doubles, and abs of them does not overflow', async () => {
    const rows = await agreeOn(
      pipe(
        readings,
        Query.where(r => Pred.in(r.id, [1, 4])),
        Query.select(r => ({
          sum: Fn.sum(r.v),
          avg: Fn.avg(r.v),
          min: Fn.min(r.v),
          absMin: Fn.abs(Fn.min(r.v)),
        })),
      ),
    )
    expect(rows).toEqual([{ sum: -2147483644, avg: -1073741822, min: -2147483648, absMin: 2147483648 }])
  })

  it("a relation aggregate's value keeps its type where the query reads it (a grouped table joined once)", async () => {
    const rows = await agreeOn(
      pipe(
        Query.from(R, 'meter'),
        Query.select((m, $) => ({
          id: m.id,
          absMin: Fn.abs($.min('readings', r => r.v)),
          maxCost: $.max('readings', r => r.cost),
        })),
        // numeric text orders by value ('10' after '9.5'), as in PostgreSQL
        Query.orderBy((_, $) => [['desc', $.max('readings', r => r.cost)]]),
      ),
    )
    expect(rows).toEqual([
      { id: 3, absMin: 0, maxCost: '100' },
      { id: 1, absMin: 2147483648, maxCost: '10' },
      { id: 2, absMin: 9223372036854775808, maxCost: '9.5' },
    ])
  })

  it('an integer column still overflows (the mark is the column type, not the value)', async () => {
    const q = pipe(
      ops,
      Query.where(o => Pred.eq(o.id, 2)),
      Query.select(o => ({ x: Fn.abs(o.qty) })),
    )
    await failsOnBoth(q, '22003', /integer out of range/)
  })
})
