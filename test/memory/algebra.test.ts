// The memory interpreter's meaning of the query algebra (issue 15, step 1: arithmetic, functions,
// casts, case, aggregates and grouping, distinct on, right and full joins, scalar and `in` subqueries),
// each case a hand-built select run on the memory evaluator and on PostgreSQL: the two must give the
// same rows, in the same JavaScript representation (postgres.js's), or fail with the same SQLSTATE.
// The memory tables hold the rows PostgreSQL returns for the test tables, so both start from the
// same values. Most cases also pin the answer, so that agreement is never agreement on nothing.
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as X from '../../src/ast/Expr.js'
import * as S from '../../src/ast/Select.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Pg from '../../src/interpreter/postgres/Postgres.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import { connect, type TestDb } from '../support/db.js'

const server = (process.env['DATABASE_URL'] ?? '') !== ''

let db: TestDb
let sql: postgres.Sql
let tables: Memory.Tables

beforeAll(async () => {
  db = await connect()
  sql = db.sql
  const columns = `id integer primary key, owner_id integer, kind text, qty integer, price numeric,
    ratio double precision, big bigint, flag boolean, at timestamptz, day date, name text, code text`
  await sql.unsafe(`create table items (${columns})`)
  await sql.unsafe(`create table nothing (${columns})`)
  await sql.unsafe(`create table owners (id integer primary key, name text)`)
  await sql.unsafe(`create table many (id integer primary key, grp text, amount numeric)`)
  await sql.unsafe(`insert into many select i, case when i <= 10 then 'x' when i <= 19 then 'y' else 'z' end,
    case when i % 2 = 0 then 9.5 else 10 end from generate_series(1, 21) i`)
  await sql.unsafe(`insert into owners values (1, 'ada'), (2, 'bob'), (3, 'cy')`)
  await sql.unsafe(`insert into items values
    (1, 1, 'a', 3, 1.50, 2.5, 9000000000, true, '2026-01-15T10:20:30.123Z', '2026-01-15', 'Ærø', '12'),
    (2, 1, 'b', 4, 2.25, 0.1, 1, false, '2026-01-20T23:59:59Z', '2024-02-29', '  padded  ', ' 7 '),
    (3, 2, 'a', null, 3.00, -3.5, -5, null, '2026-02-01T00:00:00Z', null, 'straße', 'x'),
    (4, null, 'c', 7, null, null, null, true, '2026-03-31T23:59:59Z', '2026-03-31', 'ᾀİ', null),
    (5, 4, null, -7, 0.005, 1e20, 3, false, null, '2025-12-29', null, '2026-01-02')`)
  const load = async (t: string) =>
    [...(await sql.unsafe(`select * from ${t} order by id`))].map(r => ({ ...r }))
  tables = new Map([
    ['items', await load('items')],
    ['nothing', await load('nothing')],
    ['owners', await load('owners')],
    ['many', await load('many')],
  ])
})
afterAll(async () => db.close())

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

type Outcome = { readonly rows: ReadonlyArray<RawRow> } | { readonly error: string }

const outcome = (
  r: E.Either<{ readonly _tag: string; readonly code?: string | null }, ReadonlyArray<RawRow>>,
) =>
  E.isLeft(r)
    ? { error: r.left._tag === 'DbError' ? String(r.left.code) : r.left._tag }
    : { rows: r.right.map(x => ({ ...x })) }

const onMemory = (s: S.Select): Outcome => outcome(Memory.evaluate(tables)(s))
const onPostgres = async (s: S.Select): Promise<Outcome> => outcome(await Pg.interpreter(sql).select(s)())

// Runs a select on both and expects the same outcome, and (when given) that outcome.
const agree = async (s: S.Select, expected?: Outcome): Promise<Outcome> => {
  const pg = await onPostgres(s)
  const memory = onMemory(s)
  expect(memory).toEqual(pg)
  if (expected !== undefined) expect(memory).toEqual(expected)
  return memory
}

const t = (c: string) => X.column('t', c)
const o = (c: string) => X.column('o', c)
const p = X.param
const asc = (expr: X.Expr, nulls: S.OrderTerm['nulls'] = 'default'): S.OrderTerm => ({
  expr,
  dir: 'asc',
  nulls,
})
const desc = (expr: X.Expr): S.OrderTerm => ({ expr, dir: 'desc', nulls: 'default' })
const select = (cols: Readonly<Record<string, X.Expr>>, table = 'items'): S.Select =>
  S.create(
    { table, alias: 't' },
    Object.entries(cols).map(([name, expr]) => ({ name, expr })),
  )
const byId = (cols: Readonly<Record<string, X.Expr>>, table = 'items'): S.Select =>
  S.withOrder([asc(t('id'))])(select(cols, table))
const where = (e: X.Expr) => S.withWhere(e)
const rows = (...rs: ReadonlyArray<RawRow>): Outcome => ({ rows: rs })
const error = (code: string): Outcome => ({ error: code })
const column = (name: string, ...vs: ReadonlyArray<unknown>): Outcome => rows(...vs.map(v => ({ [name]: v })))
const set = <K extends keyof S.Select>(k: K, v: S.Select[K]) => S.set(k as never, v as never)

// -------------------------------------------------------------------------------------
// expressions
// -------------------------------------------------------------------------------------

describe('arithmetic', () => {
  it('integer arithmetic truncates toward zero and stays an integer (a number)', async () => {
    await agree(
      byId({
        sum: X.arith('add', t('qty'), p(1), true),
        half: X.arith('div', t('qty'), p(2), true),
        rest: X.arith('mod', t('qty'), p(2), true),
        neg: X.arith('div', X.arith('sub', p(0), t('qty'), true), p(2), true),
      }),
      rows(
        { sum: 4, half: 1, rest: 1, neg: -1 },
        { sum: 5, half: 2, rest: 0, neg: -2 },
        { sum: null, half: null, rest: null, neg: null },
        { sum: 8, half: 3, rest: 1, neg: -3 },
        { sum: -6, half: -3, rest: -1, neg: 3 },
      ),
    )
  })

  it('integer overflow is 22003; division and modulo by zero are 22012 for every type', async () => {
    await agree(byId({ x: X.arith('mul', t('qty'), p(1_000_000_000), true) }), error('22003'))
    await agree(byId({ x: X.arith('add', t('big'), p('9223372036854775807'), true) }), error('22003'))
    await agree(byId({ x: X.arith('div', t('qty'), p(0), true) }), error('22012'))
    await agree(byId({ x: X.arith('mod', t('qty'), p(0), true) }), error('22012'))
    await agree(byId({ x: X.arith('div', t('price'), p(0), false) }), error('22012'))
    await agree(byId({ x: X.arith('div', t('ratio'), p(0), false) }), error('22012'))
    // No row, no error: the division is never computed.
    await agree(byId({ x: X.arith('div', t('qty'), p(0), true) }, 'nothing'), rows())
  })

  it('bigint arithmetic is exact and comes back as text', async () => {
    await agree(
      byId({ x: X.arith('mul', t('big'), p(3), true), y: X.arith('add', t('big'), t('qty'), true) }),
      rows(
        { x: '27000000000', y: '9000000003' },
        { x: '3', y: '5' },
        { x: '-15', y: null },
        { x: null, y: null },
        { x: '9', y: '-4' },
      ),
    )
  })

  it('numeric arithmetic is exact decimal with PostgreSQL display scales, text', async () => {
    await agree(
      byId({
        add: X.arith('add', t('price'), p(1), false),
        mul: X.arith('mul', t('price'), t('price'), false),
        div: X.arith('div', t('price'), p(3), false),
        mod: X.arith('mod', t('price'), p(1), false),
        byInt: X.arith('mul', t('price'), t('qty'), false),
        byParam: X.arith('mul', t('price'), p(1.5), false),
        intByNumeric: X.arith('div', t('qty'), t('price'), false),
      }),
      rows(
        {
          add: '2.50',
          mul: '2.2500',
          div: '0.50000000000000000000',
          mod: '0.50',
          byInt: '4.50',
          byParam: '2.250',
          intByNumeric: '2.0000000000000000',
        },
        {
          add: '3.25',
          mul: '5.0625',
          div: '0.75000000000000000000',
          mod: '0.25',
          byInt: '9.00',
          byParam: '3.375',
          intByNumeric: '1.7777777777777778',
        },
        {
          add: '4.00',
          mul: '9.0000',
          div: '1.00000000000000000000',
          mod: '0.00',
          byInt: null,
          byParam: '4.500',
          intByNumeric: null,
        },
        { add: null, mul: null, div: null, mod: null, byInt: null, byParam: null, intByNumeric: null },
        {
          add: '1.005',
          mul: '0.000025',
          div: '0.00166666666666666667',
          mod: '0.005',
          byInt: '-0.035',
          byParam: '0.0075',
          intByNumeric: '-1400.0000000000000000',
        },
      ),
    )
  })

  it('double precision arithmetic is a double; overflow is 22003; there is no % of doubles (42883)', async () => {
    await agree(
      byId({ x: X.arith('mul', t('ratio'), p(2), false), y: X.arith('add', t('ratio'), t('qty'), false) }),
      rows(
        { x: 5, y: 5.5 },
        { x: 0.2, y: 4.1 },
        { x: -7, y: null },
        { x: null, y: null },
        { x: 2e20, y: 1e20 - 7 },
      ),
    )
    await agree(byId({ x: X.arith('mul', t('ratio'), p(1e300), false) }), error('22003'))
    await agree(byId({ x: X.arith('mod', t('ratio'), p(2), false) }), error('42883'))
  })
})

describe('functions', () => {
  // Server only: the embedded engine (PGlite) maps case with its own, newer Unicode tables (its
  // upper('ß') is 'ẞ'); the memory interpreter follows glibc's C.UTF-8, as the server of `npm test` does.
  it.skipIf(!server)(
    'lower, upper, length and trim, non-ASCII included (C.UTF-8: simple case mappings; server only)',
    async () => {
      await agree(
        byId({
          lower: X.call('lower', [t('name')]),
          upper: X.call('upper', [t('name')]),
          length: X.call('length', [t('name')]),
          trim: X.call('trim', [t('name')]),
        }),
        rows(
          { lower: 'ærø', upper: 'ÆRØ', length: 3, trim: 'Ærø' },
          { lower: '  padded  ', upper: '  PADDED  ', length: 10, trim: 'padded' },
          { lower: 'straße', upper: 'STRAßE', length: 6, trim: 'straße' },
          { lower: 'ᾀi', upper: 'ᾈİ', length: 2, trim: 'ᾀİ' },
          { lower: null, upper: null, length: null, trim: null },
        ),
      )
      await agree(byId({ x: X.call('lower', [t('qty')]) }), error('42883'))
      // ILIKE lowers as lower does: İ is i.
      await agree(
        byId({ x: X.like(t('name'), p('%i'), true), y: X.like(t('name'), p('%İ'), true) }),
        rows(
          { x: false, y: false },
          { x: false, y: false },
          { x: false, y: false },
          { x: true, y: true },
          { x: null, y: null },
        ),
      )
    },
  )

  it('abs and round keep their argument type; round of a double rounds half to even', async () => {
    await agree(
      byId({
        absInt: X.call('abs', [t('qty')]),
        absNumeric: X.call('abs', [X.arith('sub', t('price'), p(2), false)]),
        roundNumeric: X.call('round', [t('price')]),
        roundDouble: X.call('round', [t('ratio')]),
        absBig: X.call('abs', [t('big')]),
      }),
      rows(
        { absInt: 3, absNumeric: '0.50', roundNumeric: '2', roundDouble: 2, absBig: '9000000000' },
        { absInt: 4, absNumeric: '0.25', roundNumeric: '2', roundDouble: 0, absBig: '1' },
        { absInt: null, absNumeric: '1.00', roundNumeric: '3', roundDouble: -4, absBig: '5' },
        { absInt: 7, absNumeric: null, roundNumeric: null, roundDouble: null, absBig: null },
        { absInt: 7, absNumeric: '1.995', roundNumeric: '0', roundDouble: 1e20, absBig: '3' },
      ),
    )
  })

  it('coalesce (lazily), nullif, and || (NULL if either side is)', async () => {
    await agree(
      byId({
        qty: X.call('coalesce', [t('qty'), p(0)]),
        lazy: X.call('coalesce', [p(1), X.arith('div', t('qty'), p(0), true)]),
        kind: X.call('nullif', [t('kind'), p('a')]),
        label: X.call('concat', [t('kind'), p('-x')]),
        withQty: X.call('concat', [t('kind'), X.cast(t('qty'), 'text')]),
      }),
      rows(
        { qty: 3, lazy: 1, kind: null, label: 'a-x', withQty: 'a3' },
        { qty: 4, lazy: 1, kind: 'b', label: 'b-x', withQty: 'b4' },
        { qty: 0, lazy: 1, kind: null, label: 'a-x', withQty: null },
        { qty: 7, lazy: 1, kind: 'c', label: 'c-x', withQty: 'c7' },
        { qty: -7, lazy: 1, kind: null, label: null, withQty: null },
      ),
    )
  })

  it('|| needs text on one side (42883 for integer || integer)', async () => {
    await agree(byId({ x: X.call('concat', [t('qty'), t('qty')]) }), error('42883'))
  })

  it('date_trunc of a timestamptz, in the session time zone (UTC), for every unit', async () => {
    const units: ReadonlyArray<X.TruncUnit> = [
      'year',
      'quarter',
      'month',
      'week',
      'day',
      'hour',
      'minute',
      'second',
    ]
    const out = await agree(byId(Object.fromEntries(units.map(u => [u, X.dateTrunc(u, t('at'))]))))
    expect('rows' in out && out.rows[0]).toEqual({
      year: new Date('2026-01-01T00:00:00Z'),
      quarter: new Date('2026-01-01T00:00:00Z'),
      month: new Date('2026-01-01T00:00:00Z'),
      week: new Date('2026-01-12T00:00:00Z'),
      day: new Date('2026-01-15T00:00:00Z'),
      hour: new Date('2026-01-15T10:00:00Z'),
      minute: new Date('2026-01-15T10:20:00Z'),
      second: new Date('2026-01-15T10:20:30Z'),
    })
    expect(['UTC', 'Etc/UTC']).toContain([...(await sql.unsafe('show timezone'))][0]?.['TimeZone'])
  })
})

describe('casts', () => {
  it('numbers to every number type and to text', async () => {
    await agree(
      byId({ x: X.cast(t('ratio'), 'text'), y: X.cast(t('ratio'), 'numeric') }),
      rows(
        { x: '2.5', y: '2.5' },
        { x: '0.1', y: '0.1' },
        { x: '-3.5', y: '-3.5' },
        { x: null, y: null },
        { x: '1e+20', y: '100000000000000000000' },
      ),
    )
    await agree(
      where(X.compare('lt', t('id'), p(5)))(
        byId({
          qtyText: X.cast(t('qty'), 'text'),
          qtyBig: X.cast(t('qty'), 'bigint'),
          qtyNumeric: X.cast(t('qty'), 'numeric'),
          qtyDouble: X.cast(t('qty'), 'double'),
          qtyBool: X.cast(t('qty'), 'boolean'),
          priceInt: X.cast(t('price'), 'integer'),
          priceText: X.cast(t('price'), 'text'),
          priceDouble: X.cast(t('price'), 'double'),
          ratioInt: X.cast(t('ratio'), 'bigint'),
          ratioNumeric: X.cast(t('ratio'), 'numeric'),
          ratioText: X.cast(t('ratio'), 'text'),
          bigText: X.cast(t('big'), 'text'),
          bigDouble: X.cast(t('big'), 'double'),
        }),
      ),
      rows(
        {
          qtyText: '3',
          qtyBig: '3',
          qtyNumeric: '3',
          qtyDouble: 3,
          qtyBool: true,
          priceInt: 2,
          priceText: '1.50',
          priceDouble: 1.5,
          ratioInt: '2',
          ratioNumeric: '2.5',
          ratioText: '2.5',
          bigText: '9000000000',
          bigDouble: 9e9,
        },
        {
          qtyText: '4',
          qtyBig: '4',
          qtyNumeric: '4',
          qtyDouble: 4,
          qtyBool: true,
          priceInt: 2,
          priceText: '2.25',
          priceDouble: 2.25,
          ratioInt: '0',
          ratioNumeric: '0.1',
          ratioText: '0.1',
          bigText: '1',
          bigDouble: 1,
        },
        {
          qtyText: null,
          qtyBig: null,
          qtyNumeric: null,
          qtyDouble: null,
          qtyBool: null,
          priceInt: 3,
          priceText: '3.00',
          priceDouble: 3,
          ratioInt: '-4',
          ratioNumeric: '-3.5',
          ratioText: '-3.5',
          bigText: '-5',
          bigDouble: -5,
        },
        {
          qtyText: '7',
          qtyBig: '7',
          qtyNumeric: '7',
          qtyDouble: 7,
          qtyBool: true,
          priceInt: null,
          priceText: null,
          priceDouble: null,
          ratioInt: null,
          ratioNumeric: null,
          ratioText: null,
          bigText: null,
          bigDouble: null,
        },
      ),
    )
  })

  it('a double out of integer range is 22003', async () => {
    await agree(byId({ x: X.cast(t('ratio'), 'integer') }), error('22003'))
    await agree(byId({ x: X.cast(t('ratio'), 'bigint') }), error('22003'))
  })

  it('text to numbers: blanks allowed, anything else 22P02', async () => {
    await agree(
      S.withWhere(X.compare('lt', t('id'), p(3)))(
        byId({
          int: X.cast(t('code'), 'integer'),
          num: X.cast(t('code'), 'numeric'),
          dbl: X.cast(t('code'), 'double'),
        }),
      ),
      rows({ int: 12, num: '12', dbl: 12 }, { int: 7, num: '7', dbl: 7 }),
    )
    await agree(byId({ x: X.cast(t('code'), 'integer') }), error('22P02'))
    await agree(byId({ x: X.cast(t('code'), 'numeric') }), error('22P02'))
  })

  it('parameters are read by the target type input function', async () => {
    const cases: ReadonlyArray<readonly [unknown, X.CastType, Outcome]> = [
      [' 12 ', 'integer', column('x', 12)],
      ['12.5', 'integer', error('22P02')],
      [12.5, 'integer', error('22P02')],
      ['3000000000', 'integer', error('22003')],
      ['3000000000', 'bigint', column('x', '3000000000')],
      ['1e3', 'numeric', column('x', '1000')],
      ['  -1.50 ', 'numeric', column('x', '-1.50')],
      ['nan', 'numeric', column('x', 'NaN')],
      ['x', 'numeric', error('22P02')],
      ['-1.5E2', 'double', column('x', -150)],
      ['Infinity', 'double', column('x', Infinity)],
      ['1e400', 'double', error('22003')],
      ['1e-400', 'double', error('22003')],
      // postgres.js serializes a boolean parameter as `x === true ? 't' : 'f'`: text and numbers are false.
      ['yes', 'boolean', column('x', false)],
      [1, 'boolean', column('x', false)],
      [true, 'boolean', column('x', true)],
      [true, 'integer', column('x', 1)],
      [true, 'text', column('x', 'true')],
      [1.5, 'text', column('x', '1.5')],
      // postgres.js serializes a date parameter as `new Date(x).toISOString()` (a throw for what no Date
      // reads, which the PostgreSQL interpreter reports as an unclassified error).
      ['2024-02-29', 'date', column('x', new Date('2024-02-29T00:00:00Z'))],
      ['soon', 'date', error('null')],
      ['2024-02-29 10:00:00+02', 'timestamptz', column('x', new Date('2024-02-29T08:00:00Z'))],
      ['2024-02-29T10:00:00.25Z', 'timestamptz', column('x', new Date('2024-02-29T10:00:00.250Z'))],
      [new Date('2024-02-29T10:00:00.25Z'), 'text', column('x', '2024-02-29 10:00:00.25+00')],
      [new Date('2024-02-29T23:00:00Z'), 'date', column('x', new Date('2024-02-29T00:00:00Z'))],
    ]
    for (const [value, type, expected] of cases)
      await agree(S.withWhere(X.eq(t('id'), p(1)))(byId({ x: X.cast(p(value), type) })), expected)
  })

  it('casts PostgreSQL has not (42846) and NULL', async () => {
    await agree(byId({ x: X.cast(t('flag'), 'double') }), error('42846'))
    await agree(byId({ x: X.cast(t('at'), 'integer') }), error('42846'))
    await agree(
      byId({ flag: X.cast(t('flag'), 'integer'), at: X.cast(t('at'), 'text'), day: X.cast(t('at'), 'date') }),
      rows(
        { flag: 1, at: '2026-01-15 10:20:30.123+00', day: new Date('2026-01-15T00:00:00Z') },
        { flag: 0, at: '2026-01-20 23:59:59+00', day: new Date('2026-01-20T00:00:00Z') },
        { flag: null, at: '2026-02-01 00:00:00+00', day: new Date('2026-02-01T00:00:00Z') },
        { flag: 1, at: '2026-03-31 23:59:59+00', day: new Date('2026-03-31T00:00:00Z') },
        { flag: 0, at: null, day: null },
      ),
    )
  })
})

describe('case', () => {
  it('the first true branch; else, or NULL without one; an untaken branch is not evaluated', async () => {
    await agree(
      byId({
        size: X.case_(
          [
            { when: X.compare('gt', t('qty'), p(3)), then: p('big') },
            { when: X.isNull(t('qty')), then: p('none') },
          ],
          O.some(p('small')),
        ),
        bare: X.case_([{ when: X.compare('gt', t('qty'), p(3)), then: t('kind') }], O.none),
        safe: X.case_(
          [{ when: X.compare('eq', t('qty'), p(0)), then: X.arith('div', p(1), t('qty'), true) }],
          O.some(p(0)),
        ),
      }),
      rows(
        { size: 'small', bare: null, safe: 0 },
        { size: 'big', bare: 'b', safe: 0 },
        { size: 'none', bare: null, safe: 0 },
        { size: 'big', bare: 'c', safe: 0 },
        { size: 'small', bare: null, safe: 0 },
      ),
    )
  })
})

// -------------------------------------------------------------------------------------
// aggregates and grouping
// -------------------------------------------------------------------------------------

const count = (...args: ReadonlyArray<X.Expr>) => X.agg('count', args)

describe('aggregates', () => {
  it('over the whole input: every aggregate, in postgres.js representations', async () => {
    await agree(
      select({
        all: count(),
        qtys: count(t('qty')),
        sumInt: X.agg('sum', [t('qty')]),
        sumNumeric: X.agg('sum', [t('price')]),
        sumDouble: X.agg('sum', [t('ratio')]),
        sumBig: X.agg('sum', [t('big')]),
        avgInt: X.agg('avg', [t('qty')]),
        avgNumeric: X.agg('avg', [t('price')]),
        avgDouble: X.agg('avg', [X.arith('add', t('ratio'), p(0.5), false)]),
        minPrice: X.agg('min', [t('price')]),
        maxKind: X.agg('max', [t('kind')]),
        minAt: X.agg('min', [t('at')]),
        and: X.agg('boolAnd', [t('flag')]),
        or: X.agg('boolOr', [t('flag')]),
        qtyList: X.agg('arrayAgg', [t('qty')], {
          orderBy: [asc(t('id'))],
          filter: X.not(X.isNull(t('qty'))),
        }),
        kinds: X.agg('stringAgg', [t('kind'), p(',')], { orderBy: [desc(t('kind'))] }),
        distinctKinds: X.agg('count', [t('kind')], { distinct: true }),
        cheap: X.agg('count', [], { filter: X.compare('lt', t('price'), p(2)) }),
      }),
      rows({
        all: '5',
        qtys: '4',
        sumInt: '7',
        sumNumeric: '6.755',
        sumDouble: 1e20,
        sumBig: '8999999999',
        avgInt: '1.7500000000000000',
        avgNumeric: '1.6887500000000000',
        avgDouble: 25000000000000000000,
        minPrice: '0.005',
        maxKind: 'c',
        minAt: new Date('2026-01-15T10:20:30.123Z'),
        and: false,
        or: true,
        qtyList: [3, 4, 7, -7],
        kinds: 'c,b,a,a',
        distinctKinds: '3',
        cheap: '2',
      }),
    )
  })

  it('distinct aggregates: NULLs skipped by count, kept once by array_agg, values in ascending order', async () => {
    await agree(
      select({
        kinds: X.agg('count', [t('kind')], { distinct: true }),
        list: X.agg('arrayAgg', [t('kind')], { distinct: true, filter: X.not(X.isNull(t('kind'))) }),
        text: X.agg('stringAgg', [t('kind'), p('/')], { distinct: true, orderBy: [desc(t('kind'))] }),
      }),
      rows({ kinds: '3', list: ['a', 'b', 'c'], text: 'c/b/a' }),
    )
    await agree(
      select({ x: X.agg('stringAgg', [t('kind'), p('/')], { distinct: true, orderBy: [asc(t('id'))] }) }),
      error('42P10'),
    )
  })

  it('over no rows: one row, count 0 and every other aggregate NULL', async () => {
    await agree(
      select(
        {
          n: count(),
          s: X.agg('sum', [t('qty')]),
          a: X.agg('avg', [t('price')]),
          m: X.agg('max', [t('kind')]),
          b: X.agg('boolAnd', [t('flag')]),
          l: X.agg('arrayAgg', [t('qty')]),
          t: X.agg('stringAgg', [t('kind'), p(',')]),
        },
        'nothing',
      ),
      rows({ n: '0', s: null, a: null, m: null, b: null, l: null, t: null }),
    )
    // A filter that keeps nothing is the same as no rows.
    await agree(
      select({ n: count(), s: X.agg('sum', [t('qty')], { filter: X.bool(false) }) }),
      rows({ n: '5', s: null }),
    )
  })

  it('aggregate errors: in WHERE, nested, on a type without one (42803, 42803, 42883)', async () => {
    await agree(where(X.compare('gt', count(), p(0)))(select({ id: t('id') })), error('42803'))
    await agree(select({ x: X.agg('sum', [X.agg('sum', [t('qty')])]) }), error('42803'))
    await agree(select({ x: X.agg('max', [t('flag')]) }), error('42883'))
    await agree(select({ x: X.agg('sum', [t('kind')]) }), error('42883'))
  })
})

describe('group by and having', () => {
  const grouped = (cols: Readonly<Record<string, X.Expr>>, by: ReadonlyArray<X.Expr>) =>
    set('groupBy', by)(select(cols))

  it('groups by equal values, NULLs together; having filters groups; order by an aggregate', async () => {
    await agree(
      S.withOrder([desc(count()), asc(t('kind'))])(
        set('having', [X.compare('gt', count(), p(0))])(
          grouped(
            { kind: t('kind'), n: count(), total: X.agg('sum', [t('qty')]), top: X.agg('max', [t('price')]) },
            [t('kind')],
          ),
        ),
      ),
      rows(
        { kind: 'a', n: '2', total: '3', top: '3.00' },
        { kind: 'b', n: '1', total: '4', top: '2.25' },
        { kind: 'c', n: '1', total: '7', top: null },
        { kind: null, n: '1', total: '-7', top: '0.005' },
      ),
    )
  })

  it('counts and sums (bigint and numeric text) order and compare by value, not as text', async () => {
    const byGroup = (cols: Readonly<Record<string, X.Expr>>) =>
      set('groupBy', [t('grp')])(select({ grp: t('grp'), ...cols }, 'many'))
    const total = X.agg('sum', [t('amount')])
    // Counts 2, 9 and 10: as text, '10' would come first.
    await agree(
      S.withOrder([asc(count())])(byGroup({ n: count() })),
      rows({ grp: 'z', n: '2' }, { grp: 'y', n: '9' }, { grp: 'x', n: '10' }),
    )
    // Sums 97.5, 88 and 19.5 of numeric text; max of a numeric expression ('10' above '9.5').
    await agree(
      S.withOrder([desc(total)])(
        byGroup({ total, top: X.agg('max', [X.arith('add', t('amount'), p(0), false)]) }),
      ),
      rows(
        { grp: 'x', total: '97.5', top: '10' },
        { grp: 'y', total: '88.0', top: '10' },
        { grp: 'z', total: '19.5', top: '10' },
      ),
    )
    // A sum compared with a numeric value: 97.5 and 86.0 are above 20.
    await agree(
      S.withOrder([asc(t('grp'))])(
        set('having', [X.compare('gt', total, X.cast(p('20'), 'numeric'))])(byGroup({})),
      ),
      column('grp', 'x', 'y'),
    )
  })

  it('groups by an expression, which the outputs may use', async () => {
    const month = X.dateTrunc('month', t('at'))
    await agree(
      S.withOrder([asc(month)])(
        grouped({ month, n: count(), ids: X.agg('arrayAgg', [t('id')], { orderBy: [asc(t('id'))] }) }, [
          month,
        ]),
      ),
      rows(
        { month: new Date('2026-01-01T00:00:00Z'), n: '2', ids: [1, 2] },
        { month: new Date('2026-02-01T00:00:00Z'), n: '1', ids: [3] },
        { month: new Date('2026-03-01T00:00:00Z'), n: '1', ids: [4] },
        { month: null, n: '1', ids: [5] },
      ),
    )
  })

  it('having without group by makes one group; an empty input then has one or none', async () => {
    await agree(set('having', [X.bool(true)])(select({ n: count() }, 'nothing')), column('n', '0'))
    await agree(set('having', [X.compare('gt', count(), p(0))])(select({ n: count() }, 'nothing')), rows())
    // A bare parameter as an output has no type but text: the number's text comes back.
    await agree(set('having', [X.bool(true)])(select({ one: p(1) })), column('one', '1'))
  })

  it('a column neither grouped nor aggregated is 42803, in a subquery too; an aggregate in GROUP BY is 42803', async () => {
    await agree(grouped({ kind: t('kind'), qty: t('qty') }, [t('kind')]), error('42803'))
    const sub = X.scalar(S.create({ table: 'owners', alias: 'o' }, [{ name: 'x', expr: t('qty') }]))
    await agree(grouped({ kind: t('kind'), x: sub }, [t('kind')]), error('42803'))
    await agree(grouped({ n: count() }, [count()]), error('42803'))
    // An aggregate makes the select grouped: a bare column beside it is the same error.
    await agree(select({ id: t('id'), n: count() }), error('42803'))
  })

  it('a subquery of a grouped select may read the grouped columns', async () => {
    const owner = X.scalar(
      where(X.eq(o('id'), t('owner_id')))(
        S.create({ table: 'owners', alias: 'o' }, [{ name: 'name', expr: o('name') }]),
      ),
    )
    await agree(
      S.withOrder([asc(t('owner_id'))])(
        grouped({ owner: t('owner_id'), name: owner, n: count() }, [t('owner_id')]),
      ),
      rows(
        { owner: 1, name: 'ada', n: '2' },
        { owner: 2, name: 'bob', n: '1' },
        { owner: 4, name: null, n: '1' },
        { owner: null, name: null, n: '1' },
      ),
    )
  })
})

describe('distinct on', () => {
  it('keeps the first row of each key in ORDER BY order', async () => {
    await agree(
      set('distinctOn', [t('kind')])(
        S.withOrder([asc(t('kind')), desc(t('price'))])(select({ kind: t('kind'), id: t('id') })),
      ),
      rows({ kind: 'a', id: 3 }, { kind: 'b', id: 2 }, { kind: 'c', id: 4 }, { kind: null, id: 5 }),
    )
  })

  it('whose expressions must lead ORDER BY (42P10)', async () => {
    await agree(
      set('distinctOn', [t('kind')])(S.withOrder([asc(t('id'))])(select({ kind: t('kind'), id: t('id') }))),
      error('42P10'),
    )
  })

  it('matches ORDER BY only without parameters: each value is a parameter of its own (42P10)', async () => {
    // distinct on (price * $1) ... order by price * $2: PostgreSQL compares parameters by number, so
    // equal values, and the same node written twice, are different expressions.
    const times = (v: X.Expr) => X.arith('mul', t('price'), v, true)
    const two = p(2)
    await agree(
      set('distinctOn', [times(p(2))])(S.withOrder([asc(times(p(2)))])(select({ id: t('id') }))),
      error('42P10'),
    )
    await agree(
      set('distinctOn', [times(two)])(S.withOrder([asc(times(two))])(select({ id: t('id') }))),
      error('42P10'),
    )
    // A prepared query's placeholder is a parameter per occurrence too.
    const n = X.param(X.placeholder('n'))
    const bound: X.Bind = new Map([[n.value as X.Placeholder, 2]])
    const prepared = set('distinctOn', [times(n)])(S.withOrder([asc(times(n))])(select({ id: t('id') })))
    expect(outcome(Memory.evaluate(tables)(prepared, bound))).toEqual(error('42P10'))
    expect(outcome(await Pg.interpreter(sql).select(prepared, bound)())).toEqual(error('42P10'))
    // Plain DISTINCT: an order term with a value is not the output with an equal one.
    await agree(
      set('distinct', true)(S.withOrder([asc(times(p(2)))])(select({ x: times(p(2)) }))),
      error('42P10'),
    )
    // GROUP BY: the grouped expression with a value does not cover the same one in the output (42803).
    await agree(set('groupBy', [times(p(2))])(select({ x: times(p(2)) })), error('42803'))
    // Without values, the same expressions match.
    await agree(
      set('distinctOn', [X.arith('mul', t('price'), t('qty'), true)])(
        S.withOrder([asc(X.arith('mul', t('price'), t('qty'), true)), asc(t('id'))])(select({ id: t('id') })),
      ),
      rows({ id: 5 }, { id: 1 }, { id: 2 }, { id: 3 }),
    )
  })
})

// -------------------------------------------------------------------------------------
// joins and subqueries
// -------------------------------------------------------------------------------------

describe('right and full joins', () => {
  const joined = (kind: X.JoinKind) =>
    S.withOrder([asc(t('id'), 'last'), asc(o('id'), 'last')])(
      S.withJoins([S.join(kind, { table: 'owners', alias: 'o' }, X.eq(t('owner_id'), o('id')))])(
        select({ item: t('id'), owner: o('id') }),
      ),
    )

  it('a right join keeps every row of its binding, NULL-extended when nothing matches', async () => {
    await agree(
      joined('right'),
      rows({ item: 1, owner: 1 }, { item: 2, owner: 1 }, { item: 3, owner: 2 }, { item: null, owner: 3 }),
    )
  })

  it('a full join keeps the unmatched rows of both sides', async () => {
    await agree(
      joined('full'),
      rows(
        { item: 1, owner: 1 },
        { item: 2, owner: 1 },
        { item: 3, owner: 2 },
        { item: 4, owner: null },
        { item: 5, owner: null },
        { item: null, owner: 3 },
      ),
    )
  })

  it('WHERE applies after the join, to the NULL-extended rows too', async () => {
    await agree(where(X.isNull(t('id')))(joined('full')), rows({ item: null, owner: 3 }))
    await agree(
      where(X.compare('lt', t('id'), p(3)))(joined('right')),
      rows({ item: 1, owner: 1 }, { item: 2, owner: 1 }),
    )
  })
})

describe('scalar subqueries', () => {
  const owners = (cols: Readonly<Record<string, X.Expr>>) =>
    S.create(
      { table: 'owners', alias: 'o' },
      Object.entries(cols).map(([name, expr]) => ({ name, expr })),
    )

  it('correlated: the one value, or NULL when there is no row', async () => {
    await agree(
      byId({ owner: X.scalar(where(X.eq(o('id'), t('owner_id')))(owners({ name: o('name') }))) }),
      column('owner', 'ada', 'ada', 'bob', null, null),
    )
  })

  it('uncorrelated, aggregated: one row even over nothing', async () => {
    await agree(
      where(X.eq(t('id'), p(1)))(
        byId({
          n: X.scalar(owners({ n: count() })),
          none: X.scalar(set('groupBy', [o('id')])(where(X.bool(false))(owners({ n: count() })))),
        }),
      ),
      rows({ n: '3', none: null }),
    )
  })

  it('more than one row is 21000; more than one column 42601', async () => {
    await agree(byId({ x: X.scalar(owners({ name: o('name') })) }), error('21000'))
    await agree(byId({ x: X.scalar(owners({ a: o('id'), b: o('name') })) }), error('42601'))
    // Over no outer row the subquery never runs.
    await agree(byId({ x: X.scalar(owners({ name: o('name') })) }, 'nothing'), rows())
  })
})

describe('in (select ...)', () => {
  const ownerIds = (e: X.Expr = X.bool(true)) =>
    where(e)(S.create({ table: 'owners', alias: 'o' }, [{ name: 'id', expr: o('id') }]))
  const qtys = S.create({ table: 'items', alias: 'q' }, [{ name: 'qty', expr: X.column('q', 'qty') }])

  it('true on a match, false with none, NULL when no match and a NULL on either side', async () => {
    await agree(
      byId({
        owned: X.inSelect(t('owner_id'), ownerIds()),
        withNull: X.inSelect(t('qty'), qtys),
        empty: X.inSelect(t('qty'), ownerIds(X.bool(false))),
      }),
      rows(
        { owned: true, withNull: true, empty: false },
        { owned: true, withNull: true, empty: false },
        { owned: true, withNull: null, empty: false },
        { owned: null, withNull: true, empty: false },
        { owned: false, withNull: true, empty: false },
      ),
    )
    await agree(byId({ x: X.inSelect(p(100), qtys) }), column('x', null, null, null, null, null))
  })

  it('correlated, as a filter', async () => {
    await agree(
      where(X.inSelect(p(2), ownerIds(X.compare('gte', o('id'), t('owner_id')))))(byId({ id: t('id') })),
      column('id', 1, 2, 3),
    )
  })
})

describe('= any(array)', () => {
  const gathered = (table: string, alias: string, column: string, e: X.Expr = X.bool(true)) =>
    X.scalar(
      where(e)(
        S.create({ table, alias }, [{ name: 'a', expr: X.agg('arrayAgg', [X.column(alias, column)]) }]),
      ),
    )

  it('true on a match, false with none, NULL when no match and a NULL on either side or a NULL array', async () => {
    await agree(
      byId({
        owned: X.inArray(t('owner_id'), gathered('owners', 'o', 'id')),
        withNull: X.inArray(t('qty'), gathered('items', 'q', 'qty')),
        // array_agg over no rows is NULL
        none: X.inArray(t('qty'), gathered('items', 'q', 'qty', X.bool(false))),
      }),
      rows(
        { owned: true, withNull: true, none: null },
        { owned: true, withNull: true, none: null },
        { owned: true, withNull: null, none: null },
        { owned: null, withNull: true, none: null },
        { owned: false, withNull: true, none: null },
      ),
    )
  })

  it('over a correlated array, as a filter', async () => {
    await agree(
      where(X.inArray(p(2), gathered('owners', 'o', 'id', X.compare('lte', o('id'), t('owner_id')))))(
        byId({ id: t('id') }),
      ),
      column('id', 3, 5),
    )
  })
})

describe('exists over a grouped subquery', () => {
  it('an aggregate over no rows is still a row', async () => {
    const sub = where(X.bool(false))(
      S.create({ table: 'owners', alias: 'o' }, [{ name: 'n', expr: count() }]),
    )
    await agree(where(X.exists(sub))(byId({ id: t('id') })), column('id', 1, 2, 3, 4, 5))
  })
})

// -------------------------------------------------------------------------------------
// found by the algebra property (test/property/algebra-queries.test.ts), each the shrunk case
// -------------------------------------------------------------------------------------

describe('found by the algebra property', () => {
  // The compiler wrote a constant condition (`Pred.and()`, `Pred.or()`) bare, which PostgreSQL reads
  // as a position in ORDER BY, GROUP BY and DISTINCT ON and refuses (42601 "non-integer constant").
  it('a constant condition orders, groups and picks distinct rows as any term does', async () => {
    const yes = X.and([])
    const no = X.or([])
    await agree(
      S.withOrder([asc(yes), asc(X.and([X.and([])])), desc(no), asc(t('id'))])(
        select({ yes, no, id: t('id') }, 'owners'),
      ),
      rows({ yes: true, no: false, id: 1 }, { yes: true, no: false, id: 2 }, { yes: true, no: false, id: 3 }),
    )
    await agree(
      set('groupBy', [yes, no])(select({ yes, n: X.agg('count', []) }, 'owners')),
      rows({ yes: true, n: '3' }),
    )
    await agree(
      set('distinctOn', [no])(S.withOrder([asc(no), asc(t('id'))])(select({ id: t('id') }, 'owners'))),
      rows({ id: 1 }),
    )
  })

  // Memory compared a parameter beside a bigint by value; PostgreSQL reads it as a bigint first.
  it('a parameter beside an integer expression must be a whole number (22P02 before any row)', async () => {
    const big = X.cast(t('id'), 'bigint')
    await agree(select({ x: X.call('nullif', [big, p('0.5')]) }, 'owners'), error('22P02'))
    await agree(select({ x: X.call('coalesce', [big, p(0.5)]) }, 'nothing'), error('22P02'))
    await agree(
      set('having', [X.compare('gt', X.agg('count', []), p('1.5'))])(
        select({ n: X.agg('count', []) }, 'owners'),
      ),
      error('22P02'),
    )
    await agree(
      byId({ x: X.case_([{ when: X.and([]), then: big }], { _tag: 'Some', value: p('x') }) }, 'owners'),
      error('22P02'),
    )
    await agree(byId({ x: X.call('nullif', [big, p('2')]) }, 'owners'), column('x', '1', null, '3'))
  })

  // Memory ordered arrays as jsonb orders them (a shorter one first); PostgreSQL compares SQL arrays
  // element by element.
  it('arrays (array_agg) order element by element, a prefix first', async () => {
    const ids = X.agg('arrayAgg', [t('id')], { orderBy: [desc(t('id'))] })
    const grouped = set('groupBy', [t('kind')])(select({ ids }))
    await agree(S.withOrder([asc(ids)])(grouped), column('ids', [2], [3, 1], [4], [5]))
    await agree(S.withOrder([desc(ids)])(grouped), column('ids', [5], [4], [3, 1], [2]))
    await agree(
      S.withOrder([asc(X.agg('max', [ids]))])(
        set('groupBy', [t('owner_id')])(select({ m: X.agg('count', []) })),
      ),
      error('42803'),
    )
  })

  // Memory computed an aggregate only for the groups HAVING kept, and only where its output needed it;
  // PostgreSQL computes every aggregate of every group as it reads the rows.
  it('every aggregate is computed for every group, those HAVING drops included', async () => {
    const failing = X.agg('sum', [X.cast(t('name'), 'integer')])
    const n = X.agg('count', [])
    const grouped = set('groupBy', [t('kind')])
    await agree(set('having', [X.compare('gt', n, p(5))])(grouped(select({ s: failing }))), error('22P02'))
    await agree(set('having', [X.compare('gt', n, p(5))])(grouped(select({ n }))), rows())
    await agree(
      // (A constant condition would not do: PostgreSQL folds `case when false then ...` away, and the
      // aggregate with it, before it runs.)
      grouped(
        select({ x: X.case_([{ when: X.isNull(X.isNull(t('kind'))), then: failing }], { _tag: 'None' }) }),
      ),
      error('22P02'),
    )
  })

  // Memory evaluated every row's outputs before the limit; PostgreSQL's LIMIT 0 reads no row at all.
  it('LIMIT 0 evaluates nothing: an output that would fail on every row does not', async () => {
    const failing = byId({ x: X.cast(t('name'), 'integer') }, 'owners')
    await agree(failing, error('22P02'))
    await agree(set('limit', O.some(0))(failing), rows())
    await agree(set('limit', O.some(1))(failing), error('22P02'))
  })
})

// -------------------------------------------------------------------------------------
// memory only: what the memory interpreter refuses rather than answer differently
// -------------------------------------------------------------------------------------

describe('memory only', () => {
  // postgres.js 3.4.9 does not read NULL elements of an array: each is the element parser's reading of
  // the text NULL (NaN for a number, 'NULL' for text, false for a boolean). Memory answers SQL's NULL.
  it('array_agg keeps NULL elements, as null', () => {
    expect(
      onMemory(
        select({
          qty: X.agg('arrayAgg', [t('qty')], { orderBy: [asc(t('id'))] }),
          kind: X.agg('arrayAgg', [t('kind')], { distinct: true }),
        }),
      ),
    ).toEqual(rows({ qty: [3, 4, null, 7, -7], kind: ['a', 'b', 'c', null] }))
  })

  it('an aggregate of only outer columns inside a subquery is Unsupported (PostgreSQL computes it outside)', () => {
    const sub = X.scalar(
      S.create({ table: 'owners', alias: 'o' }, [{ name: 'x', expr: X.agg('sum', [t('qty')]) }]),
    )
    expect(onMemory(select({ x: sub }))).toEqual(error('QueryError'))
  })
})
