/**
 * The PostgreSQL lowering of the AST: a pure, total function from a `Select` to a frozen
 * `{ text, params }`. Every value becomes a `$n` parameter; every identifier is quoted by doubling `"`;
 * a list of values is one array parameter (`= any($n)`). Dispatch is a `Record` over the expression
 * tags, so a new node kind does not compile until it is handled here.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/lib/Option.js'
import * as Ex from '../ast/Expr.js'
import type { AggFn, ArithOp, Call, CastType, Expr, FnName, SelectField, TruncUnit } from '../ast/Expr.js'
import type { Binding, Join, OrderTerm, Output, PerParent, Select } from '../ast/Select.js'
import { show } from '../error/Show.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A statement ready to send: its SQL `text` with `$1`, `$2`, ... placeholders, and the `params` they
 * stand for, in order.
 *
 * @category model
 * @since 0.1.0
 */
export interface CompiledQuery {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
  /**
   * The parameters bound for a `json`/`jsonb` column (`Expr.Param.json`), by index: `'value'` for one
   * JSON value, `'list'` for the list of JSON values of `= any($n)`. Absent when there are none. The
   * values stay as given in `params`; each interpreter sends these as JSON (the PostgreSQL one typed
   * jsonb), never typed by their JavaScript type.
   */
  readonly json?: Readonly<Record<number, JsonParam>>
  /**
   * The parameters holding a prepared query's placeholder as a row count (`limit`, `offset`), by
   * index: an interpreter checks each run's value is a whole number >= 0 before it sends the
   * statement. Absent when there are none.
   */
  readonly counts?: Readonly<Record<number, CountParam>>
}

/**
 * @category model
 * @since 0.2.0
 */
export type CountParam = 'limit' | 'offset'

/**
 * @category model
 * @since 0.1.0
 */
export type JsonParam = 'value' | 'list'

/**
 * The mutable parameter list of one compilation; created and consumed inside `toSql` (or another
 * lowering that embeds selects, such as the lateral preload strategy).
 *
 * @category model
 * @since 0.1.0
 */
export interface Context {
  readonly params: Array<unknown>
  /** The JSON parameters so far (see `CompiledQuery.json`). */
  readonly json: Record<number, JsonParam>
  /** The placeholders of row counts so far (see `CompiledQuery.counts`). */
  readonly counts: Record<number, CountParam>
  /**
   * When present, where each parameter's value came from, by index (see `Source`): a compilation that
   * will be reused for other values of the same shape records them (`query/Compiled.ts`).
   */
  readonly sources?: Array<Source>
}

/**
 * Where a parameter's value came from: a `Param` node (its value), the values of an `InList` (`list`:
 * the array, `first`: its only value), or a value standing where an expression should be (`opaque`).
 * A parameter with no source is a row count or is computed from row counts.
 *
 * @category model
 * @since 0.2.0
 */
export type Source =
  | { readonly _tag: 'Param'; readonly node: Ex.Param }
  | { readonly _tag: 'List'; readonly values: ReadonlyArray<unknown>; readonly first: boolean }
  | { readonly _tag: 'Opaque' }

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * The one way a type name from a model (a column's `sqlType`) enters SQL text as a cast: a type
 * name, a schema-qualified one or one with a numeric modifier (`integer`, `character varying(20)`,
 * `public.mood`, `numeric(10, 2)`), lower-cased and spelled back from its parts. Anything else
 * (quotes, parentheses around anything but numbers, operators, comments) is `null`, and the caller
 * refuses the statement instead of splicing it.
 *
 * @category utils
 * @since 0.1.0
 */
export const typeName = (sqlType: string): string | null => {
  const m = typeof sqlType === 'string' ? typeGrammar.exec(sqlType.trim().toLowerCase()) : null
  if (m === null) return null
  const [, name = '', modifier, array = ''] = m
  const words = name.split(/\s+/).join(' ')
  return `${words}${modifier === undefined ? '' : `(${modifier.split(/\s*,\s*/).join(', ')})`}${array.replace(/\s+/g, '')}`
}

const word = '[a-z_][a-z0-9_]*'
const typeGrammar = new RegExp(
  `^(${word}(?:\\.${word})?(?:\\s+${word})*)\\s*(?:\\(\\s*(\\d+(?:\\s*,\\s*\\d+)?)\\s*\\))?((?:\\s*\\[\\])*)$`,
)

/**
 * @category utils
 * @since 0.1.0
 */
export const ident = (name: string): string =>
  // An identifier from untyped code is rendered with `show`, which never throws (a template literal
  // throws on an object without a primitive value), and is still quoted.
  typeof name !== 'string'
    ? ident(show(name))
    : name.includes('"')
      ? `"${name.replace(/"/g, '""')}"`
      : `"${name}"`

/**
 * @category utils
 * @since 0.1.0
 */
export const context = (): Context => ({ params: [], json: {}, counts: {} })

/**
 * A context that records where each parameter came from (`Context.sources`).
 *
 * @category utils
 * @since 0.2.0
 */
export const recording = (): Context & { readonly sources: Array<Source> } => ({
  params: [],
  json: {},
  counts: {},
  sources: [],
})

// Records the source of the parameter just added (`text`), when the context records them.
const sourced = (ctx: Context, text: string, source: Source): string => {
  if (ctx.sources !== undefined) ctx.sources[ctx.params.length - 1] = source
  return text
}

const opaque: Source = { _tag: 'Opaque' }

/**
 * A context's text and parameters as a frozen compiled query.
 *
 * @category utils
 * @since 0.1.0
 */
export const compiled = (ctx: Context, text: string): CompiledQuery => {
  const params = Object.freeze(ctx.params)
  // literals, not spreads of optional parts: this runs for every statement
  const json = isEmpty(ctx.json) ? undefined : Object.freeze(ctx.json)
  const counts = isEmpty(ctx.counts) ? undefined : Object.freeze(ctx.counts)
  return Object.freeze(
    json === undefined
      ? counts === undefined
        ? { text, params }
        : { text, params, counts }
      : counts === undefined
        ? { text, params, json }
        : { text, params, json, counts },
  )
}

// Whether a record of a context has no entry (without listing its keys).
const isEmpty = (o: object): boolean => {
  for (const _ in o) return false
  return true
}

/**
 * Adds a value to the parameter list and returns its placeholder.
 *
 * @category utils
 * @since 0.1.0
 */
export const param = (ctx: Context, value: unknown): string => {
  ctx.params.push(value)
  return `$${ctx.params.length}`
}

/**
 * Adds a row count (a number, or a placeholder whose value each run checks) to the parameter list and
 * returns its placeholder.
 *
 * @category utils
 * @since 0.2.0
 */
export const countParam = (ctx: Context, value: Ex.Count, kind: CountParam): string => {
  const p = param(ctx, value)
  if (Ex.isPlaceholder(value)) ctx.counts[ctx.params.length - 1] = kind
  return p
}

/**
 * Adds a JSON value (or, with `'list'`, a list of them) to the parameter list and returns its
 * placeholder.
 *
 * @category utils
 * @since 0.1.0
 */
export const jsonParam = (ctx: Context, value: unknown, kind: JsonParam = 'value'): string => {
  const p = param(ctx, value)
  ctx.json[ctx.params.length - 1] = kind
  return p
}

const ops: Readonly<Record<Extract<Expr, { readonly _tag: 'Compare' }>['op'], string>> = {
  eq: '=',
  neq: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
}

// Whether an expression's text stands as an operand without parentheses.
const atomic: Readonly<Record<Expr['_tag'], boolean>> = {
  ColumnRef: true,
  Param: true,
  Bool: true,
  Compare: false,
  RowCompare: false,
  InList: false,
  IsNull: false,
  Not: false,
  NotTrue: false,
  And: false,
  Or: false,
  Like: false,
  Fragment: true,
  Exists: true,
  Arith: false,
  Call: true,
  Cast: true,
  Case: true,
  Agg: true,
  Scalar: true,
  InSelect: false,
  InArray: false,
}

// A value in an operand's place is a parameter whatever its shape (`expr` decides by brand); only its
// parentheses depend on the tag it carries, and a tag outside the union (`toString`) is not atomic.
const wrap = (ctx: Context, e: Expr): string => (atomic[e._tag] === true ? expr(ctx, e) : `(${expr(ctx, e)})`)

type Handlers = {
  readonly [K in Expr['_tag']]: (ctx: Context, e: Extract<Expr, { readonly _tag: K }>) => string
}

const handlers: Handlers = {
  ColumnRef: (_, e) => `${ident(e.alias)}.${ident(e.column)}`,
  Param: (ctx, e) => {
    const p = e.json === true ? jsonParam(ctx, e.value) : param(ctx, e.value)
    return ctx.sources === undefined ? p : sourced(ctx, p, { _tag: 'Param', node: e })
  },
  Bool: (_, e) => (e.value ? 'true' : 'false'),
  Compare: (ctx, e) =>
    `${compared(ctx, e.left)} ${Object.hasOwn(ops, e.op) ? ops[e.op] : '='} ${compared(ctx, e.right)}`,
  RowCompare: (ctx, e) =>
    `(${e.left.map(x => compared(ctx, x)).join(', ')}) ${Object.hasOwn(ops, e.op) ? ops[e.op] : '='} (${e.right
      .map(x => compared(ctx, x))
      .join(', ')})`,
  InList: (ctx, e) => {
    const left = compared(ctx, e.expr)
    const first = e.values.length === 1
    const p = first
      ? e.json === true
        ? jsonParam(ctx, e.values[0])
        : param(ctx, e.values[0])
      : e.json === true
        ? jsonParam(ctx, e.values, 'list')
        : param(ctx, e.values)
    if (ctx.sources !== undefined) sourced(ctx, p, { _tag: 'List', values: e.values, first })
    return first ? `${left} = ${p}` : `${left} = any(${p})`
  },
  IsNull: (ctx, e) => `${wrap(ctx, e.expr)} is null`,
  Not: (ctx, e) => `not (${expr(ctx, e.expr)})`,
  NotTrue: (ctx, e) => `(${expr(ctx, e.expr)}) is not true`,
  And: (ctx, e) =>
    e.exprs.length === 0
      ? 'true'
      : e.exprs.map(x => (x._tag === 'Or' ? `(${expr(ctx, x)})` : wrapLogic(ctx, x))).join(' and '),
  Or: (ctx, e) =>
    e.exprs.length === 0
      ? 'false'
      : e.exprs.map(x => (x._tag === 'And' ? `(${expr(ctx, x)})` : wrapLogic(ctx, x))).join(' or '),
  Like: (ctx, e) =>
    `${wrap(ctx, e.expr)} ${e.caseInsensitive === true ? 'ilike' : 'like'} ${wrap(ctx, e.pattern)}`,
  Fragment: (ctx, e) =>
    `(${e.strings.map((s, i) => (i < e.args.length ? s + expr(ctx, e.args[i] as Expr) : s)).join('')})`,
  Exists: (ctx, e) => `exists (${select(ctx, e.select)})`,
  Scalar: (ctx, e) => `(${select(ctx, e.select)})`,
  InSelect: (ctx, e) =>
    e.asArray === true
      ? `${compared(ctx, e.expr)} = any(array(${select(ctx, e.select)}))`
      : `${compared(ctx, e.expr)} in (${select(ctx, e.select)})`,
  // A scalar subquery is wrapped in `coalesce(...)`: bare, `= any((select ...))` is the subquery form
  // (a comparison with each row), not a test on the one array it returns.
  InArray: (ctx, e) =>
    e.array._tag === 'Scalar'
      ? `${compared(ctx, e.expr)} = any(coalesce(${expr(ctx, e.array)}))`
      : `${compared(ctx, e.expr)} = any(${expr(ctx, e.array)})`,
  Arith: (ctx, e) =>
    `${wrap(ctx, e.left)} ${Object.hasOwn(arithOps, e.op) ? arithOps[e.op] : '+'} ${wrap(ctx, e.right)}`,
  Call: (ctx, e) => (Object.hasOwn(calls, e.fn) ? calls[e.fn] : calls.coalesce)(ctx, e),
  Cast: (ctx, e) =>
    `cast(${expr(ctx, e.expr)} as ${Object.hasOwn(castTypes, e.type) ? castTypes[e.type] : 'text'})`,
  Case: (ctx, e) =>
    `case ${e.whens.map(w => `when ${expr(ctx, w.when)} then ${expr(ctx, w.then)}`).join(' ')}${
      O.isSome(e.otherwise) ? ` else ${expr(ctx, e.otherwise.value)}` : ''
    } end`,
  Agg: (ctx, e) => {
    const name = Object.hasOwn(aggs, e.fn) ? aggs[e.fn] : 'count'
    const args = e.args.length === 0 && e.fn === 'count' ? '*' : e.args.map(a => expr(ctx, a)).join(', ')
    const order = e.orderBy.length > 0 ? ` order by ${e.orderBy.map(t => orderTerm(ctx, t)).join(', ')}` : ''
    const filter = O.isSome(e.filter) ? ` filter (where ${expr(ctx, e.filter.value)})` : ''
    return `${name}(${e.distinct ? 'distinct ' : ''}${args}${order})${filter}`
  },
}

// Keywords and function names come from these tables, never from a node's own text (see `dirs`).
const arithOps: Readonly<Record<ArithOp, string>> = { add: '+', sub: '-', mul: '*', div: '/', mod: '%' }
const castTypes: Readonly<Record<CastType, string>> = {
  integer: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  double: 'double precision',
  text: 'text',
  boolean: 'boolean',
  date: 'date',
  timestamptz: 'timestamptz',
}
const truncUnits: Readonly<Record<TruncUnit, string>> = {
  year: "'year'",
  quarter: "'quarter'",
  month: "'month'",
  week: "'week'",
  day: "'day'",
  hour: "'hour'",
  minute: "'minute'",
  second: "'second'",
}
const aggs: Readonly<Record<AggFn, string>> = {
  count: 'count',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  boolAnd: 'bool_and',
  boolOr: 'bool_or',
  arrayAgg: 'array_agg',
  stringAgg: 'string_agg',
}
const fn =
  (name: string) =>
  (ctx: Context, e: Call): string =>
    `${name}(${e.args.map(a => expr(ctx, a)).join(', ')})`
const calls: Readonly<Record<FnName, (ctx: Context, e: Call) => string>> = {
  lower: fn('lower'),
  upper: fn('upper'),
  length: fn('length'),
  trim: fn('trim'),
  abs: fn('abs'),
  round: fn('round'),
  // Always parenthesized: a minus before a minus would open a comment (`--`).
  neg: (ctx, e) => `-(${e.args.map(a => expr(ctx, a)).join(', ')})`,
  coalesce: fn('coalesce'),
  nullif: fn('nullif'),
  // Text concatenation: NULL when either side is (the `||` operator, not `concat()`, which skips NULLs).
  concat: (ctx, e) => e.args.map(a => wrap(ctx, a)).join(' || '),
  dateTrunc: (ctx, e) =>
    `date_trunc(${e.unit !== undefined && Object.hasOwn(truncUnits, e.unit) ? truncUnits[e.unit] : "'day'"}, ${e.args.map(a => expr(ctx, a)).join(', ')})`,
}

// An operand of a comparison or an order: a `json` column as `jsonb`, since `json` has no equality or
// order operators (the memory interpreter compares both JSON types as jsonb does).
const compared = (ctx: Context, e: Expr): string =>
  e._tag === 'ColumnRef' && e.json === 'json' ? `${wrap(ctx, e)}::jsonb` : wrap(ctx, e)

// Children of and/or that are themselves comparisons need no parentheses; or inside and does.
const wrapLogic = (ctx: Context, e: Expr): string => expr(ctx, e)

/**
 * @category utils
 * @since 0.1.0
 */
export const expr = (ctx: Context, e: Expr): string =>
  // Only a node built by the AST companions is SQL; anything else in an expression's place (an
  // untyped caller's value, whatever its shape) is a value like any other.
  Ex.isExpr(e)
    ? (handlers[e._tag] as (ctx: Context, e: Expr) => string)(ctx, e)
    : sourced(ctx, param(ctx, e), opaque)

const output = (ctx: Context, o: Output): string =>
  o.expr._tag === 'ColumnRef' && o.expr.column === o.name
    ? expr(ctx, o.expr)
    : `${expr(ctx, o.expr)} as ${ident(o.name)}`

// A list of plain column reads rendered once per list: a query's columns are mostly its table's, the
// same list at every call. Kept only when the list, its outputs and their column references are all
// frozen (so the text cannot change) and nothing else is in it (no parameter, no subquery).
const columnsTexts = new WeakMap<ReadonlyArray<Output>, string>()
const columnsText = (ctx: Context, cs: ReadonlyArray<Output>): string => {
  const hit = columnsTexts.get(cs)
  if (hit !== undefined) return hit
  const text = cs.map(o => output(ctx, o)).join(', ')
  if (Object.isFrozen(cs) && cs.every(plainColumn)) columnsTexts.set(cs, text)
  return text
}

const plainColumn = (o: Output): boolean =>
  Object.isFrozen(o) && o.expr._tag === 'ColumnRef' && Object.isFrozen(o.expr)

// Keywords come from fixed tables, never from a field's own text (see `dirs`).
const joinKinds: Readonly<Record<Join['kind'], string>> = {
  inner: 'inner join',
  left: 'left join',
  right: 'right join',
  full: 'full join',
}

// A table, or a derived table's select (`lateral` when it may read the bindings before it), under its alias.
const source = (ctx: Context, b: Binding): string =>
  `${b.select === undefined ? ident(b.table) : `${b.lateral === true ? 'lateral ' : ''}(${select(ctx, b.select)})`} as ${ident(b.alias)}`

const join = (ctx: Context, j: Join): string =>
  `${Object.hasOwn(joinKinds, j.kind) ? joinKinds[j.kind] : 'left join'} ${source(ctx, j.binding)} on ${expr(ctx, j.on)}`

/**
 * @category utils
 * @since 0.1.0
 */
export const orderTerm = (ctx: Context, t: OrderTerm): string =>
  `${sortKey(ctx, t.expr, compared)} ${direction(t)}`

// PostgreSQL reads a bare constant in ORDER BY, GROUP BY and DISTINCT ON as an output's position, and
// refuses any other (42601 "non-integer constant in ORDER BY"): a constant condition (`Pred.and()`,
// parenthesised or not) is cast there, which the parser does not take for a constant. Values are
// parameters, so a condition is the only constant the compiler writes.
const sortKey = (ctx: Context, e: Expr, f: (ctx: Context, e: Expr) => string): string => {
  const text = f(ctx, e)
  return /^\(*(true|false)\)*$/.test(text) ? `cast(${text} as boolean)` : text
}

// Keywords come from these tables, never from a field's own text: a term an untyped caller assembled
// with `dir: 'asc limit 1 --'` is ascending, not SQL.
const dirs: Readonly<Record<OrderTerm['dir'], string>> = { asc: 'asc', desc: 'desc' }
const nullsPlacements: Readonly<Record<OrderTerm['nulls'], string>> = {
  first: ' nulls first',
  last: ' nulls last',
  default: '',
}

/**
 * The direction of an order term, `asc` / `desc` with its nulls placement, spelled from fixed keywords.
 *
 * @category utils
 * @since 0.1.0
 */
export const direction = (t: OrderTerm): string =>
  (Object.hasOwn(dirs, t.dir) ? dirs[t.dir] : 'asc') +
  (Object.hasOwn(nullsPlacements, t.nulls) ? nullsPlacements[t.nulls] : '')

/**
 * @category utils
 * @since 0.1.0
 */
export const conjunction = (ctx: Context, where: ReadonlyArray<Expr>): string =>
  where.map(w => (w._tag === 'Or' ? `(${expr(ctx, w)})` : expr(ctx, w))).join(' and ')

/**
 * What each field of a select adds to its statement's text, in statement order: `select`, `ranked`
 * and the lateral lowering put the clauses together, so a new field does not compile until it says
 * what it renders. `perParent` renders nothing itself: when set, it chooses the lowering (`perKey` or
 * `ranked`, see `select`), which puts the other clauses together around the window.
 *
 * @category utils
 * @since 0.1.0
 */
export const clause: { readonly [K in SelectField]: (ctx: Context, v: Select[K]) => string } = {
  _tag: () => '',
  distinct: (_, d) => (d ? 'distinct ' : ''),
  columns: (ctx, cs) => (cs.length === 0 ? '1' : columnsText(ctx, cs)),
  from: (ctx, b) => ` from ${source(ctx, b)}`,
  joins: (ctx, js) => {
    let text = ''
    for (const j of js) text += ` ${join(ctx, j)}`
    return text
  },
  where: (ctx, w) => (w.length > 0 ? ` where ${conjunction(ctx, w)}` : ''),
  distinctOn: (ctx, es) =>
    es.length > 0 ? `distinct on (${es.map(e => sortKey(ctx, e, expr)).join(', ')}) ` : '',
  groupBy: (ctx, es) => (es.length > 0 ? ` group by ${es.map(e => sortKey(ctx, e, expr)).join(', ')}` : ''),
  having: (ctx, hs) => (hs.length > 0 ? ` having ${conjunction(ctx, hs)}` : ''),
  // PostgreSQL knows the tables' keys: the functional dependency needs no text.
  keyed: () => '',
  orderBy: (ctx, ts) => (ts.length > 0 ? ` order by ${ts.map(t => orderTerm(ctx, t)).join(', ')}` : ''),
  limit: (ctx, l) => (O.isSome(l) ? ` limit ${countParam(ctx, l.value, 'limit')}` : ''),
  offset: (ctx, o) => (O.isSome(o) ? ` offset ${countParam(ctx, o.value, 'offset')}` : ''),
  perParent: () => '',
}

/**
 * The text of a select, its values appended to the context's parameters (in clause order).
 *
 * @category utils
 * @since 0.1.0
 */
export const select = (ctx: Context, s: Select): string =>
  O.isSome(s.perParent)
    ? (perKey(ctx, s, s.perParent.value) ?? ranked(ctx, s, s.perParent.value))
    : `select ${clause.distinct(ctx, s.distinct)}${clause.distinctOn(ctx, s.distinctOn)}${clause.columns(ctx, s.columns)}${clause.from(ctx, s.from)}${clause.joins(ctx, s.joins)}${clause.where(ctx, s.where)}${clause.groupBy(ctx, s.groupBy)}${clause.having(ctx, s.having)}${clause.orderBy(ctx, s.orderBy)}${clause.limit(ctx, s.limit)}${clause.offset(ctx, s.offset)}`

// Key types `perKey` may spell in a cast: built-in type names only, never an arbitrary schema string.
const castable: ReadonlySet<string> = new Set([
  'smallint',
  'int2',
  'integer',
  'int',
  'int4',
  'bigint',
  'int8',
  'text',
  'citext',
  'varchar',
  'character varying',
  'uuid',
  'date',
  'timestamp',
  'timestamptz',
  'timestamp with time zone',
  'numeric',
  'boolean',
  'bool',
])

const sameColumn = (a: Expr | undefined, b: Expr | undefined): boolean =>
  a?._tag === 'ColumnRef' && b?._tag === 'ColumnRef' && a.alias === b.alias && a.column === b.column

// Top-N per group by walking the groups: when the planner promises the single key's values listed in
// the `where` are distinct and typed (`distinctKeys`), each value gets its own ordered, limited subquery
// (`cross join lateral`), which reads only that parent's rows through the key's index and stops at the
// limit, where ranking sorts every row of every parent. One value needs no walk at all: the group's
// window is the select's. Null when the select has another shape (then `ranked`).
const perKey = (ctx: Context, s: Select, p: PerParent): string | null => {
  if (p.keys.length !== 1 || O.isSome(s.limit) || O.isSome(s.offset)) return null
  const at = s.where.findIndex(w => w._tag === 'InList' && sameColumn(w.expr, p.keys[0]))
  const list = s.where[at]
  if (list === undefined || list._tag !== 'InList') return null
  if (list.values.length === 1)
    return select(ctx, { ...s, perParent: O.none, distinct: false, limit: p.limit, offset: p.offset })
  const type = O.isSome(p.distinctKeys) ? typeName(p.distinctKeys.value.sqlType) : null
  if (type === null || !castable.has(type)) return null
  const values = param(ctx, list.values)
  if (ctx.sources !== undefined) sourced(ctx, values, { _tag: 'List', values: list.values, first: false })
  const keys = `unnest(${values}::${type}[]) as "__keys"("v")`
  const walked = Ex.eq(list.expr, Ex.column('__keys', 'v'))
  const where = s.where.map(w => (w === list ? walked : w))
  const inner = select(ctx, {
    ...s,
    where,
    perParent: O.none,
    distinct: false,
    limit: p.limit,
    offset: p.offset,
  })
  const cols = s.columns.length === 0 ? '1' : s.columns.map(o => `"__top".${ident(o.name)}`).join(', ')
  return `select ${cols} from ${keys} cross join lateral (${inner}) as "__top"`
}

// Top-N per group: the outputs, the order expressions and the rank are computed in a subquery; the outer
// query keeps the ranks in the window and re-applies the order through the projected order columns.
const ranked = (ctx: Context, s: Select, p: PerParent): string => {
  const order = s.orderBy.map((t, i) => `${expr(ctx, t.expr)} as ${ident(`__o${i}`)}`)
  const window = `row_number() over (${p.keys.length > 0 ? `partition by ${p.keys.map(k => wrap(ctx, k)).join(', ')}` : ''}${
    s.orderBy.length > 0 ? ` order by ${s.orderBy.map(t => orderTerm(ctx, t)).join(', ')}` : ''
  }) as "__rank"`
  const inner = `select ${[...s.columns.map(o => output(ctx, o)), ...order, window].join(', ')}${clause.from(ctx, s.from)}${clause.joins(ctx, s.joins)}${clause.where(ctx, s.where)}`
  const off = O.getOrElse((): Ex.Count => 0)(p.offset)
  const cols = s.columns.length === 0 ? '1' : s.columns.map(o => `"__ranked".${ident(o.name)}`).join(', ')
  let text = `select ${cols} from (${inner}) as "__ranked" where "__ranked"."__rank" > ${countParam(ctx, off, 'offset')}`
  if (O.isSome(p.limit)) {
    const lim = p.limit.value
    // A placeholder's value is known only when the statement runs: the end of the window is computed
    // by PostgreSQL, in one text for every value.
    text +=
      typeof off === 'number' && typeof lim === 'number'
        ? ` and "__ranked"."__rank" <= ${param(ctx, off + lim)}`
        : ` and "__ranked"."__rank" - ${countParam(ctx, off, 'offset')} <= ${countParam(ctx, lim, 'limit')}`
  }
  if (s.orderBy.length > 0)
    text += ` order by ${s.orderBy
      .map((t, i) => `"__ranked".${ident(`__o${i}`)} ${direction(t)}`)
      .join(', ')}`
  return text + clause.limit(ctx, s.limit) + clause.offset(ctx, s.offset)
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The text of a select tree built by the companions (internal: the public, checked entry is `Sql.toSql`).
 *
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (s: Select): CompiledQuery => {
  const ctx = context()
  return compiled(ctx, select(ctx, s))
}
