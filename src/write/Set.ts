/**
 * Set-based writes: `updateAll` and `deleteAll` change every row a query value picks out (its `where`,
 * association filters, `exists`, subqueries and joins), and `insertFrom` inserts the rows of a
 * projection (insert ... select). The assignments of an update are typed expressions over the row
 * being updated: plain values (checked with the column's codec, sent as parameters), column terms,
 * `Fn` expressions (`Fn.add(p.views, 1)`, `Fn.coalesce(...)`) and `inc(n)`.
 *
 * A query without joins lowers to its own filter (`update "posts" as "t0" set ... where <its where>`);
 * a query with joins picks the rows by primary key (`where exists (select 1 from <the query> where
 * key = target key)`), so a row matched by several joined rows is written once. A query that does not
 * name rows is refused before any SQL: a projection, grouping, distinct, order, limit, offset or
 * preloads.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as Ex from '../ast/Expr.js'
import * as Sel from '../ast/Select.js'
import * as W from '../ast/Write.js'
import * as QueryError from '../error/QueryError.js'
import { show } from '../error/Show.js'
import * as WriteError from '../error/WriteError.js'
import * as Make from '../query/Make.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import * as Plan from './Plan.js'
import { assignable, assignments, sqlTypeOf, termsOf, type SetSpec } from './Assign.js'
import type { Insertable } from './Record.js'
import * as Upsert from './Upsert.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The options of `updateAll` and `deleteAll`: `returning: true` gives the written rows instead of
 * their number.
 *
 * @category model
 * @since 0.2.0
 */
export interface SetOptions {
  readonly returning?: boolean
}

/**
 * What a set-based write can be refused with before any SQL: the query's own error, or a write error
 * naming the schema (and column) and the reason.
 *
 * @category model
 * @since 0.2.0
 */
export type SetError = QueryError.QueryError | WriteError.WriteError

/**
 * The row type of a projection, checked against the columns of schema `S`: every output names a
 * column (anything else is named in a type error).
 *
 * @category model
 * @since 0.2.0
 */
export type Outputs<M extends Model.AnyModel, S extends string, R> = [
  Exclude<keyof R, keyof Model.Row<M, S>>,
] extends [never]
  ? unknown
  : { readonly 'outputs that are not columns': Exclude<keyof R, keyof Model.Row<M, S>> }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const refuse = (
  code: WriteError.WriteErrorCode,
  message: string,
  schema: string | null,
  column?: string,
): E.Either<WriteError.WriteError, never> =>
  E.left(WriteError.make(code, message, column === undefined ? { schema } : { schema, column }))

// The parts of a select that do not choose rows, each refused with what to do instead.
const notATarget: ReadonlyArray<readonly [(s: Sel.Select) => boolean, string]> = [
  [s => s.groupBy.length > 0 || s.having.length > 0, 'groups rows (Query.groupBy / Query.having)'],
  [s => s.distinct || s.distinctOn.length > 0, 'is distinct (Query.distinct / Query.distinctOn)'],
  [s => s.orderBy.length > 0, 'orders rows (Query.orderBy): a set-based write has no order'],
  [
    s => O.isSome(s.limit) || O.isSome(s.offset),
    'has a limit or an offset (not supported: pick the rows with a where)',
  ],
  [s => O.isSome(s.perParent), 'is a per-parent preload query'],
]

interface Target {
  readonly schema: string
  readonly table: Table
  readonly binding: Sel.Binding
  readonly where: ReadonlyArray<Ex.Expr>
}

const hasPreloads = (p: unknown): boolean => typeof p === 'object' && p !== null && Object.keys(p).length > 0

// The rows a query value picks out, as a binding and the conjuncts an update or delete takes.
const targetOf = (fn: string, query: unknown): E.Either<SetError, Target> => {
  if (!Make.isQuery(query))
    return E.left(
      QueryError.make(
        'InvalidArgument',
        `${fn}: expected a query (Query.from(model, schema) ...), got ${show(query)}`,
      ),
    )
  const q = query
  const first = q.errors[0]
  if (first !== undefined) return E.left(first)
  const table = Model.table(q.model, q.schema)
  if (table === undefined)
    return refuse('UnknownSchema', `${fn}: the model has no schema '${q.schema}'`, q.schema)
  const no = (why: string) =>
    refuse('Unsupported', `${fn}: the query of schema '${q.schema}' ${why}`, q.schema)
  if (q.projected) return no('is a projection (Query.select): a set-based write takes a query of whole rows')
  if (hasPreloads(q.preload))
    return no('preloads associations (Query.preload): a set-based write loads nothing; drop the preload')
  const s = q.select
  for (const [bad, why] of notATarget) if (bad(s)) return no(why)
  if (s.from.select !== undefined) return no('reads a derived table, not the rows of its schema')
  if (s.joins.length === 0) return E.right({ schema: q.schema, table, binding: s.from, where: s.where })
  // Joins: the rows are picked by key, so a row that several joined rows match is written once.
  if (table.primaryKey.length === 0)
    return refuse(
      'MissingKey',
      `${fn}: schema '${q.schema}' has no primary key to pick the rows of a query with joins by`,
      q.schema,
    )
  const outer = 'w0'
  const inner = s.from.alias
  const picked = table.primaryKey.reduce(
    (acc, k) => Sel.withWhere(Ex.eq(Ex.column(inner, k), Ex.column(outer, k)))(acc),
    Sel.set('columns', [])(s),
  )
  return E.right({
    schema: q.schema,
    table,
    binding: { table: s.from.table, alias: outer },
    where: [Ex.exists(picked)],
  })
}

// What a set-based write returns: the key (its rows counted) or every column.
const returningFor = (table: Table, rows: boolean): ReadonlyArray<string> =>
  rows || table.primaryKey.length === 0 ? [...table.columns.keys()] : table.primaryKey

const outputFor = (schema: string, rows: boolean): Plan.Output =>
  rows ? { _tag: 'Many', steps: [0], schema } : { _tag: 'Count', steps: [0] }

const optionsOf = (fn: string, options: unknown, schema: string): E.Either<SetError, boolean> => {
  if (options === undefined) return E.right(false)
  if (typeof options !== 'object' || options === null)
    return refuse('InvalidValue', `${fn}: expected options { returning? }, got ${show(options)}`, schema)
  const r = (options as { readonly returning?: unknown }).returning
  return r === undefined || typeof r === 'boolean'
    ? E.right(r === true)
    : refuse('InvalidValue', `${fn}: option 'returning' is true or false, got ${show(r)}`, schema)
}

// -------------------------------------------------------------------------------------
// constructors: plans
// -------------------------------------------------------------------------------------

/**
 * A plan updating every row a query picks out (Ecto's `update_all`): `set` gives the columns' new
 * values, as values, terms over the row, or `inc(n)`. The result is the number of rows updated, or,
 * with `{ returning: true }`, the updated rows.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Pred, Query, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text, views: Column.integer })
 * const M = Schema.modelOrThrow({ post }, {})
 * const plan = Write.updateAll(
 *   pipe(Query.from(M, 'post'), Query.where(p => Pred.gt(p.views, 100))),
 *   p => ({ title: Fn.upper(p.title), views: 0 }),
 * )
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'update "posts" as "t0" set "title" = upper("t0"."title"), "views" = $1 where "t0"."views" > $2 returning "id"',
 *   params: [0, 100],
 * }]))
 * const r = E.flatMap((p: Write.Plan<number>) => Write.runPure(p)(new Map([['posts', [{ id: 1, title: 'a', views: 200 }]]])))(plan)
 * assert.deepStrictEqual(E.map((x: Write.PureResult<number>) => [x.result, x.tables.get('posts')])(r), E.right([1, [{ id: 1, title: 'A', views: 0 }]]))
 *
 * @category constructors
 * @since 0.2.0
 */
export function updateAll<M extends Model.AnyModel, S extends Model.SchemaName<M>, P, J extends Make.Joins>(
  query: Make.Query<M, S, P, J>,
  set: SetSpec<M, S>,
  options?: { readonly returning?: false },
): E.Either<SetError, Plan.Plan<number>>
export function updateAll<M extends Model.AnyModel, S extends Model.SchemaName<M>, P, J extends Make.Joins>(
  query: Make.Query<M, S, P, J>,
  set: SetSpec<M, S>,
  options: { readonly returning: true },
): E.Either<SetError, Plan.Plan<ReadonlyArray<Model.Row<M, S>>>>
export function updateAll(
  query: unknown,
  set: unknown,
  options?: unknown,
): E.Either<SetError, Plan.Plan<unknown>> {
  return guarded('Write.updateAll', () => {
    const t = targetOf('Write.updateAll', query)
    if (E.isLeft(t)) return t
    const { table, binding, schema } = t.right
    const rows = optionsOf('Write.updateAll', options, schema)
    if (E.isLeft(rows)) return rows
    const alias = binding.alias
    const scope = (query as Make.AnyQuery).scope
    const set_ = assignments(
      table,
      set,
      [termsOf(table, alias, scope)],
      new Set([alias]),
      'Write.updateAll',
      scope,
    )
    if (E.isLeft(set_)) return set_
    const statement = W.update({
      binding,
      set: set_.right,
      where: t.right.where,
      returning: returningFor(table, rows.right),
    })
    return E.right(
      Plan.make(
        (query as Make.AnyQuery).model,
        [{ statement, expect: 'any', note: `update all ${schema}` }],
        outputFor(schema, rows.right),
      ),
    )
  })
}

/**
 * A plan deleting every row a query picks out (Ecto's `delete_all`): the database's foreign keys act
 * (`on delete`), the associations' `onDelete` do not (use `Write.delete` for one record). The result
 * is the number of rows deleted, or, with `{ returning: true }`, the deleted rows.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Pred, Query, Schema, Write } from 'quiver-sql'
 * const session = Schema.table('session', 'sessions', { id: Column.serial, seen: Column.integer })
 * const M = Schema.modelOrThrow({ session }, {})
 * const plan = Write.deleteAll(pipe(Query.from(M, 'session'), Query.where(s => Pred.lt(s.seen, 30))))
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'delete from "sessions" as "t0" where "t0"."seen" < $1 returning "id"', params: [30],
 * }]))
 *
 * @category constructors
 * @since 0.2.0
 */
export function deleteAll<M extends Model.AnyModel, S extends Model.SchemaName<M>, P, J extends Make.Joins>(
  query: Make.Query<M, S, P, J>,
  options?: { readonly returning?: false },
): E.Either<SetError, Plan.Plan<number>>
export function deleteAll<M extends Model.AnyModel, S extends Model.SchemaName<M>, P, J extends Make.Joins>(
  query: Make.Query<M, S, P, J>,
  options: { readonly returning: true },
): E.Either<SetError, Plan.Plan<ReadonlyArray<Model.Row<M, S>>>>
export function deleteAll(query: unknown, options?: unknown): E.Either<SetError, Plan.Plan<unknown>> {
  return guarded('Write.deleteAll', () => {
    const t = targetOf('Write.deleteAll', query)
    if (E.isLeft(t)) return t
    const { table, binding, schema } = t.right
    const rows = optionsOf('Write.deleteAll', options, schema)
    if (E.isLeft(rows)) return rows
    const statement = W.delete_({ binding, where: t.right.where, returning: returningFor(table, rows.right) })
    return E.right(
      Plan.make(
        (query as Make.AnyQuery).model,
        [{ statement, expect: 'any', note: `delete all ${schema}` }],
        outputFor(schema, rows.right),
      ),
    )
  })
}

/**
 * A plan inserting the rows of a projection into schema `schema` (insert ... select): each output of
 * the projection names a column (the required columns among them), of a type the column takes. The
 * result is the inserted rows. With `onConflict` (as for `insertAll`: a unique key of the table, and
 * `'nothing'` or `{ update }`) it is an upsert, `insert ... select ... on conflict`: the result is the
 * inserted and updated rows, and a key the query selects twice is PostgreSQL's 21000 with `update`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Fn, Query, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const archive = Schema.table('archive', 'archives', { id: Column.serial, title: Column.text })
 * const M = Schema.modelOrThrow({ post, archive }, {})
 * const plan = Write.insertFrom(M, 'archive', pipe(Query.from(M, 'post'), Query.select(p => ({ title: Fn.upper(p.title) }))))
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'insert into "archives" ("title") select upper("t0"."title") as "title" from "posts" as "t0" returning "id", "title"',
 *   params: [],
 * }]))
 * // An upsert: archived titles that are there already are skipped.
 * const unique = Schema.table('archive', 'archives', { id: Column.serial, title: Column.text }, { unique: ['title'] })
 * const U = Schema.modelOrThrow({ post, archive: unique }, {})
 * const titles = pipe(Query.from(U, 'post'), Query.select(p => ({ title: p.title })))
 * const upsert = Write.insertFrom(U, 'archive', titles, { onConflict: { target: ['title'], action: 'nothing' } })
 * assert.deepStrictEqual(pipe(upsert, E.map(p => Write.toSql(p)[0]?.text)), E.right(
 *   'insert into "archives" as "t0" ("title") select "t0"."title" from "posts" as "t0" on conflict ("title") do nothing returning "id", "title"',
 * ))
 *
 * @category constructors
 * @since 0.2.0
 */
export const insertFrom = <
  M extends Model.AnyModel,
  S extends Model.SchemaName<M>,
  R extends Insertable<M, S>,
>(
  model: M,
  schema: S,
  query: Make.Query<Model.AnyModel, string, unknown, Make.Joins, R> & Outputs<M, S, R>,
  options: { readonly source?: string; readonly onConflict?: Upsert.OnConflict<M, S> } = {},
): E.Either<SetError, Plan.Plan<ReadonlyArray<Model.Row<M, S>>>> =>
  guarded('Write.insertFrom', () => {
    const table = Model.table(model, schema)
    if (table === undefined)
      return refuse('UnknownSchema', `Write.insertFrom: the model has no schema '${show(schema)}'`, null)
    if (!Make.isQuery(query))
      return E.left(
        QueryError.make(
          'InvalidArgument',
          `Write.insertFrom: expected a projection (Query.select ...), got ${show(query)}`,
          schema,
        ),
      )
    const q = query as Make.AnyQuery
    const first = q.errors[0]
    if (first !== undefined) return E.left(first)
    const no = (why: string) =>
      refuse('Unsupported', `Write.insertFrom into schema '${schema}': the query ${why}`, schema)
    if (!q.projected) return no('returns whole rows: select the target columns with Query.select')
    if (hasPreloads(q.preload)) return no('preloads associations (Query.preload): drop the preload')
    if (O.isSome(q.select.perParent)) return no('is a per-parent preload query')
    const outputs = q.select.columns
    for (const o of outputs) {
      const col = table.columns.get(o.name)
      if (col === undefined)
        return refuse(
          'UnknownColumn',
          `Write.insertFrom: output '${o.name}' is not a column of schema '${schema}'`,
          schema,
          o.name,
        )
      // As an assignment: a type the column takes exactly (memory stores the output's value as it is).
      const why = assignable(col, o.expr)
      if (why !== undefined)
        return refuse(
          'InvalidValue',
          `Write.insertFrom: output '${o.name}' is ${Make.infoOf(o.expr).sql}, column '${o.name}' of schema '${schema}' is ${sqlTypeOf(col)}: ${why}`,
          schema,
          o.name,
        )
    }
    // The required columns must be selected (as `insert` requires them).
    const given = Object.fromEntries(outputs.map(o => [o.name, true]))
    const missing = [...table.columns].find(([n, c]) => !c.generated && !c.nullable && given[n] === undefined)
    if (missing !== undefined)
      return refuse(
        'MissingColumn',
        `Write.insertFrom: missing required column '${missing[0]}' of schema '${schema}'`,
        schema,
        missing[0],
      )
    const source = options.source ?? table.source
    const columns = outputs.map(o => o.name)
    // An upsert (insert ... select ... on conflict): its target and action checked as for `insertAll`.
    const onConflict = options.onConflict
    const resolved = onConflict === undefined ? E.right(null) : Upsert.resolve(table, source, onConflict)
    if (E.isLeft(resolved)) return resolved
    const conflict = resolved.right === null ? E.right('raise' as const) : resolved.right(columns)
    if (E.isLeft(conflict)) return conflict
    const statement = W.insert({
      table: source,
      columns,
      rows: [],
      generated: [...table.columns].filter(([, c]) => c.generated).map(([n]) => n),
      key: table.primaryKey,
      onConflict: conflict.right,
      returning: [...table.columns.keys()],
      select: q.select,
    })
    return E.right(
      Plan.make(
        model,
        [
          {
            statement,
            expect: 'any',
            note: `${onConflict === undefined ? 'insert' : 'upsert'} ${schema} from a query`,
          },
        ],
        {
          _tag: 'Many',
          steps: [0],
          schema,
        },
      ),
    )
  })

const guarded = <A>(where: string, f: () => E.Either<SetError, A>): E.Either<SetError, A> => {
  try {
    return f()
  } catch (thrown) {
    return E.left(WriteError.unreadable(where, thrown))
  }
}
