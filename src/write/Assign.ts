/**
 * Assignments: the `set` of an update or an upsert as typed data (`column = value | term | inc(n)`),
 * lowered to `column = expression` pairs. Values are checked with the column's codec and sent as
 * parameters; terms are expressions built by `Pred` / `Fn` over the row being written (and, in an
 * upsert, `excluded`), of a type the column takes.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as Check from '../ast/Check.js'
import * as Ex from '../ast/Expr.js'
import type * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as WriteError from '../error/WriteError.js'
import * as Fn from '../query/Fn.js'
import * as Make from '../query/Make.js'
import type * as Pred from '../query/Pred.js'
import type { TableRefs } from '../query/Query.js'
import * as Subquery from '../query/Subquery.js'
import * as Column from '../schema/Column.js'
import type * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

declare const incBrand: unique symbol

/**
 * `column = column + by` (made by `inc`): for a number column of an update's or an upsert's set.
 *
 * @category model
 * @since 0.2.0
 */
export interface Increment {
  readonly _tag: 'Increment'
  readonly by: number
  readonly [incBrand]?: true
}

/**
 * What an assignment may set a column of type `A` to: a value, a term of that type, or (numbers) an
 * `Increment`.
 *
 * @category model
 * @since 0.2.0
 */
export type Assigned<A, C = {}> =
  A | (Pred.Term<A> & Accepts<C>) | ([NonNullable<A>] extends [number] ? Increment : never)

/**
 * What a column of SQL type mark `C` (`Column.Sql`) takes as a term: a term whose mark is one of the
 * SQL types it converts exactly and alike on both interpreters (`numeric` takes `bigint` terms, double
 * precision `integer` ones; `integer` and `bigint` take only their own, so a `numeric` or `double`
 * term assigned to one, which PostgreSQL would round, is a compile error). A term with no mark (a
 * computed number) is checked when the assignments are lowered; any term for a column with no mark.
 *
 * @category model
 * @since 0.2.0
 */
export type Accepts<C> = C extends { readonly __sql?: infer S }
  ? unknown extends S
    ? {}
    : Column.Sql<Accepted[Extract<Exclude<S, undefined>, Column.SqlName>]>
  : {}

interface Accepted {
  readonly integer: 'integer'
  readonly bigint: 'bigint'
  readonly numeric: 'numeric' | 'bigint'
  readonly double: 'double' | 'integer'
  readonly text: 'text'
  readonly uuid: 'uuid'
}

type InputOf<T> = T extends Table<string, infer C> ? C : {}

/**
 * The assignments of an update: some columns of schema `S`, each set to an `Assigned` of its type (and
 * of its SQL type, for a column that has a mark).
 *
 * @category model
 * @since 0.2.0
 */
export type Assignments<M extends Model.AnyModel, S extends string> = {
  readonly [K in keyof Model.Row<M, S>]?: Assigned<
    Model.Row<M, S>[K],
    K extends keyof InputOf<M['tables'][S]> ? Column.SqlOf<InputOf<M['tables'][S]>[K]> : {}
  >
}

/**
 * The `set` of `updateAll`: assignments, or a function of the row's column terms (marked with their
 * SQL types, as `Query`'s are) giving them (`p => ({ views: Fn.add(p.views, 1) })`).
 *
 * @category model
 * @since 0.2.0
 */
export type SetSpec<M extends Model.AnyModel, S extends string> =
  Assignments<M, S> | ((row: TableRefs<M, S>) => Assignments<M, S>)

/**
 * What lowering assignments can be refused with.
 *
 * @category model
 * @since 0.2.0
 */
export type AssignError = QueryError.QueryError | WriteError.WriteError

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const increments = new WeakSet<object>()

/**
 * `column = column + by`, for a number column (NULL stays NULL, as in SQL).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Query, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, views: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const plan = Write.updateAll(Query.from(M, 'post'), { views: Write.inc(1) })
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'update "posts" as "t0" set "views" = "t0"."views" + $1 returning "id"', params: [1],
 * }]))
 *
 * @category constructors
 * @since 0.2.0
 */
export const inc = (by: number): Increment => {
  const i = Object.freeze({ _tag: 'Increment' as const, by })
  increments.add(i)
  return i
}

const isIncrement = (u: unknown): u is Increment => typeof u === 'object' && u !== null && increments.has(u)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const refuse = (
  message: string,
  schema: string,
  column?: string,
  code: WriteError.WriteErrorCode = 'InvalidValue',
): E.Either<WriteError.WriteError, never> =>
  E.left(WriteError.make(code, message, column === undefined ? { schema } : { schema, column }))

// The SQL types whose values an assignment may exchange: a term of another family is refused.
const family: Readonly<Record<Make.SqlType, string | null>> = {
  integer: 'number',
  bigint: 'number',
  numeric: 'number',
  double: 'number',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'time',
  date: 'time',
  json: 'json',
  array: 'array',
  unknown: null,
}

const columnInfo = (col: Column.Column<unknown>): Make.TermInfo => {
  const sql = Make.sqlTypeOf(Column.isColumn(col) ? col.sqlType : null)
  const codec = Column.nonNull(col.codec)
  return Object.freeze({
    sql,
    js: Make.jsTypeOf[sql],
    decode: Column.fastDecoder(codec),
    expected: codec.name,
    nullable: col.nullable === true,
  })
}

/**
 * The column terms of a table under an alias (typed as `Query`'s are, so `Fn` reads their types),
 * owned (`Make.owned`) by query identity `scope` under the binding name `binding` (default: the
 * table's schema), so that a term kept from them and used elsewhere is refused there, and a term of
 * another query is refused here (`assignments`).
 *
 * @category utils
 * @since 0.2.0
 */
export const termsOf = (
  table: Table,
  alias: string,
  scope: number,
  binding: string = table.name,
): Readonly<Record<string, Pred.Term<unknown>>> => {
  const terms: Readonly<Record<string, Pred.Term<unknown>>> = Object.freeze(
    Object.fromEntries(
      [...table.columns].map(([c, col]) => {
        const info = columnInfo(col)
        // Decimal text says so, as a query's column terms do: memory reads a bigint's text as an integer's.
        const decimal = info.sql === 'numeric' || info.sql === 'bigint' ? info.sql : undefined
        return [c, Make.typed(Ex.column(alias, c, Column.jsonType(col) ?? decimal), info)]
      }),
    ),
  )
  const owner: Make.Owner = { scope, schema: table.name, binding, terms }
  return Object.freeze(
    Object.fromEntries(
      Object.entries(terms).map(([c, t]) => [c, Make.owned(t as unknown as Ex.ColumnRef, owner)]),
    ),
  ) as Readonly<Record<string, Pred.Term<unknown>>>
}

// The aliases an expression reads outside its own subqueries.
const aliasesIn = (e: Ex.Expr): ReadonlySet<string> => {
  const out = new Set<string>()
  const stack: Array<Ex.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (x._tag === 'ColumnRef') out.add(x.alias)
    for (const [c, inSub] of Make.innerOf(x)) if (!inSub) stack.push(c)
  }
  return out
}

/**
 * Whether two SQL types exchange values in an assignment (same family, or either unknown).
 *
 * @category utils
 * @since 0.2.0
 */
export const compatible = (column: Column.Column<unknown>, term: unknown): boolean => {
  const want = family[columnInfo(column).sql]
  const got = family[Make.infoOf(term).sql]
  return want === null || got === null || want === got
}

// The number types an assignment takes for a column of each: those PostgreSQL converts exactly and
// postgres.js returns as the column's own (a number for integer and double precision, decimal text for
// bigint and numeric), so that memory, which stores the term's value as it is, holds what PostgreSQL
// holds. Rounding conversions (numeric or double to an integer type, numeric to double) need a cast.
const numberTerms: Readonly<Partial<Record<Make.SqlType, ReadonlyArray<Make.SqlType>>>> = {
  integer: ['integer'],
  bigint: ['bigint'],
  numeric: ['numeric', 'bigint'],
  double: ['double', 'integer'],
}

/**
 * Why a term cannot be assigned to a column, or `undefined` when it can: of another family of types
 * (`compatible`), or a number of a type the column's does not take exactly (`numeric` into `integer`,
 * which PostgreSQL would round), with the cast to write.
 *
 * @category utils
 * @since 0.2.0
 */
export const assignable = (column: Column.Column<unknown>, term: unknown): string | undefined => {
  const want = columnInfo(column).sql
  const got = Make.infoOf(term).sql
  if (!compatible(column, term)) return `a ${got} term cannot be assigned to a ${want} column`
  const takes = numberTerms[want]
  if (takes === undefined || got === 'unknown' || takes.includes(got)) return undefined
  return `a ${got} term cannot be assigned to a ${want} column (PostgreSQL would convert it${
    want === 'integer' || want === 'bigint' ? ', rounding' : ''
  }): cast it, Fn.cast(t, '${want}')`
}

/**
 * The SQL type the query layer gives a column (for messages).
 *
 * @category utils
 * @since 0.2.0
 */
export const sqlTypeOf = (column: Column.Column<unknown>): Make.SqlType => columnInfo(column).sql

// A value for a column: checked (and decoded) with its codec, then encoded as the column stores it,
// as a parameter (a JSON column's as JSON).
const valueFor = (
  table: Table,
  c: string,
  col: Column.Column<unknown>,
  v: unknown,
  what: string,
): E.Either<WriteError.WriteError, Ex.Expr> => {
  let value = v
  if (!col.codec.is(v)) {
    const d = col.codec.decode(v)
    if (E.isLeft(d))
      return refuse(
        `${what}: invalid value ${show(v)} for column '${c}' of schema '${table.name}': expected ${col.codec.name}`,
        table.name,
        c,
      )
    value = d.right
  }
  const enc = col.codec.encode(value)
  return E.right(Column.jsonType(col) === undefined ? Ex.param(enc) : Ex.jsonParam(enc))
}

/**
 * Lowers assignments (a record, or a function of the column terms `terms` giving one) to `column =
 * expression` pairs: a value is checked with the column's codec and sent as a parameter; a term must
 * be an expression built by `Pred` / `Fn` over the `allowed` aliases, without aggregates, of a type
 * the column takes; an `Increment` adds to the column (read from `terms[0]`). The first problem is an
 * error naming the schema and the column.
 *
 * @category utils
 * @since 0.2.0
 */
export const assignments = (
  table: Table,
  spec: unknown,
  terms: ReadonlyArray<Readonly<Record<string, Pred.Term<unknown>>>>,
  allowed: ReadonlySet<string>,
  what: string,
  scope: number,
): E.Either<AssignError, ReadonlyArray<readonly [string, Ex.Expr]>> => {
  let given: unknown
  try {
    given =
      typeof spec === 'function'
        ? Subquery.inCallback(() => (spec as (...a: ReadonlyArray<unknown>) => unknown)(...terms), scope)
        : spec
  } catch (u) {
    return refuse(
      `${what} of schema '${table.name}': the set function threw: ${show(u instanceof Error ? u.message : u)}`,
      table.name,
    )
  }
  if (
    typeof given !== 'object' ||
    given === null ||
    Array.isArray(given) ||
    Ex.isExpr(given) ||
    isIncrement(given)
  )
    return refuse(
      `${what} of schema '${table.name}' takes a record of columns to values or terms, got ${show(given)}`,
      table.name,
    )
  const out: Array<readonly [string, Ex.Expr]> = []
  const self = terms[0] ?? {}
  for (const [c, v] of Object.entries(given)) {
    if (v === undefined) continue
    const col = table.columns.get(c)
    if (col === undefined)
      return refuse(
        `${what}: '${c}' is not a column of schema '${table.name}'`,
        table.name,
        c,
        'UnknownColumn',
      )
    const named = (m: string) =>
      refuse(`${what}: column '${c}' of schema '${table.name}': ${m}`, table.name, c)
    if (isIncrement(v)) {
      if (family[columnInfo(col).sql] !== 'number' || !Number.isFinite(v.by))
        return named(`inc(${show(v.by)}) adds a finite number to a number column`)
      const e = Fn.add(self[c] as Pred.Term<number>, v.by)
      const bad = Check.expr(e)
      if (bad !== undefined) return named(bad)
      out.push([c, e])
      continue
    }
    if (Ex.isExpr(v) && v._tag !== 'Param') {
      const carried = Subquery.errorsIn(v)[0]
      if (carried !== undefined) return E.left(carried)
      const bad = Check.expr(v)
      if (bad !== undefined) return named(bad)
      if (Make.hasAggregate(v)) return named('an assignment cannot hold an aggregate (Fn.count, Fn.sum ...)')
      // a term of another query (kept from its callback) would read this statement's row of its alias
      const foreign = Subquery.foreign(v, scope)
      if (foreign !== undefined) return named(`the term's ${Subquery.strayMessage(foreign)}`)
      const stray = [...aliasesIn(v)].find(a => !allowed.has(a))
      if (stray !== undefined)
        return named(`the term reads a binding ('${stray}') that is not the row being written`)
      const why = assignable(col, v)
      if (why !== undefined) return named(why)
      out.push([c, v])
      continue
    }
    // A value (a `Pred.value` parameter stands for its value).
    const p = valueFor(table, c, col, Ex.isExpr(v) ? (v as Ex.Param).value : v, what)
    if (E.isLeft(p)) return p
    out.push([c, p.right])
  }
  if (out.length === 0) return refuse(`${what} of schema '${table.name}' sets no column`, table.name)
  return E.right(out)
}
