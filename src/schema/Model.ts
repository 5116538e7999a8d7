/**
 * A model is a set of tables and their associations, validated once as a whole. `model` resolves every
 * default (foreign keys, references, join keys) into a `Resolved` association with concrete columns,
 * flattens through chains into their hops, and returns `Either<SchemaError, Model>`: no later stage
 * needs to re-check a definition.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as SchemaError from '../error/SchemaError.js'
import { show } from '../error/Show.js'
import * as A from './Association.js'
import * as Column from './Column.js'
import {
  identifierProblem,
  isTable,
  isUniqueColumn,
  tableNameProblem,
  type RowOf,
  type Table,
} from './Table.js'

// -------------------------------------------------------------------------------------
// model: resolved associations
// -------------------------------------------------------------------------------------

/**
 * One where-filter condition on a column, resolved from the option's value form.
 *
 * @category model
 * @since 0.1.0
 */
export type Condition =
  | { readonly _tag: 'IsNull' }
  | { readonly _tag: 'NotNull' }
  | { readonly _tag: 'Eq'; readonly value: unknown }
  | { readonly _tag: 'In'; readonly values: ReadonlyArray<unknown> }
  | {
      readonly _tag: 'Fragment'
      readonly strings: ReadonlyArray<string>
      readonly args: ReadonlyArray<
        { readonly _tag: 'Self' } | { readonly _tag: 'Value'; readonly value: unknown }
      >
    }

/**
 * @category model
 * @since 0.1.0
 */
export interface Filter {
  readonly column: string
  readonly condition: Condition
  /** The column's JSON type, when it has one: its values are sent as JSON (see `Expr.Param.json`). */
  readonly json?: 'json' | 'jsonb'
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Order {
  readonly column: string
  readonly dir: 'asc' | 'desc'
  readonly nulls: 'first' | 'last' | 'default'
}

interface ResolvedBase {
  /** The association's name. */
  readonly name: string
  /** The owner schema. */
  readonly owner: string
  /** The target schema. */
  readonly target: string
  readonly cardinality: 'one' | 'many'
}

/**
 * has_many / has_one: `target.relatedKey = owner.ownerKey`.
 *
 * @category model
 * @since 0.1.0
 */
export interface ResolvedHas extends ResolvedBase {
  readonly _tag: 'HasMany' | 'HasOne'
  /** The table the target rows are read from (the target's source unless a custom source is given). */
  readonly source: string
  readonly ownerKey: string
  readonly relatedKey: string
  readonly where: ReadonlyArray<Filter>
  readonly preloadOrder: ReadonlyArray<Order>
  readonly onDelete: A.OnDelete
  readonly onReplace: A.OnReplace
  readonly defaults: A.Defaults | null
}

/**
 * belongs_to: `target.relatedKey = owner.ownerKey`, where `ownerKey` is the foreign key on the owner.
 *
 * @category model
 * @since 0.1.0
 */
export interface ResolvedBelongsTo extends ResolvedBase {
  readonly _tag: 'BelongsTo'
  readonly source: string
  readonly ownerKey: string
  readonly relatedKey: string
  readonly where: ReadonlyArray<Filter>
  readonly preloadOrder: ReadonlyArray<Order>
  readonly onReplace: A.OnReplace
  readonly defaults: A.Defaults | null
}

/**
 * many_to_many: `join.joinOwnerKey = owner.ownerKey` and `target.relatedKey = join.joinRelatedKey`.
 *
 * @category model
 * @since 0.1.0
 */
export interface ResolvedManyToMany extends ResolvedBase {
  readonly _tag: 'ManyToMany'
  readonly source: string
  readonly joinTable: string
  /** The join table's schema, when `joinThrough` names one. */
  readonly joinSchema: string | null
  readonly joinOwnerKey: string
  readonly ownerKey: string
  readonly joinRelatedKey: string
  readonly relatedKey: string
  readonly joinWhere: ReadonlyArray<Filter>
  readonly joinDefaults: A.Fields
  readonly where: ReadonlyArray<Filter>
  readonly preloadOrder: ReadonlyArray<Order>
  readonly onDelete: 'nothing' | 'delete_all'
  readonly onReplace: A.OnReplace
  readonly defaults: A.Defaults | null
  readonly unique: boolean
  readonly onJoinThroughConflict: 'raise' | 'nothing'
}

/**
 * A direct association (has, belongs-to, many-to-many) resolved against the model: its tables, keys and filters spelled out.
 *
 * @category model
 * @since 0.1.0
 */
export type ResolvedDirect = ResolvedHas | ResolvedBelongsTo | ResolvedManyToMany

/**
 * A through association with its path flattened into direct hops (nested throughs inlined).
 *
 * @category model
 * @since 0.1.0
 */
export interface ResolvedThrough extends ResolvedBase {
  readonly _tag: 'Through'
  readonly path: ReadonlyArray<string>
  readonly hops: ReadonlyArray<ResolvedDirect>
}

/**
 * An association resolved against the model: a direct one, or a through one flattened into direct hops.
 *
 * @category model
 * @since 0.1.0
 */
export type Resolved = ResolvedDirect | ResolvedThrough

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type Tables = Readonly<Record<string, Table>>

/**
 * The association definitions a model accepts: per schema, a record of associations whose targets are
 * schema names of the same model (checked by the compiler).
 *
 * @category model
 * @since 0.1.0
 */
export type Definitions<T extends Tables> = {
  readonly [S in keyof T]?: Readonly<Record<string, A.Association<keyof T & string>>>
}

/**
 * A validated model: its tables by schema name and the associations of each. Built by `Schema.model`; queries, preloads and writes are typed by it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Model<T extends Tables = Tables, D extends Definitions<T> = Definitions<T>> {
  readonly _tag: 'Model'
  readonly tables: T
  readonly definitions: D
  /** Resolved associations per schema, in definition order. */
  readonly associations: ReadonlyMap<string, ReadonlyMap<string, Resolved>>
}

/**
 * Any model, whatever its tables and associations: the bound of the type parameters that take one.
 *
 * @category model
 * @since 0.1.0
 */
export type AnyModel = Model<Tables, Definitions<Tables>>

// -------------------------------------------------------------------------------------
// type-level lookups
// -------------------------------------------------------------------------------------

/**
 * The schema names of a model, as a union of string literals.
 *
 * @category type
 * @since 0.1.0
 */
export type SchemaName<M extends AnyModel> = keyof M['tables'] & string

/**
 * The row type of schema `S` of model `M`: each column's decoded type.
 *
 * @category type
 * @since 0.1.0
 */
export type Row<M extends AnyModel, S extends string> = RowOf<M['tables'][S]>

/**
 * @category type lookups
 * @since 0.1.0
 */
export type AssociationsOf<M extends AnyModel, S extends string> = NonNullable<M['definitions'][S]>

/**
 * The association names of schema `S` of model `M`, as a union of string literals.
 *
 * @category type
 * @since 0.1.0
 */
export type AssociationName<M extends AnyModel, S extends string> = keyof AssociationsOf<M, S> & string

type Walk<M extends AnyModel, S extends string, P> = P extends readonly [infer H extends string, ...infer R]
  ? R extends readonly []
    ? Target<M, S, H>
    : Walk<M, Target<M, S, H>, R>
  : never

/**
 * The schema an association (or a through path) leads to.
 *
 * @category type lookups
 * @since 0.1.0
 */
export type Target<M extends AnyModel, S extends string, N extends string> = AssociationsOf<
  M,
  S
>[N] extends infer X
  ? X extends { readonly _tag: 'Through'; readonly path: infer P }
    ? Walk<M, S, P>
    : X extends { readonly target: infer T extends string }
      ? T
      : never
  : never

/**
 * The schema a path of association names leads to.
 *
 * @category type lookups
 * @since 0.1.0
 */
export type PathTarget<M extends AnyModel, S extends string, P> = Walk<M, S, P>

/**
 * `one` for has_one, belongs_to and has-one-through; `many` otherwise.
 *
 * @category type lookups
 * @since 0.1.0
 */
export type Cardinality<M extends AnyModel, S extends string, N extends string> = AssociationsOf<
  M,
  S
>[N] extends infer X
  ? X extends { readonly _tag: 'HasOne' | 'BelongsTo' }
    ? 'one'
    : X extends { readonly _tag: 'Through'; readonly cardinality: infer C }
      ? C
      : 'many'
  : never

/**
 * A valid path of association names from `S`, as a tuple type (checked hop by hop).
 *
 * @category type lookups
 * @since 0.1.0
 */
export type Path<M extends AnyModel, S extends string, P> = P extends readonly [
  infer H extends string,
  ...infer R,
]
  ? H extends AssociationName<M, S>
    ? R extends readonly []
      ? readonly [H]
      : readonly [H, ...Path<M, Target<M, S, H>, R>]
    : readonly [AssociationName<M, S>, ...Array<string>]
  : ReadonlyArray<string>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

type Problem = SchemaError.SchemaError
const fail = (schema: string, association: string | null, option: string | null, reason: string) =>
  E.left(SchemaError.make(schema, association, option, reason))

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !(u instanceof Date)

const allowed: Readonly<Record<A.Association['_tag'], ReadonlyArray<string>>> = {
  HasMany: [
    'foreignKey',
    'references',
    'where',
    'preloadOrder',
    'onDelete',
    'onReplace',
    'defaults',
    'source',
  ],
  HasOne: [
    'foreignKey',
    'references',
    'where',
    'preloadOrder',
    'onDelete',
    'onReplace',
    'defaults',
    'source',
  ],
  BelongsTo: ['foreignKey', 'references', 'where', 'defaults', 'onReplace', 'source'],
  ManyToMany: [
    'joinThrough',
    'joinKeys',
    'joinWhere',
    'joinDefaults',
    'where',
    'preloadOrder',
    'onDelete',
    'onReplace',
    'defaults',
    'unique',
    'onJoinThroughConflict',
    'source',
  ],
  Through: ['cardinality'],
}

const meaninglessOnThrough = [
  'where',
  'preloadOrder',
  'onDelete',
  'onReplace',
  'defaults',
  'source',
  'foreignKey',
  'references',
]

// The values of `onDelete` and `onReplace` each kind of association takes (a belongs_to deletes nothing).
const onDeleteValues: Readonly<Record<'HasMany' | 'HasOne' | 'ManyToMany', ReadonlyArray<string>>> = {
  HasMany: ['nothing', 'nilify_all', 'delete_all'],
  HasOne: ['nothing', 'nilify_all', 'delete_all'],
  ManyToMany: ['nothing', 'delete_all'],
}

const onReplaceValues: Readonly<Record<ResolvedDirect['_tag'], ReadonlyArray<string>>> = {
  HasMany: ['raise', 'mark_as_invalid', 'nilify', 'delete', 'delete_if_exists'],
  HasOne: ['raise', 'mark_as_invalid', 'nilify', 'update', 'delete', 'delete_if_exists'],
  BelongsTo: ['raise', 'mark_as_invalid', 'nilify', 'update', 'delete', 'delete_if_exists'],
  ManyToMany: ['raise', 'mark_as_invalid', 'delete'],
}

const hasCardinality: Readonly<Record<ResolvedHas['_tag'], 'one' | 'many'>> = {
  HasMany: 'many',
  HasOne: 'one',
}

// The constructor of a through of each cardinality, for messages.
const throughConstructor: Readonly<Record<'one' | 'many', string>> = { one: 'throughOne', many: 'through' }

const list = (xs: ReadonlyArray<string>) => xs.map(x => `'${x}'`).join(', ')

interface Ctx {
  readonly tables: Tables
  readonly schema: string
  readonly name: string
}

// Names come from untyped input too: only own properties count ('constructor' is not a schema).
const own = <V>(record: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined

const hasColumn = (tables: Tables, schema: string, column: string): boolean =>
  own(tables, schema)?.columns.has(column) ?? false

const columnOf = (tables: Tables, schema: string, column: string): Column.Column<unknown> | undefined =>
  own(tables, schema)?.columns.get(column)

// A codec is user code: one that throws is taken as rejecting the value.
const accepts = (column: Column.Column<unknown>, value: unknown): boolean => {
  try {
    return Column.fastDecoder(column.codec)(value) !== Column.invalid
  } catch {
    return false
  }
}

// SQL types that compare with each other without a cast, by family; an unknown type is its own family.
const families: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(smallint|integer|bigint|int|int2|int4|int8)$/, 'integer'],
  [/^(text|varchar|character varying|char|character|bpchar|citext|name)$/, 'text'],
  [/^(numeric|decimal)$/, 'numeric'],
  [/^(real|double precision|float|float4|float8)$/, 'float'],
  [/^(boolean|bool)$/, 'boolean'],
  [/^(timestamptz|timestamp with time zone)$/, 'timestamptz'],
  [/^(timestamp|timestamp without time zone)$/, 'timestamp'],
]

const family = (sqlType: string): string => {
  const t = (Column.baseType(sqlType) ?? sqlType)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(.*\)/, '')
    .trim()
  return families.find(([re]) => re.test(t))?.[1] ?? t
}

// Values a codec is probed with when a column has no SQL type: two key columns whose codecs accept
// none of the same values can never be equal.
const probes: ReadonlyArray<unknown> = [0, 1, -1, 1.5, '1', 'x', true, false, new Date(0)]

const typeName = (c: Column.Column<unknown>): string => c.sqlType ?? `codec ${c.codec.name}`

// A refinement or brand (`t.brand(t.string, ...)`) is probed through the codec it refines: the
// probes say which kind of value a column holds, not which values its refinement admits.
const acceptsBase = (codec: Column.Codec<unknown>, value: unknown): boolean => {
  try {
    let c: unknown = codec
    while (c instanceof t.RefinementType) c = (c as t.RefinementType<t.Any>).type
    return (c as t.Decoder<unknown, unknown>).decode(value)._tag === 'Right'
  } catch {
    return false
  }
}

// Without SQL types on both sides: the same codec (nullable or not) is the same type; otherwise the
// probes decide, and only when each codec accepts some probe and no probe is accepted by both. A codec
// the probes cannot describe (a branded UUID, a `keyof` union) is given the benefit of the doubt.
const sameKeyType = (a: Column.Column<unknown>, b: Column.Column<unknown>): boolean => {
  if (a.sqlType !== null && b.sqlType !== null) return family(a.sqlType) === family(b.sqlType)
  const ca = Column.nonNull(a.codec)
  const cb = Column.nonNull(b.codec)
  if (ca === cb || ca.name === cb.name) return true
  const pa = probes.filter(p => acceptsBase(ca, p))
  const pb = probes.filter(p => acceptsBase(cb, p))
  return pa.length === 0 || pb.length === 0 || pa.some(p => pb.includes(p))
}

const checkColumn = (
  ctx: Ctx,
  option: string,
  schema: string,
  column: unknown,
  what: string,
): E.Either<Problem, string> =>
  typeof column !== 'string' || column === ''
    ? fail(ctx.schema, ctx.name, option, `expected a column name, got ${show(column)}`)
    : hasColumn(ctx.tables, schema, column)
      ? E.right(column)
      : fail(ctx.schema, ctx.name, option, `${what} '${column}' is not a column of schema '${schema}'`)

const scalar = (u: unknown): boolean =>
  typeof u === 'string' || typeof u === 'number' || typeof u === 'boolean' || u instanceof Date

const resolveCondition = (ctx: Ctx, option: string, value: unknown): E.Either<Problem, Condition> => {
  if (value === null) return E.right({ _tag: 'IsNull' })
  if (scalar(value)) return E.right({ _tag: 'Eq', value })
  if (A.isNotNull(value)) return E.right({ _tag: 'NotNull' })
  if (A.isWhereIn(value)) {
    const values: unknown = value.values
    return Array.isArray(values) && values.every(scalar)
      ? E.right({ _tag: 'In', values })
      : fail(ctx.schema, ctx.name, option, 'isIn expects a list of plain values')
  }
  if (A.isFragment(value) && Array.isArray(value.strings) && Array.isArray(value.args)) {
    const selves = value.args.filter(A.isSelf).length
    if (selves !== 1)
      return fail(
        ctx.schema,
        ctx.name,
        option,
        `a fragment must use the column (Schema.self) exactly once, found ${selves}`,
      )
    return E.right({
      _tag: 'Fragment',
      strings: value.strings,
      args: value.args.map(a => (A.isSelf(a) ? { _tag: 'Self' } : { _tag: 'Value', value: a })),
    })
  }
  return fail(
    ctx.schema,
    ctx.name,
    option,
    `expected null, Schema.notNull, Schema.isIn([...]), Schema.fragment\`...\` or a plain value, got ${show(value)}`,
  )
}

const resolveWhere = (
  ctx: Ctx,
  option: string,
  schema: string,
  where: unknown,
): E.Either<Problem, ReadonlyArray<Filter>> => {
  if (where === undefined) return E.right([])
  if (!isRecord(where))
    return fail(ctx.schema, ctx.name, option, 'expected an object of column: value filters')
  const out: Array<Filter> = []
  for (const [column, value] of Object.entries(where)) {
    const c = checkColumn(ctx, `${option}.${column}`, schema, column, 'filtered column')
    if (E.isLeft(c)) return c
    const cond = resolveCondition(ctx, `${option}.${column}`, value)
    if (E.isLeft(cond)) return cond
    const col = columnOf(ctx.tables, schema, column)
    if (col !== undefined) {
      const checked = checkCondition(ctx, `${option}.${column}`, schema, column, col, cond.right)
      if (E.isLeft(checked)) return checked
    }
    const json = Column.jsonType(col)
    out.push({ column, condition: cond.right, ...(json === undefined ? {} : { json }) })
  }
  return E.right(out)
}

// A filter that can never match, or a value its column's codec rejects, is a definition error: the
// association would silently load nothing (or fail on every load).
const checkCondition = (
  ctx: Ctx,
  option: string,
  schema: string,
  name: string,
  column: Column.Column<unknown>,
  condition: Condition,
): E.Either<Problem, void> => {
  const rejected = (value: unknown) =>
    fail(
      ctx.schema,
      ctx.name,
      option,
      `${show(value)} is not a value of column '${schema}.${name}' (${typeName(column)})`,
    )
  switch (condition._tag) {
    case 'IsNull':
      return column.nullable
        ? E.right(undefined)
        : fail(
            ctx.schema,
            ctx.name,
            option,
            `column '${schema}.${name}' is NOT NULL, so a null filter never matches`,
          )
    case 'Eq':
      return accepts(column, condition.value) ? E.right(undefined) : rejected(condition.value)
    case 'In': {
      const bad = condition.values.find(v => !accepts(column, v))
      return bad === undefined ? E.right(undefined) : rejected(bad)
    }
    case 'NotNull':
    case 'Fragment':
      return E.right(undefined)
  }
}

// A null filter on the very column the association joins on leaves it always empty.
const nullOnKey = (
  ctx: Ctx,
  option: string,
  filters: ReadonlyArray<Filter>,
  key: string,
): E.Either<Problem, void> =>
  filters.some(f => f.column === key && f.condition._tag === 'IsNull')
    ? fail(
        ctx.schema,
        ctx.name,
        `${option}.${key}`,
        `'${key}' is the key the association joins on; a null filter on it never matches`,
      )
    : E.right(undefined)

// The key columns of a join must hold values of one type, else no row ever matches (or PostgreSQL
// refuses the comparison).
const checkKeyTypes = (
  ctx: Ctx,
  option: string,
  from: readonly [string, string],
  to: readonly [string, string],
): E.Either<Problem, void> => {
  const a = columnOf(ctx.tables, from[0], from[1])
  const b = columnOf(ctx.tables, to[0], to[1])
  return a === undefined || b === undefined || sameKeyType(a, b)
    ? E.right(undefined)
    : fail(
        ctx.schema,
        ctx.name,
        option,
        `key '${from[0]}.${from[1]}' (${typeName(a)}) cannot match key '${to[0]}.${to[1]}' (${typeName(b)}): their types differ`,
      )
}

// Only a column that identifies one row may be referenced: another would match rows of other owners.
const checkUnique = (ctx: Ctx, option: string, schema: string, column: string): E.Either<Problem, void> => {
  const t = own(ctx.tables, schema)
  return t === undefined || isUniqueColumn(t, column)
    ? E.right(undefined)
    : fail(
        ctx.schema,
        ctx.name,
        option,
        `'${column}' is neither the primary key of schema '${schema}' nor one of its unique keys, so it may match several rows; declare it with Schema.table(..., { unique: ['${column}'] }) or reference a key`,
      )
}

// `nilify` / `nilify_all` set the foreign key to null: impossible on a NOT NULL column.
const checkNilify = (
  ctx: Ctx,
  option: string,
  value: string,
  schema: string,
  column: string,
): E.Either<Problem, void> =>
  columnOf(ctx.tables, schema, column)?.nullable === false
    ? fail(
        ctx.schema,
        ctx.name,
        option,
        `'${value}' sets foreign key '${schema}.${column}' to null, but the column is NOT NULL`,
      )
    : E.right(undefined)

const resolveOrder = (ctx: Ctx, schema: string, order: unknown): E.Either<Problem, ReadonlyArray<Order>> => {
  if (order === undefined) return E.right([])
  if (!Array.isArray(order))
    return fail(
      ctx.schema,
      ctx.name,
      'preloadOrder',
      'expected a list of columns or [direction, column] pairs',
    )
  const out: Array<Order> = []
  for (const item of order as ReadonlyArray<unknown>) {
    const [dir, column]: readonly [unknown, unknown] = Array.isArray(item)
      ? [item[0], item[1]]
      : ['asc', item]
    const d = A.direction(dir)
    if (d === undefined || (Array.isArray(item) && item.length !== 2))
      return fail(
        ctx.schema,
        ctx.name,
        'preloadOrder',
        `invalid direction ${show(dir)}; expected one of ${list(A.directionNames)}`,
      )
    const c = checkColumn(ctx, 'preloadOrder', schema, column, 'ordered column')
    if (E.isLeft(c)) return c
    out.push({ column: c.right, ...d })
  }
  return E.right(out)
}

const resolveDefaults = (
  ctx: Ctx,
  option: string,
  schema: string | null,
  defaults: unknown,
): E.Either<Problem, A.Defaults | null> => {
  if (defaults === undefined) return E.right(null)
  if (typeof defaults === 'function') return E.right(defaults as A.Defaults)
  if (A.isWithArgs(defaults))
    return typeof defaults.fn === 'function' && Array.isArray(defaults.args)
      ? E.right(defaults)
      : fail(ctx.schema, ctx.name, option, 'withArgs expects a function and a list of arguments')
  if (isRecord(defaults)) {
    if (schema !== null)
      for (const [k, v] of Object.entries(defaults)) {
        const c = checkColumn(ctx, `${option}.${k}`, schema, k, 'defaulted column')
        if (E.isLeft(c)) return c
        const col = columnOf(ctx.tables, schema, k)
        if (col !== undefined && !accepts(col, v))
          return fail(
            ctx.schema,
            ctx.name,
            `${option}.${k}`,
            `${show(v)} is not a value of column '${schema}.${k}' (${typeName(col)})`,
          )
      }
    return E.right(defaults)
  }
  return fail(
    ctx.schema,
    ctx.name,
    option,
    'expected an object, a function (child, owner) => child, or Schema.withArgs(fn, ...args)',
  )
}

const oneOf = (
  ctx: Ctx,
  option: string,
  value: unknown,
  values: ReadonlyArray<string>,
  fallback: string,
): E.Either<Problem, string> =>
  value === undefined
    ? E.right(fallback)
    : typeof value === 'string' && values.includes(value)
      ? E.right(value)
      : fail(ctx.schema, ctx.name, option, `invalid value ${show(value)}; expected one of ${list(values)}`)

const checkSource = (ctx: Ctx, target: Table, source: unknown): E.Either<Problem, string> =>
  source === undefined
    ? E.right(target.source)
    : typeof source === 'string' && source !== '' && tableNameProblem(source, 'table name') === null
      ? E.right(source)
      : fail(
          ctx.schema,
          ctx.name,
          'source',
          typeof source === 'string' && source !== ''
            ? (tableNameProblem(source, 'table name') as string)
            : 'expected a table name',
        )

type Gen<T> = Generator<E.Either<Problem, unknown>, T, unknown>
// A tiny do-notation over Either so the resolvers read top to bottom; `run` stops at the first Left.
function* take<T>(e: E.Either<Problem, T>): Gen<T> {
  return (yield e) as T
}
const run = <T>(g: Gen<T>): E.Either<Problem, T> => {
  let step = g.next()
  while (!step.done) {
    const e = step.value
    if (E.isLeft(e)) return e
    step = g.next(e.right)
  }
  return E.right(step.value)
}

const resolveDirect = (
  tables: Tables,
  owner: Table,
  name: string,
  assoc: Exclude<A.Association, A.Through>,
): E.Either<Problem, ResolvedDirect> =>
  run(
    (function* (): Gen<ResolvedDirect> {
      const ctx: Ctx = { tables, schema: owner.name, name }
      const target = own(tables, assoc.target)
      if (target === undefined)
        return yield* take(
          fail(
            owner.name,
            name,
            'target',
            `unknown target schema '${assoc.target}'; the model has ${list(Object.keys(tables))}`,
          ),
        )
      const opts = assoc.options as Readonly<Record<string, unknown>>
      const source = yield* take(checkSource(ctx, target, opts['source']))
      const where = yield* take(resolveWhere(ctx, 'where', target.name, opts['where']))
      const defaults = yield* take(resolveDefaults(ctx, 'defaults', target.name, opts['defaults']))
      const onReplace = yield* take(
        oneOf(ctx, 'onReplace', opts['onReplace'], onReplaceValues[assoc._tag], 'raise'),
      )
      const base = {
        name,
        owner: owner.name,
        target: target.name,
        source,
        where,
        defaults,
        onReplace: onReplace as A.OnReplace,
      }
      switch (assoc._tag) {
        case 'HasMany':
        case 'HasOne': {
          if (opts['references'] === undefined && owner.primaryKey.length === 0)
            return yield* take(
              fail(
                owner.name,
                name,
                'references',
                `schema '${owner.name}' has no primary key; set references`,
              ),
            )
          // Ecto would take the first key column, matching the rows of every owner sharing its value.
          if (opts['references'] === undefined && owner.primaryKey.length > 1)
            return yield* take(
              fail(
                owner.name,
                name,
                'references',
                `schema '${owner.name}' has a composite primary key (${owner.primaryKey.join(', ')}), which one foreign key cannot reference; set references to a unique column`,
              ),
            )
          const ownerKey = yield* take(
            checkColumn(
              ctx,
              'references',
              owner.name,
              opts['references'] === undefined ? owner.primaryKey[0] : opts['references'],
              'referenced column',
            ),
          )
          yield* take(checkUnique(ctx, 'references', owner.name, ownerKey))
          const relatedKey = yield* take(
            checkColumn(
              ctx,
              'foreignKey',
              target.name,
              opts['foreignKey'] === undefined ? `${owner.name}_${ownerKey}` : opts['foreignKey'],
              'foreign key',
            ),
          )
          yield* take(checkKeyTypes(ctx, 'foreignKey', [target.name, relatedKey], [owner.name, ownerKey]))
          yield* take(nullOnKey(ctx, 'where', where, relatedKey))
          const preloadOrder = yield* take(resolveOrder(ctx, target.name, opts['preloadOrder']))
          const onDelete = yield* take(
            oneOf(ctx, 'onDelete', opts['onDelete'], onDeleteValues[assoc._tag], 'nothing'),
          )
          if (onDelete === 'nilify_all')
            yield* take(checkNilify(ctx, 'onDelete', onDelete, target.name, relatedKey))
          if (onReplace === 'nilify')
            yield* take(checkNilify(ctx, 'onReplace', onReplace, target.name, relatedKey))
          return {
            ...base,
            _tag: assoc._tag,
            cardinality: hasCardinality[assoc._tag],
            ownerKey,
            relatedKey,
            preloadOrder,
            onDelete: onDelete as A.OnDelete,
          }
        }
        case 'BelongsTo': {
          const fk = opts['foreignKey'] === undefined ? `${name}_id` : opts['foreignKey']
          if (fk === name)
            return yield* take(
              fail(
                owner.name,
                name,
                'foreignKey',
                `foreign key '${name}' must differ from the association name`,
              ),
            )
          const ownerKey = yield* take(checkColumn(ctx, 'foreignKey', owner.name, fk, 'foreign key'))
          const relatedKey = yield* take(
            checkColumn(
              ctx,
              'references',
              target.name,
              opts['references'] === undefined ? 'id' : opts['references'],
              'referenced column',
            ),
          )
          yield* take(checkUnique(ctx, 'references', target.name, relatedKey))
          yield* take(checkKeyTypes(ctx, 'foreignKey', [owner.name, ownerKey], [target.name, relatedKey]))
          yield* take(nullOnKey(ctx, 'where', where, relatedKey))
          if (onReplace === 'nilify')
            yield* take(checkNilify(ctx, 'onReplace', onReplace, owner.name, ownerKey))
          return { ...base, _tag: 'BelongsTo', cardinality: 'one', ownerKey, relatedKey, preloadOrder: [] }
        }
        case 'ManyToMany': {
          const jt = opts['joinThrough']
          if (typeof jt !== 'string' || jt === '')
            return yield* take(
              fail(owner.name, name, 'joinThrough', 'expected the join table: a schema name or a table name'),
            )
          const joinSchema = own(tables, jt) === undefined ? null : jt
          const joinTable = own(tables, jt)?.source ?? jt
          const badJoinTable = joinSchema === null ? tableNameProblem(jt, 'join table name') : null
          if (badJoinTable !== null) return yield* take(fail(owner.name, name, 'joinThrough', badJoinTable))
          const jk =
            opts['joinKeys'] !== undefined
              ? opts['joinKeys']
              : [
                  [`${owner.name}_id`, 'id'],
                  [`${target.name}_id`, 'id'],
                ]
          const pair = (u: unknown): u is readonly [string, string] =>
            Array.isArray(u) && u.length === 2 && typeof u[0] === 'string' && typeof u[1] === 'string'
          if (!Array.isArray(jk) || jk.length !== 2 || !pair(jk[0]) || !pair(jk[1]))
            return yield* take(
              fail(
                owner.name,
                name,
                'joinKeys',
                'expected [[joinOwnerKey, ownerKey], [joinRelatedKey, relatedKey]]',
              ),
            )
          const [[joinOwnerKey, ownerKeyName], [joinRelatedKey, relatedKeyName]] = jk as unknown as readonly [
            readonly [string, string],
            readonly [string, string],
          ]
          const ownerKey = yield* take(checkColumn(ctx, 'joinKeys', owner.name, ownerKeyName, 'owner key'))
          const relatedKey = yield* take(
            checkColumn(ctx, 'joinKeys', target.name, relatedKeyName, 'related key'),
          )
          yield* take(checkUnique(ctx, 'joinKeys', owner.name, ownerKey))
          yield* take(checkUnique(ctx, 'joinKeys', target.name, relatedKey))
          if (joinSchema !== null) {
            yield* take(checkColumn(ctx, 'joinKeys', joinSchema, joinOwnerKey, 'join owner key'))
            yield* take(checkColumn(ctx, 'joinKeys', joinSchema, joinRelatedKey, 'join related key'))
            yield* take(
              checkJoinKeyTypes(ctx, joinSchema, jk as unknown as JoinKeys, owner.name, target.name),
            )
          } else
            for (const k of [joinOwnerKey, joinRelatedKey]) {
              const p = identifierProblem(k, 'join key')
              if (p !== null) return yield* take(fail(owner.name, name, 'joinKeys', p))
            }
          if (joinOwnerKey === joinRelatedKey)
            return yield* take(
              fail(
                owner.name,
                name,
                'joinKeys',
                `both join keys are '${joinOwnerKey}'; a join row needs two columns`,
              ),
            )
          yield* take(nullOnKey(ctx, 'where', where, relatedKey))
          const joinWhere =
            joinSchema === null
              ? yield* take(resolveUncheckedWhere(ctx, opts['joinWhere']))
              : yield* take(resolveWhere(ctx, 'joinWhere', joinSchema, opts['joinWhere']))
          yield* take(nullOnKey(ctx, 'joinWhere', joinWhere, joinOwnerKey))
          yield* take(nullOnKey(ctx, 'joinWhere', joinWhere, joinRelatedKey))
          // A join row is written from plain values: a function or withArgs would be spread into it.
          if (typeof opts['joinDefaults'] === 'function' || A.isWithArgs(opts['joinDefaults']))
            return yield* take(
              fail(
                owner.name,
                name,
                'joinDefaults',
                'expected an object of column values; a function or Schema.withArgs is not applied to join rows',
              ),
            )
          const joinDefaults = yield* take(
            resolveDefaults(ctx, 'joinDefaults', joinSchema, opts['joinDefaults']),
          )
          const preloadOrder = yield* take(resolveOrder(ctx, target.name, opts['preloadOrder']))
          const onDelete = yield* take(
            oneOf(ctx, 'onDelete', opts['onDelete'], onDeleteValues.ManyToMany, 'nothing'),
          )
          const unique = opts['unique'] === undefined ? false : opts['unique']
          if (typeof unique !== 'boolean')
            return yield* take(fail(owner.name, name, 'unique', 'expected a boolean'))
          const conflict = yield* take(
            oneOf(ctx, 'onJoinThroughConflict', opts['onJoinThroughConflict'], ['raise', 'nothing'], 'raise'),
          )
          return {
            ...base,
            _tag: 'ManyToMany',
            cardinality: 'many',
            joinTable,
            joinSchema,
            joinOwnerKey,
            ownerKey,
            joinRelatedKey,
            relatedKey,
            joinWhere,
            joinDefaults: (joinDefaults ?? {}) as A.Fields,
            preloadOrder,
            onDelete: onDelete as 'nothing' | 'delete_all',
            unique,
            onJoinThroughConflict: conflict as 'raise' | 'nothing',
          }
        }
      }
    })(),
  )

type JoinKeys = readonly [readonly [string, string], readonly [string, string]]

// Each join key must match the type of the key it points at; when both pairs fail and the swapped
// pairs would match, the join keys were given in the wrong order, and the message says so.
const checkJoinKeyTypes = (
  ctx: Ctx,
  join: string,
  [[joinOwner, ownerKey], [joinRelated, relatedKey]]: JoinKeys,
  owner: string,
  target: string,
): E.Either<Problem, void> => {
  const ok = (j: string, s: string, k: string) => E.isRight(checkKeyTypes(ctx, 'joinKeys', [join, j], [s, k]))
  if (ok(joinOwner, owner, ownerKey) && ok(joinRelated, target, relatedKey)) return E.right(undefined)
  if (ok(joinRelated, owner, ownerKey) && ok(joinOwner, target, relatedKey))
    return fail(
      ctx.schema,
      ctx.name,
      'joinKeys',
      `the join keys look swapped: '${join}.${joinOwner}' matches the type of '${target}.${relatedKey}' and '${join}.${joinRelated}' that of '${owner}.${ownerKey}'; joinKeys is [[joinOwnerKey, ownerKey], [joinRelatedKey, relatedKey]]`,
    )
  const first = checkKeyTypes(ctx, 'joinKeys', [join, joinOwner], [owner, ownerKey])
  return E.isLeft(first) ? first : checkKeyTypes(ctx, 'joinKeys', [join, joinRelated], [target, relatedKey])
}

// A join table given by name has no schema, so its columns cannot be checked; the filters are kept.
const resolveUncheckedWhere = (ctx: Ctx, where: unknown): E.Either<Problem, ReadonlyArray<Filter>> => {
  if (where === undefined) return E.right([])
  if (!isRecord(where))
    return fail(ctx.schema, ctx.name, 'joinWhere', 'expected an object of column: value filters')
  const out: Array<Filter> = []
  for (const [column, value] of Object.entries(where)) {
    const cond = resolveCondition(ctx, `joinWhere.${column}`, value)
    if (E.isLeft(cond)) return cond
    out.push({ column, condition: cond.right })
  }
  return E.right(out)
}

const checkOptions = (ctx: Ctx, assoc: A.Association): E.Either<Problem, void> => {
  if (!isRecord(assoc.options)) return fail(ctx.schema, ctx.name, null, 'options must be an object')
  for (const key of Object.keys(assoc.options)) {
    if ((assoc.options as Readonly<Record<string, unknown>>)[key] === undefined) continue
    if (assoc._tag === 'Through' && meaninglessOnThrough.includes(key))
      return fail(
        ctx.schema,
        ctx.name,
        key,
        `'${key}' has no meaning on a through association (it is read-only and takes its filters and keys from its hops)`,
      )
    if (!allowed[assoc._tag].includes(key))
      return fail(
        ctx.schema,
        ctx.name,
        key,
        `unknown option for ${assoc._tag}; expected one of ${list(allowed[assoc._tag])}`,
      )
  }
  return E.right(undefined)
}

/**
 * Validates tables and associations together and resolves every default.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial, name: Column.text })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const Blog = Schema.model({ user, post }, { user: { posts: Schema.hasMany('post') } })
 * assert.ok(E.isRight(Blog))
 *
 * @category constructors
 * @since 0.1.0
 */
export const model = <const T extends Tables, const D extends Definitions<T>>(
  tables: T,
  definitions: D,
): E.Either<SchemaError.SchemaError, Model<T, D>> => {
  // Definitions from untyped input may be proxies or have getters that throw.
  try {
    return validate(tables, definitions)
  } catch (e) {
    return fail('(model)', null, null, `the definition could not be read: ${SchemaError.thrown(e)}`)
  }
}

const validate = <const T extends Tables, const D extends Definitions<T>>(
  tables: T,
  definitions: D,
): E.Either<SchemaError.SchemaError, Model<T, D>> => {
  if (!isRecord(tables))
    return fail('(model)', null, 'tables', 'expected an object of tables keyed by schema name')
  for (const [key, table] of Object.entries(tables)) {
    if (!isTable(table)) return fail(key, null, null, 'not a table: build it with Schema.table')
    const [problem] = table.problems
    if (problem !== undefined) return E.left(problem)
    if (table.name !== key)
      return fail(key, null, 'name', `the table is keyed '${key}' but named '${table.name}'`)
    if (typeof table.source !== 'string' || table.source === '')
      return fail(key, null, 'source', 'expected a table name')
    if (table.columns.size === 0) return fail(key, null, 'columns', 'a table needs at least one column')
    for (const [column, c] of table.columns)
      if (!(c.codec instanceof Object) || typeof c.codec.decode !== 'function')
        return fail(key, null, `columns.${column}`, 'expected an io-ts codec or a Column')
    for (const pk of table.primaryKey)
      if (!table.columns.has(pk)) return fail(key, null, 'primaryKey', `primary key '${pk}' is not a column`)
  }
  if (!isRecord(definitions))
    return fail('(model)', null, 'associations', 'expected an object of associations keyed by schema name')
  const direct = new Map<string, Map<string, ResolvedDirect>>()
  const throughs: Array<readonly [string, string, A.Through]> = []
  for (const [schema, assocs] of Object.entries(definitions)) {
    const owner = own(tables, schema)
    if (owner === undefined)
      return fail(schema, null, null, `associations are given for unknown schema '${schema}'`)
    if (!isRecord(assocs)) return fail(schema, null, null, 'expected an object of associations')
    const mine = new Map<string, ResolvedDirect>()
    direct.set(schema, mine)
    for (const [name, assoc] of Object.entries(assocs)) {
      const ctx: Ctx = { tables, schema, name }
      if (!A.isAssociation(assoc))
        return fail(
          schema,
          name,
          null,
          'not an association: build it with hasMany, hasOne, belongsTo, manyToMany or through',
        )
      const a: A.Association = assoc
      // An association becomes a field of loaded rows: `__proto__` would set their prototype.
      const badName =
        name === '__proto__'
          ? `'__proto__' cannot be a field of a row`
          : identifierProblem(name, 'association name')
      if (badName !== null) return fail(schema, name, 'name', badName)
      if (owner.columns.has(name))
        return fail(
          schema,
          name,
          'name',
          `'${name}' is already a column of schema '${schema}'; an association needs a name of its own`,
        )
      const opts = checkOptions(ctx, a)
      if (E.isLeft(opts)) return opts
      if (a._tag === 'Through') {
        throughs.push([schema, name, a])
        continue
      }
      const r = resolveDirect(tables, owner, name, a)
      if (E.isLeft(r)) return r
      mine.set(name, r.right)
    }
  }
  // Throughs are resolved after every direct association exists, so a hop may be defined anywhere.
  const resolvedThroughs = new Map<string, ResolvedThrough>()
  const byName = (schema: string, name: string): Resolved | A.Through | undefined =>
    direct.get(schema)?.get(name) ?? throughs.find(([s, n]) => s === schema && n === name)?.[2]
  const flatten = (
    origin: Ctx,
    schema: string,
    path: ReadonlyArray<string>,
    visiting: ReadonlyArray<string>,
  ): E.Either<Problem, { readonly hops: ReadonlyArray<ResolvedDirect>; readonly end: string }> => {
    const hops: Array<ResolvedDirect> = []
    let at = schema
    for (const hop of path) {
      const a = byName(at, hop)
      if (a === undefined)
        return fail(
          origin.schema,
          origin.name,
          'through',
          `schema '${at}' has no association '${hop}' (path ${list(path)})`,
        )
      if (a._tag === 'Through') {
        const key = `${at}.${hop}`
        if (visiting.includes(key))
          return fail(origin.schema, origin.name, 'through', `the path is cyclic through '${key}'`)
        const inner = flatten(origin, at, a.path, [...visiting, key])
        if (E.isLeft(inner)) return inner
        hops.push(...inner.right.hops)
        at = inner.right.end
      } else {
        hops.push(a)
        at = a.target
      }
    }
    return E.right({ hops, end: at })
  }
  for (const [schema, name, a] of throughs) {
    const ctx: Ctx = { tables, schema, name }
    if (!Array.isArray(a.path) || a.path.length < 2 || !a.path.every(p => typeof p === 'string'))
      return fail(schema, name, 'through', 'expected a path of at least two association names')
    if (a.cardinality !== 'one' && a.cardinality !== 'many')
      return fail(schema, name, 'cardinality', `expected 'one' or 'many', got ${show(a.cardinality)}`)
    const declared: unknown = a.options.cardinality
    if (declared !== undefined && declared !== a.cardinality)
      return fail(
        schema,
        name,
        'cardinality',
        `${show(declared)} contradicts the constructor (${throughConstructor[a.cardinality]}); build a has-one-through with throughOne and a has-many-through with through`,
      )
    const f = flatten(ctx, schema, a.path, [`${schema}.${name}`])
    if (E.isLeft(f)) return f
    resolvedThroughs.set(`${schema}.${name}`, {
      _tag: 'Through',
      name,
      owner: schema,
      target: f.right.end,
      // checked above: 'one' or 'many'
      cardinality: a.cardinality,
      path: a.path,
      hops: f.right.hops,
    })
  }
  const associations = new Map<string, ReadonlyMap<string, Resolved>>()
  for (const schema of Object.keys(tables)) {
    const ordered = new Map<string, Resolved>()
    for (const name of Object.keys(definitions[schema] ?? {})) {
      const r = direct.get(schema)?.get(name) ?? resolvedThroughs.get(`${schema}.${name}`)
      if (r !== undefined) ordered.set(name, r)
    }
    associations.set(schema, ordered)
  }
  return E.right(Object.freeze({ _tag: 'Model', tables, definitions, associations }))
}

/**
 * `model` for module-level constants: throws the `SchemaError` (as an `Error` with its message) when
 * the definition is invalid. Use `model` wherever the definition is not a constant of your program.
 *
 * @example
 * import { Schema, Column } from 'quiver-sql'
 * const user = Schema.table('user', 'users', { id: Column.serial })
 * const post = Schema.table('post', 'posts', { id: Column.serial, user_id: Column.integer })
 * const M = Schema.modelOrThrow({ user, post }, { post: { author: Schema.belongsTo('user', { foreignKey: 'user_id' }) } })
 * assert.strictEqual(M._tag, 'Model')
 *
 * // A foreign key that is not a column of the table is refused at once.
 * assert.throws(() => Schema.modelOrThrow({ user, post }, { post: { author: Schema.belongsTo('user', { foreignKey: 'owner_id' }) } }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const modelOrThrow = <const T extends Tables, const D extends Definitions<T>>(
  tables: T,
  definitions: D,
): Model<T, D> => {
  const m = model(tables, definitions)
  if (E.isLeft(m)) throw Object.assign(new Error(m.left.message), { error: m.left })
  return m.right
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * @category utils
 * @since 0.1.0
 */
export const table = (m: AnyModel, schema: string): Table | undefined =>
  typeof schema === 'string' ? own(m.tables as Tables, schema) : undefined

/**
 * @category utils
 * @since 0.1.0
 */
export const association = (m: AnyModel, schema: string, name: string): Resolved | undefined =>
  m.associations.get(schema)?.get(name)
