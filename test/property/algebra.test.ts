// Differential property of the query algebra's numbers (issue 15, step 1): for random rows of every
// number type (extremes, numeric text of many scales, NaN and the infinities included) and random
// arithmetic, functions, casts and aggregates, the memory interpreter and PostgreSQL give the same
// rows in the same JavaScript representation, or fail with the same SQLSTATE.
//
// The expressions are well typed, as the query layer builds them (`Arith.integer` set exactly when
// both operands are integers). Doubles are never whole: the memory interpreter reads a whole number
// without `integer` as an integer beside numeric text and in `sum`/`avg` (the AST does not carry a
// column's type), so a whole double would test that documented reading, not the arithmetic.
import * as E from 'fp-ts/lib/Either.js'
import * as fc from 'fast-check'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as X from '../../src/ast/Expr.js'
import * as S from '../../src/ast/Select.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Pg from '../../src/interpreter/postgres/Postgres.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import { connect, type TestDb } from '../support/db.js'
import { params } from './support.js'

let db: TestDb
let sql: postgres.Sql

beforeAll(async () => {
  db = await connect()
  sql = db.sql
  await sql.unsafe(`create table nums (id integer primary key, i integer, j integer, b bigint, n numeric,
    m numeric, f double precision, g double precision, s text)`)
})
afterAll(async () => db.close())

// -------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------

const orNull = <A>(a: fc.Arbitrary<A>): fc.Arbitrary<A | null> => fc.option(a, { nil: null, freq: 5 })

const int4 = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom(-2147483648, 2147483647, 46341, -46341, 65536),
  fc.integer(),
)
const int8 = fc
  .oneof(
    fc.bigInt({ min: -100n, max: 100n }),
    fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 3037000500n),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  )
  .map(String)
const numeric = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.stringMatching(/^[0-9]{1,3}$/), fc.stringMatching(/^[1-9][0-9]{0,24}$/)),
        fc.stringMatching(/^[0-9]{0,12}$/),
      )
      .map(([neg, whole, frac]) => `${neg ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'Infinity', '-Infinity', '0.000', '0.5', '-2.5') },
)
const double = fc
  .oneof(
    fc.double({ min: -1e6, max: 1e6 }),
    fc.double(),
    fc.constantFrom(0.1, 2.5, -3.5, 1e300, -1e300, 5e-324, 1.5e-320, NaN, Infinity, -Infinity),
  )
  .filter(x => !Number.isInteger(x))
// Text never in the form PostgreSQL prints a numeric that no integer has (`1.5`, `NaN`, `-Infinity`):
// cast to an integer, the memory interpreter reads such text as a numeric column's value (see the
// report).
// The memory interpreter follows PostgreSQL 15 (the server of `npm test`): `1_000` and `0x1F` are not
// integers there (22P02). PostgreSQL 16 reads both as integers, and so does the embedded engine
// (PGlite): on it these two inputs are left out, a known difference of versions, not of semantics.
const server = (process.env['DATABASE_URL'] ?? '') !== ''
const text = fc.constantFrom(
  ...(server ? ['1_000', '0x1F'] : []),
  ' 12 ',
  '-7',
  '+5',
  '1e3',
  ' 1.5e-3 ',
  '.5',
  '5.',
  'abc',
  '',
  '3000000000',
  'nan',
  'inf',
  '-infinity',
)

const row = fc.record({
  i: orNull(int4),
  j: orNull(int4),
  b: orNull(int8),
  n: orNull(numeric),
  m: orNull(numeric),
  f: orNull(double),
  g: orNull(double),
  s: orNull(text),
})
type Row = typeof row extends fc.Arbitrary<infer A> ? A : never

// -------------------------------------------------------------------------------------
// expressions
// -------------------------------------------------------------------------------------

const t = (c: string) => X.column('t', c)
const op = fc.constantFrom<X.ArithOp>('add', 'sub', 'mul', 'div', 'mod')
// Operand pairs with the `integer` flag the query layer would set; PostgreSQL has no `%` of doubles,
// so pairs with a double take the other four operators.
const integerPairs: ReadonlyArray<readonly [X.Expr, X.Expr]> = [
  [t('i'), t('j')],
  [t('i'), t('b')],
  [t('b'), t('j')],
  [t('b'), t('b')],
]
const numericPairs: ReadonlyArray<readonly [X.Expr, X.Expr]> = [
  [t('n'), t('m')],
  [t('i'), t('n')],
  [t('n'), t('b')],
]
const doublePairs: ReadonlyArray<readonly [X.Expr, X.Expr]> = [
  [t('f'), t('g')],
  [t('f'), t('i')],
  [t('b'), t('f')],
]

const arith: fc.Arbitrary<X.Expr> = fc.oneof(
  fc.tuple(op, fc.constantFrom(...integerPairs)).map(([o, [l, r]]) => X.arith(o, l, r, true)),
  fc.tuple(op, fc.constantFrom(...numericPairs)).map(([o, [l, r]]) => X.arith(o, l, r, false)),
  fc
    .tuple(fc.constantFrom<X.ArithOp>('add', 'sub', 'mul', 'div'), fc.constantFrom(...doublePairs))
    .map(([o, [l, r]]) => X.arith(o, l, r, false)),
  // Parameters, typed by PostgreSQL from the other operand.
  fc.tuple(op, int4).map(([o, v]) => X.arith(o, t('i'), X.param(v), true)),
  fc.tuple(op, numeric).map(([o, v]) => X.arith(o, t('n'), X.param(v), false)),
  fc
    .tuple(op, fc.double({ min: -1e6, max: 1e6, noNaN: true }))
    .map(([o, v]) => X.arith(o, t('n'), X.param(v), false)),
)

// `round` and `abs` of a bigint column: PostgreSQL's are `round(double precision)` and an int8 `abs`
// (out of range for the least int8); the memory interpreter cannot tell a bigint column's text from a
// numeric one's (see the report), so it takes those of expressions, whose types it knows.
const fn: fc.Arbitrary<X.Expr> = fc.oneof(
  fc
    .tuple(fc.constantFrom<'abs' | 'round'>('abs', 'round'), fc.constantFrom('i', 'n', 'f'))
    .map(([f, c]) => X.call(f, [t(c)])),
  fc.tuple(fc.constantFrom<'abs' | 'round'>('abs', 'round'), arith).map(([f, e]) => X.call(f, [e])),
)

const cast: fc.Arbitrary<X.Expr> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('i', 'b', 'n', 'f', 's'),
      fc.constantFrom<X.CastType>('integer', 'bigint', 'numeric', 'double', 'text'),
    )
    .map(([c, type]) => X.cast(t(c), type)),
  fc.constantFrom('i', 's').map(c => X.cast(t(c), 'boolean')),
  fc
    .tuple(arith, fc.constantFrom<X.CastType>('integer', 'bigint', 'numeric', 'double', 'text'))
    .map(([e, type]) => X.cast(e, type)),
)

// Aggregates of columns whose values the memory interpreter reads by type: numbers, or numeric text
// from expressions (`min`/`max` of a bigint or numeric column's text compare it as text: see the report).
const aggregated: fc.Arbitrary<X.Expr> = fc.oneof(
  fc
    .tuple(fc.constantFrom<X.AggFn>('sum', 'avg', 'count'), fc.constantFrom('i', 'b', 'n', 'f'))
    .map(([f, c]) => X.agg(f, [t(c)])),
  fc
    .tuple(
      fc.constantFrom<X.AggFn>('min', 'max'),
      fc.constantFrom(
        t('i'),
        t('f'),
        X.arith('add', t('b'), X.param(0), true),
        X.arith('add', t('n'), X.param('0'), false),
      ),
    )
    .map(([f, e]) => X.agg(f, [e])),
  fc.tuple(fc.constantFrom<X.AggFn>('sum', 'avg', 'min', 'max'), arith).map(([f, e]) => X.agg(f, [e])),
)

type Case =
  | { readonly kind: 'row'; readonly expr: X.Expr }
  | { readonly kind: 'agg'; readonly expr: X.Expr; readonly grouped: boolean }

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.oneof(arith, fn, cast).map(expr => ({ kind: 'row' as const, expr })),
  fc.tuple(aggregated, fc.boolean()).map(([expr, grouped]) => ({ kind: 'agg' as const, expr, grouped })),
)

const selectOf = (c: Case): S.Select => {
  const base = (cols: ReadonlyArray<S.Output>) => S.create({ table: 'nums', alias: 't' }, cols)
  if (c.kind === 'row')
    return S.withOrder([{ expr: t('id'), dir: 'asc', nulls: 'default' }])(base([{ name: 'x', expr: c.expr }]))
  if (!c.grouped) return base([{ name: 'x', expr: c.expr }])
  // Groups by the text column (NULLs together), in its order.
  return S.withOrder([{ expr: t('s'), dir: 'asc', nulls: 'default' }])(
    S.set(
      'groupBy' as never,
      [t('s')] as never,
    )(
      base([
        { name: 'k', expr: t('s') },
        { name: 'x', expr: c.expr },
      ]),
    ),
  )
}

// -------------------------------------------------------------------------------------
// the property
// -------------------------------------------------------------------------------------

type Outcome = { readonly rows: ReadonlyArray<RawRow> } | { readonly error: string }
const outcome = (
  r: E.Either<{ readonly _tag: string; readonly code?: string | null }, ReadonlyArray<RawRow>>,
): Outcome =>
  E.isLeft(r)
    ? { error: r.left._tag === 'DbError' ? String(r.left.code) : r.left._tag }
    : { rows: r.right.map(x => ({ ...x })) }

const load = async (rs: ReadonlyArray<Row>): Promise<Memory.Tables> => {
  await sql.unsafe('delete from nums')
  for (const [k, r] of rs.entries())
    await sql.unsafe('insert into nums values ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      k + 1,
      r.i,
      r.j,
      r.b,
      r.n,
      r.m,
      r.f,
      r.g,
      r.s,
    ] as never[])
  const stored = [...(await sql.unsafe('select * from nums order by id'))].map(x => ({ ...x }))
  return new Map([['nums', stored]])
}

describe('memory == PostgreSQL on the algebra of numbers', () => {
  it('arithmetic, abs, round, casts and aggregates over random rows of every number type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 8 }),
        fc.array(cases, { minLength: 1, maxLength: 12 }),
        async (rs, cs) => {
          const tables = await load(rs)
          for (const c of cs) {
            const s = selectOf(c)
            const pg = outcome(await Pg.interpreter(sql).select(s)())
            const memory = outcome(Memory.evaluate(tables)(s))
            expect({ expr: c.expr, memory }).toEqual({ expr: c.expr, memory: pg })
          }
        },
      ),
      params(60),
    )
  })
})

// -------------------------------------------------------------------------------------
// grouping, joins and subqueries
// -------------------------------------------------------------------------------------

const a = (c: string) => X.column('a', c)
const b = (c: string) => X.column('b', c)
const key = orNull(fc.constantFrom('x', 'y', 'z', 'Z', ''))
const small = orNull(fc.integer({ min: -3, max: 12 }))
const sides = fc.record({
  as: fc.array(fc.record({ k: key, v: small }), { maxLength: 7 }),
  bs: fc.array(fc.record({ k: key, w: small }), { maxLength: 7 }),
})

const term = (expr: X.Expr): S.OrderTerm => ({ expr, dir: 'asc', nulls: 'last' })
const out = (name: string, expr: X.Expr): S.Output => ({ name, expr })

// A select over `ta` joined to `tb` (or not), grouped (or not), with HAVING, DISTINCT ON and
// subqueries, ordered by every output so that both lists are in one order.
const shaped = fc
  .record({
    join: fc.constantFrom<X.JoinKind | null>(null, 'inner', 'left', 'right', 'full'),
    group: fc.constantFrom<'none' | 'a' | 'b' | 'all'>('none', 'a', 'b', 'all'),
    having: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    distinctOn: fc.boolean(),
    subquery: fc.constantFrom<'none' | 'scalar' | 'in'>('none', 'scalar', 'in'),
  })
  .map(({ join, group, having, distinctOn, subquery }): S.Select => {
    const joined = join !== null
    const n = X.agg('count', [])
    const grouped = group !== 'none'
    const cols: Array<S.Output> = grouped
      ? [
          ...(group === 'a' ? [out('k', a('k'))] : group === 'b' && joined ? [out('k', b('k'))] : []),
          out('n', n),
          out('s', X.agg('sum', [a('v')])),
          ...(joined
            ? [out('m', X.agg('max', [b('w')])), out('c', X.agg('count', [b('w')], { distinct: true }))]
            : []),
        ]
      : [
          out('id', a('id')),
          out('k', a('k')),
          out('v', a('v')),
          ...(joined ? [out('bid', b('id')), out('w', b('w'))] : []),
        ]
    const sub =
      subquery === 'scalar'
        ? X.scalar(
            S.withWhere(X.eq(X.column('q', 'k'), a('k')))(
              S.create({ table: 'tb', alias: 'q' }, [out('n', X.agg('count', []))]),
            ),
          )
        : X.inSelect(a('v'), S.create({ table: 'tb', alias: 'q' }, [out('w', X.column('q', 'w'))]))
    if (subquery !== 'none' && (!grouped || group === 'a')) cols.push(out('sub', sub))
    let s = S.create({ table: 'ta', alias: 'a' }, cols)
    if (joined) s = S.withJoins([S.join(join, { table: 'tb', alias: 'b' }, X.eq(a('k'), b('k')))])(s)
    if (grouped) {
      const by = group === 'a' ? [a('k')] : group === 'b' && joined ? [b('k')] : []
      s = S.set('groupBy' as never, by as never)(s)
      if (having !== undefined)
        s = S.set('having' as never, [X.compare('gte', n, X.param(having))] as never)(s)
    }
    if (distinctOn && !grouped) {
      s = S.set('distinctOn' as never, [a('k')] as never)(s)
      return S.withOrder([term(a('k')), ...cols.filter(c => c.name !== 'k').map(c => term(c.expr))])(s)
    }
    return S.withOrder(cols.map(c => term(c.expr)))(s)
  })

describe('memory == PostgreSQL on grouping, joins and subqueries', () => {
  beforeAll(async () => {
    await sql.unsafe('create table ta (id integer primary key, k text, v integer)')
    await sql.unsafe('create table tb (id integer primary key, k text, w integer)')
  })

  it('random joins (all four kinds), groups, having, distinct on and subqueries', async () => {
    await fc.assert(
      fc.asyncProperty(
        sides,
        fc.array(shaped, { minLength: 1, maxLength: 8 }),
        async ({ as, bs }, selects) => {
          await sql.unsafe('delete from ta')
          await sql.unsafe('delete from tb')
          for (const [k, r] of as.entries())
            await sql.unsafe('insert into ta values ($1, $2, $3)', [k + 1, r.k, r.v])
          for (const [k, r] of bs.entries())
            await sql.unsafe('insert into tb values ($1, $2, $3)', [k + 1, r.k, r.w])
          const tables: Memory.Tables = new Map([
            ['ta', [...(await sql.unsafe('select * from ta order by id'))].map(x => ({ ...x }))],
            ['tb', [...(await sql.unsafe('select * from tb order by id'))].map(x => ({ ...x }))],
          ])
          for (const s of selects) {
            const pg = outcome(await Pg.interpreter(sql).select(s)())
            const memory = outcome(Memory.evaluate(tables)(s))
            expect(memory).toEqual(pg)
          }
        },
      ),
      params(60),
    )
  })
})
