/**
 * The capability an interpreter provides: run a select and return raw rows, and run a program in a
 * transaction. Programs are `ReaderTaskEither<Interpreter, E, A>`, so the same program runs on
 * PostgreSQL and on the memory interpreter.
 *
 * @since 0.1.0
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Bind } from '../ast/Expr.js'
import type { Select } from '../ast/Select.js'
import type { Tree } from '../ast/Tree.js'
import type { Write } from '../ast/Write.js'
import type { DbError } from '../error/DbError.js'
import type { QueryError } from '../error/QueryError.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A row as an interpreter returns it, before decoding: column (or output) names to the values the
 * database sent.
 *
 * @category model
 * @since 0.1.0
 */
export type RawRow = Readonly<Record<string, unknown>>

/**
 * What a program runs on: `Pg.interpreter(sql)` over a postgres.js client, `Memory.interpreter(tables)`
 * over in-memory tables, or your own. `Run.all`, `Write.run` and the other runners are
 * `ReaderTaskEither<Interpreter, E, A>`, so one program runs on each; `Pg.all` and `Memory.all` are the
 * same runners with the environment turned into an interpreter for you.
 *
 * @category model
 * @since 0.1.0
 */
export interface Interpreter {
  readonly _tag: 'Interpreter'
  readonly name: string
  /**
   * Runs one select; the rows come back as the database represents them (before decoding). The rows
   * are the caller's from then on, and decoding completes them in place: an interpreter that keeps a
   * reference to rows it returns must freeze them (the memory interpreter does), and frozen rows are
   * copied. The same holds for `tree` and `write`.
   *
   * With a `bind` (a prepared query's run) the placeholders of the select take their values from it,
   * and the same select object comes again in later runs, so it may be compiled once; without one, a
   * placeholder is a `QueryError`.
   */
  readonly select: (s: Select, bind?: Bind) => TE.TaskEither<DbError | QueryError, ReadonlyArray<RawRow>>
  /**
   * Runs the select of a projection (`Query.select`) built per call, with no placeholder: the same
   * rows as `select` of its lowering (`Lower.select`, relation aggregates as grouped joins), which an
   * interpreter may take from an earlier select of the same shape (the PostgreSQL one reuses its
   * compiled text). Optional: without it `Run` lowers the select and runs it with `select`.
   */
  readonly project?: (s: Select) => TE.TaskEither<DbError | QueryError, ReadonlyArray<RawRow>>
  /**
   * Runs one insert, update or delete and returns the rows it reports (`returning`). Optional until
   * every interpreter provides it; a plan run on an interpreter without it is a `QueryError`.
   */
  readonly write?: (w: Write) => TE.TaskEither<DbError | QueryError, ReadonlyArray<RawRow>>
  /**
   * Runs a whole preload tree as one statement (the lateral strategy) and returns the root rows with one
   * nested-JSON column per direct association. Optional: only the PostgreSQL interpreter has it; without
   * it preloads run batched over `select`. `bind` as for `select`.
   */
  readonly tree?: (t: Tree, bind?: Bind) => TE.TaskEither<DbError | QueryError, ReadonlyArray<RawRow>>
  /**
   * Runs a program atomically: a `Left` (or a failure) leaves no change. It always settles, whatever
   * happens to the connection; a `QueryError` reports invalid transaction options.
   */
  readonly transact: <E, A>(
    program: (i: Interpreter) => TE.TaskEither<E, A>,
  ) => TE.TaskEither<E | DbError | QueryError, A>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value is an interpreter (a record tagged `Interpreter` with its `select` and `transact`):
 * how the facades tell an interpreter given as their environment from their own (a postgres.js client,
 * in-memory tables). Never throws.
 *
 * @example
 * import { Memory, Run } from 'quiver-sql'
 * assert.strictEqual(Run.isInterpreter(Memory.interpreter(new Map())), true)
 * assert.strictEqual(Run.isInterpreter(new Map()), false)
 *
 * @category utils
 * @since 0.2.0
 */
export const isInterpreter = (u: unknown): u is Interpreter => {
  try {
    return (
      typeof u === 'object' &&
      u !== null &&
      (u as { readonly _tag?: unknown })._tag === 'Interpreter' &&
      typeof (u as { readonly select?: unknown }).select === 'function' &&
      typeof (u as { readonly transact?: unknown }).transact === 'function'
    )
  } catch {
    return false
  }
}

/**
 * The interpreter with a prepared run's `bind` given to every select and tree that has none: the
 * statements a run sends after its root (preload levels) may hold the placeholders of a preload query.
 *
 * @category utils
 * @since 0.2.0
 */
export const bound = (i: Interpreter, bind: Bind | undefined): Interpreter => {
  if (bind === undefined) return i
  const tree = i.tree
  // `project` runs with no placeholder: left out, so the bound `select` runs projections.
  const { project: _, ...rest } = i
  const out: Interpreter = {
    ...rest,
    select: (s, b) => i.select(s, b ?? bind),
    ...(tree === undefined ? {} : { tree: (t: Tree, b?: Bind) => tree(t, b ?? bind) }),
  }
  binds.set(out, bind)
  return out
}

const binds = new WeakMap<Interpreter, Bind>()

/**
 * The `bind` an interpreter made by `bound` gives its statements (none for any other): what a runner
 * reads for the counts it applies in memory (a through's window, `Prepared.bindCounts`).
 *
 * @category utils
 * @since 0.2.0
 */
export const bindOf = (i: Interpreter): Bind | undefined => binds.get(i)
