/**
 * Write plans: every write is first a value, a list of statements you can inspect (`toSql`), and only
 * then run, by an interpreter, in one transaction. A statement may use a value returned by an earlier
 * one (the id of a row inserted before) through a `Ref`; a step may demand that it touched exactly one
 * row (a stale entry is an error, as Ecto's `StaleEntryError`). The plan's result is decoded with the
 * model's codecs.
 *
 * On PostgreSQL a plan runs inside `transact`: any failure (a constraint, a stale entry, a lost
 * connection) rolls every statement back and comes out as a `Left`. On the memory semantics it is a
 * pure function from tables to tables.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as Ex from '../ast/Expr.js'
import type { Select } from '../ast/Select.js'
import * as Node from '../ast/Node.js'
import * as W from '../ast/Write.js'
import { isRef, type Write } from '../ast/Write.js'
import * as Decode from '../decode/Decode.js'
import * as DbErrors from '../error/DbError.js'
import type { DbError } from '../error/DbError.js'
import type { DecodeError } from '../error/DecodeError.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as WriteError from '../error/WriteError.js'
import * as Constraints from '../interpreter/memory/Constraints.js'
import * as Memory from '../interpreter/memory/Memory.js'
import * as MemoryWrite from '../interpreter/memory/Write.js'
import * as Pg from '../interpreter/postgres/Postgres.js'
import { isInterpreter, type Interpreter, type RawRow } from '../run/Interpreter.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import type { CompiledQuery } from '../sql/Compile.js'
import * as WriteSql from '../sql/Write.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One statement of a plan, with what it is for and how many rows it must touch.
 *
 * @category model
 * @since 0.1.0
 */
export interface Step {
  readonly statement: Write
  /** `one`: exactly one row, else the plan fails with a `StaleEntry` error. */
  readonly expect: 'any' | 'one'
  /** What the step does, for people reading the plan: `post.permalink: delete_all`. */
  readonly note: string
  /**
   * The schema whose row the step writes, named by a `StaleEntry` error. Without it, the schema of the
   * model whose table is the statement's (when exactly one is).
   */
  readonly schema?: string
}

/**
 * What a plan returns: nothing, the one row of a step, or the rows of some steps, decoded as `schema`.
 *
 * @category model
 * @since 0.1.0
 */
export type Output =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'One'; readonly step: number; readonly schema: string }
  | { readonly _tag: 'Many'; readonly steps: ReadonlyArray<number>; readonly schema: string }
  /** The number of rows some steps returned (a set-based update or delete). */
  | { readonly _tag: 'Count'; readonly steps: ReadonlyArray<number> }
  /** The row of a step if it returned one (an insert that `on conflict do nothing` may skip). */
  | { readonly _tag: 'Maybe'; readonly step: number; readonly schema: string }
  /** A record as written, with the associations written under it (a change plan, a nested insert). */
  | { readonly _tag: 'Tree'; readonly root: Written }

/**
 * One record of a `Tree` output: the row a step returned (laid over the values the plan already knew:
 * an update returns its key only), or, when no statement wrote it, the values given; and, under it,
 * the associations the plan wrote, each with its records in order.
 *
 * @category model
 * @since 0.2.0
 */
export interface Written {
  readonly schema: string
  /** The step whose first returned row is this record, or `null` when no statement wrote it. */
  readonly step: number | null
  /** Column values known when the plan was made; a value taken from a step is a `Ref`. */
  readonly given: Readonly<Record<string, unknown>>
  readonly associations: ReadonlyArray<WrittenAssociation>
}

/**
 * An association of a `Written` record: its name, whether it holds one record (an `Option` in the
 * result) or many (a list), and the records it holds after the plan.
 *
 * @category model
 * @since 0.2.0
 */
export interface WrittenAssociation {
  readonly name: string
  readonly cardinality: 'one' | 'many'
  readonly records: ReadonlyArray<Written>
}

/**
 * A write as data: the statements to run in order inside one transaction, and which of their
 * returned rows make the result (`A`). Nothing has run yet; `toSql` shows it, `run` and `runPure` run it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Plan<A> {
  readonly _tag: 'Plan'
  readonly model: Model.AnyModel
  readonly steps: ReadonlyArray<Step>
  readonly output: Output
  /** Remarks on what the plan does not do (e.g. where a cascade stopped at a cycle). */
  readonly notes: ReadonlyArray<string>
  /** Phantom: the type of the result. */
  readonly _A?: A
}

/**
 * What running a plan can fail with: a refused write, a database failure (rolled back), a refused
 * query, or a returned row that does not decode.
 *
 * @category model
 * @since 0.1.0
 */
export type PlanError = WriteError.WriteError | DbError | QueryError.QueryError | DecodeError

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A plan from its parts: the model its rows decode with, the steps, what the result is, and remarks.
 * The write constructors (`insert`, `update`, `toPlan`, ...) build plans with it; a hand-made plan is
 * for statements they do not cover.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Column, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const clear = Ast.Write.delete_({ binding: { table: 'tags', alias: 't0' }, where: [], returning: [] })
 * const plan = Write.make<void>(M, [{ statement: clear, expect: 'any', note: 'delete every tag' }], { _tag: 'None' })
 * assert.deepStrictEqual(Write.toSql(plan), [{ text: 'delete from "tags" as "t0"', params: [] }])
 * const r = Write.runPure(plan)(new Map([['tags', [{ id: 1, name: 'sql' }]]]))
 * assert.deepStrictEqual(E.map((x: Write.PureResult<void>) => x.tables.get('tags'))(r), E.right([]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A>(
  model: Model.AnyModel,
  steps: ReadonlyArray<Step>,
  output: Output,
  notes: ReadonlyArray<string> = [],
): Plan<A> =>
  Object.freeze({
    _tag: 'Plan',
    model,
    // Untyped steps that are not a list are kept as given: `run` refuses such a plan with a Left.
    steps: copy(steps),
    output,
    notes: copy(notes),
  })

const copy = <X>(xs: ReadonlyArray<X>): ReadonlyArray<X> => {
  try {
    return Object.freeze([...xs])
  } catch {
    return xs
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

type Results = ReadonlyArray<ReadonlyArray<RawRow>>

// The tag of a value from untyped code, as a property key to look a handler up by ('' when it has none
// or it cannot be read), so that a check before a dispatch never throws.
const tagOf = (u: unknown): string => {
  try {
    const tag = typeof u === 'object' && u !== null ? (u as { readonly _tag?: unknown })._tag : undefined
    return typeof tag === 'string' ? tag : ''
  } catch {
    return ''
  }
}

// A parameter holding a plan reference takes the value the referenced statement returned. Only nodes
// the companions built are resolved: anything else in a parameter's place is left as it is, a value.
const resolveParam = (results: Results, p: Ex.Param): Ex.Param => {
  if (!Ex.isExpr(p) || p._tag !== 'Param' || !isRef(p.value)) return p
  const rows = results[p.value.step]
  const row = rows?.[0]
  if (row === undefined || !(p.value.column in row))
    throw WriteError.make(
      'MissingKey',
      `statement ${p.value.step} of the plan returned no '${p.value.column}' for a later statement`,
      { column: p.value.column },
    )
  return Ex.param(row[p.value.column])
}

const holdsRef = (p: Ex.Param): boolean => Ex.isExpr(p) && p._tag === 'Param' && isRef(p.value)

type Resolvers = {
  readonly [K in Ex.Expr['_tag']]: (
    e: Extract<Ex.Expr, { readonly _tag: K }>,
    go: (x: Ex.Expr) => Ex.Expr,
    results: Results,
  ) => Ex.Expr
}

// Each node rebuilt through its companion with its children resolved: a spread of a node is not a node
// (its brand does not copy).
const resolvers: Resolvers = {
  Param: (e, _, results) => resolveParam(results, e),
  ColumnRef: e => e,
  Bool: e => e,
  Compare: (e, go) => Ex.compare(e.op, go(e.left), go(e.right)),
  RowCompare: (e, go) => Ex.rowCompare(e.op, e.left.map(go), e.right.map(go)),
  InList: (e, go) => Ex.inList(go(e.expr), e.values),
  IsNull: (e, go) => Ex.isNull(go(e.expr)),
  Not: (e, go) => Ex.not(go(e.expr)),
  NotTrue: (e, go) => Ex.notTrue(go(e.expr)),
  And: (e, go) => Ex.and(e.exprs.map(go)),
  Or: (e, go) => Ex.or(e.exprs.map(go)),
  Like: (e, go) => Ex.like(go(e.expr), go(e.pattern), e.caseInsensitive),
  Fragment: (e, go) => Ex.fragment(e.strings, e.args.map(go)),
  // A subquery nobody built is left as it is (the interpreter refuses it), never branded here.
  Exists: (e, go) => (Node.isNode(e.select) ? Ex.exists(resolveSelect(e.select, go)) : e),
  Scalar: (e, go) => (Node.isNode(e.select) ? Ex.scalar(resolveSelect(e.select, go)) : e),
  InSelect: (e, go) => (Node.isNode(e.select) ? Ex.inSelect(go(e.expr), resolveSelect(e.select, go)) : e),
  InArray: (e, go) => Ex.inArray(go(e.expr), go(e.array)),
  Arith: (e, go) => Ex.arith(e.op, go(e.left), go(e.right), e.integer),
  // `dateTrunc` carries its unit (its constructor sets it; `Check` refuses one without).
  Call: (e, go) =>
    e.fn === 'dateTrunc'
      ? e.unit === undefined
        ? e
        : Ex.dateTrunc(e.unit, go(e.args[0] ?? Ex.param(null)))
      : e.fn === 'neg'
        ? Ex.negate(go(e.args[0] ?? Ex.param(null)), e.integer === true)
        : Ex.call(e.fn, e.args.map(go)),
  Cast: (e, go) => Ex.cast(go(e.expr), e.type),
  Case: (e, go) =>
    Ex.case_(
      e.whens.map(w => ({ when: go(w.when), then: go(w.then) })),
      e.otherwise._tag === 'Some' ? { _tag: 'Some', value: go(e.otherwise.value) } : e.otherwise,
    ),
  Agg: (e, go) =>
    Ex.agg(e.fn, e.args.map(go), {
      distinct: e.distinct,
      ...(e.filter._tag === 'Some' ? { filter: go(e.filter.value) } : {}),
      orderBy: e.orderBy.map(t => ({ ...t, expr: go(t.expr) })),
    }),
}

// A write's subquery filters may hold plan references (a delete's `exists`): its conjuncts resolved.
const resolveSelect = (s: Select, go: (x: Ex.Expr) => Ex.Expr): Select =>
  Node.make({ ...s, where: s.where.map(go) })

const resolveExpr = (results: Results, e: Ex.Expr): Ex.Expr =>
  // Only a node the companions built is rebuilt: a value shaped like one (`{ _tag: 'Fragment', ... }` in
  // a filter from untyped code) stays a value, never becomes SQL by passing through a companion here.
  Ex.isExpr(e)
    ? (resolvers[e._tag] as (e: Ex.Expr, go: (x: Ex.Expr) => Ex.Expr, results: Results) => Ex.Expr)(
        e,
        x => resolveExpr(results, x),
        results,
      )
    : e

type Rebuilders = {
  readonly [K in Write['_tag']]: (w: Extract<Write, { readonly _tag: K }>, results: Results) => Write
}

// Rebuilt through the companions: a spread of a node is not a node (its brand does not copy).
const rebuilders: Rebuilders = {
  // A built insert with no reference in its rows is kept as it is: rebuilding (and refreezing) the
  // rows of a bulk insert cost as much as building them.
  Insert: (w, results) =>
    Node.isNode(w) && (W.valuesOnly(w) || !w.rows.some(r => r.some(holdsRef)))
      ? w
      : W.insert({ ...w, rows: w.rows.map(r => r.map(p => resolveParam(results, p))) }),
  Update: (w, results) =>
    W.update({
      ...w,
      set: w.set.map(([c, p]) => [c, resolveExpr(results, p)] as const),
      where: w.where.map(x => resolveExpr(results, x)),
    }),
  Delete: (w, results) => W.delete_({ ...w, where: w.where.map(x => resolveExpr(results, x)) }),
  Read: (w, results) => W.read({ ...w, where: w.where.map(x => resolveExpr(results, x)) }),
}

// `name`: the public function running the plan, for the messages.
type Runner = 'Write.run' | 'Write.runPure'

const resolve = (name: Runner, results: Results, w: Write): E.Either<PlanError, Write> => {
  // A plan made by `make` from untyped code may hold anything as a statement: only the three kinds are
  // dispatched on. A statement's own fields (its table, its columns) describe it, so a plain copy of one
  // (a spread) is rebuilt through its companion; the values and filters inside it are recognised by
  // their brands only (`resolveParam`, `resolveExpr`).
  if (!Object.hasOwn(rebuilders, tagOf(w)))
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `${name}: expected a statement built by Ast.Write.insert, update or delete_, got ${show(w)}`,
      ),
    )
  try {
    return E.right((rebuilders[w._tag] as (w: Write, results: Results) => Write)(w, results))
  } catch (u) {
    if (typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'WriteError')
      return E.left(u as WriteError.WriteError)
    throw u
  }
}

// The schema a step writes: its own, else the one schema of the model reading the statement's table.
const schemaOf = (model: Model.AnyModel, step: Step): string | null => {
  try {
    if (typeof step.schema === 'string') return step.schema
    const table = W.tableOf(step.statement)
    const found = Object.values(model.tables).filter(t => t.source === table)
    return found.length === 1 ? (found[0] as Table).name : null
  } catch {
    // A hand-made plan from untyped code: its model cannot be read, the error just names no schema.
    return null
  }
}

const check = (
  model: Model.AnyModel,
  step: Step,
  rows: ReadonlyArray<RawRow>,
): E.Either<WriteError.WriteError, ReadonlyArray<RawRow>> => {
  if (step.expect !== 'one' || rows.length === 1) return E.right(rows)
  const schema = schemaOf(model, step)
  return E.left(
    WriteError.make(
      'StaleEntry',
      `${step.note}: expected to touch exactly one row of '${W.tableOf(step.statement)}'${
        schema === null ? '' : ` (schema '${schema}')`
      }, touched ${rows.length} (the row was changed or deleted meanwhile)`,
      { schema },
    ),
  )
}

type Finishers = {
  readonly [K in Output['_tag']]: (
    o: Extract<Output, { readonly _tag: K }>,
    model: Model.AnyModel,
    results: Results,
  ) => E.Either<PlanError, unknown>
}

const decodedAs = (
  model: Model.AnyModel,
  schema: string,
  decode: (table: Table) => E.Either<PlanError, unknown>,
): E.Either<PlanError, unknown> => {
  const table = Model.table(model, schema)
  return table === undefined
    ? E.left(QueryError.make('UnknownSchema', `the model has no schema '${schema}'`, schema))
    : decode(table)
}

// A given value that is a plan reference takes the value its step returned.
const givenValue = (results: Results, v: unknown): unknown =>
  isRef(v) ? results[v.step]?.[0]?.[v.column] : v

// A `Tree` output's record: the columns of its table (the given values under the returned row), decoded,
// with its associations as the preload of the same spec would give them (a list, or an `Option`).
const assemble = (
  model: Model.AnyModel,
  results: Results,
  w: Written,
): E.Either<PlanError, Record<string, unknown>> =>
  decodedAs(model, w.schema, table => {
    const returned = w.step === null ? {} : results[w.step]?.[0]
    if (returned === undefined)
      return E.left(WriteError.make('StaleEntry', `no row came back from the write`, { schema: w.schema }))
    // The columns known: a record given in part (linked by its key alone) comes back in part.
    const cols = Decode.columnsOf(table).filter(
      c => c.name in returned || givenValue(results, w.given[c.name]) !== undefined,
    )
    const raw: Record<string, unknown> = {}
    for (const c of cols)
      raw[c.name] = c.name in returned ? returned[c.name] : givenValue(results, w.given[c.name])
    const decoded = Decode.decodeRow(cols, raw)
    if (typeof decoded === 'number') return E.left(Decode.errorOf(table, cols, raw, decoded))
    const out: Record<string, unknown> = decoded
    for (const a of w.associations) {
      const records: Array<Record<string, unknown>> = []
      for (const r of a.records) {
        const x = assemble(model, results, r)
        if (E.isLeft(x)) return x
        records.push(x.right)
      }
      out[a.name] = a.cardinality === 'many' ? records : O.fromNullable(records[records.length - 1])
    }
    return E.right(out)
  }) as E.Either<PlanError, Record<string, unknown>>

// The plan's result, decoded with the output schema's codecs.
const finishers: Finishers = {
  Tree: (o, model, results) => assemble(model, results, o.root),
  None: () => E.right(undefined),
  One: (o, model, results) =>
    decodedAs(model, o.schema, table => {
      const row = results[o.step]?.[0]
      return row === undefined
        ? E.left(WriteError.make('StaleEntry', `no row came back from the write`, { schema: o.schema }))
        : Decode.forTable(table)(row)
    }),
  Count: (o, _, results) => E.right(o.steps.reduce((n, i) => n + (results[i]?.length ?? 0), 0)),
  Maybe: (o, model, results) =>
    decodedAs(model, o.schema, table => {
      const row = results[o.step]?.[0]
      return row === undefined ? E.right(O.none) : E.map(O.some)(Decode.forTable(table)(row))
    }),
  Many: (o, model, results) =>
    decodedAs(model, o.schema, table =>
      // One step (a bulk insert's 100,000 rows): its rows as they are; `flatMap` copied them one by one.
      Decode.rows(
        table,
        o.steps.length === 1
          ? (results[o.steps[0] as number] ?? [])
          : o.steps.reduce<Array<RawRow>>((all, i) => {
              for (const r of results[i] ?? []) all.push(r)
              return all
            }, []),
      ),
    ),
}

const finish = <A>(name: Runner, plan: Plan<A>, results: Results): E.Either<PlanError, A> => {
  const o = plan.output
  // An output from untyped code that is none of the kinds is refused before it is dispatched on.
  if (!Object.hasOwn(finishers, tagOf(o)))
    return E.left(QueryError.make('InvalidArgument', `${name}: expected a plan output, got ${show(o)}`))
  const finisher = finishers[o._tag] as (
    o: Output,
    model: Model.AnyModel,
    results: Results,
  ) => E.Either<PlanError, unknown>
  return E.map(r => r as A)(finisher(o, plan.model, results))
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The statements of a plan, in order. A value taken from an earlier statement appears in `params`
 * as the `Ref` the plan holds (made by `Ast.Write.ref`; as JSON, `{ _tag: 'Ref', step, column }`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * assert.deepStrictEqual(
 *   pipe(Write.update(M, 'tag', { id: 3, name: 'sql' }, { name: 'SQL' }), E.map(Write.toSql)),
 *   E.right([{ text: 'update "tags" as "t0" set "name" = $1 where "t0"."id" = $2 returning "id", "name"', params: ['SQL', 3] }]),
 * )
 *
 * @category destructors
 * @since 0.1.0
 */
export const toSql = <A>(plan: Plan<A>): ReadonlyArray<CompiledQuery> => {
  try {
    return plan.steps.map(s => WriteSql.toSql(s.statement))
  } catch {
    // Not a plan (untyped input): it has no statements to show.
    return []
  }
}

/**
 * What `Write.run` runs on: an interpreter, a postgres.js client or transaction (`Pg.Db`, the
 * environment of `Pg.all` and the other `Pg` runners), or a memory database (`Memory.store`,
 * `Memory.storeOf`, whose tables then hold what the plan wrote). A program that reads with `Pg.all` and
 * writes with `Write.run` runs on the one value they share: the client, a transaction, an interpreter.
 *
 * @category model
 * @since 0.2.0
 */
export type Environment = Interpreter | Pg.Db | Memory.Store

// The interpreter of an environment; anything else is left as it is, for `run` to refuse.
const interpreterOf = (env: unknown): unknown =>
  isInterpreter(env)
    ? env
    : Memory.isStore(env)
      ? env.interpreter
      : typeof env === 'function'
        ? Pg.interpreter(env as Pg.Db)
        : env

/**
 * Runs a plan on any interpreter, in one transaction. The environment may also be a postgres.js client
 * or transaction, or a memory database (see `Environment`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Memory, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const plan = Write.insert(M, 'tag', { name: 'sql' })
 * const db = Memory.storeOf(M)
 * assert.ok(E.isRight(plan) && E.isRight(db))
 * // On PostgreSQL: await Write.run(plan.right)(Pg.interpreter(sql))()
 * assert.deepStrictEqual(await Write.run(plan.right)(db.right.interpreter)(), E.right({ id: 1, name: 'sql' }))
 * assert.deepStrictEqual(db.right.tables().get('tags'), [{ id: 1, name: 'sql' }])
 *
 * @category destructors
 * @since 0.1.0
 */
export const run = <A>(plan: Plan<A>): RTE.ReaderTaskEither<Environment, PlanError, A> =>
  QueryError.total('Write.run', () => (env: Environment) => {
    const i = interpreterOf(env) as Interpreter
    if (!isPlan(plan))
      return TE.left(
        QueryError.make(
          'InvalidArgument',
          `Write.run: expected a write plan (Write.toPlan ...), got ${show(plan)}`,
        ),
      )
    if (typeof i !== 'object' || i === null || typeof (i as { transact?: unknown }).transact !== 'function')
      return TE.left(
        QueryError.make(
          'InvalidArgument',
          `Write.run: expected an interpreter (Pg.interpreter(sql) ...), a postgres.js client or a memory store, got ${show(i)}`,
        ),
      )
    return i.transact(tx => {
      const write = tx.write
      if (write === undefined)
        return TE.left<PlanError, A>(
          QueryError.make('Unsupported', `the ${tx.name} interpreter cannot run writes`),
        )
      const go = (k: number, results: Results): TE.TaskEither<PlanError, Results> => {
        const step = plan.steps[k]
        if (step === undefined) return TE.right(results)
        return pipe(
          TE.fromEither(resolve('Write.run', results, step.statement)),
          TE.flatMap((w): TE.TaskEither<PlanError, ReadonlyArray<RawRow>> => write(w)),
          TE.flatMapEither(rows => check(plan.model, step, rows)),
          TE.flatMap(rows => go(k + 1, [...results, rows])),
        )
      }
      const program = pipe(
        go(0, []),
        TE.flatMapEither(results => finish('Write.run', plan, results)),
      )
      // A throw anywhere in the steps (a statement our compiler cannot render, say) is a Left, so the
      // interpreter rolls back instead of seeing a rejected program.
      return async () => {
        try {
          return await program()
        } catch (u) {
          return E.left(DbErrors.fromUnknown(u))
        }
      }
    })
  })

const isPlan = (u: unknown): u is Plan<unknown> =>
  typeof u === 'object' &&
  u !== null &&
  (u as { readonly _tag?: unknown })._tag === 'Plan' &&
  Array.isArray((u as { readonly steps?: unknown }).steps)

/**
 * What `runPure` enforces and numbers with.
 *
 * @category model
 * @since 0.1.0
 */
export interface PureOptions {
  /**
   * The constraints the statements are checked against, as the database checks them (NOT NULL, keys,
   * foreign keys with their `on delete` action): `'model'` for the ones `Ddl.ddl` declares for the
   * plan's model (`Constraints.fromModel`; a table of the model missing from the tables is empty), or
   * a `Constraints` value. Without, tables are plain lists and only each insert's key is unique.
   */
  readonly constraints?: 'model' | Constraints.Constraints
  /**
   * Identity sequences from an earlier run (the `sequences` of its result). Without, each sequence
   * starts after the largest value in its column. Within the plan they are always carried from step to
   * step, so, as in PostgreSQL, a number is never given twice, even after a delete.
   */
  readonly sequences?: MemoryWrite.Sequences
}

/**
 * The result of `runPure`: the new tables, the plan's result, and the sequences to pass to the next run.
 *
 * @category model
 * @since 0.1.0
 */
export interface PureResult<A> {
  readonly tables: MemoryWrite.Tables
  readonly result: A
  readonly sequences: MemoryWrite.Sequences
}

/**
 * Runs a plan on in-memory tables: a pure function from the tables to the new tables and the result.
 * A failure at any statement returns the error and no tables (the input is untouched). With
 * `{ constraints: 'model' }` a plan PostgreSQL refuses (a NULL in a NOT NULL column, a duplicate key,
 * a missing referenced row) is refused with the same `DbError` kind.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const plan = Write.insert(M, 'tag', { name: 'sql' })
 * const r = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p, { constraints: 'model' })(new Map()))(plan)
 * assert.deepStrictEqual(E.map((x: { readonly tables: ReadonlyMap<string, unknown> }) => x.tables.get('tags'))(r), E.right([{ id: 1, name: 'sql' }]))
 *
 * @category destructors
 * @since 0.1.0
 */
export const runPure =
  <A>(plan: Plan<A>, options: PureOptions = {}) =>
  (tables: MemoryWrite.Tables): E.Either<PlanError, PureResult<A>> => {
    try {
      if (!isPlan(plan))
        return E.left(
          QueryError.make(
            'InvalidArgument',
            `Write.runPure: expected a write plan (Write.toPlan ...), got ${show(plan)}`,
          ),
        )
      const env = pureEnv(plan, options, tables)
      return E.isLeft(env) ? env : pure(plan, env.right)
    } catch (u) {
      return E.left(QueryError.unreadable('Write.runPure', u))
    }
  }

interface PureEnv {
  readonly tables: MemoryWrite.Tables
  readonly constraints: Constraints.Constraints
  readonly sequences: MemoryWrite.Sequences
}

const pureEnv = <A>(
  plan: Plan<A>,
  options: unknown,
  tables: unknown,
): E.Either<QueryError.QueryError, PureEnv> => {
  const refuse = (what: string) => E.left(QueryError.make('InvalidArgument', `Write.runPure: ${what}`))
  if (!(tables instanceof Map))
    return refuse(`expected tables as a Map of table name to rows, got ${show(tables)}`)
  if (typeof options !== 'object' || options === null)
    return refuse(`expected options { constraints?, sequences? }, got ${show(options)}`)
  const { constraints, sequences } = options as {
    readonly constraints?: unknown
    readonly sequences?: unknown
  }
  if (sequences !== undefined && !(sequences instanceof Map))
    return refuse(
      `option 'sequences': expected the sequences of an earlier run (a Map), got ${show(sequences)}`,
    )
  const seq: MemoryWrite.Sequences = sequences ?? new Map()
  const all = tables as MemoryWrite.Tables
  if (constraints === undefined)
    return E.right({ tables: all, constraints: Constraints.none, sequences: seq })
  if (constraints !== 'model') {
    if (!isConstraints(constraints))
      return refuse(`option 'constraints': expected 'model' or Constraints, got ${show(constraints)}`)
    return E.right({ tables: all, constraints, sequences: seq })
  }
  const c = Constraints.fromModel(plan.model)
  if (E.isLeft(c))
    return E.left(
      QueryError.make(
        'Unsupported',
        `Write.runPure: the model's constraints cannot be derived: ${c.left.message}`,
        c.left.schema,
        c.left.association,
      ),
    )
  // As in a database built by `Ddl.ddl`, every table of the model exists.
  const filled = new Map(all)
  for (const t of c.right.tables.keys()) if (!filled.has(t)) filled.set(t, [])
  return E.right({ tables: filled, constraints: c.right, sequences: seq })
}

const isConstraints = (u: unknown): u is Constraints.Constraints =>
  typeof u === 'object' &&
  u !== null &&
  (u as { readonly tables?: unknown }).tables instanceof Map &&
  Array.isArray((u as { readonly foreignKeys?: unknown }).foreignKeys)

const pure = <A>(plan: Plan<A>, env: PureEnv): E.Either<PlanError, PureResult<A>> => {
  let current = env.tables
  let sequences = env.sequences
  const results: Array<ReadonlyArray<RawRow>> = []
  for (const step of plan.steps) {
    const w = resolve('Write.runPure', results, step.statement)
    if (E.isLeft(w)) return w
    const r = MemoryWrite.write(current, w.right, { constraints: env.constraints, sequences })
    if (E.isLeft(r)) return r
    const c = check(plan.model, step, r.right.rows)
    if (E.isLeft(c)) return c
    current = r.right.tables
    sequences = r.right.sequences
    results.push(r.right.rows)
  }
  return E.map((result: A) => ({ tables: current, result, sequences }))(
    finish('Write.runPure', plan, results),
  )
}
