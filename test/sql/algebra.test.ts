// Golden SQL for the expression and grouping nodes of the AST (issue 15, step 1), each statement then
// run on PostgreSQL with its answer checked: the text is valid SQL and means what the node says.
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Check from '../../src/ast/Check.js'
import * as X from '../../src/ast/Expr.js'
import * as S from '../../src/ast/Select.js'
import * as Sql from '../../src/sql/Sql.js'
import { connect, type TestDb } from '../support/db.js'

let db: TestDb
let sql: postgres.Sql
const T = 'items'
const U = 'owners'

beforeAll(async () => {
  db = await connect()
  sql = db.sql
  await sql.unsafe(`create table ${U} (id integer primary key, name text not null)`)
  await sql.unsafe(
    `create table ${T} (id integer primary key, owner_id integer, kind text, qty integer, price numeric, at timestamptz)`,
  )
  await sql.unsafe(`insert into ${U} values (1, 'ada'), (2, 'bob'), (3, 'cy')`)
  await sql.unsafe(`insert into ${T} values
    (1, 1, 'a', 3, 1.50, '2026-01-15T10:00:00Z'),
    (2, 1, 'b', 4, 2.25, '2026-01-20T10:00:00Z'),
    (3, 2, 'a', null, 3.00, '2026-02-01T00:00:00Z'),
    (4, null, 'c', 7, null, '2026-03-31T23:59:59Z')`)
})
afterAll(async () => {
  await db.close()
})

const c = (col: string, alias = 't0') => X.column(alias, col)
const base = (columns: ReadonlyArray<S.Output>) => S.create({ table: T, alias: 't0' }, columns)
const out = (name: string, expr: X.Expr): S.Output => ({ name, expr })
const asc = (expr: X.Expr): S.OrderTerm => ({ expr, dir: 'asc', nulls: 'default' })

const run = async (s: S.Select, text: string, params: ReadonlyArray<unknown>) => {
  const compiled = Sql.toSql(s)
  expect(compiled).toEqual(E.right({ text, params }))
  if (E.isLeft(compiled)) return []
  return sql.unsafe(compiled.right.text, [...compiled.right.params] as never[])
}

describe('expressions', () => {
  it('arithmetic, with integer division and modulo as PostgreSQL computes them by type', async () => {
    const s = S.withOrder([asc(c('id'))])(
      base([
        out('double', X.arith('mul', c('qty'), X.param(2), true)),
        out('half', X.arith('div', c('qty'), X.param(2), true)),
        out('rest', X.arith('mod', X.arith('sub', c('qty'), X.param(10), true), X.param(3), true)),
      ]),
    )
    const rows = await run(
      s,
      `select "t0"."qty" * $1 as "double", "t0"."qty" / $2 as "half", ("t0"."qty" - $3) % $4 as "rest" from "${T}" as "t0" order by "t0"."id" asc`,
      [2, 2, 10, 3],
    )
    expect(rows).toEqual([
      { double: 6, half: 1, rest: -1 },
      { double: 8, half: 2, rest: 0 },
      { double: null, half: null, rest: null },
      { double: 14, half: 3, rest: 0 },
    ])
  })

  it('functions, concatenation, casts and case', async () => {
    const s = S.withOrder([asc(c('id'))])(
      base([
        out('up', X.call('upper', [c('kind')])),
        out('label', X.call('concat', [c('kind'), X.param('-x')])),
        out('qty', X.call('coalesce', [c('qty'), X.param(0)])),
        out('month', X.cast(X.dateTrunc('month', c('at')), 'date')),
        out(
          'size',
          X.case_(
            [{ when: X.compare('gt', c('qty'), X.param(3)), then: X.param('big') }],
            O.some(X.param('small')),
          ),
        ),
        out('t', X.cast(c('id'), 'text')),
      ]),
    )
    const rows = await run(
      s,
      `select upper("t0"."kind") as "up", "t0"."kind" || $1 as "label", coalesce("t0"."qty", $2) as "qty", cast(date_trunc('month', "t0"."at") as date) as "month", case when "t0"."qty" > $3 then $4 else $5 end as "size", cast("t0"."id" as text) as "t" from "${T}" as "t0" order by "t0"."id" asc`,
      ['-x', 0, 3, 'big', 'small'],
    )
    expect(rows.map(r => [r['up'], r['label'], r['qty'], r['size'], r['t']])).toEqual([
      ['A', 'a-x', 3, 'small', '1'],
      ['B', 'b-x', 4, 'big', '2'],
      ['A', 'a-x', 0, 'small', '3'],
      ['C', 'c-x', 7, 'big', '4'],
    ])
    expect((rows[0]?.['month'] as Date).toISOString()).toBe('2026-01-01T00:00:00.000Z')
  })
})

describe('aggregates and grouping', () => {
  it('count(*), count(x), sum, avg, min, max, filter, group by, having, order by an aggregate', async () => {
    const n = X.agg('count', [])
    const s = S.set('having', [X.compare('gt', n, X.param(0))])(
      S.set('groupBy', [c('kind')])(
        S.withOrder([{ expr: n, dir: 'desc', nulls: 'default' }, asc(c('kind'))])(
          base([
            out('kind', c('kind')),
            out('n', n),
            out('withQty', X.agg('count', [c('qty')])),
            out('total', X.agg('sum', [c('qty')])),
            out('cheap', X.agg('count', [], { filter: X.compare('lt', c('price'), X.param(2)) })),
            out('top', X.agg('max', [c('price')])),
          ]),
        ),
      ),
    )
    const rows = await run(
      s,
      `select "t0"."kind", count(*) as "n", count("t0"."qty") as "withQty", sum("t0"."qty") as "total", count(*) filter (where "t0"."price" < $1) as "cheap", max("t0"."price") as "top" from "${T}" as "t0" group by "t0"."kind" having count(*) > $2 order by count(*) desc, "t0"."kind" asc`,
      [2, 0],
    )
    expect(rows).toEqual([
      { kind: 'a', n: '2', withQty: '1', total: '3', cheap: '1', top: '3.00' },
      { kind: 'b', n: '1', withQty: '1', total: '4', cheap: '0', top: '2.25' },
      { kind: 'c', n: '1', withQty: '1', total: '7', cheap: '0', top: null },
    ])
  })

  it('ordered and distinct aggregates; an aggregate over no rows', async () => {
    const s = S.withWhere(X.compare('gt', c('id'), X.param(0)))(
      base([
        out(
          'kinds',
          X.agg('stringAgg', [c('kind'), X.param(',')], { distinct: true, orderBy: [asc(c('kind'))] }),
        ),
        out(
          'ids',
          X.agg('arrayAgg', [c('id')], { orderBy: [{ expr: c('id'), dir: 'desc', nulls: 'default' }] }),
        ),
        out('all', X.agg('boolAnd', [X.compare('gt', c('id'), X.param(0))])),
      ]),
    )
    const rows = await run(
      s,
      `select string_agg(distinct "t0"."kind", $1 order by "t0"."kind" asc) as "kinds", array_agg("t0"."id" order by "t0"."id" desc) as "ids", bool_and("t0"."id" > $2) as "all" from "${T}" as "t0" where "t0"."id" > $3`,
      [',', 0, 0],
    )
    expect(rows).toEqual([{ kinds: 'a,b,c', ids: [4, 3, 2, 1], all: true }])
    const none = await run(
      S.withWhere(X.bool(false))(base([out('n', X.agg('count', [])), out('s', X.agg('sum', [c('qty')]))])),
      `select count(*) as "n", sum("t0"."qty") as "s" from "${T}" as "t0" where false`,
      [],
    )
    expect(none).toEqual([{ n: '0', s: null }])
  })

  it('distinct on keeps the first row of each key in order', async () => {
    const s = S.set('distinctOn', [c('kind')])(
      S.withOrder([asc(c('kind')), { expr: c('id'), dir: 'desc', nulls: 'default' }])(
        base([out('kind', c('kind')), out('id', c('id'))]),
      ),
    )
    const rows = await run(
      s,
      `select distinct on ("t0"."kind") "t0"."kind", "t0"."id" from "${T}" as "t0" order by "t0"."kind" asc, "t0"."id" desc`,
      [],
    )
    expect(rows).toEqual([
      { kind: 'a', id: 3 },
      { kind: 'b', id: 2 },
      { kind: 'c', id: 4 },
    ])
  })
})

describe('joins and subqueries', () => {
  it('right and full joins', async () => {
    const owners = { table: U, alias: 't1' }
    const on = X.eq(c('owner_id'), c('id', 't1'))
    const cols = [out('item', c('id')), out('owner', c('name', 't1'))]
    const full = S.withOrder([asc(c('id')), asc(c('name', 't1'))])(
      S.withJoins([S.join('full', owners, on)])(base(cols)),
    )
    const rows = await run(
      full,
      `select "t0"."id" as "item", "t1"."name" as "owner" from "${T}" as "t0" full join "${U}" as "t1" on "t0"."owner_id" = "t1"."id" order by "t0"."id" asc, "t1"."name" asc`,
      [],
    )
    expect(rows).toEqual([
      { item: 1, owner: 'ada' },
      { item: 2, owner: 'ada' },
      { item: 3, owner: 'bob' },
      { item: 4, owner: null },
      { item: null, owner: 'cy' },
    ])
    const right = await run(
      S.withOrder([asc(c('name', 't1'))])(
        S.withJoins([S.join('right', owners, on)])(base([out('owner', c('name', 't1'))])),
      ),
      `select "t1"."name" as "owner" from "${T}" as "t0" right join "${U}" as "t1" on "t0"."owner_id" = "t1"."id" order by "t1"."name" asc`,
      [],
    )
    expect(right.map(r => r['owner'])).toEqual(['ada', 'ada', 'bob', 'cy'])
  })

  it('a correlated scalar subquery and in (select ...)', async () => {
    const counted = S.withWhere(X.eq(c('owner_id', 's1'), c('id')))(
      S.create({ table: T, alias: 's1' }, [out('n', X.agg('count', []))]),
    )
    const kinds = S.withWhere(X.compare('gt', c('qty', 's2'), X.param(3)))(
      S.create({ table: T, alias: 's2' }, [out('owner_id', c('owner_id', 's2'))]),
    )
    const s = S.withOrder([asc(c('id'))])(
      S.create({ table: U, alias: 't0' }, [
        out('name', c('name')),
        out('items', X.scalar(counted)),
        out('big', X.inSelect(c('id'), kinds)),
      ]),
    )
    const rows = await run(
      s,
      `select "t0"."name", (select count(*) as "n" from "${T}" as "s1" where "s1"."owner_id" = "t0"."id") as "items", "t0"."id" in (select "s2"."owner_id" from "${T}" as "s2" where "s2"."qty" > $1) as "big" from "${U}" as "t0" order by "t0"."id" asc`,
      [3],
    )
    // NULL owner_id among the subquery's rows: no match is unknown (null), as SQL's three-valued `in`.
    expect(rows).toEqual([
      { name: 'ada', items: '2', big: true },
      { name: 'bob', items: '1', big: null },
      { name: 'cy', items: '0', big: null },
    ])
  })
})

describe('Check refuses malformed nodes, naming them', () => {
  it.each([
    ['an unknown function', X.call('nope' as never, [X.param(1)]), /'nope' is not a function/],
    [
      'a function with the wrong arity',
      X.call('nullif', [X.param(1)]),
      /'nullif' is not a function with 1 arguments/,
    ],
    [
      'a cast to an unknown type',
      X.cast(X.param(1), 'int; drop' as never),
      /is not a type a value can be cast to/,
    ],
    ['an aggregate with the wrong arity', X.agg('sum', []), /'sum' is not an aggregate with 0 arguments/],
    [
      'an unknown arithmetic operator',
      X.arith('pow' as never, X.param(1), X.param(2), false),
      /unknown arithmetic operator 'pow'/,
    ],
  ])('%s', (_, e, message) => {
    expect(Check.select(base([out('x', e)])) ?? 'accepted').toMatch(message)
  })

  it('distinct with distinct on, and a per-parent window with grouping', () => {
    const both = S.set('distinctOn', [c('kind')])(S.set('distinct', true)(base([out('kind', c('kind'))])))
    expect(Check.select(both)).toMatch(/distinct or distinct on, not both/)
    const ranked = S.set(
      'perParent',
      O.some({ keys: [c('kind')], limit: O.some(1), offset: O.none, distinctKeys: O.none }),
    )(S.set('groupBy', [c('kind')])(base([out('kind', c('kind'))])))
    expect(Check.select(ranked)).toMatch(/per-parent window does not combine with group by/)
  })
})
