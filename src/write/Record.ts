/**
 * Writes of single records, as plans: `insert`, `insertAll`, `update`, `delete` (which applies the
 * associations' `onDelete`, as Ecto's `Repo.delete`), and `build` (Ecto's `build_assoc`). Values are
 * checked and encoded with the columns' codecs when the plan is made, so bad input is an error value
 * before any SQL exists.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Option } from 'fp-ts/lib/Option.js'
import * as Ex from '../ast/Expr.js'
import * as Sel from '../ast/Select.js'
import * as Values from '../ast/Values.js'
import * as W from '../ast/Write.js'
import { show } from '../error/Show.js'
import type * as QueryError from '../error/QueryError.js'
import * as WriteError from '../error/WriteError.js'
import { isWithArgs, type Fields } from '../schema/Association.js'
import * as Column from '../schema/Column.js'
import * as Model from '../schema/Model.js'
import type { Table } from '../schema/Table.js'
import * as WriteSql from '../sql/Write.js'
import * as Plan from './Plan.js'
import * as Upsert from './Upsert.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type Optional<X> = X extends { readonly generated: true }
  ? true
  : null extends Column.TypeOf<X>
    ? true
    : false

/**
 * What `insert` takes for a table: every column, where generated and nullable columns may be left out
 * (the database fills them, or they are NULL).
 *
 * @category model
 * @since 0.1.0
 */
export type InsertOf<T> =
  T extends Table<string, infer C>
    ? { readonly [K in keyof C as Optional<C[K]> extends true ? never : K]: Column.TypeOf<C[K]> } & {
        readonly [K in keyof C as Optional<C[K]> extends true ? K : never]?: Column.TypeOf<C[K]>
      }
    : never

/**
 * What `insert` takes for a schema of a model: the `InsertOf` of its table.
 *
 * @category model
 * @since 0.1.0
 */
export type Insertable<M extends Model.AnyModel, S extends string> = InsertOf<M['tables'][S]>

/**
 * The options of `insert` and `insertAll`: the table to write (a custom source), and what to do on a
 * key conflict (an upsert, see `OnConflict`).
 *
 * @category model
 * @since 0.2.0
 */
export interface InsertOptions<M extends Model.AnyModel, S extends string> {
  readonly source?: string
  readonly onConflict?: Upsert.OnConflict<M, S>
}

/**
 * A record built for an association (Ecto's `build_assoc`): the target schema, the table it belongs in
 * (a custom source is remembered) and its values.
 *
 * @category model
 * @since 0.1.0
 */
export interface Built<M extends Model.AnyModel = Model.AnyModel, S extends string = string> {
  readonly _tag: 'Built'
  readonly schema: S
  readonly source: string
  readonly values: Partial<Model.Row<M, S>>
}

/**
 * The association names of schema `S` that can be written (not through associations, which are
 * read-only): what `build`, `putAssoc` and `castAssoc` take.
 *
 * @category type-level checks
 * @since 0.2.0
 */
export type DirectName<M extends Model.AnyModel, S extends string> = {
  readonly [K in Model.AssociationName<M, S>]: Model.AssociationsOf<M, S>[K] extends {
    readonly _tag: 'Through'
  }
    ? never
    : K
}[Model.AssociationName<M, S>]

/**
 * The options of `Write.delete`: whether the associations' `onDelete` apply one level down or all the
 * way down.
 *
 * @category model
 * @since 0.1.0
 */
export interface DeleteOptions {
  /**
   * `false` (default): Ecto's semantics, one level. `true`: follow `delete_all` down the association
   * graph, deepest rows first; a cycle is cut at its first repeat (noted in `plan.notes`).
   */
  readonly cascade?: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const tableOf = (m: Model.AnyModel, schema: string): E.Either<WriteError.WriteError, Table> => {
  const t = Model.table(m, schema)
  return t === undefined
    ? E.left(WriteError.make('UnknownSchema', `the model has no schema '${schema}'`, { schema }))
    : E.right(t)
}

/**
 * Where a value being checked came from, when it is not a record of the table itself: an association
 * of another schema (its entries, defaults or join row). Errors then name that schema and association.
 *
 * @category model
 * @since 0.1.0
 */
export interface Origin {
  readonly schema: string
  readonly association: string
}

const within = (origin: Origin | undefined): string =>
  origin === undefined ? '' : ` (association '${origin.association}' of schema '${origin.schema}')`

// Values and rows come from untyped code too: anything but a plain record is refused, never read.
const notRecord = (table: Table, what: string, u: unknown): WriteError.WriteError | null =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !(u instanceof Date)
    ? null
    : WriteError.make('InvalidValue', `${what} of schema '${table.name}' must be a record, got ${show(u)}`, {
        schema: table.name,
      })

const unknownColumn = (table: Table, column: string, origin?: Origin): WriteError.WriteError =>
  WriteError.make(
    'UnknownColumn',
    `'${column}' is not a column of schema '${table.name}'${within(origin)}`,
    origin === undefined
      ? { schema: table.name, column }
      : { schema: origin.schema, association: origin.association, column },
  )

/**
 * Checks one column value with its codec and returns it decoded (the value a row of the table holds),
 * or an error naming the schema, the column and the value. A plan `Ref` (branded, made by a plan
 * only) passes as it is; anything shaped like one is a value like any other.
 *
 * @category utils
 * @since 0.1.0
 */
export const checkValue = (
  table: Table,
  column: string,
  value: unknown,
  origin?: Origin,
): E.Either<WriteError.WriteError, unknown> => {
  const c = table.columns.get(column)
  if (c === undefined) return E.left(unknownColumn(table, column, origin))
  if (W.isRef(value) || c.codec.is(value)) return E.right(value)
  const d = c.codec.decode(value)
  return E.isLeft(d)
    ? E.left(
        WriteError.make(
          'InvalidValue',
          `invalid value ${show(value)} for column '${column}' of schema '${table.name}'${within(origin)}: expected ${c.codec.name}`,
          origin === undefined
            ? { schema: table.name, column }
            : { schema: origin.schema, association: origin.association, column },
        ),
      )
    : E.right(d.right)
}

/**
 * Checks every value of a record with its column's codec: the record decoded, or the first error. A
 * key naming an association of the table is left out when `associations` says so (a loaded row carries
 * its preloaded associations; they are not columns to write).
 *
 * @category utils
 * @since 0.1.0
 */
export const checkRecord = (
  model: Model.AnyModel,
  table: Table,
  values: Fields,
  origin?: Origin,
  associations: 'skip' | 'reject' = 'reject',
): E.Either<WriteError.WriteError, Fields> => {
  const bad = notRecord(table, 'a record', values)
  if (bad !== null) return E.left(bad)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue
    if (
      associations === 'skip' &&
      !table.columns.has(k) &&
      Model.association(model, table.name, k) !== undefined
    )
      continue
    const d = checkValue(table, k, v, origin)
    if (E.isLeft(d)) return d
    out[k] = d.right
  }
  return E.right(out)
}

/**
 * Checks and encodes one column value with its codec (a plan `Ref` passes as it is).
 *
 * @category utils
 * @since 0.1.0
 */
export const encodeValue = (
  table: Table,
  column: string,
  value: unknown,
): E.Either<WriteError.WriteError, unknown> => {
  // The common case first, with one lookup and one result (a bulk insert encodes every value here).
  const col = table.columns.get(column)
  if (col !== undefined && !W.isRef(value) && col.codec.is(value)) return E.right(col.codec.encode(value))
  const d = checkValue(table, column, value)
  if (E.isLeft(d) || W.isRef(d.right)) return d
  const c = table.columns.get(column) as Column.Column<unknown>
  return E.right(c.codec.encode(d.right))
}

/**
 * Checks and encodes the given values; for an insert, a required column that is missing is an error.
 *
 * @category utils
 * @since 0.1.0
 */
export const encode = (
  table: Table,
  values: Fields,
  mode: 'insert' | 'update',
): E.Either<WriteError.WriteError, ReadonlyArray<readonly [string, unknown]>> => {
  const bad = notRecord(table, 'the values', values)
  if (bad !== null) return E.left(bad)
  const out: Array<readonly [string, unknown]> = []
  const keys = Object.keys(values)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const v = values[k]
    if (v === undefined) continue
    // The common case inline (no result object per value of a bulk insert); any other through
    // `encodeValue`, which names what is wrong.
    const col = table.columns.get(k)
    if (col !== undefined && !W.isRef(v) && col.codec.is(v)) {
      out.push([k, col.codec.encode(v)])
      continue
    }
    const e = encodeValue(table, k, v)
    if (E.isLeft(e)) return e
    out.push([k, e.right])
  }
  // A version column left out of an insert starts at 1 (the plans bump it from there).
  const lock = table.optimisticLock
  if (mode === 'insert' && lock !== null && values[lock] === undefined) out.push([lock, 1])
  if (mode === 'insert')
    for (const name of requiredOf(table))
      if (values[name] === undefined && name !== lock)
        return E.left(
          WriteError.make('MissingColumn', `missing required column '${name}' of schema '${table.name}'`, {
            schema: table.name,
            column: name,
          }),
        )
  return E.right(out)
}

// The columns an insert must give (neither generated nor nullable), found once per table: a bulk
// insert checks them for every row.
const required = new WeakMap<Table, ReadonlyArray<string>>()
const requiredOf = (table: Table): ReadonlyArray<string> => {
  const known = required.get(table)
  if (known !== undefined) return known
  const names = [...table.columns].filter(([, c]) => !c.generated && !c.nullable).map(([n]) => n)
  required.set(table, names)
  return names
}

const generatedOf = (table: Table): ReadonlyArray<string> =>
  [...table.columns].filter(([, c]) => c.generated).map(([n]) => n)

const returningOf = (table: Table): ReadonlyArray<string> => [...table.columns.keys()]

/**
 * A column's value as a parameter: a JSON column's as JSON, whatever its JavaScript type (see
 * `Expr.Param.json`), any other as itself.
 *
 * @category utils
 * @since 0.1.0
 */
export const valueParam = (table: Table, column: string, value: unknown): Ex.Param =>
  Column.jsonType(table.columns.get(column)) === undefined ? Ex.param(value) : Ex.jsonParam(value)

/**
 * The insert statements for encoded rows of one table: rows giving the same columns share a statement.
 *
 * @category utils
 * @since 0.1.0
 */
export const insertStatements = (
  table: Table,
  source: string,
  rows: ReadonlyArray<ReadonlyArray<readonly [string, unknown]>>,
  onConflict: 'raise' | 'nothing' = 'raise',
): ReadonlyArray<W.Insert> => {
  const groups = new Map<string, Array<ReadonlyArray<readonly [string, unknown]>>>()
  for (const r of rows) {
    let key = ''
    for (let i = 0; i < r.length; i++) key += `${(r[i] as readonly [string, unknown])[0]}\u0000`
    // A row of defaults only cannot share a statement (`default values` inserts one row).
    const k = r.length === 0 ? `\u0001${groups.size}` : key
    // Appended in place: a copy per row made building n rows quadratic (10,000 rows took a second).
    const g = groups.get(k)
    if (g === undefined) groups.set(k, [r])
    else g.push(r)
  }
  const generated = generatedOf(table)
  const returning = returningOf(table)
  return [...groups.values()].flatMap(rs => {
    const columns = (rs[0] ?? []).map(([c]) => c)
    const types = columns.map(c => Column.baseType(table.columns.get(c)?.sqlType ?? null))
    // Each column's kind of parameter, found once: not once per value of a bulk insert.
    const params = columns.map(c =>
      Column.jsonType(table.columns.get(c)) === undefined ? Ex.param : Ex.jsonParam,
    )
    const fields = { table: source, columns, generated, key: table.primaryKey, onConflict, returning, types }
    // Rows of values only (no plan reference: the plain case) are recorded as such, so that neither
    // the plan runner nor the lowering looks at each value again.
    const statement = (part: ReadonlyArray<ReadonlyArray<readonly [string, unknown]>>): W.Insert => {
      const insert = W.insert({
        ...fields,
        rows: part.map(r => r.map(([, v], i) => (params[i] as (v: unknown) => Ex.Param)(v))),
      })
      return part.some(r => r.some(([, v]) => W.isRef(v))) ? insert : Values.record(insert)
    }
    // Many rows of values only, into columns of plain types: given column by column, one parameter
    // per column (building a parameter node per value cost more than sending the rows).
    const columnar = (): W.Insert | null => {
      const lists = columns.map(() => new Array<unknown>(rs.length))
      for (let r = 0; r < rs.length; r++) {
        const row = rs[r] as ReadonlyArray<readonly [string, unknown]>
        for (let c = 0; c < row.length; c++) {
          const v = (row[c] as readonly [string, unknown])[1]
          if (W.isRef(v)) return null
          ;(lists[c] as Array<unknown>)[r] = v
        }
      }
      return arraysInsert(table, source, columns, lists, onConflict)
    }
    // Rows that go as one array per column make one statement however many; the others are split
    // so that no statement carries more parameters than the driver takes (the plan runs them all in
    // one transaction).
    const size = Math.max(1, Math.floor(WriteSql.maxParams / Math.max(1, columns.length)))
    if (WriteSql.unnests(types, rs.length)) return [columnar() ?? statement(rs)]
    if (rs.length <= size) return [statement(rs)]
    const parts: Array<W.Insert> = []
    for (let i = 0; i < rs.length; i += size) parts.push(statement(rs.slice(i, i + size)))
    return parts
  })
}

// One insert of rows given column by column (`lists[c][r]`: row r's encoded value of column c), each
// column one array parameter (`unnest`); recorded as holding values only.
const arraysInsert = (
  table: Table,
  source: string,
  columns: ReadonlyArray<string>,
  lists: ReadonlyArray<ReadonlyArray<unknown>>,
  onConflict: 'raise' | 'nothing' = 'raise',
): W.Insert =>
  W.insert({
    table: source,
    columns,
    generated: generatedOf(table),
    key: table.primaryKey,
    onConflict,
    returning: returningOf(table),
    types: columns.map(c => Column.baseType(table.columns.get(c)?.sqlType ?? null)),
    rows: [],
    arrays: columns.map((c, k) =>
      Column.jsonType(table.columns.get(c)) === undefined ? Ex.param(lists[k]) : Ex.jsonParam(lists[k]),
    ),
  })

/**
 * A bulk insert's statement built straight from the records, column by column, when they are of the
 * plain kind: enough of them to go as arrays (`unnest`), every one a record giving the same columns in
 * the same order (all required ones), each value one its column's codec takes as it is (no plan
 * reference, no `undefined`), into a table without an optimistic lock. This is what `encode` and
 * `insertStatements` make of such records, without a pair per value and a grouping key per record;
 * `null` for any other (those two then build it, or name what is wrong).
 *
 * @category utils
 * @since 0.2.0
 */
export const uniformInsert = (
  table: Table,
  source: string,
  values: ReadonlyArray<unknown>,
): W.Insert | null => {
  const first = values[0]
  if (
    values.length < WriteSql.unnestFrom ||
    table.optimisticLock !== null ||
    notRecord(table, '', first) !== null
  )
    return null
  const columns = Object.keys(first as object)
  const cols: Array<Column.Column<unknown>> = []
  for (const k of columns) {
    const col = table.columns.get(k)
    if (col === undefined) return null
    cols.push(col as Column.Column<unknown>)
  }
  if (requiredOf(table).some(n => !columns.includes(n))) return null
  const types = columns.map(c => Column.baseType(table.columns.get(c)?.sqlType ?? null))
  if (!WriteSql.unnests(types, values.length)) return null
  const n = columns.length
  const lists = columns.map(() => new Array<unknown>(values.length))
  for (let r = 0; r < values.length; r++) {
    const row = values[r]
    if (notRecord(table, '', row) !== null) return null
    const keys = Object.keys(row as object)
    if (keys.length !== n) return null
    for (let c = 0; c < n; c++) {
      const k = columns[c] as string
      if (keys[c] !== k) return null
      const v = (row as Record<string, unknown>)[k]
      const codec = (cols[c] as Column.Column<unknown>).codec
      if (v === undefined || W.isRef(v) || !codec.is(v)) return null
      ;(lists[c] as Array<unknown>)[r] = codec.encode(v)
    }
  }
  return arraysInsert(table, source, columns, lists)
}

/**
 * The conjuncts matching a row by its primary key (an error when the key is missing).
 *
 * @category utils
 * @since 0.1.0
 */
export const byKey = (
  table: Table,
  alias: string,
  row: Fields,
): E.Either<WriteError.WriteError, ReadonlyArray<Ex.Expr>> => {
  const bad = notRecord(table, 'the row', row)
  if (bad !== null) return E.left(bad)
  if (table.primaryKey.length === 0)
    return E.left(
      WriteError.make('MissingKey', `schema '${table.name}' has no primary key to find the row by`, {
        schema: table.name,
      }),
    )
  const out: Array<Ex.Expr> = []
  for (const k of table.primaryKey) {
    const v = row[k]
    if (v === undefined || v === null)
      return E.left(
        WriteError.make('MissingKey', `the row of schema '${table.name}' has no primary key '${k}'`, {
          schema: table.name,
          column: k,
        }),
      )
    const e = encodeValue(table, k, v)
    if (E.isLeft(e)) return e
    out.push(Ex.eq(Ex.column(alias, k, Column.jsonType(table.columns.get(k))), Ex.param(e.right)))
  }
  return E.right(out)
}

/**
 * The optimistic lock of a row being updated or deleted: the conjunct that checks its version
 * (`"t0"."lock_version" = $old`) and the assignment that bumps it (`"lock_version" = old + 1`).
 *
 * @category model
 * @since 0.2.0
 */
export interface Lock {
  readonly column: string
  readonly check: Ex.Expr
  readonly bump: readonly [string, number]
}

/**
 * The optimistic lock of `row` in `table`, or `null` for a table without a lock column. The version
 * checked is the one `changes` give (the version a form was loaded at, as Ecto's `optimistic_lock`
 * reads the changeset's field), else the row's; a row without one is a `MissingKey` error naming the
 * schema and the lock column, a version that is not an integer an `InvalidValue`.

 *
 * @category utils
 * @since 0.2.0
 */
export const lockOf = (
  table: Table,
  alias: string,
  row: Fields,
  changes: Fields = {},
  origin?: Origin,
): E.Either<WriteError.WriteError, Lock | null> => {
  const lock = table.optimisticLock
  if (lock === null) return E.right(null)
  const bad = notRecord(table, 'the row', row) ?? notRecord(table, 'the changes', changes)
  if (bad !== null) return E.left(bad)
  const where =
    origin === undefined
      ? { schema: table.name, column: lock }
      : { schema: origin.schema, association: origin.association, column: lock }
  const given = changes[lock] ?? row[lock]
  if (given === undefined || given === null)
    return E.left(
      WriteError.make(
        'MissingKey',
        `the row of schema '${table.name}'${within(origin)} has no version '${lock}' (its optimistic lock): write a row as it was loaded`,
        where,
      ),
    )
  const v = checkValue(table, lock, given, origin)
  if (E.isLeft(v)) return v
  if (typeof v.right !== 'number' || !Number.isSafeInteger(v.right + 1))
    return E.left(
      WriteError.make(
        'InvalidValue',
        `invalid version ${show(given)} for the optimistic lock '${lock}' of schema '${table.name}'${within(origin)}`,
        where,
      ),
    )
  return E.right({
    column: lock,
    check: Ex.eq(Ex.column(alias, lock), Ex.param(v.right)),
    bump: [lock, v.right + 1] as const,
  })
}

/**
 * The changes without the lock column: its value is the version to check, not a value to write (the
 * plan writes the bumped one).
 *
 * @category utils
 * @since 0.2.0
 */
export const withoutLock = (table: Table, changes: Fields): Fields => {
  const lock = table.optimisticLock
  if (lock === null || typeof changes !== 'object' || changes === null || changes[lock] === undefined)
    return changes
  const { [lock]: _version, ...rest } = changes
  return rest
}

// -------------------------------------------------------------------------------------
// constructors: records
// -------------------------------------------------------------------------------------

/**
 * A plan inserting one record; the stored row (with generated values) is its result.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Schema, Column, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const plan = Write.insert(M, 'tag', { name: 'sql' })
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'insert into "tags" ("name") values ($1) returning "id", "name"', params: ['sql'],
 * }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export function insert<M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  values: Insertable<M, S>,
  options: InsertOptions<M, S> & { readonly onConflict: { readonly action: 'nothing' } },
): E.Either<WriteError.WriteError, Plan.Plan<Option<Model.Row<M, S>>>>
export function insert<M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  values: Insertable<M, S>,
  options?: InsertOptions<M, S>,
): E.Either<WriteError.WriteError, Plan.Plan<Model.Row<M, S>>>
export function insert(
  model: Model.AnyModel,
  schema: string,
  values: unknown,
  options?: unknown,
): E.Either<WriteError.WriteError, Plan.Plan<unknown>> {
  return WriteError.guarded('Write.insert', () =>
    E.map((steps: ReadonlyArray<Plan.Step>) =>
      Plan.make<unknown>(
        model,
        steps,
        skips(options) ? { _tag: 'Maybe', step: 0, schema } : { _tag: 'One', step: 0, schema },
      ),
    )(insertSteps(model, schema, [values as Fields], options)),
  )
}

// Whether an insert's conflicts are skipped (`onConflict` with the action 'nothing'): its one row may
// not come back.
const skips = (options: unknown): boolean => {
  const oc =
    typeof options === 'object' && options !== null
      ? (options as { onConflict?: unknown }).onConflict
      : undefined
  return typeof oc === 'object' && oc !== null && (oc as { action?: unknown }).action === 'nothing'
}

const insertSteps = (
  model: Model.AnyModel,
  schema: string,
  values: ReadonlyArray<Fields>,
  options: unknown,
): E.Either<WriteError.WriteError, ReadonlyArray<Plan.Step>> => {
  const t = tableOf(model, schema)
  if (E.isLeft(t)) return t
  if (!Array.isArray(values))
    return E.left(
      WriteError.make('InvalidValue', `insertAll into schema '${schema}' takes a list of records`, {
        schema,
      }),
    )
  if (options !== undefined && (typeof options !== 'object' || options === null))
    return E.left(
      WriteError.make(
        'InvalidValue',
        `insert into schema '${schema}': expected options { source?, onConflict? }, got ${show(options)}`,
        {
          schema,
        },
      ),
    )
  const { source: given, onConflict } = (options ?? {}) as {
    readonly source?: unknown
    readonly onConflict?: unknown
  }
  if (given !== undefined && typeof given !== 'string')
    return E.left(
      WriteError.make(
        'InvalidValue',
        `insert into schema '${schema}': option 'source' is a table name, got ${show(given)}`,
        {
          schema,
        },
      ),
    )
  const source = given ?? t.right.source
  const conflict = onConflict === undefined ? E.right(null) : Upsert.resolve(t.right, source, onConflict)
  if (E.isLeft(conflict)) return E.left(asWriteError(conflict.left, schema))
  const uniform = uniformInsert(t.right, source, values)
  const rows: Array<ReadonlyArray<readonly [string, unknown]>> = []
  if (uniform === null)
    for (const v of values) {
      const r = encode(t.right, v, 'insert')
      if (E.isLeft(r)) return r
      rows.push(r.right)
    }
  const steps: Array<Plan.Step> = []
  for (const statement of uniform === null ? insertStatements(t.right, source, rows) : [uniform]) {
    const c = conflict.right === null ? E.right(null) : conflict.right(statement.columns)
    if (E.isLeft(c)) return E.left(asWriteError(c.left, schema))
    steps.push({
      statement:
        c.right === null
          ? statement
          : Values.recorded(statement) === true
            ? Values.record(W.insert({ ...statement, onConflict: c.right }))
            : W.insert({ ...statement, onConflict: c.right }),
      expect: 'any' as const,
      note: c.right === null ? `insert ${schema}` : `upsert ${schema}`,
    })
  }
  return E.right(steps)
}

// An upsert's set may carry the error of a query embedded in it: a write error of the schema.
const asWriteError = (
  e: WriteError.WriteError | QueryError.QueryError,
  schema: string,
): WriteError.WriteError =>
  e._tag === 'WriteError' ? e : WriteError.make('InvalidValue', e.message, { schema: e.schema ?? schema })

/**
 * A plan inserting many records of one schema (rows that give the same columns share a statement).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const plan = Write.insertAll(M, 'tag', [{ name: 'sql' }, { name: 'fp' }])
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'insert into "tags" ("name") values ($1), ($2) returning "id", "name"', params: ['sql', 'fp'],
 * }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const insertAll = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  values: ReadonlyArray<Insertable<M, S>>,
  options?: InsertOptions<M, S>,
): E.Either<WriteError.WriteError, Plan.Plan<ReadonlyArray<Model.Row<M, S>>>> =>
  WriteError.guarded('Write.insertAll', () =>
    E.map((steps: ReadonlyArray<Plan.Step>) =>
      Plan.make<ReadonlyArray<Model.Row<M, S>>>(model, steps, {
        _tag: 'Many',
        steps: steps.map((_, i) => i),
        schema,
      }),
    )(insertSteps(model, schema, values as ReadonlyArray<Fields>, options)),
  )

/**
 * A plan updating one record, found by its primary key; the stored row is its result. A row that is
 * no longer there is a `StaleEntry` error. No changes still checks the row exists and returns it.
 * On a table with an `optimisticLock` column the update also checks the version (`changes`' if given,
 * the version a form was loaded at, else the row's) and sets it to the next one: a row changed
 * meanwhile is a `StaleEntry` error naming the schema.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const tag = Schema.table('tag', 'tags', { id: Column.serial, name: Column.text })
 * const M = Schema.modelOrThrow({ tag }, {})
 * const tables = new Map([['tags', [{ id: 1, name: 'sql' }]]])
 * const plan = Write.update(M, 'tag', { id: 1, name: 'sql' }, { name: 'SQL' })
 * const r = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(tables))(plan)
 * assert.deepStrictEqual(E.map((x: Write.PureResult<unknown>) => x.result)(r), E.right({ id: 1, name: 'SQL' }))
 * // The row is gone: a StaleEntry error, and no tables.
 * const gone = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(new Map([['tags', []]])))(plan)
 * assert.ok(E.isLeft(gone) && gone.left._tag === 'WriteError' && gone.left.code === 'StaleEntry')
 *
 * @category constructors
 * @since 0.1.0
 */
export const update = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  row: Model.Row<M, S>,
  changes: Partial<Model.Row<M, S>>,
  options: { readonly source?: string } = {},
): E.Either<WriteError.WriteError, Plan.Plan<Model.Row<M, S>>> =>
  WriteError.guarded('Write.update', () => {
    const t = tableOf(model, schema)
    if (E.isLeft(t)) return t
    const where = byKey(t.right, 't0', row as Fields)
    if (E.isLeft(where)) return where
    const lock = lockOf(t.right, 't0', row as Fields, changes as Fields)
    if (E.isLeft(lock)) return lock
    const set = encode(t.right, withoutLock(t.right, changes as Fields), 'update')
    if (E.isLeft(set)) return set
    const pk = t.right.primaryKey[0] as string
    const assignments = [...set.right, ...(lock.right === null ? [] : [lock.right.bump])]
    return E.right(
      Plan.make(
        model,
        [
          {
            statement: W.update({
              binding: { table: options.source ?? t.right.source, alias: 't0' },
              set: (assignments.length > 0 ? assignments : [[pk, (row as Fields)[pk]] as const]).map(
                ([c, v]) => [c, valueParam(t.right, c, v)] as const,
              ),
              where: lock.right === null ? where.right : [...where.right, lock.right.check],
              returning: returningOf(t.right),
            }),
            expect: 'one',
            note: `update ${schema}`,
            schema,
          },
        ],
        { _tag: 'One', step: 0, schema },
      ),
    )
  })

// The rows a delete touches, as a table and the conjuncts that pick them out under an alias.
interface Rows {
  readonly table: string
  readonly where: (alias: string) => ReadonlyArray<Ex.Expr>
}

const childRows = (parent: Rows, parentKey: string, table: string, fk: string, depth: number): Rows => ({
  table,
  where: alias => {
    const p = `t${depth}p`
    // Built through the companions, so the subquery is a node an interpreter accepts (a spread is not).
    const s = [Ex.eq(Ex.column(p, parentKey), Ex.column(alias, fk)), ...parent.where(p)].reduce(
      (acc, conjunct) => Sel.withWhere(conjunct)(acc),
      Sel.create({ table: parent.table, alias: p }, []),
    )
    return [Ex.exists(s)]
  },
})

// Where deleting the owner reaches an association's rows: the table and the column holding the owner's
// key, with the association's `onDelete`; `join` for a many-to-many's join rows (deleted whatever the
// action, and a cascade goes no deeper). belongs_to and through rows are not the owner's.
interface Dependent {
  readonly table: string
  readonly fk: string
  readonly ownerKey: string
  readonly onDelete: Model.ResolvedHas['onDelete']
  readonly join: boolean
}

type Narrow<K extends Model.Resolved['_tag']> = Model.Resolved & { readonly _tag: K }

const childrenOf = (a: Model.ResolvedHas): Dependent => ({
  table: a.source,
  fk: a.relatedKey,
  ownerKey: a.ownerKey,
  onDelete: a.onDelete,
  join: false,
})

const dependentOf: { readonly [K in Model.Resolved['_tag']]: (a: Narrow<K>) => Dependent | null } = {
  HasMany: childrenOf,
  HasOne: childrenOf,
  ManyToMany: a => ({
    table: a.joinTable,
    fk: a.joinOwnerKey,
    ownerKey: a.ownerKey,
    onDelete: a.onDelete,
    join: true,
  }),
  BelongsTo: () => null,
  Through: () => null,
}

const dependents = (
  model: Model.AnyModel,
  schema: string,
  owner: Rows,
  ownerRow: Fields | null,
  cascade: boolean,
  path: ReadonlyArray<string>,
  depth: number,
  notes: Array<string>,
): ReadonlyArray<Plan.Step> => {
  const steps: Array<Plan.Step> = []
  const alias = `t${depth}`
  for (const a of model.associations.get(schema)?.values() ?? []) {
    const d = (dependentOf[a._tag] as (a: Model.Resolved) => Dependent | null)(a)
    if (d === null || d.onDelete === 'nothing') continue
    const { table, fk } = d
    // At the first level the owner's key is known: a plain `fk = $1`, as Ecto issues it.
    let rows: Rows
    if (ownerRow !== null) {
      const key = ownerRow[d.ownerKey]
      if (key === null || key === undefined) continue
      rows = { table, where: x => [Ex.eq(Ex.column(x, fk), Ex.param(key))] }
    } else rows = childRows(owner, d.ownerKey, table, fk, depth)
    const note = `${schema}.${a.name}: ${d.onDelete}`
    if (d.join || d.onDelete === 'delete_all') {
      const edge = `${schema}.${a.name}`
      if (cascade && !d.join) {
        if (path.includes(edge))
          notes.push(
            `cascade stops at ${edge}: the association graph cycles there; deeper rows are left to the database's foreign keys`,
          )
        else
          steps.push(...dependents(model, a.target, rows, null, cascade, [...path, edge], depth + 1, notes))
      }
      steps.push({
        statement: W.delete_({ binding: { table, alias }, where: rows.where(alias), returning: [fk] }),
        expect: 'any',
        note,
      })
    } else
      steps.push({
        statement: W.update({
          binding: { table, alias },
          set: [[fk, Ex.param(null)]],
          where: rows.where(alias),
          returning: [fk],
        }),
        expect: 'any',
        note,
      })
  }
  return steps
}

/**
 * A plan deleting one record, found by its primary key, with its associations' `onDelete`: before the
 * record's own DELETE and in definition order, `delete_all` deletes the children (`fk = key`),
 * `nilify_all` sets their key to NULL, and a many-to-many `delete_all` deletes the join rows only.
 * As in Ecto, this goes one level deep and ignores the associations' `where` (every row holding the
 * key is affected). `{ cascade: true }` goes further: the children's own `onDelete` apply, down the
 * graph, deepest rows first, each level selecting its rows with `exists` over the level above; a cycle
 * (a self-referencing `delete_all`, say) is cut at its first repeat and noted in `plan.notes`.
 * The deleted row is the result; a row that is no longer there, or whose optimistic lock version is
 * not the row's, is a `StaleEntry` error (and nothing is deleted).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment', { onDelete: 'delete_all' }) } })
 * const tables = new Map([
 *   ['posts', [{ id: 1 }, { id: 2 }]],
 *   ['comments', [{ id: 10, post_id: 1 }, { id: 11, post_id: 2 }]],
 * ])
 * const plan = Write.delete(M, 'post', { id: 1 })
 * // Two statements: the post's comments (its `onDelete`), then the post.
 * assert.deepStrictEqual(E.map((p: Write.Plan<unknown>) => p.steps.length)(plan), E.right(2))
 * const r = E.flatMap((p: Write.Plan<unknown>) => Write.runPure(p)(tables))(plan)
 * assert.deepStrictEqual(E.map((x: Write.PureResult<unknown>) => x.tables.get('comments'))(r), E.right([{ id: 11, post_id: 2 }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const delete_ = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  schema: S,
  row: Model.Row<M, S>,
  options: DeleteOptions & { readonly source?: string } = {},
): E.Either<WriteError.WriteError, Plan.Plan<Model.Row<M, S>>> =>
  WriteError.guarded('Write.delete', () => {
    const t = tableOf(model, schema)
    if (E.isLeft(t)) return t
    const key = byKey(t.right, 'x', row as Fields)
    if (E.isLeft(key)) return key
    const lock = lockOf(t.right, 't0', row as Fields)
    if (E.isLeft(lock)) return lock
    const table = options.source ?? t.right.source
    const owner: Rows = {
      table,
      where: alias => E.getOrElse((): ReadonlyArray<Ex.Expr> => [])(byKey(t.right, alias, row as Fields)),
    }
    const notes: Array<string> = []
    const steps = [
      ...dependents(model, schema, owner, row as Fields, options.cascade === true, [], 1, notes),
      {
        statement: W.delete_({
          binding: { table, alias: 't0' },
          where: lock.right === null ? owner.where('t0') : [...owner.where('t0'), lock.right.check],
          returning: returningOf(t.right),
        }),
        expect: 'one' as const,
        note: `delete ${schema}`,
        schema,
      },
    ]
    return E.right(Plan.make(model, steps, { _tag: 'One', step: steps.length - 1, schema }, notes))
  })

// -------------------------------------------------------------------------------------
// constructors: build
// -------------------------------------------------------------------------------------

/**
 * Applies an association's defaults to a child: an object is merged, a function is called with the
 * child and the owner (`null` when there is none), a `withArgs` function also gets its arguments. A
 * function is user code: one that throws or gives anything but a record is an error value.
 *
 * @category utils
 * @since 0.1.0
 */
export const applyDefaults = (
  defaults: Model.ResolvedHas['defaults'],
  child: Fields,
  owner: Fields | null,
  origin: Origin,
): E.Either<WriteError.WriteError, Fields> => {
  if (defaults === null) return E.right(child)
  const refuse = (what: string) =>
    E.left(
      WriteError.make(
        'InvalidValue',
        `the defaults of association '${origin.association}' of schema '${origin.schema}' ${what}`,
        origin,
      ),
    )
  let out: unknown
  try {
    out =
      typeof defaults === 'function'
        ? defaults(child, owner)
        : // By the schema brand, never by `_tag`: plain defaults from JSON may hold a `_tag` column.
          isWithArgs(defaults)
          ? defaults.fn(child, owner, ...defaults.args)
          : { ...child, ...defaults }
  } catch (e) {
    return refuse(`threw: ${show(e instanceof Error ? e.message : e)}`)
  }
  return typeof out === 'object' && out !== null && !Array.isArray(out)
    ? E.right(out as Fields)
    : refuse(`gave ${show(out)}, not a record`)
}

// The column of a built record that holds the owner's key, and the owner's column it is taken from: a
// has_many / has_one child points at its owner; a belongs_to parent or a many-to-many target does not
// (no join row is made).
interface BuiltKey {
  readonly child: string
  readonly owner: string
}

const pointsAtOwner = (a: Model.ResolvedHas): BuiltKey => ({ child: a.relatedKey, owner: a.ownerKey })

const builtKey: {
  readonly [K in Model.ResolvedDirect['_tag']]: (a: Narrow<K>) => BuiltKey | null
} = {
  HasMany: pointsAtOwner,
  HasOne: pointsAtOwner,
  BelongsTo: () => null,
  ManyToMany: () => null,
}

/**
 * Ecto's `build_assoc`: a new record for an association of `owner`. The association's defaults come
 * first, then `attrs`, then (has_many / has_one) the owner's key, which overrides `attrs`. A custom
 * source is remembered in the result. belongs_to and many_to_many set no key (no join row is made);
 * a through association is an error: build the intermediate steps explicitly.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Schema, Column, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial, title: Column.text })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment', { defaults: { body: '' } }) } })
 * const built = Write.build(M, 'post', 'comments')({ id: 1, title: 'hi' }, { post_id: 2 })
 * assert.deepStrictEqual(E.map((b: Write.Built) => b.values)(built), E.right({ body: '', post_id: 1 }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const build =
  <M extends Model.AnyModel, S extends Model.SchemaName<M>, N extends DirectName<M, S>>(
    model: M,
    schema: S,
    name: N,
  ) =>
  (
    owner: Model.Row<M, S>,
    attrs: Partial<Model.Row<M, Model.Target<M, S, N>>> = {},
  ): E.Either<WriteError.WriteError, Built<M, Model.Target<M, S, N>>> =>
    WriteError.guarded('Write.build', () => buildOne(model, schema, name, owner, attrs))

const buildOne = <M extends Model.AnyModel, S extends Model.SchemaName<M>, N extends DirectName<M, S>>(
  model: M,
  schema: S,
  name: N,
  owner: Model.Row<M, S>,
  attrs: Partial<Model.Row<M, Model.Target<M, S, N>>>,
): E.Either<WriteError.WriteError, Built<M, Model.Target<M, S, N>>> => {
  const a = Model.association(model, schema, name)
  if (a === undefined)
    return E.left(
      WriteError.make('UnknownAssociation', `schema '${schema}' has no association '${name}'`, {
        schema,
        association: name,
      }),
    )
  if (a._tag === 'Through')
    return E.left(
      WriteError.make(
        'ReadOnlyAssociation',
        `cannot build through association '${name}' of schema '${schema}': build the intermediate steps explicitly`,
        { schema, association: name },
      ),
    )
  const ownerTable = Model.table(model, schema) as Table
  const bad =
    notRecord(ownerTable, 'the owner', owner) ?? notRecord(ownerTable, `the attrs of '${name}'`, attrs)
  if (bad !== null) return E.left(bad)
  const o = owner as Fields
  const defaults = applyDefaults(a.defaults, {}, o, { schema, association: name })
  if (E.isLeft(defaults)) return defaults
  const child: Record<string, unknown> = { ...defaults.right, ...(attrs as Fields) }
  const key = (builtKey[a._tag] as (a: Model.ResolvedDirect) => BuiltKey | null)(a)
  if (key !== null) child[key.child] = o[key.owner]
  // Defaults and attrs are checked here, so a built record that exists is one that can be inserted.
  const target = Model.table(model, a.target)
  if (target === undefined)
    return E.left(
      WriteError.make('UnknownSchema', `the model has no schema '${a.target}'`, { schema: a.target }),
    )
  const checked = checkRecord(model, target, child, { schema, association: name })
  if (E.isLeft(checked)) return checked
  return E.right(
    Object.freeze({
      _tag: 'Built',
      schema: a.target as Model.Target<M, S, N>,
      source: a.source,
      values: child as Partial<Model.Row<M, Model.Target<M, S, N>>>,
    }),
  )
}

/**
 * A plan inserting a built record into the table it was built for.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Column, Schema, Write } from 'quiver-sql'
 * const post = Schema.table('post', 'posts', { id: Column.serial })
 * const comment = Schema.table('comment', 'comments', { id: Column.serial, post_id: Column.integer, body: Column.text })
 * const M = Schema.modelOrThrow({ post, comment }, { post: { comments: Schema.hasMany('comment') } })
 * const plan = pipe(
 *   Write.build(M, 'post', 'comments')({ id: 7 }, { body: 'first' }),
 *   E.flatMap(b => Write.insertBuilt(M, b)),
 * )
 * assert.deepStrictEqual(pipe(plan, E.map(Write.toSql)), E.right([{
 *   text: 'insert into "comments" ("body", "post_id") values ($1, $2) returning "id", "post_id", "body"',
 *   params: ['first', 7],
 * }]))
 *
 * @category constructors
 * @since 0.1.0
 */
export const insertBuilt = <M extends Model.AnyModel, S extends Model.SchemaName<M>>(
  model: M,
  built: Built<M, S>,
): E.Either<WriteError.WriteError, Plan.Plan<Model.Row<M, S>>> =>
  WriteError.guarded('Write.insertBuilt', () =>
    insert(model, built.schema, built.values as unknown as Insertable<M, S>, { source: built.source }),
  )
