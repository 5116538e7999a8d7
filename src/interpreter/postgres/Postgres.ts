/**
 * The PostgreSQL interpreter over postgres.js. Compiled SQL runs with `sql.unsafe(text, params,
 * { prepare: true })`: a prepared statement learns its parameter types once, where an unprepared one
 * with parameters costs an extra round trip each time. Driver failures are caught here, and only here,
 * and classified into `DbError`s.
 *
 * Programs take the postgres.js client as their environment: `Pg.all(q)(sql)()`.
 *
 * Every call settles, whatever happens to the connection. A transaction waits for its `begin` at most
 * `TransactOptions.beginTimeout` (10 s by default); a `begin` that fails on a connection the server
 * had closed is tried once more, as is a read outside a transaction (it changes nothing); writes and
 * statements inside a transaction are never repeated. Two defects of postgres.js 3.4.9 are guarded
 * here (see `afterClose` and `read`): a statement handed to a connection between its socket's error
 * and its close is never settled, and a reopened connection fails its first statement with the old
 * session's error.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type postgres from 'postgres'
import * as Expr from '../../ast/Expr.js'
import * as DbError from '../../error/DbError.js'
import * as QueryError from '../../error/QueryError.js'
import { show, type TypeOf, type TypeOfValue } from '../../error/Show.js'
import * as Plan from '../../plan/Preload.js'
import * as Compiled from '../../query/Compiled.js'
import * as Prepared from '../../query/Prepared.js'
import type { Interpreter, RawRow } from '../../run/Interpreter.js'
import * as Run from '../../run/Run.js'
import * as Sql from '../../sql/Compile.js'
import * as Lateral from '../../sql/Lateral.js'
import * as WriteSql from '../../sql/Write.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A postgres.js client, or the transaction client inside `sql.begin`.
 *
 * @category model
 * @since 0.1.0
 */
export type Db = postgres.Sql | postgres.TransactionSql

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// postgres.js 3.4.9 resets its count of a result's rows on CommandComplete only: after a statement that
// failed once some rows had come (a division by zero on the fifth row), the connection's next result
// starts with that many empty slots before its rows. Its `count` (the command tag's) is right.
const whole = (rows: ReadonlyArray<RawRow>): ReadonlyArray<RawRow> => {
  const count = (rows as { readonly count?: unknown }).count
  return typeof count === 'number' && rows.length > count ? rows.slice(rows.length - count) : rows
}

/**
 * Runs compiled SQL.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Pg, type CompiledQuery } from 'quiver-sql'
 * const stmt: CompiledQuery = { text: 'select $1::int as n', params: [1] }
 * // await Pg.execute(stmt)(sql)()   // E.right([{ n: 1 }])
 * // What is not a postgres.js client fails as a value, never as a throw:
 * const r = await Pg.execute(stmt)({} as never)()
 * assert.ok(E.isLeft(r) && r.left._tag === 'DbError')
 *
 * @category constructors
 * @since 0.1.0
 */
export const execute =
  (compiled: Sql.CompiledQuery): RTE.ReaderTaskEither<Db, DbError.DbError, ReadonlyArray<RawRow>> =>
  sql =>
  () =>
    send(compiled, sql, false)

// `execute`'s task. `again`: a read outside a transaction that lost its connection is sent once more, on
// a new one: it changes nothing, so it is safe to repeat, and postgres.js 3.4.9 fails the first
// statement of a connection it reopened after the server terminated it with that old session's error
// (`57P01`: its `closed` keeps the pending error response, and the new session's first ReadyForQuery
// delivers it). Writes and statements inside a transaction or on a reserved connection (`sql.reserve()`
// is not replaced when it closes: it is not sent to again) are never repeated.
const send = async (
  compiled: Sql.CompiledQuery,
  sql: Db,
  again: boolean,
): Promise<E.Either<DbError.DbError, ReadonlyArray<RawRow>>> => {
  // `TE.tryCatch` written out: fp-ts's build runs it through a generator polyfill, a few microseconds
  // per statement (measured in the one-small-tree benchmark).
  try {
    if (!isClient(sql)) throw new TypeError(`expected a postgres.js client, got ${show(sql)}`)
    if (txStates.get(sql)?.settled === true) return { _tag: 'Left', left: txClosed() }
    const json = compiled.json
    const given = compiled.params
    for (let k = 0; k < given.length; k++) {
      const v = given[k]
      const kind = json?.[k]
      const problem = kind === undefined ? unsendable(v) : unsendableJson(v, kind)
      if (problem !== null)
        return {
          _tag: 'Left',
          left: DbError.make(
            'DataException',
            `parameter $${k + 1} cannot be sent: ${problem}`,
            'QUIVER_PARAM',
          ),
        }
    }
    const params: Array<unknown> = new Array(given.length)
    for (let k = 0; k < given.length; k++) {
      const kind = json?.[k]
      params[k] = kind === undefined ? listParam(sql, given[k]) : jsonParam(sql, given[k], kind)
    }
    return {
      _tag: 'Right',
      right: whole(
        await sql.unsafe(compiled.text, params as Array<postgres.ParameterOrJSON<never>>, {
          prepare: true,
        }),
      ),
    }
  } catch (u) {
    const e = DbError.fromUnknown(u)
    // The caller's next statement must not reach the pool before the broken socket has closed (see
    // `afterClose`).
    if (DbError.isConnectionLost(e)) {
      await afterClose()
      if (again && !('savepoint' in sql) && !('release' in sql)) return send(compiled, sql, false)
    }
    return { _tag: 'Left', left: e }
  }
}

// postgres.js 3.4.9 fails the statements in flight when a socket errors (ECONNRESET), but keeps the
// connection in its busy queue until the socket's 'close' event, and on that close (an error close) it
// rejects nothing: a statement handed to the connection in between (a `begin`, say) is written to the
// dead socket and never settles, and its stale state breaks the connection's next session. A socket
// emits 'close' from libuv's close phase, which follows the check phase of the loop turn in which it
// errored; two `setImmediate` turns are therefore always past it.
const afterClose = async (): Promise<void> => {
  await new Promise<void>(resolve => setImmediate(resolve))
  await new Promise<void>(resolve => setImmediate(resolve))
}

// Why postgres.js could not serialize a parameter, or null. Checked before the statement is handed over:
// a value that fails to serialize once the statement has been described (a BigInt or a cycle inside a
// jsonb value) leaves postgres.js 3.4.9's connection answering nothing more.
const unsendable = (v: unknown, depth = 0): string | null =>
  (unsendables[typeof v] as (v: unknown, depth: number) => string | null)(v, depth)

const cannotHold = (v: unknown): string => `${show(v)} is not a value PostgreSQL can hold`
const sendable = (): null => null

const unsendables: { readonly [K in TypeOf]: (v: TypeOfValue[K], depth: number) => string | null } = {
  symbol: cannotHold,
  function: cannotHold,
  object: (v, depth) => {
    if (v === null || v instanceof Uint8Array) return null
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid Date' : null
    if (Array.isArray(v) && depth < 2) {
      for (let i = 0; i < v.length; i++) {
        const p = unsendable(v[i], depth + 1)
        if (p !== null) return `element ${i}: ${p}`
      }
      return null
    }
    // postgres.js 3.4.9 sends a value it cannot type as `'' + value`, while building the statement: an
    // object with no text form (a null prototype, a throwing toString) throws there, and the second
    // such throw on a connection leaves it answering nothing more (every later statement pending).
    try {
      void String(v as unknown)
    } catch (u) {
      return `${show(v)} has no text form (${show(u instanceof Error ? u.message : u)})`
    }
    try {
      return JSON.stringify(v) === undefined ? `${show(v)} has no JSON form` : null
    } catch (u) {
      return `${show(v)} has no JSON form (${show(u instanceof Error ? u.message : u)})`
    }
  },
  string: sendable,
  number: sendable,
  bigint: sendable,
  boolean: sendable,
  undefined: sendable,
}

// Why a JSON value has no JSON text, or null. Checked whole: the driver stringifies the whole value.
const unsendableJson = (value: unknown, kind: Sql.JsonParam): string | null => {
  const values = kind === 'list' && Array.isArray(value) ? (value as ReadonlyArray<unknown>) : [value]
  for (const v of values)
    try {
      if (v !== undefined && JSON.stringify(v) === undefined) return `${show(v)} has no JSON form`
    } catch (u) {
      return `${show(v)} has no JSON form (${show(u instanceof Error ? u.message : u)})`
    }
  return null
}

// A value bound for a json/jsonb column, as postgres.js must send it. Left to itself, postgres.js 3.4.9
// types a parameter by its JavaScript value (`inferType`): `true`/`false` as boolean, a Date as
// timestamptz, a BigInt as int8, a Uint8Array as bytea, and an array by its first element, recursively
// (`[[false]]` and `[true, 1]` are boolean, `[date]` timestamptz); only the rest (type 0) is typed by the
// server from the column and then stringified as JSON. So a JSON value of those shapes fails with 42804
// or 42883, or, in a list (`= any($n)`), nested arrays become a multidimensional PostgreSQL array
// (`[[1, 2], [3, 4]]` is four jsonb elements). Here every JSON value goes out typed jsonb (3802) and
// JSON-stringified; its JSON null (null, undefined, NaN) is SQL NULL, as a null in any column is.
const jsonParam = (sql: Db, value: unknown, kind: Sql.JsonParam): unknown => {
  if (kind === 'value') return jsonText(value) === null ? null : sql.json(value as postgres.JSONValue)
  // A list of JSON values: one jsonb[] literal written here (each element's JSON text quoted as an array
  // element), so neither nesting nor the array serializer postgres.js may lack (`fetch_types: false`)
  // comes into it.
  const values = Array.isArray(value) ? (value as ReadonlyArray<unknown>) : []
  const elements = values.map(v => {
    const text = jsonText(v)
    return text === null ? 'NULL' : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  })
  return sql.typed(`{${elements.join(',')}}`, jsonbArray)
}

const jsonbArray = 3807

const jsonText = (v: unknown): string | null => {
  const text = v === undefined ? undefined : JSON.stringify(v)
  return text === undefined || text === 'null' ? null : text
}

// postgres.js types an array parameter by its first element, so a list of booleans or Dates goes out
// typed as one boolean or timestamptz and PostgreSQL rejects `= any($1)` ("op ANY/ALL (array) requires
// array on right side"). Typed 0 (unknown), the server infers the array type from the context and
// postgres.js serializes the elements with it.
const listParam = (sql: Db, v: unknown): unknown =>
  Array.isArray(v) && hasBooleanOrDate(v) ? sql.typed(v, 0) : v

const hasBooleanOrDate = (v: ReadonlyArray<unknown>): boolean => {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]
    if (typeof x === 'boolean' || (typeof x === 'object' && x instanceof Date)) return true
  }
  return false
}

// The private sentinel that carries a Left out of `sql.begin`: postgres.js commits whenever the callback
// resolves, so a failed program must reject to roll back, and is turned back into its Left outside.
class Rollback {
  constructor(readonly error: unknown) {}
}

/**
 * The options of `transact` and `interpreter`: for now only how long to wait for a transaction to
 * start.
 *
 * @category model
 * @since 0.1.0
 */
export interface TransactOptions {
  /**
   * How long to wait, in milliseconds, for the pool to start the transaction (a free connection and its
   * `begin`); then the transaction is a `DbError` `ConnectionClosed` with code `BEGIN_TIMEOUT`, and it
   * never runs. Default `defaultBeginTimeout`. Once the transaction has started there is no time limit
   * (use `statement_timeout` for that).
   */
  readonly beginTimeout?: number
}

/**
 * The `beginTimeout` of a transaction whose options do not give one, in milliseconds: ten seconds.
 *
 * @example
 * import { Pg } from 'quiver-sql'
 * assert.strictEqual(Pg.defaultBeginTimeout, 10_000)
 * // Wait longer on a busy pool: Pg.transact(program, { beginTimeout: 3 * Pg.defaultBeginTimeout })
 *
 * @category model
 * @since 0.1.0
 */
export const defaultBeginTimeout = 10_000

// Whether the top-level transaction of a transaction client has settled: once `sql.begin` has
// rejected because its connection closed, nothing may be sent on that connection any more (postgres.js
// 3.4.9 writes a statement given to a closed connection from a timer, to a socket it has dropped, and
// the process dies of the uncaught TypeError). `lost` hands the caller its Left as soon as the program
// has lost its connection, without waiting for the close.
interface TxState {
  settled: boolean
  lost: (e: DbError.DbError) => void
}
const txStates = new WeakMap<object, TxState>()

// How long a program that lost its connection waits for `sql.begin` to reject on the close before it
// rolls back itself (which only happens when the connection was not in fact closed). The caller does
// not wait for it (`TxState.lost`); it is long so that a starved process still sees the close first.
const closeGrace = 10_000

// A statement of a transaction whose connection has closed: not sent (see `TxState`).
const txClosed = (): DbError.DbError =>
  DbError.make(
    'ConnectionClosed',
    'the transaction has ended: its connection was closed, so this statement was not sent',
    'CONNECTION_CLOSED',
  )

const sleep = (ms: number): Promise<void> =>
  new Promise<void>(resolve => {
    setTimeout(resolve, ms).unref()
  })

const never = (): Promise<never> => new Promise<never>(() => undefined)

const isLostDbError = (e: unknown): boolean => isDbError(e) && DbError.isConnectionLost(e)

const isDbError = (e: unknown): e is DbError.DbError =>
  typeof e === 'object' && e !== null && (e as { readonly _tag?: unknown })._tag === 'DbError'

// The callback given to `sql.begin` / `sql.savepoint`. On a closed connection it never settles: postgres.js
// has already rejected `sql.begin` (it races the callback against the connection's close), and a
// resolved or rejected callback would make it write COMMIT or ROLLBACK to the closed socket, which it
// does from a timer and crashes the process with an uncaught TypeError. The pending callback is collected.
const body =
  <Err, A>(program: RTE.ReaderTaskEither<Db, Err, A>, state: TxState) =>
  async (tx: postgres.TransactionSql): Promise<A> => {
    txStates.set(tx, state)
    const r = await program(tx)()
    if (r._tag === 'Left' && isLostDbError(r.left) && !state.settled) {
      state.lost(r.left as DbError.DbError)
      await sleep(closeGrace)
    }
    if (state.settled) return never()
    if (r._tag === 'Left') throw new Rollback(r.left)
    return r.right
  }

const beginTimedOut = (ms: number): DbError.DbError =>
  DbError.make(
    'ConnectionClosed',
    `the transaction did not start within ${ms} ms (no connection of the pool could run 'begin': the pool is exhausted or its connection was lost); it will not run`,
    'BEGIN_TIMEOUT',
  )

type Begun<Err, A> =
  | { readonly _tag: 'Settled'; readonly result: E.Either<Err | DbError.DbError, A> }
  | { readonly _tag: 'NotStarted'; readonly error: DbError.DbError }

// One attempt at a top-level transaction, with a bounded wait for it to start.
const begin = <Err, A>(
  program: RTE.ReaderTaskEither<Db, Err, A>,
  sql: postgres.Sql,
  timeout: number,
): Promise<Begun<Err, A>> =>
  new Promise(resolve => {
    let phase: 'waiting' | 'running' | 'abandoned' = 'waiting'
    const state: TxState = {
      settled: false,
      lost: e => {
        if (phase === 'running') resolve({ _tag: 'Settled', result: { _tag: 'Left', left: e } })
      },
    }
    const run = body(program, state)
    const timer = setTimeout(() => {
      if (phase !== 'waiting') return
      phase = 'abandoned'
      resolve({ _tag: 'Settled', result: { _tag: 'Left', left: beginTimedOut(timeout) } })
    }, timeout)
    sql
      .begin(tx => {
        clearTimeout(timer)
        // The caller has its Left already: a transaction that starts after all rolls back at once.
        if (phase === 'abandoned') return Promise.reject(new Rollback(beginTimedOut(timeout)))
        phase = 'running'
        return run(tx)
      })
      .then(
        (a): void => {
          state.settled = true
          resolve({ _tag: 'Settled', result: { _tag: 'Right', right: a as A } })
        },
        (u: unknown): void => {
          state.settled = true
          clearTimeout(timer)
          if (phase === 'waiting') resolve({ _tag: 'NotStarted', error: DbError.fromUnknown(u) })
          else
            resolve({
              _tag: 'Settled',
              result: {
                _tag: 'Left',
                left: u instanceof Rollback ? (u.error as Err) : DbError.fromUnknown(u),
              },
            })
        },
      )
  })

const validTimeout = (ms: unknown): ms is number => typeof ms === 'number' && ms > 0 && ms <= 2_147_483_647

/**
 * Runs a program in a transaction (a savepoint when already inside one): a `Left`, a rejection or a
 * lost connection rolls everything back and comes out as a `Left`. It always settles: the wait for the
 * transaction to start is bounded (`TransactOptions.beginTimeout`), a `begin` that fails on a connection
 * the server had closed is tried once more on a new one, and a program whose connection is lost settles
 * with the connection's error.
 *
 * @example
 * import { Pg } from 'quiver-sql'
 * // await Pg.transact(program, { beginTimeout: 5_000 })(sql)()   // Either<E | DbError | QueryError, A>
 *
 * @category combinators
 * @since 0.1.0
 */
export const transact = <R extends Db, Err, A>(
  program: RTE.ReaderTaskEither<Db, Err, A>,
  options: TransactOptions = {},
): RTE.ReaderTaskEither<R, Err | DbError.DbError | QueryError.QueryError, A> =>
  QueryError.total(
    'Pg.transact',
    () => (sql: R) => async (): Promise<E.Either<Err | DbError.DbError | QueryError.QueryError, A>> => {
      const invalid = checkTransactOptions(options)
      if (invalid !== null) return { _tag: 'Left', left: invalid }
      if (!isClient(sql))
        return {
          _tag: 'Left',
          left: QueryError.make(
            'InvalidArgument',
            `Pg.transact: expected a postgres.js client, got ${show(sql)}`,
          ),
        }
      if ('savepoint' in sql) {
        const state = txStates.get(sql) ?? { settled: false, lost: () => undefined }
        try {
          return { _tag: 'Right', right: (await sql.savepoint(body(program, state))) as A }
        } catch (u) {
          return { _tag: 'Left', left: u instanceof Rollback ? (u.error as Err) : DbError.fromUnknown(u) }
        }
      }
      const timeout = options.beginTimeout ?? defaultBeginTimeout
      const client = sql as postgres.Sql
      await afterClose()
      const first = await begin(program, client, timeout)
      if (first._tag === 'Settled') return first.result
      if (!DbError.isConnectionLost(first.error)) return { _tag: 'Left', left: first.error }
      // `begin` met a connection the server had closed (or that connection's stale error); nothing ran,
      // so it is safe to start again, once, on a fresh connection.
      await afterClose()
      const second = await begin(program, client, timeout)
      return second._tag === 'Settled' ? second.result : { _tag: 'Left', left: second.error }
    },
  )

const checkTransactOptions = (options: unknown): QueryError.QueryError | null => {
  if (typeof options !== 'object' || options === null)
    return QueryError.make('InvalidArgument', `transaction options: expected an object, got ${show(options)}`)
  const ms = (options as { readonly beginTimeout?: unknown }).beginTimeout
  return ms === undefined || validTimeout(ms)
    ? null
    : QueryError.make(
        'InvalidArgument',
        `transaction option 'beginTimeout': expected a number of milliseconds in (0, 2147483647], got ${show(ms)}`,
      )
}

const interpreters = new WeakMap<Db, Interpreter>()

// The batched preload selects of an association differ in their keys only: compiled once per shape.
const compile = Plan.memoCompile(Sql.toSql)

// A prepared query's select or tree comes again as the same object in every run: compiled once.
const compiledOnce = new WeakMap<object, Sql.CompiledQuery>()
const once = <A extends object>(ast: A, f: (a: A) => Sql.CompiledQuery): Sql.CompiledQuery => {
  let c = compiledOnce.get(ast)
  if (c === undefined) compiledOnce.set(ast, (c = f(ast)))
  return c
}

// The parameters of one run: placeholders take their values from `bind`; the first one without a value
// is refused, as is a row count's value that is not a whole number >= 0 (before anything is sent).
const bindParams = (
  compiled: Sql.CompiledQuery,
  bind: Expr.Bind | undefined,
): E.Either<QueryError.QueryError, ReadonlyArray<unknown>> => {
  const params = compiled.params
  let out: Array<unknown> | undefined
  for (let k = 0; k < params.length; k++) {
    const v = params[k]
    if (!Expr.isPlaceholder(v)) continue
    if (bind === undefined || !bind.has(v)) return E.left(Prepared.unbound(v))
    const value = bind.get(v)
    const count = compiled.counts?.[k]
    if (count !== undefined) {
      const checked = Prepared.checkCount(count, v, value)
      if (E.isLeft(checked)) return checked
    }
    out ??= [...params]
    out[k] = value
  }
  return E.right(out ?? params)
}

// The statement with this run's values bound, sent; `again` as in `send`.
const run = (
  compiled: Sql.CompiledQuery,
  bind: Expr.Bind | undefined,
  sql: Db,
  again: boolean,
): TE.TaskEither<DbError.DbError | QueryError.QueryError, ReadonlyArray<RawRow>> => {
  const bound = bindParams(compiled, bind)
  if (E.isLeft(bound)) return TE.left(bound.left)
  const params = bound.right
  // The bound values take their places: the JSON parameters are the same.
  const c = params === compiled.params ? compiled : { ...compiled, params }
  return () => send(c, sql, again)
}

// An AST from untyped code that the compiler cannot read is a Left of the interpreter's operation.
const compiling = <E, A>(
  operation: string,
  f: () => TE.TaskEither<E, A>,
): TE.TaskEither<E | QueryError.QueryError, A> => {
  try {
    return f()
  } catch (u) {
    return TE.left(QueryError.unreadable(`the postgres interpreter's ${operation}`, u))
  }
}

const isClient = (sql: unknown): sql is Db => {
  try {
    return typeof sql === 'function' && typeof (sql as { readonly unsafe?: unknown }).unsafe === 'function'
  } catch {
    return false
  }
}

// The interpreter over something that is not a postgres.js client (from untyped code): every operation
// is a Left naming what it got.
const refusing = (sql: unknown): Interpreter => {
  const error = QueryError.make(
    'InvalidArgument',
    `expected a postgres.js client (postgres(url)) as the environment, got ${show(sql)}`,
  )
  return {
    _tag: 'Interpreter',
    name: 'postgres',
    select: () => TE.left(error),
    tree: () => TE.left(error),
    write: () => TE.left(error),
    transact: () => TE.left(error),
  }
}

/**
 * The interpreter capability over a postgres.js client. With `options`, its transactions (and those of
 * the transaction clients it hands out) use them; without, the defaults.
 *
 * @example
 * import { Pg, Write } from 'quiver-sql'
 * // await Write.run(plan)(Pg.interpreter(sql, { beginTimeout: 2_000 }))()
 *
 * @category constructors
 * @since 0.1.0
 */
export const interpreter = (sql: Db, options?: TransactOptions): Interpreter => {
  if (!isClient(sql)) return refusing(sql)
  if (options === undefined) {
    const hit = interpreters.get(sql)
    if (hit !== undefined) return hit
  }
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'postgres',
    select: (s, bind) =>
      compiling('select', () => run(bind === undefined ? compile(s) : once(s, compile), bind, sql, true)),
    project: s => compiling('select', () => run(Compiled.projection(s), undefined, sql, true)),
    tree: (t, bind) =>
      compiling('tree', () =>
        run(bind === undefined ? Lateral.toSql(t) : once(t, Lateral.toSql), bind, sql, true),
      ),
    write: w => compiling('write', () => run(WriteSql.toSql(w), undefined, sql, false)),
    transact: program => transact((tx: Db) => program(interpreter(tx, options)), options ?? {})(sql),
  }
  if (options === undefined) interpreters.set(sql, i)
  return i
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

// `Run`'s runners over a connection: each makes the connection's interpreter and runs there (or runs on
// the interpreter given instead, so that a program reading with `Pg.all` and writing with `Write.run`
// has one environment: the client, a transaction, or an interpreter).
const runners = Run.on<Db>('Pg', sql => interpreter(sql))

/**
 * Every row of the query. The environment is a postgres.js client or transaction, or an interpreter
 * (the same as the other runners here): so `pipe(Pg.all(q), RTE.flatMap(rows => Write.run(plan(rows))))`
 * runs on one value, `sql` or a transaction, and on an interpreter (the memory one, in tests).
 *
 * @example
 * import { Pg, Query } from 'quiver-sql'
 * // const posts = await Pg.all(Query.from(Blog, 'post'))(sql)()   // Either<LoadError, ReadonlyArray<Post>>
 *
 * @category destructors
 * @since 0.1.0
 */
export const all: Run.Runners<Db | Interpreter>['all'] = runners.all

/**
 * `Run.prepared` on PostgreSQL: the statement is compiled on the first run and each run sends only the
 * arguments (a prepared statement of the server's too, as every statement here).
 *
 * @example
 * import { Pg } from 'quiver-sql'
 * // const load = Pg.prepared(postById)           // Prepared.make({ id: t.number }, ({ id }) => ...)
 * // const r = await load({ id: 5 })(sql)()      // Either<LoadError, ReadonlyArray<Post & { comments: ... }>>
 *
 * @category destructors
 * @since 0.1.0
 */
export const prepared: Run.Runners<Db | Interpreter>['prepared'] = runners.prepared

/**
 * Exactly one row (else a `QueryError` `NotFound` / `TooMany`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pg, Pred, Query, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ user }, {})
 * const q = pipe(Query.from(M, 'user'), Query.where(u => Pred.eq(u.id, 1)))
 * // const ada = await Pg.one(q)(sql)()   // Either<LoadError, { id: number; name: string }>
 * // An environment that is no postgres.js client is refused before anything is sent:
 * const r = await Pg.one(q)({} as never)()
 * assert.ok(E.isLeft(r) && r.left._tag === 'QueryError' && r.left.code === 'InvalidArgument')
 *
 * @category destructors
 * @since 0.1.0
 */
export const one: Run.Runners<Db | Interpreter>['one'] = runners.one

/**
 * The first row, if any.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pg, Query, Schema } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post }, {})
 * const latest = pipe(Query.from(M, 'post'), Query.orderBy(p => [['desc', p.id]]))
 * const load = Pg.first(latest)
 * // await load(sql)()   // Either<LoadError, Option<{ id: number; title: string }>>
 * assert.strictEqual(typeof load, 'function')
 *
 * @category destructors
 * @since 0.1.0
 */
export const first: Run.Runners<Db | Interpreter>['first'] = runners.first

/**
 * `Run.preloadInto` on PostgreSQL: `Pg.preloadInto(Blog, 'post', { comments: true })(posts)(sql)()`.
 *
 * @example
 * import { Column, Pg, Schema } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { user: { posts: Schema.hasMany('post') } })
 * const withPosts = Pg.preloadInto(M, 'user', { posts: true })
 * // const users = await withPosts([{ id: 1 }, { id: 2 }])(sql)()   // one statement for both users' posts
 * assert.strictEqual(typeof withPosts([{ id: 1 }]), 'function')
 *
 * @category destructors
 * @since 0.1.0
 */
export const preloadInto: Run.Runners<Db | Interpreter>['preloadInto'] = runners.preloadInto
