/**
 * The PostgreSQL interpreter over postgres.js. Compiled SQL runs with `sql.unsafe(text, params,
 * { prepare: true })`: a prepared statement learns its parameter types once, where an unprepared one
 * with parameters costs an extra round trip each time. Driver failures are caught here, and only here,
 * and classified into `DbError`s.
 *
 * Programs take the postgres.js client as their environment: `Pg.all(q)(sql)()`.
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as O from 'fp-ts/lib/Option.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type postgres from 'postgres'
import * as Expr from '../../ast/Expr.js'
import * as DbError from '../../error/DbError.js'
import type { QueryError } from '../../error/QueryError.js'
import * as Lateral from '../../preload/Lateral.js'
import * as Plan from '../../preload/Plan.js'
import * as Preload from '../../preload/Preload.js'
import type * as Spec from '../../preload/Spec.js'
import type { Loaded } from '../../query/Loaded.js'
import * as Prepared from '../../query/Prepared.js'
import type { Joins, Query } from '../../query/Query.js'
import type * as Model from '../../schema/Model.js'
import * as Sql from '../../sql/Compile.js'
import * as WriteSql from '../../sql/Write.js'
import type { Interpreter, RawRow } from '../Interpreter.js'
import * as Run from '../Run.js'

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

/**
 * Runs compiled SQL.
 *
 * @category constructors
 * @since 0.1.0
 */
export const execute =
  (compiled: Sql.CompiledQuery): RTE.ReaderTaskEither<Db, DbError.DbError, ReadonlyArray<RawRow>> =>
  sql =>
  async () => {
    // `TE.tryCatch` written out: fp-ts's build runs it through a generator polyfill, a few microseconds
    // per statement (measured in the one-small-tree benchmark).
    try {
      const params = compiled.params.map(v => listParam(sql, v)) as Array<postgres.ParameterOrJSON<never>>
      return { _tag: 'Right', right: await sql.unsafe(compiled.text, params, { prepare: true }) }
    } catch (u) {
      return { _tag: 'Left', left: DbError.fromUnknown(u) }
    }
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
 * Runs a program in a transaction (a savepoint when already inside one): a `Left`, a rejection or a
 * lost connection rolls everything back and comes out as a `Left`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const transact =
  <R extends Db, Err, A>(
    program: RTE.ReaderTaskEither<Db, Err, A>,
  ): RTE.ReaderTaskEither<R, Err | DbError.DbError, A> =>
  sql =>
  async (): Promise<E.Either<Err | DbError.DbError, A>> => {
    const body = async (tx: postgres.TransactionSql): Promise<A> => {
      const r = await program(tx)()
      if (r._tag === 'Left') {
        // The connection is gone: the server has already rolled back, and `sql.begin` has already
        // rejected (it races the callback against the connection's close). Throwing here would make
        // postgres.js write ROLLBACK to the dead socket, which it does from a timer and crashes with an
        // uncaught TypeError; so this callback is left to settle never, and is collected.
        if (lostConnection(r.left)) return new Promise<never>(() => undefined)
        throw new Rollback(r.left)
      }
      return r.right
    }
    try {
      const a = 'savepoint' in sql ? await sql.savepoint(body) : await (sql as postgres.Sql).begin(body)
      return { _tag: 'Right', right: a as A }
    } catch (u) {
      return { _tag: 'Left', left: u instanceof Rollback ? (u.error as Err) : DbError.fromUnknown(u) }
    }
  }

const lost: ReadonlySet<string> = new Set(['ConnectionClosed', 'AdminShutdown', 'ConnectionFailure'])
const lostConnection = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { readonly _tag?: unknown })._tag === 'DbError' &&
  lost.has(String((e as { readonly kind?: unknown }).kind))

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
// is returned instead (it is refused).
const bindParams = (
  params: ReadonlyArray<unknown>,
  bind: Expr.Bind | undefined,
): ReadonlyArray<unknown> | Expr.Placeholder => {
  let out: Array<unknown> | undefined
  for (let k = 0; k < params.length; k++) {
    const v = params[k]
    if (!Expr.isPlaceholder(v)) continue
    if (bind === undefined || !bind.has(v)) return v
    out ??= [...params]
    out[k] = bind.get(v)
  }
  return out ?? params
}

const run =
  (
    compiled: Sql.CompiledQuery,
    bind: Expr.Bind | undefined,
  ): RTE.ReaderTaskEither<Db, DbError.DbError | QueryError, ReadonlyArray<RawRow>> =>
  sql => {
    const params = bindParams(compiled.params, bind)
    if (Expr.isPlaceholder(params)) return TE.left(Prepared.unbound(params))
    return execute(params === compiled.params ? compiled : { text: compiled.text, params })(sql)
  }

/**
 * The interpreter capability over a postgres.js client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const interpreter = (sql: Db): Interpreter => {
  const hit = interpreters.get(sql)
  if (hit !== undefined) return hit
  const i: Interpreter = {
    _tag: 'Interpreter',
    name: 'postgres',
    select: (s, bind) => run(bind === undefined ? compile(s) : once(s, compile), bind)(sql),
    tree: (t, bind) => run(bind === undefined ? Lateral.toSql(t) : once(t, Lateral.toSql), bind)(sql),
    write: w => run(WriteSql.toSql(w), undefined)(sql),
    transact: program => transact((tx: Db) => program(interpreter(tx)))(sql),
  }
  interpreters.set(sql, i)
  return i
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Every row of the query.
 *
 * @example
 * import { Pg, Query } from 'quiver-sql'
 * // const posts = await Pg.all(Query.from(Blog, 'post'))(sql)()   // Either<LoadError, ReadonlyArray<Post>>
 *
 * @category destructors
 * @since 0.1.0
 */
export const all =
  <M extends Model.AnyModel, S extends string, P, J extends Joins>(
    q: Query<M, S, P, J>,
    options: Preload.Options = {},
  ): RTE.ReaderTaskEither<Db, Run.LoadError, ReadonlyArray<Loaded<M, S, P>>> =>
  sql =>
    Run.all(q, options)(interpreter(sql))

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
export const prepared = <M extends Model.AnyModel, S extends string, P, A extends Prepared.Params>(
  p: Prepared.Prepared<M, S, P, A>,
  options: Preload.Options = {},
): ((args: Prepared.Args<A>) => RTE.ReaderTaskEither<Db, Run.LoadError, ReadonlyArray<Loaded<M, S, P>>>) => {
  const load = Run.prepared(p, options)
  return args => sql => load(args)(interpreter(sql))
}

/**
 * Exactly one row (else a `QueryError` `NotFound` / `TooMany`).
 *
 * @category destructors
 * @since 0.1.0
 */
export const one =
  <M extends Model.AnyModel, S extends string, P, J extends Joins>(
    q: Query<M, S, P, J>,
    options: Preload.Options = {},
  ): RTE.ReaderTaskEither<Db, Run.LoadError, Loaded<M, S, P>> =>
  sql =>
    Run.one(q, options)(interpreter(sql))

/**
 * The first row, if any.
 *
 * @category destructors
 * @since 0.1.0
 */
export const first =
  <M extends Model.AnyModel, S extends string, P, J extends Joins>(
    q: Query<M, S, P, J>,
    options: Preload.Options = {},
  ): RTE.ReaderTaskEither<Db, Run.LoadError, O.Option<Loaded<M, S, P>>> =>
  sql =>
    Run.first(q, options)(interpreter(sql))

/**
 * `Run.preloadInto` on PostgreSQL: `Pg.preloadInto(Blog, 'post', { comments: true })(posts)(sql)()`.
 *
 * @category destructors
 * @since 0.1.0
 */
export const preloadInto =
  <M extends Model.AnyModel, S extends Model.SchemaName<M>, const P extends Preload.Input>(
    model: M,
    schema: S,
    spec: P & Spec.Valid<M, S, P>,
    options: Preload.Options = {},
  ) =>
  (
    rows: ReadonlyArray<Model.Row<M, S>>,
  ): RTE.ReaderTaskEither<Db, Run.LoadError, ReadonlyArray<Loaded<M, S, P>>> =>
    pipe(
      Preload.into(model, schema, spec, options)(rows) as RTE.ReaderTaskEither<
        Interpreter,
        Run.LoadError,
        ReadonlyArray<Loaded<M, S, P>>
      >,
      RTE.local(interpreter),
    )
