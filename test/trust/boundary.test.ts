// Issue 13, generic tests: at the untyped boundary, every public function called with arbitrary
// JavaScript values settles with a Left or a Right: it never throws, and a promise it gives settles
// within a bound (invariant 8). Two layers:
// - every exported function of every namespace, found by enumerating the entry points (so a new export
//   is covered without editing this file), called with junk in every argument position and every curried
//   stage, its task run too;
// - each function with valid earlier stages and junk later (`Query.where(junk)(validQuery)`,
//   `Pg.all(validQuery, junkOptions)(sql)()`), and each constructor that returns a plain value with its
//   junk-built value then used (`Query.toSql`, `Schema.model`, `Pg.all`, `Memory.all`): the use is an
//   Either.
// Junk is `fc.anything()` with boxed values, null prototypes, object strings, BigInts; values shaped
// like the library's own (AST nodes, queries, plans, Eithers, codecs); proxies whose traps throw and
// getters that throw; functions returning any of these; all of it frozen or not (see ./junk.ts).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import fc from 'fast-check'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Quiver from '../../src/index.js'
import {
  Column,
  Ddl,
  Memory,
  Pg,
  Pred,
  Prepared,
  Preload,
  Query,
  Run,
  Schema,
  Write,
} from '../../src/index.js'
import * as Embedded from '../../src/embedded/Embedded.js'
import * as Testing from '../../src/testing/index.js'
import { connect, run, type TestDb } from '../support/db.js'
import { hostile, junk, junkArgs, probe, runs, settlesToEither, throwingProxy } from './junk.js'

// -------------------------------------------------------------------------------------
// a small model, its tables in memory and on PostgreSQL
// -------------------------------------------------------------------------------------

const doc = Schema.table('doc', 'docs', {
  id: Column.serial,
  title: Column.text,
  meta: Column.nullable(Column.json(t.unknown)),
})
const note = Schema.table('note', 'notes', {
  id: Column.serial,
  doc_id: Column.nullable(Column.integer),
  body: Column.text,
})
const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
const M = Schema.modelOrThrow(
  { doc, note, tag },
  {
    doc: {
      notes: Schema.hasMany('note'),
      firstNote: Schema.hasOne('note'),
      tags: Schema.manyToMany('tag', { joinThrough: 'docs_tags' }),
      noteDocs: Schema.through(['notes', 'doc']),
    },
    note: { doc: Schema.belongsTo('doc') },
  },
)

const docRows = [
  { id: 1, title: 'one', meta: null },
  { id: 2, title: 'two', meta: { a: 1 } },
]
const tables: Memory.Tables = new Map<string, ReadonlyArray<Readonly<Record<string, unknown>>>>([
  ['docs', docRows],
  [
    'notes',
    [
      { id: 1, doc_id: 1, body: 'n1' },
      { id: 2, doc_id: 2, body: 'n2' },
    ],
  ],
  ['tags', [{ id: 1, name: 'x' }]],
  ['docs_tags', [{ doc_id: 1, tag_id: 1 }]],
])

const docs = Query.from(M, 'doc')
const withNotes = pipe(docs, Query.preload({ notes: true }))
const byId = Prepared.make({ id: t.number }, ({ id }) =>
  pipe(
    Query.from(M, 'doc'),
    Query.where(d => Pred.eq(d.id, id)),
    Query.preload({ notes: true }),
  ),
)
const insertPlan = Write.insert(M, 'doc', { title: 'new', meta: null })
const plan = E.isRight(insertPlan) ? insertPlan.right : (undefined as never)
const memory = () => Memory.interpreter(tables)

let db: TestDb
beforeAll(async () => {
  db = await connect()
  const statements = Ddl.ddl(M)
  if (E.isLeft(statements)) throw new Error(statements.left.message)
  await run(db.sql, statements.right)
  await db.sql`insert into docs (title, meta) values ('one', null), ('two', '{"a":1}')`
  await db.sql`insert into notes (doc_id, body) values (1, 'n1'), (2, 'n2')`
})
afterAll(async () => db.close())

// Untyped calls: the tests reach every function through `unknown`, as JavaScript callers do.
// Each stage's result is called again: typed as a function of anything returning the same.
interface Fn {
  (...args: ReadonlyArray<unknown>): Fn
}
const u = (f: unknown): Fn => f as Fn

const assertNoProblem = async (p: Promise<string | null>): Promise<void> => {
  const problem = await p
  if (problem !== null) throw new Error(problem)
}

// -------------------------------------------------------------------------------------
// 1. every exported function, junk everywhere
// -------------------------------------------------------------------------------------

const namespaces: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]> = [
  ...Object.entries(Quiver as Readonly<Record<string, Readonly<Record<string, unknown>>>>).flatMap(
    ([name, ns]): ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]> =>
      name === 'Ast'
        ? Object.entries(ns).map(([n, m]) => [`Ast.${n}`, m as Record<string, unknown>])
        : [[name, ns]],
  ),
  ['Embedded', Embedded],
  ['Testing', Testing],
]

// Functions whose contract is not "a Left or a Right" by design, each with why.
const excluded: ReadonlyMap<string, string> = new Map([
  // Its name is its contract: it throws on an invalid model, for module-level constants.
  ['Schema.modelOrThrow', 'documented to throw'],
  // Each call would start a PostgreSQL (WebAssembly) of its own: probed below with inputs that fail early.
  ['Embedded.start', 'starts a database'],
  // quiver-sql/testing builds fast-check arbitraries from the values its own arbitraries generated
  // (`Arb.rows(g)` takes the `g` of `Arb.model()`); like fast-check's combinators, misuse throws at test
  // time, in the caller's own test run. It is a test tool, not a boundary for untyped input.
  ...[
    'build',
    'model',
    'rows',
    'pred',
    'query',
    'preload',
    'validDeletes',
    'write',
    'toPreload',
    'toPred',
    'toQuery',
    'toWrite',
    'algebraQuery',
    'toTerm',
    'toAlgebraQuery',
  ].map(n => [`Testing.${n}`, 'a test tool over its own generated values'] as const),
])

// Known defects in files this test's author does not own (issue 13), each under its owner's area; the
// lead flips `it.fails` back to `it` when the owner's fix lands. A function listed here whose test
// starts to pass makes `it.fails` fail: that is the signal to flip it.
const owners = {
  ast: 'lead (src/ast/*: companions and Node.isNode read untyped input without a guard)',
  schema: 'schema engineer (src/schema/*)',
  write: 'write engineer (src/write/Change.ts, Record.ts, src/preload/Preload.ts)',
  driver: 'driver engineer (src/interpreter/postgres/*, Run.ts, src/write/Plan.ts, src/error/DbError.ts)',
  memory: 'memory engineer (src/interpreter/memory/*)',
  // Internals exported as public API (the SQL compiler's context functions, the testing arbitraries over
  // their own generated values): making each total, or not exporting them, is a decision for the lead.
  mine: 'unowned: src/sql/*, src/testing/* (public surface question, see the report)',
} as const
// An entry is a name and the key of its owner in `owners`. The preload and memory entries are fixed.
type Entries = ReadonlyArray<readonly [string, keyof typeof owners]>
const byOwner = (entries: Entries): ReadonlyMap<string, string> =>
  new Map(entries.map(([name, owner]) => [name, owners[owner]] as const))
const knownFailing = byOwner([])

const functions = namespaces.flatMap(([ns, m]) =>
  Object.entries(m)
    .filter(([, f]) => typeof f === 'function')
    .map(([name, f]) => [`${ns}.${name}`, f] as const),
)

// Hostile values are rare among the generated ones: each also goes, deterministically, into each of the
// first three argument positions of the first stage, and into the second stage after a first one of
// plain junk.
const hostileStages: ReadonlyArray<ReadonlyArray<ReadonlyArray<unknown>>> = hostile.flatMap(h => [
  [[h], [h], [h]],
  [[undefined, h], [h, h], [h]],
  [['doc', 'doc', h], [h, h, h], [h]],
  [[M, 'doc', h], [h], [h]],
  [[M, h, 'notes'], [h], [h]],
])

const test = (name: string) => (knownFailing.has(name) ? it.fails : it)

describe('every exported function, junk in every argument position and curried stage', () => {
  it('enumerates the public API', () => {
    expect(functions.length).toBeGreaterThan(100)
  })
  for (const [name, f] of functions) {
    if (excluded.has(name)) continue
    test(name)(name, async () => {
      for (const stages of hostileStages) await assertNoProblem(probe(name, f, stages))
      await fc.assert(
        fc.asyncProperty(fc.array(junkArgs, { minLength: 1, maxLength: 4 }), stages =>
          assertNoProblem(probe(name, f, stages)),
        ),
        runs(30),
      )
    })
  }
  it('Embedded.start with options that cannot be read settles with a Left, before any database starts', async () => {
    // Options whose every key start reads throws or has the wrong type: each is a Left naming the
    // option, answered before the engine loads (a database start takes seconds; the bound is 5 s).
    const getter = (k: string) =>
      Object.defineProperty({}, k, {
        enumerable: true,
        get: () => {
          throw new Error(`junk: getter ${k}`)
        },
      })
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, 'options'],
      [42, 'options'],
      [throwingProxy, 'throwingProxy'],
      [getter('busyTimeout'), 'getter busyTimeout'],
      [getter('dataDir'), 'getter dataDir'],
      [getter('client'), 'getter client'],
      [{ client: getter('ssl') }, 'getter ssl'],
      [{ busyTimeout: -1 }, 'busyTimeout'],
      [{ dataDir: 7 }, 'dataDir'],
      [{ client: 'x' }, 'client'],
    ]
    for (const [options, named] of cases) {
      await assertNoProblem(settlesToEither('Embedded.start', () => Embedded.start(options as never)()))
      const r = await Embedded.start(options as never)()
      expect(E.isLeft(r) && r.left.message).toContain(named)
    }
  })
})

// -------------------------------------------------------------------------------------
// 2. valid earlier stages, junk later; junk-built values used
// -------------------------------------------------------------------------------------

// A scenario: a call with valid parts and `n` junk values; its final value must be an Either (a task's
// result included), or, for a constructor documented to return a plain value, the call must not throw.
interface Scenario {
  readonly name: string
  readonly n: number
  readonly either: boolean
  readonly run: (j: ReadonlyArray<unknown>) => unknown
}
const e = (name: string, n: number, run: (j: ReadonlyArray<unknown>) => unknown): Scenario => ({
  name,
  n,
  either: true,
  run,
})

const sql = () => db.sql
const toSql = (q: unknown) => Query.toSql(q as Query.AnyQuery)
const onPg = (q: unknown) => u(Pg.all)(q)(sql())()
const inMemory = (q: unknown) => u(Memory.all)(q)(tables)()
const where = (f: unknown) => u(Query.where)(f)(docs)
const withPred = (p: (d: Readonly<Record<string, unknown>>) => unknown) =>
  where((d: Readonly<Record<string, unknown>>) => p(d))
const modelWith = (assoc: unknown) => u(Schema.model)({ doc, note }, { doc: { x: assoc } })

const scenarios: ReadonlyArray<Scenario> = [
  // Query
  e('Query.from(junk, junk) compiled', 2, ([a, b]) => toSql(u(Query.from)(a, b))),
  e('Query.from(M, junk) run on PostgreSQL', 1, ([a]) => onPg(u(Query.from)(M, a))),
  e('Query.assoc(M, doc, junk)(junk) compiled', 2, ([a, b]) => toSql(u(Query.assoc)(M, 'doc', a)(b))),
  e('Query.assoc(M, doc, notes)(junk) in memory', 1, ([a]) => inMemory(u(Query.assoc)(M, 'doc', 'notes')(a))),
  e('Query.where(junk)(query) compiled', 1, ([a]) => toSql(where(a))),
  e('Query.where(() => junk)(query) on PostgreSQL', 1, ([a]) => onPg(where(() => a))),
  e('Query.where(valid)(junk) compiled', 1, ([a]) => toSql(u(Query.where)(() => Pred.and())(a))),
  e('Query.where($.exists(junk, junk)) in memory', 2, ([a, b]) =>
    inMemory(where((_: unknown, $: { exists: Fn }) => $.exists(a, b))),
  ),
  e('Query.where($.every(notes, junk)) compiled', 1, ([a]) =>
    toSql(where((_: unknown, $: { every: Fn }) => $.every('notes', a))),
  ),
  e('Query.where($.joined[junk]) compiled', 1, ([a]) =>
    toSql(
      where((_: unknown, $: { joined: Record<string, unknown> }) =>
        Pred.isNull($.joined[String(typeof a)] as never),
      ),
    ),
  ),
  e('Query.join(junk, junk)(query) compiled', 2, ([a, b]) => toSql(u(Query.join)(a, b)(docs))),
  e('Query.join(notes)(junk) compiled', 1, ([a]) => toSql(u(Query.join)('notes')(a))),
  e('Query.orderBy(junk)(query) on PostgreSQL', 1, ([a]) => onPg(u(Query.orderBy)(a)(docs))),
  e('Query.limit(junk)(query) on PostgreSQL', 1, ([a]) => onPg(u(Query.limit)(a)(docs))),
  e('Query.offset(junk)(query) in memory', 1, ([a]) => inMemory(u(Query.offset)(a)(docs))),
  e('Query.distinct(junk)(query) on PostgreSQL', 1, ([a]) => onPg(u(Query.distinct)(a)(docs))),
  e('Query.preload(junk)(query) on PostgreSQL', 1, ([a]) => onPg(u(Query.preload)(a)(docs))),
  e('Query.preload({ notes: junk })(query) in memory', 1, ([a]) =>
    inMemory(u(Query.preload)({ notes: a })(docs)),
  ),
  e('Query.toSql(junk)', 1, ([a]) => toSql(a)),
  // Pred: plain values, their misuse a Left when the query is compiled and run
  ...(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'like', 'ilike'] as const).flatMap(op => [
    e(`Pred.${op}(column, junk) on PostgreSQL`, 1, ([a]) => onPg(withPred(d => u(Pred[op])(d['title'], a)))),
    e(`Pred.${op}(junk, junk) in memory`, 2, ([a, b]) => inMemory(withPred(() => u(Pred[op])(a, b)))),
  ]),
  e('Pred.in(column, junk) on PostgreSQL', 1, ([a]) => onPg(withPred(d => u(Pred.in)(d['id'], a)))),
  e('Pred.in(column, junk) in memory', 1, ([a]) => inMemory(withPred(d => u(Pred.in)(d['id'], a)))),
  e('Pred.and / or / not over junk compiled', 3, ([a, b, c]) =>
    toSql(
      withPred(() =>
        Pred.or(u(Pred.and)(a, b) as unknown as Pred.Pred, u(Pred.not)(c) as unknown as Pred.Pred),
      ),
    ),
  ),
  e('Pred.isNull / isNotNull(junk) in memory', 2, ([a, b]) =>
    inMemory(
      withPred(() =>
        Pred.and(u(Pred.isNull)(a) as unknown as Pred.Pred, u(Pred.isNotNull)(b) as unknown as Pred.Pred),
      ),
    ),
  ),
  e('Pred.value(junk) compared on PostgreSQL', 1, ([a]) =>
    onPg(withPred(d => u(Pred.eq)(d['meta'], Pred.value(a)))),
  ),
  e('Pred.fragment(junk, ...junk) compiled', 2, ([a, b]) => toSql(withPred(() => u(Pred.fragment)(a, b)))),
  // Prepared
  e('Prepared.make(junk, junk) run on PostgreSQL', 3, ([a, b, c]) =>
    u(Pg.prepared)(u(Prepared.make)(a, b))(c)(sql())(),
  ),
  e('Prepared.make({ id }, () => junk) in memory', 2, ([a, b]) =>
    u(Memory.prepared)(u(Prepared.make)({ id: t.number }, () => a))(b)(tables)(),
  ),
  e('Prepared.bind(prepared, junk)', 1, ([a]) => Prepared.bind(byId as unknown as Prepared.AnyPrepared, a)),
  e('Prepared.bind(junk, junk)', 2, ([a, b]) => u(Prepared.bind)(a, b)),
  e('Pg.prepared(prepared, junk)(junk)(sql)', 2, ([a, b]) => u(Pg.prepared)(byId, a)(b)(sql())()),
  e('Run.prepared(prepared, junk)(junk)(memory)', 2, ([a, b]) => u(Run.prepared)(byId, a)(b)(memory())()),
  // Preload
  e('Preload.query(junk, junk) preloaded on PostgreSQL', 2, ([a, b]) =>
    onPg(u(Query.preload)({ notes: u(Preload.query)(a, b) })(docs)),
  ),
  e('Preload.query(junk, junk) preloaded in memory', 2, ([a, b]) =>
    inMemory(u(Query.preload)({ notes: u(Preload.query)(a, b) })(docs)),
  ),
  e('Preload.fromQuery(query, junk)(memory)', 1, ([a]) => u(Preload.fromQuery)(withNotes, a)(memory())()),
  e('Preload.fromQuery(junk)(memory)', 1, ([a]) => u(Preload.fromQuery)(a)(memory())()),
  e('Preload.fromPrepared(prepared, junk, junk)(memory)', 2, ([a, b]) =>
    u(Preload.fromPrepared)(byId, a, b)(memory())(),
  ),
  e('Preload.into(M, doc, junk, junk)(rows)(memory)', 2, ([a, b]) =>
    u(Preload.into)(M, 'doc', a, b)(docRows)(memory())(),
  ),
  e('Preload.into(M, doc, { notes: true })(junk)(memory)', 1, ([a]) =>
    u(Preload.into)(M, 'doc', { notes: true })(a)(memory())(),
  ),
  // Run
  e('Run.rows(junk)(memory)', 1, ([a]) => u(Run.rows)(a)(memory())()),
  e('Run.all(query, junk)(memory)', 1, ([a]) => u(Run.all)(withNotes, a)(memory())()),
  e('Run.one(junk, junk)(memory)', 2, ([a, b]) => u(Run.one)(a, b)(memory())()),
  e('Run.first(query)(junk interpreter)', 1, ([a]) => u(Run.first)(docs)(a)()),
  e('Run.preloadInto(M, doc, junk)(junk)(memory)', 2, ([a, b]) =>
    u(Run.preloadInto)(M, 'doc', a)(b)(memory())(),
  ),
  // Pg
  e('Pg.all(query, junk options)(sql)', 1, ([a]) => u(Pg.all)(withNotes, a)(sql())()),
  e('Pg.all(junk)(sql)', 1, ([a]) => u(Pg.all)(a)(sql())()),
  e('Pg.all(query)(junk sql)', 1, ([a]) => u(Pg.all)(docs)(a)()),
  e('Pg.one(junk, junk)(sql)', 2, ([a, b]) => u(Pg.one)(a, b)(sql())()),
  e('Pg.first(query, junk)(sql)', 1, ([a]) => u(Pg.first)(docs, a)(sql())()),
  e('Pg.preloadInto(M, doc, junk, junk)(junk)(sql)', 3, ([a, b, c]) =>
    u(Pg.preloadInto)(M, 'doc', a, b)(c)(sql())(),
  ),
  e('Pg.preloadInto(M, doc, { notes: true })(junk rows)(sql)', 1, ([a]) =>
    u(Pg.preloadInto)(M, 'doc', { notes: true })(a)(sql())(),
  ),
  e('Pg.execute(junk)(sql)', 1, ([a]) => u(Pg.execute)(a)(sql())()),
  e('Pg.execute({ text, params: [junk] })(sql)', 1, ([a]) =>
    u(Pg.execute)({ text: 'select $1::text as x', params: [a] })(sql())(),
  ),
  e('Pg.transact(junk)(sql)', 1, ([a]) => u(Pg.transact)(a)(sql())()),
  e('Pg.transact(() => () => junk)(sql)', 1, ([a]) =>
    u(Pg.transact)(() => () => Promise.resolve(a))(sql())(),
  ),
  e('Pg.interpreter(sql).select(junk)', 2, ([a, b]) =>
    Pg.interpreter(sql()).select(a as never, b as never)(),
  ),
  // Memory
  e('Memory.all(query)(junk tables)', 1, ([a]) => u(Memory.all)(withNotes)(a)()),
  e('Memory.all(junk)(tables)', 1, ([a]) => u(Memory.all)(a)(tables)()),
  e('Memory.one / first(junk)(tables)', 1, ([a]) => u(Memory.one)(a)(tables)()),
  e('Memory.prepared(prepared)(junk)(tables)', 1, ([a]) => u(Memory.prepared)(byId)(a)(tables)()),
  e('Memory.evaluate(tables)(junk, junk)', 2, ([a, b]) => u(Memory.evaluate(tables))(a, b)),
  e('Memory.evaluate(junk)(select)', 1, ([a]) => u(Memory.evaluate)(a)(docs.select)),
  e('Memory.store(junk).interpreter.select(select)', 1, ([a]) =>
    u(Memory.store)(a) !== undefined
      ? Memory.store(a as never).interpreter.select(docs.select)()
      : E.right(null),
  ),
  e(
    'Memory.store(tables).interpreter.write(junk)',
    1,
    ([a]) => Memory.store(tables).interpreter.write?.(a as never)() ?? E.right(null),
  ),
  e('Memory.store(tables).interpreter.transact(junk)', 1, ([a]) =>
    Memory.store(tables).interpreter.transact(a as never)(),
  ),
  // Schema and Column: plain constructors, their misuse a Left from Schema.model
  e('Schema.table(junk, junk, junk) in Schema.model', 3, ([a, b, c]) =>
    u(Schema.model)({ x: u(Schema.table)(a, b, c) }, {}),
  ),
  e('Schema.table(x, xs, { id: junk }) in Schema.model', 1, ([a]) =>
    u(Schema.model)({ x: u(Schema.table)('x', 'xs', { id: a }) }, {}),
  ),
  e('Schema.model(junk, junk)', 2, ([a, b]) => u(Schema.model)(a, b)),
  ...(['hasMany', 'hasOne', 'belongsTo', 'manyToMany'] as const).flatMap(k => [
    e(`Schema.${k}(junk, junk) in Schema.model`, 2, ([a, b]) => modelWith(u(Schema[k])(a, b))),
    e(`Schema.${k}(note, junk) in Schema.model`, 1, ([a]) => modelWith(u(Schema[k])('note', a))),
  ]),
  e('Schema.through / throughOne(junk) in Schema.model', 2, ([a, b]) =>
    u(Schema.model)({ doc, note }, { doc: { x: u(Schema.through)(a), y: u(Schema.throughOne)(b) } }),
  ),
  e('Schema.isIn / fragment / withArgs(junk) in Schema.model', 3, ([a, b, c]) =>
    modelWith(
      Schema.hasMany('note', {
        where: { body: u(Schema.isIn)(a) as never, id: u(Schema.fragment)(b, c) as never },
        defaults: u(Schema.withArgs)(c, a) as never,
      }),
    ),
  ),
  ...(['custom', 'nullable', 'generated', 'json', 'nonNull', 'fromInput'] as const).map(k =>
    e(`Column.${k}(junk, junk) in Schema.model`, 2, ([a, b]) =>
      u(Schema.model)({ x: u(Schema.table)('x', 'xs', { id: Column.serial, c: u(Column[k])(a, b) }) }, {}),
    ),
  ),
  e('Ddl.ddl(junk)', 1, ([a]) => u(Ddl.ddl)(a)),
  // Write
  e('Write.insert(M, doc, junk, junk)', 2, ([a, b]) => u(Write.insert)(M, 'doc', a, b)),
  e('Write.insertAll(M, doc, junk)', 1, ([a]) => u(Write.insertAll)(M, 'doc', a)),
  e('Write.update(M, doc, junk, junk)', 2, ([a, b]) => u(Write.update)(M, 'doc', a, b)),
  e('Write.delete(M, doc, junk, junk)', 2, ([a, b]) => u(Write.delete)(M, 'doc', a, b)),
  e('Write.build(M, doc, notes)(junk, junk)', 2, ([a, b]) => u(Write.build)(M, 'doc', 'notes')(a, b)),
  e('Write.change(M, doc, junk) then putAssoc(notes, junk) then toPlan', 2, ([a, b]) =>
    pipe(
      E.right(u(Write.change)(M, 'doc', a)),
      E.flatMap(c => u(Write.putAssoc)('notes', b)(c) as unknown as E.Either<unknown, unknown>),
      E.flatMap(c => u(Write.toPlan)(c) as unknown as E.Either<unknown, unknown>),
    ),
  ),
  e('Write.castAssoc(junk, junk, junk)(change of a loaded doc) then toPlan', 3, ([a, b, c0]) =>
    pipe(
      E.right(Write.change(M, 'doc', { ...(docRows[0] as object), notes: [] } as never)),
      E.flatMap(c => u(Write.castAssoc)(a, b, c0)(c) as unknown as E.Either<unknown, unknown>),
      E.flatMap(c => u(Write.toPlan)(c) as unknown as E.Either<unknown, unknown>),
    ),
  ),
  e('Write.castAssoc(notes, junk, junk)(change of a loaded doc) then toPlan', 2, ([a, b]) =>
    pipe(
      E.right(Write.change(M, 'doc', { ...(docRows[0] as object), notes: [] } as never)),
      E.flatMap(c => u(Write.castAssoc)('notes', a, b)(c) as unknown as E.Either<unknown, unknown>),
      E.flatMap(c => u(Write.toPlan)(c) as unknown as E.Either<unknown, unknown>),
    ),
  ),
  e('Write.cast(junk, junk)(change of a loaded doc) then toPlan', 2, ([a, b]) =>
    pipe(
      E.right(Write.change(M, 'doc', { ...(docRows[0] as object), notes: [] } as never)),
      E.flatMap(c => u(Write.cast)(a, b)(c) as unknown as E.Either<unknown, unknown>),
      E.flatMap(c => u(Write.toPlan)(c) as unknown as E.Either<unknown, unknown>),
    ),
  ),
  e('Write.cast(junk, { permit: [title], assocs: { notes: junk } })(change) then toPlan', 2, ([a, b]) =>
    pipe(
      E.right(Write.change(M, 'doc', { ...(docRows[0] as object), notes: [] } as never)),
      E.flatMap(
        c =>
          u(Write.cast)(a, { permit: ['title'], assocs: { notes: b } })(c) as unknown as E.Either<
            unknown,
            unknown
          >,
      ),
      E.flatMap(c => u(Write.toPlan)(c) as unknown as E.Either<unknown, unknown>),
    ),
  ),
  e('Write.toPlan(junk, junk)', 2, ([a, b]) => u(Write.toPlan)(a, b)),
  e('Write.run(junk)(memory)', 1, ([a]) => u(Write.run)(a)(memory())()),
  e('Write.run(plan)(junk interpreter)', 1, ([a]) => u(Write.run)(plan)(a)()),
  e('Write.run(junk)(PostgreSQL)', 1, ([a]) => u(Write.run)(a)(Pg.interpreter(sql()))()),
  e('Write.runPure(junk)(tables)', 1, ([a]) => u(Write.runPure)(a)(tables)),
  e('Write.runPure(plan)(junk)', 1, ([a]) => u(Write.runPure)(plan)(a)),
]

// Scenarios failing today, by the owner of the file at fault (see the report of issue 13).
const knownFailingScenarios = byOwner([])

describe('valid earlier stages, junk later: a Left or a Right', () => {
  for (const sc of scenarios)
    (knownFailingScenarios.has(sc.name) ? it.fails : it)(sc.name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(junk, { minLength: sc.n, maxLength: sc.n }), j =>
          assertNoProblem(settlesToEither(sc.name, () => sc.run(j))),
        ),
        runs(40),
      )
      // and each hostile value in each junk position
      for (const h of hostile)
        for (let k = 0; k < sc.n; k++) {
          const j = Array.from({ length: sc.n }, (_, i) => (i === k ? h : undefined))
          await assertNoProblem(settlesToEither(sc.name, () => sc.run(j)))
        }
    })
})
