// Acceptance, issue 15 (query algebra I), bad input: every new combinator fed junk from untyped code
// (cast through unknown): unknown columns and names, `__proto__` / `constructor` as columns, outputs and
// bindings, values of the wrong type (NaN, Infinity, undefined, objects, arrays, symbols, BigInts),
// aggregates where they are not allowed, grouping violations, subqueries of the wrong shape. Each must
// be a QueryError naming the culprit, the same from `Query.toSql`, PostgreSQL and the memory interpreter
// (so never a throw, never a PostgreSQL error the user has to decode, never silently accepted).
// test/trust/boundary.test.ts checks that every export settles under junk; this file checks what the
// Left says.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pg, Pred, Query, Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { repeatedPrefix } from './messages.js'

const user = Schema.table('user', 'users', {
  id: Column.serial,
  name: Column.text,
  email: Column.nullable(Column.text),
})
const task = Schema.table('task', 'tasks', {
  id: Column.serial,
  assignee_id: Column.nullable(Column.integer),
  title: Column.text,
  estimate: Column.nullable(Column.integer),
  price: Column.numeric,
  due: Column.nullable(Column.timestamptz),
})
const M = Schema.modelOrThrow(
  { user, task },
  {
    user: { tasks: Schema.hasMany('task', { foreignKey: 'assignee_id' }) },
    task: { assignee: Schema.belongsTo('user', { foreignKey: 'assignee_id' }) },
  },
)

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    `create table users (id integer primary key, name text not null, email text)`,
    `create table tasks (id integer primary key, assignee_id integer references users(id), title text not null,
       estimate integer, price numeric(10, 2) not null, due timestamptz)`,
    `insert into users values (1, 'a', null), (2, 'b', 'b@example.com')`,
    `insert into tasks values (1, 1, 't', 3, 1.50, null), (2, null, 'u', null, 2.00, '2026-01-01T00:00:00Z')`,
  ])
  tables = new Map([
    ['users', [...(await db.sql`select * from users order by id`)]],
    ['tasks', [...(await db.sql`select * from tasks order by id`)]],
  ])
})
afterAll(async () => db.close())

// Untyped code: any function, called with anything.
type Loose = (...args: ReadonlyArray<unknown>) => Loose
const u = (f: unknown): Loose => f as Loose
type Row = Readonly<Record<string, Loose>>

const users = Query.from(M, 'user')
const tasks = Query.from(M, 'task')
const twoOutputs = pipe(
  tasks,
  Query.select(t => ({ a: t.id, b: t.title })),
)
const grouped = pipe(
  tasks,
  Query.groupBy(t => [t.title]),
)

const where = (f: (t: Row, $: Row) => unknown) => u(Query.where)(f)(tasks) as unknown as Query.AnyQuery
const whereUser = (f: (p: Row, $: Row) => unknown) => u(Query.where)(f)(users) as unknown as Query.AnyQuery
const select = (f: (t: Row, $: Row) => unknown) => u(Query.select)(f)(tasks) as unknown as Query.AnyQuery
const selectUser = (f: (p: Row, $: Row) => unknown) => u(Query.select)(f)(users) as unknown as Query.AnyQuery
const on = <Q>(q: Q, ...fs: ReadonlyArray<unknown>) =>
  fs.reduce<unknown>((acc, f) => u(f)(acc), q) as unknown as Query.AnyQuery
const boom = () => {
  throw new Error('boom')
}

/** The query is refused with a QueryError whose message matches `culprit`, alike on every path. */
const refused = async (q: Query.AnyQuery, culprit: RegExp): Promise<void> => {
  const compiled = Query.toSql(q)
  expect(E.isLeft(compiled) && compiled.left, 'toSql').toMatchObject({
    _tag: 'QueryError',
    message: expect.stringMatching(culprit),
  })
  const pg = await Pg.all(q)(db.sql)()
  expect(pg, 'PostgreSQL').toEqual(compiled)
  expect(await Memory.all(q)(tables)(), 'memory').toEqual(compiled)
  // it names where it comes from once (see ./messages.test.ts)
  expect(E.isLeft(compiled) && repeatedPrefix(compiled.left.message), 'a repeated prefix').toBeNull()
}

type Case = readonly [string, () => Query.AnyQuery, RegExp]
const cases = (rows: ReadonlyArray<Case>) =>
  rows.forEach(([name, build, culprit]) => it(name, () => refused(build(), culprit)))

describe('projections: outputs that are not terms, names that cannot be outputs', () => {
  const junk: ReadonlyArray<readonly [string, unknown]> = [
    ['a string', 'lit'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['NaN', NaN],
    ['an object', {}],
    ['an array', []],
    ['a symbol', Symbol('s')],
    ['a BigInt', 10n],
    ['a function', () => 1],
  ]
  cases(
    junk.map(([what, v]): Case => [
      `an output that is ${what}`,
      () => selectUser(() => ({ x: v })),
      /output 'x' must be a term/,
    ]),
  )
  cases([
    ['an unknown column', () => selectUser(p => ({ x: p['nope'] })), /schema 'user' has no column 'nope'/],
    ['p.constructor', () => selectUser(p => ({ x: p['constructor'] })), /no column 'constructor'/],
    ['p.__proto__', () => selectUser(p => ({ x: p['__proto__'] })), /no column '__proto__'/],
    ['p.toString', () => selectUser(p => ({ x: p['toString'] })), /no column 'toString'/],
    [
      'an own __proto__ output',
      () => selectUser(p => Object.defineProperty({}, '__proto__', { value: p['id'], enumerable: true })),
      /output name '__proto__'/,
    ],
    ['an empty output name', () => selectUser(p => ({ '': p['id'] })), /output name/],
    ['an output name with NUL', () => selectUser(p => ({ 'a\u0000b': p['id'] })), /NUL/],
    ['an output name over 63 bytes', () => selectUser(p => ({ ['é'.repeat(32)]: p['id'] })), /64 bytes/],
    ['no output', () => selectUser(() => ({})), /at least one output/],
    [
      'an output under a symbol key (dropped by Object.entries)',
      () => selectUser(p => ({ [Symbol('k')]: p['id'], a: p['id'] })),
      /Query\.select: output names are strings, got Symbol\(k\)/,
    ],
    [
      'selectMerge with a symbol key',
      () =>
        u(Query.selectMerge)((p: Row) => ({ [Symbol('k')]: p['id'] }))(users) as unknown as Query.AnyQuery,
      /Query\.selectMerge: output names are strings/,
    ],
    ['a callback returning an array', () => selectUser(p => [p['id']]), /object of terms/],
    ['a callback that throws', () => selectUser(boom), /Query\.select.*boom/],
    [
      'a getter that throws',
      () =>
        selectUser(() => ({
          get x() {
            return boom()
          },
        })),
      /Query\.select.*boom/,
    ],
    [
      'not a callback',
      () => u(Query.select)(42)(users) as unknown as Query.AnyQuery,
      /Query\.select: expected a callback/,
    ],
    [
      'an output named like a preloaded association',
      () =>
        on(
          pipe(
            users,
            Query.select(p => ({ tasks: p.name })),
          ),
          u(Query.preload)({ tasks: true }),
        ),
      /output named 'tasks'/,
    ],
    [
      'selectMerge of a value',
      () => u(Query.selectMerge)(() => ({ id: 'x' }))(users) as unknown as Query.AnyQuery,
      /Query\.selectMerge: output 'id'/,
    ],
  ])

  it('an SQL-looking output name is a quoted identifier, and the row key', async () => {
    const name = 'x" from users; drop table users; --'
    const q = selectUser(p => ({ [name]: p['id'] }))
    const compiled = Query.toSql(q)
    expect(E.isRight(compiled) && compiled.right.text).toBe(
      'select "t0"."id" as "x"" from users; drop table users; --" from "users" as "t0"',
    )
    const expected = (await db.sql`select id from users`).map(r => ({ [name]: r['id'] }))
    expect(await Pg.all(q)(db.sql)()).toEqual(E.right(expected))
    expect(await Memory.all(q)(tables)()).toEqual(E.right(expected))
  })
})

describe('subqueries of the wrong shape', () => {
  cases([
    [
      'Fn.scalar of two outputs',
      () => selectUser(() => ({ x: u(Fn.scalar)(twoOutputs) })),
      /Fn\.scalar: .*exactly 1 output.*got 2 outputs/,
    ],
    [
      'Fn.scalar of whole rows',
      () => selectUser(() => ({ x: u(Fn.scalar)(tasks) })),
      /Fn\.scalar: .*got whole rows/,
    ],
    [
      'Fn.scalar of a query-shaped object',
      () => selectUser(() => ({ x: u(Fn.scalar)({ select: 1 }) })),
      /Fn\.scalar: expected a query/,
    ],
    [
      'Pred.in over two outputs',
      () => whereUser(p => u(Pred.in)(p['id'], twoOutputs)),
      /Pred\.in: .*got 2 outputs/,
    ],
    ['Pred.exists of a number', () => whereUser(() => u(Pred.exists)(42)), /Pred\.exists: expected a query/],
    [
      'Query.fromQuery of whole rows',
      () => u(Query.fromQuery)(tasks) as unknown as Query.AnyQuery,
      /Query\.fromQuery: expected a projection.*'task'/,
    ],
    [
      'an unknown output of a fromQuery',
      () =>
        on(
          u(Query.fromQuery)(twoOutputs),
          u(Query.select)((r: Row) => ({ n: r['nope'] })),
        ),
      /has no output 'nope'/,
    ],
    [
      'a preload over a fromQuery',
      () => on(u(Query.fromQuery)(twoOutputs), u(Query.preload)({ tasks: true })),
      /Query\.preload: a query over the subquery of Query\.fromQuery \(a query of 'task'\)/,
    ],
  ])
})

describe('aggregates where they are not allowed, nested, and grouping violations', () => {
  const agg = /cannot hold an aggregate/
  cases([
    ['an aggregate in a where', () => where(() => Pred.gt(Fn.count(), 1)), agg],
    [
      'an aggregate in a case in a where',
      () => where(t => Pred.eq(Fn.case_([[Pred.gt(Fn.count(), 1), 1]], 0), t['id'] as never)),
      agg,
    ],
    [
      'an aggregate in a groupBy',
      () => u(Query.groupBy)(() => [Fn.count()])(tasks) as unknown as Query.AnyQuery,
      agg,
    ],
    [
      'an aggregate in a join on',
      () =>
        u(Query.join)('tasks', 'left', { on: () => Pred.gt(Fn.count(), 0) })(
          users,
        ) as unknown as Query.AnyQuery,
      agg,
    ],
    [
      'an aggregate in a relation count filter',
      () => selectUser((_, $) => ({ n: u($['count'])('tasks', () => Pred.gt(Fn.count(), 1)) })),
      agg,
    ],
    [
      'an aggregate in a distinctOn',
      () => u(Query.distinctOn)(() => [Fn.count()])(tasks) as unknown as Query.AnyQuery,
      /distinct on term/,
    ],
    [
      'an aggregate inside an aggregate',
      () => select(t => ({ x: Fn.sum(u(Fn.count)(t['id']) as never) })),
      /aggregate cannot hold another aggregate/,
    ],
    [
      'an aggregate in an aggregate filter',
      () => select(() => ({ x: Fn.count({ filter: Pred.gt(Fn.count(), 1) }) })),
      /aggregate cannot hold another aggregate/,
    ],
    [
      'a non-grouped column in the projection',
      () =>
        on(
          grouped,
          u(Query.select)((t: Row) => ({ t: t['estimate'] })),
        ),
      /'task\.estimate' is neither grouped/,
    ],
    [
      'a non-grouped column in the order',
      () =>
        on(
          pipe(
            grouped,
            Query.select(t => ({ t: t.title })),
          ),
          u(Query.orderBy)((t: Row) => [t['estimate']]),
        ),
      /'task\.estimate' is neither grouped/,
    ],
    [
      'a non-grouped column in a having',
      () =>
        on(
          grouped,
          u(Query.having)((t: Row) => Pred.gt(t['estimate'] as never, 1)),
          u(Query.select)((t: Row) => ({ t: t['title'] })),
        ),
      /'task\.estimate' is neither grouped/,
    ],
    [
      'a non-grouped column correlated into a scalar subquery',
      () =>
        on(
          grouped,
          u(Query.select)((t: Row) => ({
            s: Fn.scalar(
              pipe(
                users,
                Query.where(x => Pred.eq(x.id, t['estimate'] as never)),
                Query.select(x => ({ n: x.name })),
              ),
            ),
          })),
        ),
      /'task\.estimate' is neither grouped/,
    ],
    ['whole rows of a grouped query', () => grouped, /'task\.id' is neither grouped/],
    // the step's own error comes first, not the grouped whole rows of the step before it
    [
      'a grouped select with a string_agg whose separator is a number',
      () =>
        on(
          grouped,
          u(Query.select)((t: Row) => ({ t: t['title'], x: u(Fn.stringAgg)(t['title'], 42) })),
        ),
      /stringAgg/,
    ],
    [
      'a grouped select with a string_agg of an integer',
      () =>
        on(
          grouped,
          u(Query.select)((t: Row) => ({ t: t['title'], x: u(Fn.stringAgg)(t['id'], ',') })),
        ),
      /Fn\.stringAgg: expected a term of text/,
    ],
    [
      'a grouped select with an array_agg ordered by a string',
      () =>
        on(
          grouped,
          u(Query.select)((t: Row) => ({ t: t['title'], x: u(Fn.arrayAgg)(t['id'], { orderBy: 'x' }) })),
        ),
      /arrayAgg/,
    ],
    [
      'a having returning a string',
      () =>
        on(
          grouped,
          u(Query.having)(() => 'x'),
        ),
      /having callback must return a predicate/,
    ],
    [
      'an ungrouped column beside an aggregate',
      () => selectUser(p => ({ n: p['name'], c: Fn.count() })),
      /'user\.name' is neither grouped/,
    ],
  ])
})

describe('names: columns, associations, bindings, join kinds', () => {
  cases([
    [
      'groupBy returning a string',
      () => u(Query.groupBy)(() => 'x')(tasks) as unknown as Query.AnyQuery,
      /Query\.groupBy: the callback must return a list of terms/,
    ],
    [
      'groupBy of an unknown column',
      () => u(Query.groupBy)((t: Row) => [t['nope']])(tasks) as unknown as Query.AnyQuery,
      /no column 'nope'/,
    ],
    [
      'distinctOn of an unknown column',
      () => u(Query.distinctOn)((t: Row) => [t['nope']])(tasks) as unknown as Query.AnyQuery,
      /no column 'nope'/,
    ],
    ...(['nope', '__proto__', 'constructor'] as const).map((n): Case => [
      `orderBy '${n}'`,
      () => u(Query.orderBy)([n])(tasks) as unknown as Query.AnyQuery,
      new RegExp(`cannot order by "${n}"`),
    ]),
    [
      'orderBy a direction that is not one',
      () => u(Query.orderBy)([['sideways', 'id']])(tasks) as unknown as Query.AnyQuery,
      /cannot order by \["sideways","id"\]/,
    ],
    [
      'orderBy a value',
      () => u(Query.orderBy)(() => [NaN])(tasks) as unknown as Query.AnyQuery,
      /cannot order by NaN/,
    ],
    [
      'join of an unknown kind',
      () => u(Query.join)('tasks', 'sideways')(users) as unknown as Query.AnyQuery,
      /got "sideways"/,
    ],
    [
      'join of __proto__',
      () => u(Query.join)('__proto__')(users) as unknown as Query.AnyQuery,
      /no association '__proto__'/,
    ],
    [
      'join of constructor',
      () => u(Query.join)('constructor')(users) as unknown as Query.AnyQuery,
      /no association 'constructor'/,
    ],
    [
      'join as __proto__',
      () => u(Query.join)('tasks', 'left', { as: '__proto__' })(users) as unknown as Query.AnyQuery,
      /option 'as'.*"__proto__"/,
    ],
    [
      'join on returning a value',
      () => u(Query.join)('tasks', 'left', { on: () => 42 })(users) as unknown as Query.AnyQuery,
      /Query\.join: option on must return a predicate/,
    ],
    [
      'join on that throws',
      () => u(Query.join)('tasks', 'left', { on: boom })(users) as unknown as Query.AnyQuery,
      /Query\.join.*boom/,
    ],
    [
      '$.joined of a name not joined',
      () => selectUser((_, $) => ({ n: ($['joined'] as unknown as Record<string, Row>)['nope']?.['x'] })),
      /'nope' is not joined/,
    ],
    [
      'joinQuery of a plain object',
      () =>
        u(Query.joinQuery)({}, 'left', { as: 'x', on: () => Pred.and() })(users) as unknown as Query.AnyQuery,
      /joinQuery: expected a query/,
    ],
    [
      'joinQuery of whole rows',
      () =>
        u(Query.joinQuery)(tasks, 'left', { as: 'x', on: () => Pred.and() })(
          users,
        ) as unknown as Query.AnyQuery,
      /joinQuery: expected a projection/,
    ],
    [
      'joinQuery of an unknown kind',
      () =>
        u(Query.joinQuery)(twoOutputs, 'sideways', { as: 'x', on: () => Pred.and() })(
          users,
        ) as unknown as Query.AnyQuery,
      /got "sideways"/,
    ],
    ...(['__proto__', '', undefined] as const).map((as): Case => [
      `joinQuery as ${String(as)}`,
      () =>
        u(Query.joinQuery)(twoOutputs, 'left', { as, on: () => Pred.and() })(
          users,
        ) as unknown as Query.AnyQuery,
      /option 'as' must be a non-empty name/,
    ]),
    [
      'joinQuery on an unknown output',
      () =>
        u(Query.joinQuery)(twoOutputs, 'left', {
          as: 'x',
          on: (s: Row, p: Row) => Pred.eq(s['nope'] as never, p['id'] as never),
        })(users) as unknown as Query.AnyQuery,
      /joined subquery 'x' has no output 'nope'/,
    ],
    [
      'joinQuery on returning a value',
      () =>
        u(Query.joinQuery)(twoOutputs, 'left', { as: 'x', on: () => 42 })(users) as unknown as Query.AnyQuery,
      /option on must return a predicate/,
    ],
    [
      'joinQuery under a name already bound',
      () =>
        on(
          users,
          u(Query.join)('tasks'),
          u(Query.joinQuery)(twoOutputs, 'left', {
            as: 'tasks',
            on: (s: Row, p: Row) => Pred.eq(s['a'] as never, p['id'] as never),
          }),
        ),
      /the name 'tasks' is already bound/,
    ],
    [
      'joinLateral returning a value',
      () => u(Query.joinLateral)('l', () => 42, 'left')(users) as unknown as Query.AnyQuery,
      /joinLateral: expected a query/,
    ],
    ...(['right', 'full'] as const).map((k): Case => [
      `joinLateral ${k}`,
      () => u(Query.joinLateral)('l', () => twoOutputs, k)(users) as unknown as Query.AnyQuery,
      /lateral join is 'inner' or 'left'/,
    ]),
    [
      'joinLateral of whole rows',
      () => u(Query.joinLateral)('l', () => tasks, 'left')(users) as unknown as Query.AnyQuery,
      /joinLateral: expected the callback to return a projection/,
    ],
    [
      'joinLateral named __proto__',
      () => u(Query.joinLateral)('__proto__', () => twoOutputs, 'left')(users) as unknown as Query.AnyQuery,
      /"__proto__"/,
    ],
    [
      'joinLateral whose callback throws',
      () => u(Query.joinLateral)('l', boom, 'left')(users) as unknown as Query.AnyQuery,
      /joinLateral.*boom/,
    ],
    ...(['nope', '__proto__', 'constructor'] as const).map((a): Case => [
      `$.count('${a}')`,
      () => selectUser((_, $) => ({ n: u($['count'])(a) })),
      new RegExp(`schema 'user' has no association '${a}'`),
    ]),
    [
      'a relation count filter returning a value',
      () => selectUser((_, $) => ({ n: u($['count'])('tasks', () => 42) })),
      /must return a predicate/,
    ],
    [
      '$.sum of text',
      () => selectUser((_, $) => ({ n: u($['sum'])('tasks', (t: Row) => t['title']) })),
      /Fn\.sum: expected a term of numbers, got a term of type text/,
    ],
    [
      '$.sum without a callback',
      () => selectUser((_, $) => ({ n: u($['sum'])('tasks', 42) })),
      /\$\.sum takes a callback/,
    ],
    [
      '$.sum of a value',
      () => selectUser((_, $) => ({ n: u($['sum'])('tasks', () => 5) })),
      /callback of \$\.sum must return a term/,
    ],
  ])
})

describe('values of the wrong type beside a column: refused naming the column, before any SQL', () => {
  const junk: ReadonlyArray<readonly [string, unknown]> = [
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['undefined', undefined],
    ['an object', {}],
    ['an array', []],
    ['a symbol', Symbol('s')],
    ['a BigInt', 10n],
    ['a fraction', 2.5],
    ['2^40 (beyond integer)', 2 ** 40],
    ['text', 'x'],
    ['a boolean', true],
  ]
  cases(
    junk.flatMap(([what, v]): ReadonlyArray<Case> => [
      [
        `Pred.eq(integer column, ${what})`,
        () => where(t => u(Pred.eq)(t['estimate'], v)),
        /Pred\.eq: .* is not a value of column 'estimate'/,
      ],
      [
        `Pred.in(integer column, [1, ${what}])`,
        () => where(t => u(Pred.in)(t['id'], [1, v])),
        /Pred\.in: .* is not a value of column 'id'/,
      ],
      [
        `Pred.rowGt([integer column], [${what}])`,
        () => where(t => u(Pred.rowGt)([t['id']], [v])),
        /Pred\.rowGt: .* is not a value of column 'id'/,
      ],
    ]),
  )
  cases([
    [
      'Pred.eq(text column, 5)',
      () => where(t => u(Pred.eq)(t['title'], 5)),
      /Pred\.eq: 5 is not a value of column 'title'/,
    ],
    [
      'Pred.like(text column, 5)',
      () => where(t => u(Pred.like)(t['title'], 5)),
      /Pred\.like: 5 is not a value of column 'title'/,
    ],
    [
      'Pred.ilike(text column, an object)',
      () => where(t => u(Pred.ilike)(t['title'], {})),
      /Pred\.ilike: .* is not a value of column 'title'/,
    ],
    [
      "Pred.gt(numeric column, 'abc')",
      () => where(t => u(Pred.gt)(t['price'], 'abc')),
      /Pred\.gt: "abc" is not a value of column 'price'/,
    ],
    [
      "Pred.gt(numeric term, '+nan')",
      () => where(t => u(Pred.gt)(u(Fn.mul)(t['price'], 2), '+nan')),
      /Pred\.gt: "\+nan" is not a value of the term beside it/,
    ],
    [
      'Pred.gt(timestamptz column, an invalid Date)',
      () => where(t => u(Pred.gt)(t['due'], new Date('x'))),
      /Pred\.gt: .* is not a value of column 'due'/,
    ],
    [
      'Pred.lt(count, a fraction)',
      () => selectUser((_, $) => ({ n: u($['count'])('tasks', (t: Row) => u(Pred.lt)(t['id'], 0.5)) })),
      /Pred\.lt: 0\.5 is not a value of column 'id'/,
    ],
  ])

  it('the value null and values of the column type still compare (NULL matches nothing)', async () => {
    for (const [q, text, params] of [
      [where(t => u(Pred.eq)(t['estimate'], null)), 'select id from tasks where estimate = $1', [null]],
      [
        where(t => u(Pred.in)(t['id'], [2, null])),
        'select id from tasks where id = any($1::int[])',
        [[2, null]],
      ],
      [where(t => u(Pred.gt)(t['price'], '1.75')), 'select id from tasks where price > $1', ['1.75']],
      [
        where(t => u(Pred.eq)(t['estimate'], -2147483648)),
        'select id from tasks where estimate = $1',
        [-2147483648],
      ],
    ] as const) {
      const expected = [...(await db.sql.unsafe(text, params as never))].map(r => r['id'])
      const ids = E.map((rs: ReadonlyArray<Readonly<Record<string, unknown>>>) => rs.map(r => r['id']))
      expect(ids(await Pg.all(q)(db.sql)()), text).toEqual(E.right(expected))
      expect(ids(await Memory.all(q)(tables)()), text).toEqual(E.right(expected))
    }
  })

  it('a huge string is a parameter like any other', async () => {
    const q = where(t => u(Pred.eq)(t['title'], 'x'.repeat(2_000_000)))
    expect(await Pg.all(q)(db.sql)()).toEqual(E.right([]))
    expect(await Memory.all(q)(tables)()).toEqual(E.right([]))
  })
})

describe('values of the wrong type in Fn', () => {
  cases([
    ...([NaN, Infinity, 2.5] as const).map((v): Case => [
      `Fn.add(integer column, ${v})`,
      () => select(t => ({ x: u(Fn.add)(t['estimate'], v) })),
      /Fn\.add: .* is not a whole number within the range of integer/,
    ]),
    [
      'Fn.add of text',
      () => select(t => ({ x: u(Fn.add)(t['title'], 1) })),
      /Fn\.add: expected a term of numbers, got a term of type text/,
    ],
    ['Fn.add of two values', () => select(() => ({ x: u(Fn.add)(1, 2) })), /Fn\.add: expected a term/],
    [
      "Fn.mul(numeric, 'abc')",
      () => select(t => ({ x: u(Fn.mul)(t['price'], 'abc') })),
      /Fn\.mul: expected a number or decimal text, got "abc"/,
    ],
    [
      'Fn.cast to a type that is not one',
      () => select(t => ({ x: u(Fn.cast)(t['title'], 'integer); drop table users; --') })),
      /Fn\.cast: expected a type/,
    ],
    ...(["month'); drop table users; --", '__proto__'] as const).map((unit): Case => [
      `Fn.dateTrunc(${JSON.stringify(unit)})`,
      () => select(t => ({ x: u(Fn.dateTrunc)(unit, t['due']) })),
      /Fn\.dateTrunc: expected a unit/,
    ]),
    [
      'Fn.dateTrunc of text',
      () => select(t => ({ x: u(Fn.dateTrunc)('month', t['title']) })),
      /Fn\.dateTrunc: expected a term of timestamps/,
    ],
    [
      'Fn.lower of an integer',
      () => select(t => ({ x: u(Fn.lower)(t['id']) })),
      /Fn\.lower: expected a term of text/,
    ],
    [
      'Fn.concat with an object',
      () => select(t => ({ x: u(Fn.concat)(t['title'], {}) })),
      /Fn\.concat: expected parts of text/,
    ],
    [
      'Fn.count with a filter that is not a condition',
      () => select(() => ({ x: u(Fn.count)({ filter: 'x' }) })),
      /condition built by Pred/,
    ],
    ['Fn.count of a value', () => select(() => ({ x: u(Fn.count)(5) })), /Fn\.count: expected options/],
    [
      'Fn.sum of text',
      () => select(t => ({ x: u(Fn.sum)(t['title']) })),
      /Fn\.sum: expected a term of numbers/,
    ],
    [
      'Fn.boolAnd of an integer',
      () => select(t => ({ x: u(Fn.boolAnd)(t['id']) })),
      /Fn\.boolAnd: expected a condition/,
    ],
    [
      'Fn.case_ with a condition that is a value',
      () => select(() => ({ x: u(Fn.case_)([[true, 1]], 0) })),
      /condition built by Pred/,
    ],
    [
      'Fn.fragment called as a function',
      () => select(() => ({ x: u(u(Fn.fragment)(Column.integer))('select 1') })),
      /Fn\.fragment: expected a tagged template/,
    ],
    [
      'Fn.fragment of a number as its type',
      () => select(() => ({ x: u(Fn.fragment)(42)`1` })),
      /Fn\.fragment: expected a Column or an io-ts codec/,
    ],
    [
      'Pred.rowLt of lists of two lengths',
      () => where(t => u(Pred.rowLt)([t['id'], t['title']], [1])),
      /got 2 and 1/,
    ],
    [
      'Query.limit(NaN)',
      () => u(Query.limit)(NaN)(tasks) as unknown as Query.AnyQuery,
      /limit expects a whole number/,
    ],
    [
      'Query.offset(-1)',
      () => u(Query.offset)(-1)(tasks) as unknown as Query.AnyQuery,
      /offset expects a whole number/,
    ],
  ])
})

describe('plain values beside a typed term in Fn: refused naming the function, column and reason', () => {
  const junk: ReadonlyArray<readonly [string, unknown]> = [
    ['undefined', undefined],
    ['an object', {}],
    ['a symbol', Symbol('s')],
    ['a BigInt', 5n],
    ['text', 'x'],
    ['a boolean', true],
  ]
  cases(
    junk.flatMap(([what, v]): ReadonlyArray<Case> => [
      [
        `Fn.coalesce(integer column, ${what})`,
        () => select(t => ({ x: u(Fn.coalesce)(t['estimate'], v) })),
        /Fn\.coalesce: .* is not a value of column 'estimate' \(expected an integer within the range of integer\)/,
      ],
      [
        `Fn.nullif(integer column, Pred.value(${what}))`,
        () => select(t => ({ x: u(Fn.nullif)(t['estimate'], Pred.value(v)) })),
        /Fn\.nullif: .* is not a value of column 'estimate'/,
      ],
      ...(['add', 'sub', 'mul', 'div', 'mod'] as const)
        .filter(() => typeof v !== 'string')
        .map((op): Case => [
          `Fn.${op}(integer column, ${what})`,
          () => select(t => ({ x: u(Fn[op])(t['estimate'], v) })),
          new RegExp(
            `Fn\\.${op}: (.* is not a value of column 'estimate'|expected a number or decimal text, got undefined)`,
          ),
        ]),
      [
        `Fn.case_ with a branch of ${what} beside an integer column`,
        () => select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), t['estimate']]], v) })),
        /Fn\.case_: .* is not a value of column 'estimate'/,
      ],
    ]),
  )
  cases([
    [
      'Fn.coalesce(text column, 42)',
      () => select(t => ({ x: u(Fn.coalesce)(t['title'], 42) })),
      /Fn\.coalesce: 42 is not a value of column 'title' \(expected string\)/,
    ],
    [
      'Fn.nullif(text column, an object)',
      () => select(t => ({ x: u(Fn.nullif)(t['title'], {}) })),
      /Fn\.nullif: .* is not a value of column 'title'/,
    ],
    [
      "Fn.case_ with branches 'a' and 5",
      () => select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), 'a']], 5) })),
      /Fn\.case_: 5 is not of the type of "a" beside it \(text\)/,
    ],
    [
      'Fn.case_ with a branch that is an object and no typed term',
      () => select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), {}]]) })),
      /Fn\.case_: expected a number, text, a boolean or a valid Date/,
    ],
    [
      'Fn.case_ with a branch of undefined and no typed term',
      () => select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), 1]], undefined) })),
      /Fn\.case_: expected a number, text, a boolean or a valid Date, got undefined/,
    ],
    [
      'Fn.coalesce(timestamptz column, an invalid Date)',
      () => select(t => ({ x: u(Fn.coalesce)(t['due'], new Date('x')) })),
      /Fn\.coalesce: .* is not a value of column 'due'/,
    ],
    [
      "Fn.coalesce(numeric column, 'abc')",
      () => select(t => ({ x: u(Fn.coalesce)(t['price'], 'abc') })),
      /Fn\.coalesce: "abc" is not decimal text/,
    ],
    [
      'Fn.add(numeric column, NaN)',
      () => select(t => ({ x: u(Fn.add)(t['price'], NaN) })),
      /Fn\.add: NaN is not a value of column 'price'/,
    ],
    ...([NaN, '2', 2.5, 2001, Infinity, null, {}] as const).map((d): Case => [
      `Fn.round(numeric column, ${typeof d === 'string' ? JSON.stringify(d) : String(d)})`,
      () => select(t => ({ x: u(Fn.round)(t['price'], d) })),
      /Fn\.round: expected digits, a whole number from -2000 to 2000/,
    ]),
  ])

  it('values of the type still pass: Pred.value, null, decimal text and numbers for numeric, Dates', async () => {
    const due = new Date('2026-06-01T00:00:00Z')
    for (const [q, text] of [
      [
        select(t => ({ x: u(Fn.coalesce)(t['estimate'], Pred.value(7)) })),
        'select coalesce(estimate, 7) as x from tasks',
      ],
      [
        select(t => ({ x: u(Fn.coalesce)(t['estimate'], null, 0) })),
        'select coalesce(estimate, null, 0) as x from tasks',
      ],
      [select(t => ({ x: u(Fn.nullif)(t['title'], 't') })), "select nullif(title, 't') as x from tasks"],
      [
        select(t => ({ x: u(Fn.coalesce)(t['due'], due) })),
        `select coalesce(due, '2026-06-01T00:00:00Z') as x from tasks`,
      ],
      [select(t => ({ x: u(Fn.add)(t['price'], '0.25') })), 'select price + 0.25 as x from tasks'],
      [select(t => ({ x: u(Fn.mul)(t['price'], 2) })), 'select price * 2 as x from tasks'],
      [select(t => ({ x: u(Fn.coalesce)(t['price'], 0) })), 'select coalesce(price, 0) as x from tasks'],
      [
        select(t => ({ x: u(Fn.add)(t['estimate'], -2147483648) })),
        'select estimate + -2147483648 as x from tasks',
      ],
      [select(t => ({ x: u(Fn.round)(t['price'], 1) })), 'select round(price, 1) as x from tasks'],
      [
        select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), 'a']], null) })),
        "select case when id > 1 then 'a' end as x from tasks",
      ],
      [
        select(t => ({ x: u(Fn.case_)([[Pred.gt(t['id'] as never, 1), 1]], 2.5) })),
        'select case when id > 1 then 1::float8 else 2.5 end as x from tasks',
      ],
    ] as const) {
      const expected = [...(await db.sql.unsafe(`${text} order by id`))]
      const pg = await Pg.all(q)(db.sql)()
      expect(E.isRight(pg) && pg.right.map(r => r['x']).length, text).toBe(expected.length)
      expect(pg, text).toEqual(await Memory.all(q)(tables)())
      expect(E.isRight(pg) && pg.right.map(r => r['x']), text).toEqual(
        expected.map(r => (r['x'] instanceof Date ? r['x'] : r['x'])),
      )
    }
  })
})
