/**
 * The memory interpreter: the reference semantics of the query AST. It evaluates the same `Select`
 * values the SQL compiler lowers, over plain in-memory tables (`source table -> rows`), and returns rows
 * in the representation postgres.js returns (int4 as numbers, int8 and numeric as text, `Date`s for
 * timestamptz), so decoding gives the same values on both interpreters. A property test checks that
 * PostgreSQL agrees with it on random models, rows and queries.
 *
 * This module is the interpreter's face: `evaluate` checks untyped input and runs the select evaluator
 * (`Read`), the store runs write statements (`Write`), and both compile their expressions with one
 * evaluator (`Eval`), so a filter means the same in a select, an update and a delete. Semantics follow
 * PostgreSQL (see `Eval` and `Read`): three-valued logic, `= any(list)`, LIKE / ILIKE with `%`, `_` and
 * backslash escapes, joins, correlated EXISTS, DISTINCT, NULLS placement. Text compares by code point,
 * which is the order of the `C` and `C.UTF-8` collations (the test database and embedded PGlite use
 * them); under a language-aware collation PostgreSQL orders text differently. ILIKE folds case one code
 * point at a time, as PostgreSQL does; the two agree on ASCII, and may differ on the few characters
 * whose lower case is longer than one code point. A `Fragment` is SQL text and cannot be evaluated
 * here: it is a `QueryError` `Unsupported`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Check from '../../ast/Check.js'
import { depth, maxDepth, selectChildren, type Bind } from '../../ast/Expr.js'
import type { Select } from '../../ast/Select.js'
import type * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import type * as SchemaError from '../../error/SchemaError.js'
import { show } from '../../error/Show.js'
import type { Interpreter, RawRow } from '../../run/Interpreter.js'
import * as Run from '../../run/Run.js'
import type * as Model from '../../schema/Model.js'
import * as Constraints from './Constraints.js'
import * as Read from './Read.js'
import * as Value from './Value.js'
import * as Write from './Write.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * In-memory tables: source table name -> rows, each row as postgres.js returns it.
 *
 * @category model
 * @since 0.1.0
 */
// Declared here, not aliased from `Eval`: the public module must own the types its signatures print
// (a user's declaration file cannot name `dist/.../Eval`: TS2742).
export type Tables = ReadonlyMap<string, ReadonlyArray<RawRow>>

/**
 * What evaluating a select can fail with: a `QueryError` (`Unsupported` for a fragment, `InvalidArgument`
 * for a malformed select) or the `DbError` PostgreSQL would raise (unknown table or column, a LIKE
 * pattern ending in an escape, ORDER BY outside a DISTINCT select list).
 *
 * @category model
 * @since 0.1.0
 */
export type EvalError = QueryError.QueryError | DbError.DbError

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Compares two strings by Unicode code point: negative, zero or positive, as a sort comparator.
 *
 * Total over untyped input: when either argument is not a string there is no order, and the result
 * is `NaN` (which `Array.prototype.sort` takes as "equal", so a sort never throws either).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * assert.ok(Memory.compareText('a', 'b') < 0)
 * assert.ok(Number.isNaN(Memory.compareText('a', 1 as never)))
 *
 * @category utils
 * @since 0.1.0
 */
export const compareText = (a: string, b: string): number =>
  typeof a === 'string' && typeof b === 'string' ? Value.compareText(a, b) : NaN

/**
 * Compares two non-null values as PostgreSQL compares them: numbers (`NaN` equal to itself and above
 * every number), booleans (false < true), dates by instant, text by code point. A number against
 * numeric text (an int8 or numeric value as postgres.js returns it) compares as numbers.
 *
 * Total: for a pair PostgreSQL has no operator for (text against a boolean, say), or values that
 * cannot be read (a proxy whose traps throw, a cyclic JSON value), the result is `NaN`, "no order",
 * where a select comparing them is a `Left` (`DbError` `UndefinedFunction`, 42883). `NaN` is never
 * `0`, so an equality test on the result is false, and a sort takes it as "equal".
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * assert.strictEqual(Memory.compareValues(2, '10'), -1)
 * assert.ok(Number.isNaN(Memory.compareValues('x', true)))
 *
 * @category utils
 * @since 0.1.0
 */
export const compareValues = (a: unknown, b: unknown): number => {
  try {
    return Value.compare(a, b) ?? NaN
  } catch {
    return NaN
  }
}

// Compiling recurses once per nesting level. The query layer bounds a predicate at `maxDepth`; the
// subqueries of preloads and throughs add levels of their own, so the bound here is looser, and only
// a select built by hand past it is refused (a typed error instead of a stack overflow).
const evalMaxDepth = 10 * maxDepth

const tooDeep = (s: Select): QueryError.QueryError | null => {
  for (const e of selectChildren(s)) {
    const d = depth(e)
    if (d > evalMaxDepth)
      return QueryError.make(
        'InvalidArgument',
        `an expression nested ${d} deep is deeper than the ${evalMaxDepth} levels the memory interpreter evaluates`,
      )
  }
  return null
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Evaluates one select over the tables, synchronously. Total over untyped input: tables that are not a
 * `Map` of lists of records, a select no `Ast` companion built (or one `Ast.Check` refuses), or a
 * binding that is not a `Map` is a `QueryError` `InvalidArgument` naming `Memory.evaluate`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Memory } from 'quiver-sql'
 * const s = Ast.Select.create({ table: 'users', alias: 't0' }, [{ name: 'id', expr: Ast.Expr.column('t0', 'id') }])
 * const tables = new Map([['users', [{ id: 2 }, { id: 1 }]]])
 * assert.deepStrictEqual(Memory.evaluate(tables)(s), E.right([{ id: 2 }, { id: 1 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const evaluate =
  (tables: Tables) =>
  (s: Select, bind?: Bind): E.Either<EvalError, ReadonlyArray<RawRow>> => {
    try {
      const invalid = checkInput(tables, s, bind)
      return invalid === null ? Read.select(tables, s, bind) : E.left(invalid)
    } catch (u) {
      // Anything thrown comes from input nothing checked deeply enough (a row whose getter throws, a
      // cyclic JSON value compared with itself): a Left too, never an exception.
      return E.left(QueryError.unreadable('Memory.evaluate', u))
    }
  }

const isMap = (u: unknown): u is ReadonlyMap<unknown, unknown> => {
  try {
    return u instanceof Map
  } catch {
    // a proxy whose getPrototypeOf trap throws
    return false
  }
}

// Selects that passed `Check.select` and are not too deep: nodes are frozen, so a select checked once
// stays valid (a prepared query's select comes again in every run).
const checkedSelects = new WeakSet<object>()

// The arguments of `evaluate` from untyped code: tables that are not a map, a select no companion
// built (or holding what none can evaluate), a binding that is not a map.
const checkInput = (tables: unknown, s: unknown, bind: unknown): QueryError.QueryError | null => {
  const invalid = (what: string) => QueryError.make('InvalidArgument', `Memory.evaluate: ${what}`)
  if (!isMap(tables)) return invalid(`expected tables as a Map of table name to rows, got ${show(tables)}`)
  if (bind !== undefined && !isMap(bind))
    return invalid(`expected the values of placeholders as a Map, got ${show(bind)}`)
  if (typeof s === 'object' && s !== null && checkedSelects.has(s)) return null
  const problem = Check.select(s)
  if (problem !== undefined) return invalid(`${problem} (got ${show(s)})`)
  const deep = tooDeep(s as Select)
  if (deep !== null) return deep
  checkedSelects.add(s as object)
  return null
}

/**
 * A memory database: an interpreter and the tables it currently holds. Writes replace the tables (the
 * given ones are never mutated); `transact` restores them when the program fails. Identity sequences
 * live beside the tables and, as in PostgreSQL, are not rolled back.
 *
 * @category model
 * @since 0.1.0
 */
export interface Store {
  readonly interpreter: Interpreter
  readonly tables: () => Tables
}

/**
 * A memory database over some tables, enforcing the given constraints (see `Constraints.fromModel`
 * for the ones `Ddl.ddl` declares; none by default).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * const db = Memory.store(new Map([['users', [{ id: 1 }]]]))
 * assert.deepStrictEqual(db.tables().get('users'), [{ id: 1 }])
 *
 * @category constructors
 * @since 0.1.0
 */
export const store = (tables: Tables, constraints: Constraints.Constraints = Constraints.none): Store => {
  let current = tables
  let sequences: Write.Sequences = new Map()
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'memory',
    select: (s, bind) => TE.fromEither(evaluate(current)(s, bind)),
    write: w =>
      TE.fromEither(
        pipe(
          Write.write(current, w, { constraints, sequences }),
          E.map(r => {
            current = r.tables
            sequences = r.sequences
            return r.rows
          }),
        ),
      ),
    transact: program =>
      transact(
        i,
        program,
        () => current,
        t => (current = t),
      ),
  }
  return { interpreter: i, tables: () => current }
}

const isEither = (u: unknown): u is E.Either<unknown, unknown> => {
  try {
    if (typeof u !== 'object' || u === null) return false
    const tag = (u as { readonly _tag?: unknown })._tag
    return (tag === 'Left' && 'left' in u) || (tag === 'Right' && 'right' in u)
  } catch {
    return false
  }
}

// A program from untyped code may be no function, throw, give no task, reject or settle to something
// that is not an Either: each is a Left (the tables as before), so `transact` always settles to one.
const transact =
  <Err, A>(
    i: Interpreter,
    program: (i: Interpreter) => TE.TaskEither<Err, A>,
    get: () => Tables,
    set: (t: Tables) => void,
  ): TE.TaskEither<Err | DbError.DbError | QueryError.QueryError, A> =>
  async () => {
    const before = get()
    const refuse = (what: string): E.Either<QueryError.QueryError, never> => {
      set(before)
      return E.left(QueryError.make('InvalidArgument', `the memory interpreter's transact: ${what}`))
    }
    if (typeof program !== 'function')
      return refuse(`expected a program (interpreter) => task, got ${show(program)}`)
    let r: unknown
    try {
      const task: unknown = program(i)
      if (typeof task !== 'function') return refuse(`the program gave ${show(task)}, not a task`)
      r = await (task as () => Promise<unknown>)()
    } catch (u) {
      set(before)
      return E.left(QueryError.unreadable("the memory interpreter's transact", u))
    }
    if (!isEither(r)) return refuse(`the program's task settled to ${show(r)}, not an Either`)
    if (E.isLeft(r)) set(before)
    return r as E.Either<Err, A>
  }

/**
 * A memory database for a model: its tables (from `tables`, a missing one empty) under the
 * constraints `Ddl.ddl` would create for it, so a write PostgreSQL refuses is refused here too.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const db = Memory.storeOf(Schema.modelOrThrow({ user }, {}))
 * assert.deepStrictEqual(E.map((s: Memory.Store) => s.tables().get('users'))(db), E.right([]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const storeOf = (
  model: Model.AnyModel,
  tables: Tables = new Map(),
): E.Either<SchemaError.SchemaError | QueryError.QueryError, Store> => {
  if (!isMap(tables))
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `Memory.storeOf: expected tables as a Map of table name to rows, got ${show(tables)}`,
      ),
    )
  try {
    return pipe(
      Constraints.fromModel(model),
      E.map(c => {
        const all = new Map(tables)
        for (const t of c.tables.keys()) if (!all.has(t)) all.set(t, [])
        return store(all, c)
      }),
    )
  } catch (u) {
    // A value shaped enough like a model to pass `Ddl.ddl`, whose parts then throw when read.
    return E.left(QueryError.unreadable('Memory.storeOf', u))
  }
}

/**
 * The memory interpreter over some tables (see `store` to read the tables back after writes).
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * const i = Memory.interpreter(new Map([['users', [{ id: 1, name: 'ada', email: null }]]]))
 * assert.strictEqual(i.name, 'memory')
 *
 * @category constructors
 * @since 0.1.0
 */
export const interpreter = (tables: Tables): Interpreter => store(tables).interpreter

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Whether a value is a memory database (`store`, `storeOf`): its interpreter and its tables. Never throws.
 *
 * @example
 * import { Memory } from 'quiver-sql'
 * assert.strictEqual(Memory.isStore(Memory.store(new Map())), true)
 * assert.strictEqual(Memory.isStore(new Map()), false)
 *
 * @category utils
 * @since 0.2.0
 */
export const isStore = (u: unknown): u is Store => {
  try {
    return (
      typeof u === 'object' &&
      u !== null &&
      !(u instanceof Map) &&
      Run.isInterpreter((u as { readonly interpreter?: unknown }).interpreter) &&
      typeof (u as { readonly tables?: unknown }).tables === 'function'
    )
  } catch {
    return false
  }
}

// `Run`'s runners over in-memory tables: each makes an interpreter of the tables and runs there; over a
// memory database (a `Store`), on its interpreter, so that writes of the same program are seen; over an
// interpreter, on it.
const runners = Run.on<Tables | Store>('Memory', env => (isStore(env) ? env.interpreter : interpreter(env)))

/**
 * Every row of the query, evaluated over in-memory tables: a dependency-free way to unit-test code
 * that builds queries.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.where(u => Pred.like(u.name, 'a%')))
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]])
 * assert.deepStrictEqual(await Memory.all(q)(tables)(), E.right([{ id: 1, name: 'ada' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const all: Run.Runners<Tables | Store | Interpreter>['all'] = runners.all

/**
 * Exactly one row (else a `QueryError` `NotFound` / `TooMany`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]])
 * const byId = (id: number) => pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.id, id)))
 * assert.deepStrictEqual(await Memory.one(byId(2))(tables)(), E.right({ id: 2, name: 'bob' }))
 * const none = await Memory.one(byId(3))(tables)()
 * assert.ok(E.isLeft(none) && none.left._tag === 'QueryError' && none.left.code === 'NotFound')
 *
 * @category destructors
 * @since 0.1.0
 */
export const one: Run.Runners<Tables | Store | Interpreter>['one'] = runners.one

/**
 * The first row, if any.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Memory, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }]]])
 * const named = (name: string) => pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.name, name)))
 * assert.deepStrictEqual(await Memory.first(named('ada'))(tables)(), E.right(O.some({ id: 1, name: 'ada' })))
 * assert.deepStrictEqual(await Memory.first(named('eve'))(tables)(), E.right(O.none))
 *
 * @category destructors
 * @since 0.1.0
 */
export const first: Run.Runners<Tables | Store | Interpreter>['first'] = runners.first

/**
 * `Run.prepared` over in-memory tables: the prepared query's runner for some arguments.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as t from 'io-ts'
 * import { Column, Memory, Pred, Prepared, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const byName = Prepared.make({ name: t.string }, ({ name }) =>
 *   pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.name, name))),
 * )
 * const tables = new Map([['users', [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }]]])
 * const load = Memory.prepared(byName)
 * assert.deepStrictEqual(await load({ name: 'bob' })(tables)(), E.right([{ id: 2, name: 'bob' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const prepared: Run.Runners<Tables | Store | Interpreter>['prepared'] = runners.prepared

/**
 * `Run.preloadInto` over in-memory tables: loads the associations of a spec under rows the caller
 * already holds (Ecto's `Repo.preload`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { user: { posts: Schema.hasMany('post') } })
 * const tables = new Map([
 *   ['users', [{ id: 1, name: 'ada' }]],
 *   ['posts', [{ id: 7, user_id: 1 }]],
 * ])
 * const rows = [{ id: 1, name: 'ada' }]
 * assert.deepStrictEqual(
 *   await Memory.preloadInto(M, 'user', { posts: true })(rows)(tables)(),
 *   E.right([{ id: 1, name: 'ada', posts: [{ id: 7, user_id: 1 }] }]),
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const preloadInto: Run.Runners<Tables | Store | Interpreter>['preloadInto'] = runners.preloadInto
