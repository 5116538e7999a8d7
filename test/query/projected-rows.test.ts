// A projection's rows are decoded in place when the interpreter hands them over unfrozen with exactly
// the outputs as keys (`Decode.rowsWith`, as a table's rows are), and into new rows otherwise (frozen
// rows, other keys). Both ways give the same values, key order, frozen-ness and errors: checked on rows
// given by a stand-in interpreter, and on real PostgreSQL rows (int8 counts, numeric and bigint
// columns, NULL aggregates, renamed outputs, timestamps), against the memory interpreter and against
// the same rows decoded by copy.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Prepared, Query, Run, Schema } from '../../src/index.js'
import type { Interpreter } from '../../src/run/Interpreter.js'
import { Blog, user } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { openBlog } from './fixture.js'

type Raw = Record<string, unknown>

// An interpreter whose select answers `rows()` (new rows each time), recording what it handed over.
const handing = (rows: () => ReadonlyArray<Raw>) => {
  const given: Array<ReadonlyArray<Raw>> = []
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'stand-in',
    select: () => {
      const rs = rows()
      given.push(rs)
      return TE.right(rs)
    },
    transact: () =>
      TE.left({
        _tag: 'QueryError',
        code: 'InvalidArgument',
        message: 'no',
        schema: null,
        association: null,
      } as never),
  }
  return { i, given }
}

const counts = pipe(
  Query.from(Blog, 'post'),
  Query.select((p, $) => ({ id: p.id, headline: p.title, comments: $.count('comments') })),
)
const raw = (): Array<Raw> => [
  { id: 1, headline: 'hello', comments: '3' },
  { id: 2, headline: 'again', comments: '0' },
]
const decoded = [
  { id: 1, headline: 'hello', comments: 3 },
  { id: 2, headline: 'again', comments: 0 },
]

const load = async (q: Query.AnyQuery, rows: () => ReadonlyArray<Raw>) => {
  const { i, given } = handing(rows)
  const r = await Run.all(q)(i)()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return { rows: r.right as ReadonlyArray<Raw>, given: given[0] ?? [] }
}

describe('projected rows, stand-in interpreter', () => {
  it('unfrozen rows with exactly the outputs (a renamed one too) are completed in place', async () => {
    const { rows, given } = await load(counts, raw)
    expect(rows).toEqual(decoded)
    expect(rows[0]).toBe(given[0])
    expect(rows[1]).toBe(given[1])
    expect(rows.map(r => Object.keys(r))).toEqual([
      ['id', 'headline', 'comments'],
      ['id', 'headline', 'comments'],
    ])
    // as before: neither the rows nor the array are frozen
    expect(Object.isFrozen(rows)).toBe(false)
    expect(rows.some(r => Object.isFrozen(r))).toBe(false)
  })

  it('frozen rows are decoded into new rows, equal to the in-place ones, and left as they were', async () => {
    const { rows, given } = await load(counts, () => raw().map(r => Object.freeze(r)))
    expect(rows).toEqual(decoded)
    expect(rows[0]).not.toBe(given[0])
    expect(given).toEqual(raw())
    expect(rows.map(r => Object.keys(r))).toEqual([
      ['id', 'headline', 'comments'],
      ['id', 'headline', 'comments'],
    ])
    expect(Object.isFrozen(rows)).toBe(false)
    expect(rows.some(r => Object.isFrozen(r))).toBe(false)
  })

  it('rows whose keys are not the outputs are decoded into new rows with the outputs only', async () => {
    // an extra key; the outputs in another order; a row of another shape after a first one in place
    const extra = await load(counts, () => raw().map(r => ({ ...r, __k: 9 })))
    expect(extra.rows).toEqual(decoded)
    expect(extra.rows[0]).not.toBe(extra.given[0])
    expect(extra.given[0]).toEqual({ ...raw()[0], __k: 9 })
    const reordered = await load(counts, () =>
      raw().map(({ id, headline, comments }) => ({ comments, id, headline })),
    )
    expect(reordered.rows).toEqual(decoded)
    // the first row sets the order walked: in place, in its own key order (what the database sent)
    expect(reordered.rows[0]).toBe(reordered.given[0])
    const mixed = await load(counts, () => [raw()[0] as Raw, { ...raw()[1], __k: 9 }])
    expect(mixed.rows).toEqual(decoded)
    expect(mixed.rows[0]).toBe(mixed.given[0])
    expect(mixed.rows[1]).not.toBe(mixed.given[1])
    expect(Object.keys(mixed.rows[1] ?? {})).toEqual(['id', 'headline', 'comments'])
  })

  it('a frozen row after an unfrozen first one is decoded into a new row, whether it needs a write or not', async () => {
    // row 2 needs a write (its count is text), row 3 none (its count is a number already)
    const rows = () => [
      { id: 1, headline: 'hello', comments: '3' },
      Object.freeze({ id: 2, headline: 'again', comments: '0' }),
      Object.freeze({ id: 3, headline: 'more', comments: 5 }),
      { id: 4, headline: 'last', comments: '1' },
    ]
    const { rows: out, given } = await load(counts, rows)
    expect(out).toEqual([
      ...decoded,
      { id: 3, headline: 'more', comments: 5 },
      { id: 4, headline: 'last', comments: 1 },
    ])
    expect(out[0]).toBe(given[0])
    expect(out[1]).not.toBe(given[1])
    expect(out[2]).not.toBe(given[2])
    expect(out[3]).toBe(given[3])
    expect(given[1]).toEqual({ id: 2, headline: 'again', comments: '0' })
    expect(out.some(r => Object.isFrozen(r))).toBe(false)
    // a frozen row's rejected value is named as a copied row names it: the first rejected in output order
    const { i } = handing(() => [
      { headline: 'hello', id: 1, comments: '3' },
      Object.freeze({ headline: 7, id: 'two', comments: 'many' }),
    ])
    expect(await Run.all(counts)(i)()).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'posts', column: 'id', value: 'two' }),
    )
  })

  it('a raw row that has the column name instead of a renamed output is refused, naming the output', async () => {
    const { i } = handing(() => [{ id: 1, title: 'hello', comments: '3' }])
    const r = await Run.all(counts)(i)()
    expect(r).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'posts', column: 'headline', value: undefined }),
    )
  })

  it('a rejected value names table, output and raw value, after earlier rows and columns were decoded', async () => {
    for (const freeze of [false, true]) {
      const rows = () => {
        const rs = [...raw(), { id: 3, headline: 'more', comments: 'many' }]
        return freeze ? rs.map(r => Object.freeze(r)) : rs
      }
      const { i } = handing(rows)
      expect(await Run.all(counts)(i)()).toMatchObject(
        E.left({ _tag: 'DecodeError', table: 'posts', column: 'comments', value: 'many' }),
      )
    }
    const { i } = handing(() => [{ id: 1.5, headline: 'x', comments: '1' }])
    expect(await Run.all(counts)(i)()).toMatchObject(
      E.left({ _tag: 'DecodeError', table: 'posts', column: 'id', value: 1.5 }),
    )
  })

  it('outputs named by integers (enumerated first) decode in place to the order a copy has', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.select((p, $) => ({ b: p.title, 2: $.count('comments'), a: p.id })),
    )
    const rows = () => [{ 2: '4', b: 'x', a: 1 }]
    const own = await load(q, rows)
    const copied = await load(q, () => rows().map(r => Object.freeze(r)))
    expect(own.rows[0]).toBe(own.given[0])
    expect(own.rows).toEqual([{ 2: 4, b: 'x', a: 1 }])
    expect(copied.rows).toEqual(own.rows)
    expect(Object.keys(own.rows[0] ?? {})).toEqual(Object.keys(copied.rows[0] ?? {}))
  })

  it('a count read from text is exact up to 2^53 - 1 and any other text is refused, in place or copied', async () => {
    const accepted: ReadonlyArray<readonly [string, number]> = [
      ['0', 0],
      ['-0', -0],
      ['007', 7],
      ['-12', -12],
      ['999999999999999', 999_999_999_999_999],
      ['-999999999999999', -999_999_999_999_999],
      ['1234567890123456', 1_234_567_890_123_456],
      ['9007199254740991', Number.MAX_SAFE_INTEGER],
      ['-9007199254740991', -Number.MAX_SAFE_INTEGER],
    ]
    for (const freeze of [false, true])
      for (const [text, n] of accepted) {
        const { rows } = await load(counts, () => {
          const r = { id: 1, headline: 'x', comments: text }
          return [freeze ? Object.freeze(r) : r]
        })
        expect(Object.is(rows[0]?.['comments'], n)).toBe(true)
      }
    for (const text of [
      '',
      '-',
      '+1',
      ' 1',
      '1 ',
      '1e3',
      '0x10',
      '1_000',
      '12a',
      '9007199254740992',
      '-9007199254740993',
    ])
      for (const freeze of [false, true]) {
        const { i } = handing(() => {
          const r = { id: 1, headline: 'x', comments: text }
          return [freeze ? Object.freeze(r) : r]
        })
        expect(await Run.all(counts)(i)()).toMatchObject(
          E.left({ _tag: 'DecodeError', table: 'posts', column: 'comments', value: text }),
        )
      }
  })

  it('NULL outputs that may be NULL stay NULL in place; one that may not is refused', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.select((p, $) => ({
        id: p.id,
        author: p.author_id,
        last: $.max('comments', c => c.inserted_at),
      })),
    )
    const at = '2026-01-02T03:04:05.000+00:00'
    const { rows, given } = await load(q, () => [
      { id: 1, author: null, last: null },
      { id: 2, author: 3, last: new Date(at) },
      { id: 3, author: 4, last: at },
    ])
    expect(rows[0]).toBe(given[0])
    expect(rows).toEqual([
      { id: 1, author: null, last: null },
      { id: 2, author: 3, last: new Date(at) },
      { id: 3, author: 4, last: new Date(at) },
    ])
    const { i } = handing(() => [{ id: null, author: null, last: null }])
    expect(await Run.all(q)(i)()).toMatchObject(E.left({ _tag: 'DecodeError', column: 'id', value: null }))
    // a value other than NULL of an output that may be NULL is decoded as the output's type, in place or copied
    for (const freeze of [false, true]) {
      const row = { id: 1, author: 2, last: 'junk' }
      const { i: junk } = handing(() => [freeze ? Object.freeze(row) : row])
      const r = await Run.all(q)(junk)()
      expect(r).toMatchObject(E.left({ _tag: 'DecodeError', column: 'last', value: 'junk' }))
      expect(E.isLeft(r) && r.left._tag === 'DecodeError' && r.left.message.includes(' or null, got ')).toBe(
        true,
      )
    }
  })
})

// Orders with the number types whose decoding converts (int8 and numeric text) or keeps (integer).
const order = Schema.table('order', 'orders', {
  id: Column.serial,
  user_id: Column.nullable(Column.integer),
  qty: Column.integer,
  cents: Column.bigint,
  total: Column.numeric,
})
const Shop = Schema.modelOrThrow(
  { user, order },
  { user: { orders: Schema.hasMany('order', { foreignKey: 'user_id' }) } },
)

const extra: ReadonlyArray<string> = [
  `create table orders (id integer generated by default as identity primary key, user_id integer references users(id),
     qty integer not null, cents bigint not null, total numeric not null)`,
  `insert into orders (id, user_id, qty, cents, total) values
     (1, 1, 2, 9007199254740993, 10.50), (2, 1, 3, 1, 0.25), (3, 2, 7, 5, 1.125)`,
]

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(['users', 'posts', 'comments', 'orders'], extra))
})
afterAll(async () => db.close())

describe('projected rows, PostgreSQL', () => {
  // PostgreSQL's rows for the query, decoded in place (Pg.all), by copy (the same raw rows frozen, on a
  // stand-in), and in memory: all equal, in the same key order, none frozen.
  const same = async (q: Query.AnyQuery): Promise<ReadonlyArray<Raw>> => {
    const sql = Query.toSql(q)
    if (E.isLeft(sql)) throw new Error(sql.left.message)
    const raw = await Pg.execute(sql.right)(db.sql)()
    if (E.isLeft(raw)) throw new Error(raw.left.message)
    const pg = await Pg.all(q)(db.sql)()
    if (E.isLeft(pg)) throw new Error(pg.left.message)
    const copied = await load(q, () => raw.right.map(r => Object.freeze({ ...r })))
    const mem = await Memory.all(q)(tables)()
    if (E.isLeft(mem)) throw new Error(mem.left.message)
    const rows = pg.right as ReadonlyArray<Raw>
    expect(rows).toEqual(copied.rows)
    expect(mem.right).toEqual(rows)
    expect(rows.map(r => Object.keys(r))).toEqual(copied.rows.map(r => Object.keys(r)))
    expect(rows.some(r => Object.isFrozen(r))).toBe(false)
    return rows
  }

  it('relation counts (int8 text to numbers) with a renamed column', async () => {
    const rows = await same(
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.lte(p.id, 4)),
        Query.select((p, $) => ({ id: p.id, headline: p.title, comments: $.count('comments') })),
        Query.orderBy(['id']),
      ),
    )
    expect(rows.length).toBe(4)
    for (const r of rows) expect(typeof r['comments']).toBe('number')
  })

  it('bigint and numeric columns and sums (kept as text), NULL sums, integer columns', async () => {
    const rows = await same(
      pipe(
        Query.from(Shop, 'user'),
        Query.select((u, $) => ({
          name: u.name,
          spent: $.sum('orders', o => o.total),
          cents: $.sum('orders', o => o.cents),
          most: $.max('orders', o => o.cents),
          orders: $.count('orders'),
        })),
        Query.orderBy(['name']),
      ),
    )
    expect(rows).toEqual([
      { name: 'ada', spent: '10.75', cents: '9007199254740994', most: '9007199254740993', orders: 2 },
      { name: 'bob', spent: '1.125', cents: '5', most: '5', orders: 1 },
      { name: 'cy', spent: null, cents: null, most: null, orders: 0 },
    ])
    await same(
      pipe(
        Query.from(Shop, 'order'),
        Query.select(o => ({ id: o.id, qty: o.qty, cents: o.cents, total: o.total, who: o.user_id })),
        Query.orderBy(['id']),
      ),
    )
  })

  it('a grouped report: months as Dates, counts, a sum of counts', async () => {
    const rows = await same(
      pipe(
        Query.from(Blog, 'post'),
        Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
        Query.select((p, $) => ({
          author: p.author_id,
          month: Fn.dateTrunc('month', p.inserted_at),
          posts: Fn.count(),
          comments: Fn.sum($.count('comments')),
        })),
        Query.orderBy(['author', 'month']),
      ),
    )
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) {
      expect(r['month']).toBeInstanceOf(Date)
      expect(typeof r['posts']).toBe('number')
    }
  })

  it('a prepared projection decodes its rows alike, run after run', async () => {
    const p = Prepared.make({ lo: t.number }, ({ lo }) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(x => Pred.gte(x.id, lo)),
        Query.select((x, $) => ({ id: x.id, headline: x.title, comments: $.count('comments') })),
        Query.orderBy(['id']),
      ),
    )
    const run = Pg.prepared(p)
    for (const lo of [1, 3, 1]) {
      const got = await run({ lo })(db.sql)()
      const mem = await Memory.prepared(p)({ lo })(tables)()
      if (E.isLeft(got) || E.isLeft(mem)) throw new Error('prepared projection failed')
      expect(got.right).toEqual(mem.right)
      expect(got.right.length).toBeGreaterThan(0)
      for (const r of got.right) expect(Object.keys(r)).toEqual(['id', 'headline', 'comments'])
    }
  })
})
