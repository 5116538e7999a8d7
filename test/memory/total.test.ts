// The memory interpreter and the preload entry points at the untyped boundary (issue 13, invariant 8):
// what each gives for input it cannot use, pinned value by value (test/trust/boundary.test.ts checks
// only that every call settles to an Either).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import * as Expr from '../../src/ast/Expr.js'
import * as Select from '../../src/ast/Select.js'
import * as W from '../../src/ast/Write.js'
import type { Interpreter } from '../../src/run/Interpreter.js'
import { Column, Memory, Pred, Prepared, Preload, Query, Run, Schema } from '../../src/index.js'

const doc = Schema.table('doc', 'docs', { id: Column.serial, title: Column.text })
const note = Schema.table('note', 'notes', { id: Column.serial, doc_id: Column.integer, body: Column.text })
const M = Schema.modelOrThrow({ doc, note }, { doc: { notes: Schema.hasMany('note') } })
const tables: Memory.Tables = new Map([
  ['docs', [{ id: 1, title: 'one' }]],
  ['notes', [{ id: 1, doc_id: 1, body: 'a' }]],
])
const docs = Query.from(M, 'doc')
const select = docs.select

const throwing = new Proxy(
  {},
  {
    get: () => {
      throw new Error('read')
    },
    getPrototypeOf: () => {
      throw new Error('prototype')
    },
  },
)
const leftOf = (r: E.Either<unknown, unknown>): Readonly<Record<string, unknown>> | null =>
  E.isLeft(r) ? (r.left as Readonly<Record<string, unknown>>) : null

describe('Memory.compareText and compareValues: total, NaN for "no order"', () => {
  it('compare as PostgreSQL does where there is an order', () => {
    expect(Memory.compareText('a', 'b')).toBeLessThan(0)
    expect(Memory.compareValues(2, '10')).toBe(-1)
    expect(Memory.compareValues(new Date(2), new Date(1))).toBeGreaterThan(0)
  })
  it('give NaN for non-strings, pairs without an operator and unreadable values, never a throw', () => {
    const u = Memory.compareText as unknown as (a: unknown, b: unknown) => number
    for (const [a, b] of [
      [1, 'a'],
      [null, undefined],
      [throwing, 'a'],
    ] as const)
      expect(u(a, b)).toBeNaN()
    const cyclic: Array<unknown> = []
    cyclic.push(cyclic)
    for (const [a, b] of [
      ['x', true],
      [throwing, throwing],
      [cyclic, cyclic],
      [Symbol('s'), 1],
    ] as const)
      expect(Memory.compareValues(a, b)).toBeNaN()
  })
  it('the evaluator still fails a comparison without an operator as PostgreSQL does (42883)', async () => {
    const q = pipe(
      docs,
      // a term of its own (a plain `true` beside a text column is refused before the evaluator)
      Query.where(d => Pred.gt(d.title, Pred.value(true) as never)),
    )
    const r = await Memory.all(q)(tables)()
    expect(leftOf(r)).toMatchObject({ _tag: 'DbError', kind: 'UndefinedFunction', code: '42883' })
  })
})

describe('Memory.evaluate refuses what it cannot read with an InvalidArgument naming it', () => {
  const evaluate = Memory.evaluate as unknown as (
    t: unknown,
  ) => (s: unknown, b?: unknown) => E.Either<unknown, unknown>
  const cases: ReadonlyArray<readonly [string, () => E.Either<unknown, unknown>, string]> = [
    ['tables that are not a Map', () => evaluate({ docs: [] })(select), 'expected tables as a Map'],
    ['unreadable tables', () => evaluate(throwing)(select), 'expected tables as a Map'],
    [
      'a select shaped like one',
      () => evaluate(tables)(JSON.parse(JSON.stringify(select))),
      'expected a select built by Ast.Select.create',
    ],
    ['a bind that is not a Map', () => evaluate(tables)(select, [1]), 'placeholders as a Map'],
    ['a table that is not a list', () => evaluate(new Map([['docs', null]]))(select), 'not a list of rows'],
    [
      'a row that is not a record',
      () => evaluate(new Map([['docs', [null]]]))(select),
      'row 0 of table "docs"',
    ],
    ['a row whose reads throw', () => evaluate(new Map([['docs', [throwing]]]))(select), 'Memory.evaluate'],
  ]
  for (const [name, run, message] of cases)
    it(name, () => {
      const e = leftOf(run())
      expect(e).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(String(e?.['message'])).toContain(message)
    })
  it('valid input still evaluates', () => {
    expect(Memory.evaluate(tables)(select)).toEqual(E.right([{ id: 1, title: 'one' }]))
  })
})

describe('the memory store: write, transact and storeOf settle to a Left on junk', () => {
  it('write refuses a statement shaped like one, changing nothing', async () => {
    const db = Memory.store(tables)
    const fake = { _tag: 'Delete', binding: { table: 'docs', alias: 't0' }, where: [], returning: [] }
    const r = await (db.interpreter.write?.(fake as never) ?? TE.right([]))()
    expect(leftOf(r)).toMatchObject({ code: 'InvalidArgument' })
    expect(db.tables().get('docs')).toHaveLength(1)
    // the same statement built by the companion runs
    const real = W.delete_({ binding: { table: 'docs', alias: 't0' }, where: [], returning: ['id'] })
    expect(await (db.interpreter.write?.(real) ?? TE.right([]))()).toEqual(E.right([{ id: 1 }]))
  })

  it('transact: a program that is no function, throws, rejects or gives no Either is a Left; tables restored', async () => {
    const db = Memory.store(tables)
    const del = W.delete_({ binding: { table: 'docs', alias: 't0' }, where: [], returning: [] })
    const deleting = (then: () => unknown) => (i: Interpreter) => async () => {
      await (i.write?.(del) ?? TE.right([]))()
      return then()
    }
    const programs: ReadonlyArray<unknown> = [
      42,
      () => {
        throw new Error('boom')
      },
      () => 'no task',
      deleting(() => Promise.reject(new Error('rejected'))),
      deleting(() => ({ not: 'an Either' })),
    ]
    for (const p of programs) {
      const r = await db.interpreter.transact(p as never)()
      expect(leftOf(r)).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(db.tables().get('docs')).toHaveLength(1)
    }
  })

  it('storeOf refuses tables that are not a Map', () => {
    expect(leftOf(Memory.storeOf(M, [] as never))).toMatchObject({ code: 'InvalidArgument' })
    expect(leftOf(Memory.storeOf(M, throwing as never))).toMatchObject({ code: 'InvalidArgument' })
    expect(E.isRight(Memory.storeOf(M, tables))).toBe(true)
  })
})

describe('Preload entry points name themselves for input they cannot use', () => {
  const i = Memory.interpreter(tables)
  const byId = Prepared.make({ id: t.number }, ({ id }) =>
    pipe(
      Query.from(M, 'doc'),
      Query.where(d => Pred.eq(d.id, id)),
    ),
  )
  const u = <F>(f: F) =>
    f as unknown as (...args: ReadonlyArray<unknown>) => (i: unknown) => TE.TaskEither<unknown, unknown>
  const cases: ReadonlyArray<readonly [string, () => TE.TaskEither<unknown, unknown>, string]> = [
    [
      'fromQuery of a query-shaped value',
      () => u(Preload.fromQuery)({ ...docs })(i),
      'Preload.fromQuery: expected a query',
    ],
    [
      'fromQuery with an unknown strategy',
      () => u(Preload.fromQuery)(docs, { strategy: 'fast' })(i),
      "Preload.fromQuery: option 'strategy'",
    ],
    [
      'fromQuery on a non-interpreter',
      () => u(Preload.fromQuery)(docs)({}),
      'Preload.fromQuery: expected an interpreter',
    ],
    [
      'fromPrepared of a prepared-shaped value',
      () => u(Preload.fromPrepared)({ ...byId }, { id: 1 })(i),
      'Preload.fromPrepared: expected a prepared',
    ],
    ['fromQuery of an unreadable value', () => u(Preload.fromQuery)(throwing)(i), 'Preload.fromQuery'],
    [
      'into with options that are not an object',
      () =>
        (
          Preload.into(M, 'doc', { notes: true }, null as never)([{ id: 1, title: 'one' }]) as never as (
            i: unknown,
          ) => TE.TaskEither<unknown, unknown>
        )(i),
      'Preload.into: expected options',
    ],
    [
      'into rows holding a row whose reads throw',
      () =>
        (
          Preload.into(M, 'doc', { notes: true })([throwing as never]) as never as (
            i: unknown,
          ) => TE.TaskEither<unknown, unknown>
        )(i),
      'Preload.into',
    ],
  ]
  for (const [name, run, message] of cases)
    it(name, async () => {
      const e = leftOf(await run()())
      expect(e).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(String(e?.['message'])).toContain(message)
    })

  it('valid calls still load', async () => {
    const r = await Preload.fromPrepared(byId as never, { id: 1 })(i)()
    expect(r).toEqual(E.right([{ id: 1, title: 'one' }]))
  })

  it('choose: an unknown strategy or unreadable input chooses batched', () => {
    const choose = Preload.choose as unknown as (...args: ReadonlyArray<unknown>) => unknown
    expect(choose(i, M, 'doc', { _tag: 'Rows', count: 1 }, 'fast')).toBe('batched')
    expect(choose(throwing, M, 'doc', throwing)).toBe('batched')
    expect(choose(i, M, 'doc', { _tag: 'Rows', count: 1 }, 'lateral')).toBe('lateral')
  })
})

// A select built by hand through the companions (no query) passes the check and evaluates.
describe('a hand-built select through the companions evaluates', () => {
  it('orders and filters', () => {
    const s = Select.withWhere(Expr.eq(Expr.column('t0', 'id'), Expr.param(1)))(
      Select.create({ table: 'docs', alias: 't0' }, [{ name: 'title', expr: Expr.column('t0', 'title') }]),
    )
    expect(Memory.evaluate(tables)(s)).toEqual(E.right([{ title: 'one' }]))
  })
})

describe('Run.on: an environment its toInterpreter throws on is a Left naming the runner', () => {
  const runners = Run.on<unknown>('Junk', () => {
    throw new Error('no interpreter here')
  })
  const byId = Prepared.make({ id: t.number }, ({ id }) =>
    pipe(
      docs,
      Query.where(d => Pred.eq(d.id, id)),
    ),
  )
  it('for every runner, settled (no throw, no rejection); the interpreter itself still runs', async () => {
    const got = await Promise.all([
      runners.all(docs)({})(),
      runners.one(docs)({})(),
      runners.first(docs)({})(),
      runners.prepared(byId)({ id: 1 })({})(),
      runners.preloadInto(M, 'doc', { notes: true })([{ id: 1, title: 'one' }])({})(),
    ])
    const names = ['all', 'one', 'first', 'prepared', 'preloadInto']
    got.forEach((r, k) => {
      const message = E.isLeft(r) && r.left._tag === 'QueryError' ? r.left.message : ''
      expect(message.startsWith(`Junk.${names[k]}: its input could not be read`), message).toBe(true)
    })
    expect(await runners.prepared(byId)({ id: 1 })(Memory.interpreter(tables))()).toEqual(
      E.right([{ id: 1, title: 'one' }]),
    )
  })
})
