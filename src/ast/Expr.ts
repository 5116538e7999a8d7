/**
 * Scalar and boolean expressions of the query AST: a closed readonly union. Values are `Param` nodes
 * (an interpreter decides how they travel; the SQL compiler makes them `$n`), columns are referenced by
 * binding alias, and nothing here knows SQL text or a driver.
 *
 * @since 0.1.0
 */
import type * as O from 'fp-ts/lib/Option.js'
import * as Node from './Node.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A column of one of the select's bindings, by the binding's alias (SQL: `"alias"."column"`).
 *
 * @category model
 * @since 0.1.0
 */
export interface ColumnRef extends Node.Branded {
  readonly _tag: 'ColumnRef'
  readonly alias: string
  readonly column: string
  /**
   * Present on a column of type `json` or `jsonb` (set by the query layer from the table): a value
   * compared with it is a JSON parameter, and a `json` column is compared as `jsonb` (`json` has no
   * equality or order of its own).
   */
  readonly json?: JsonType
  /**
   * Present on a column of type `numeric` or `bigint` (set by the query layer from the table), whose
   * values postgres.js gives as decimal text: an evaluator without the table's types compares and
   * orders them by value (`'9.99' < '24.50'`), as PostgreSQL does, not as text.
   */
  readonly decimal?: DecimalType
  /**
   * Present on a column of type `double precision` (set by the query layer from the table): its values
   * are doubles even when whole, so an evaluator without the table's types never takes one for an
   * `integer` (`abs` of -2147483648 is 2147483648, not out of range; `sum` is a double).
   */
  readonly float?: FloatType
}
/**
 * The JSON types of PostgreSQL.
 *
 * @category model
 * @since 0.1.0
 */
export type JsonType = 'json' | 'jsonb'
/**
 * The PostgreSQL types whose values postgres.js returns as decimal text.
 *
 * @category model
 * @since 0.2.0
 */
export type DecimalType = 'numeric' | 'bigint'
/**
 * The PostgreSQL floating-point types (see `ColumnRef.float`).
 *
 * @category model
 * @since 0.2.0
 */
export type FloatType = 'double'
/**
 * A value sent as a `$n` parameter, never spliced into the text.
 *
 * @category model
 * @since 0.1.0
 */
export interface Param extends Node.Branded {
  readonly _tag: 'Param'
  readonly value: unknown
  /**
   * The value is JSON (bound for a `json`/`jsonb` column): it travels as its JSON text, whatever its
   * JavaScript type. Drivers guess a parameter's type from the value, and postgres.js sends a boolean,
   * a Date, or an array whose first element is one as that SQL type, not as JSON.
   */
  readonly json?: true
}
/**
 * The value of a `Param` that is given only when a prepared query runs (`Prepared.make`): interpreters
 * compile the statement once and take the value from the `Bind` they are given with it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Placeholder {
  readonly _tag: 'Placeholder'
  /** The parameter's name in the prepared query's argument record. */
  readonly name: string
}
// Placeholders are recognised by identity: a value from user data that merely looks like one (or a
// spread of a real one) is a value.
const placeholders = new WeakSet<object>()

/**
 * A row count of `limit` or `offset`: a whole number >= 0, or a prepared query's placeholder whose
 * value each run checks to be one before anything is sent (PostgreSQL refuses a negative one, 2201W /
 * 2201X; interpreters answer with a typed error first).
 *
 * @category model
 * @since 0.2.0
 */
export type Count = number | Placeholder

/**
 * The values of a prepared query's placeholders for one run.
 *
 * @category model
 * @since 0.1.0
 */
export type Bind = ReadonlyMap<Placeholder, unknown>

/**
 * The literal `true` or `false`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Bool extends Node.Branded {
  readonly _tag: 'Bool'
  readonly value: boolean
}
/**
 * The comparison operators: `=`, `<>`, `<`, `<=`, `>`, `>=`.
 *
 * @category model
 * @since 0.1.0
 */
export type CompareOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'
/**
 * `left op right`, with SQL's three-valued answer (NULL when either side is).
 *
 * @category model
 * @since 0.1.0
 */
export interface Compare extends Node.Branded {
  readonly _tag: 'Compare'
  readonly op: CompareOp
  readonly left: Expr
  readonly right: Expr
}
/**
 * A row comparison, `(l1, l2, ...) op (r1, r2, ...)`: both lists of one length, at least one member.
 * As in PostgreSQL: `<`, `<=`, `>`, `>=` compare the members left to right and stop at the first pair
 * that is unequal or has a NULL: NULL then, else that pair's order (all pairs equal: `<=` and `>=`
 * hold); `=` holds when every pair is equal, is false when some pair of non-NULL values differs, else
 * NULL; `<>` is its negation. The ordering of keyset pagination: `(inserted_at, id) < ($1, $2)`.
 *
 * @category model
 * @since 0.2.0
 */
export interface RowCompare extends Node.Branded {
  readonly _tag: 'RowCompare'
  readonly op: CompareOp
  readonly left: ReadonlyArray<Expr>
  readonly right: ReadonlyArray<Expr>
}
/** Membership in a list of values, carried as one list (SQL: `= any($n)`). @category model @since 0.1.0 */
export interface InList extends Node.Branded {
  readonly _tag: 'InList'
  readonly expr: Expr
  readonly values: ReadonlyArray<unknown>
  /** Each value is JSON (the list is compared with a `json`/`jsonb` column): see `Param.json`. */
  readonly json?: true
}
/**
 * `expr is null`.
 *
 * @category model
 * @since 0.1.0
 */
export interface IsNull extends Node.Branded {
  readonly _tag: 'IsNull'
  readonly expr: Expr
}
/**
 * `not (expr)`: NULL stays NULL.
 *
 * @category model
 * @since 0.1.0
 */
export interface Not extends Node.Branded {
  readonly _tag: 'Not'
  readonly expr: Expr
}
/** `expr IS NOT TRUE`: false or unknown. @category model @since 0.1.0 */
export interface NotTrue extends Node.Branded {
  readonly _tag: 'NotTrue'
  readonly expr: Expr
}
/**
 * The conjunction of its terms (flat: an `And` never holds an `And`).
 *
 * @category model
 * @since 0.1.0
 */
export interface And extends Node.Branded {
  readonly _tag: 'And'
  readonly exprs: ReadonlyArray<Expr>
}
/**
 * The disjunction of its terms (flat: an `Or` never holds an `Or`).
 *
 * @category model
 * @since 0.1.0
 */
export interface Or extends Node.Branded {
  readonly _tag: 'Or'
  readonly exprs: ReadonlyArray<Expr>
}
/**
 * `expr like pattern`, or `ilike` when `caseInsensitive`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Like extends Node.Branded {
  readonly _tag: 'Like'
  readonly expr: Expr
  readonly pattern: Expr
  readonly caseInsensitive: boolean
}
/**
 * Text written by the programmer, with expressions between the pieces (`strings.length === args.length + 1`).
 *
 * @category model
 * @since 0.1.0
 */
export interface Fragment extends Node.Branded {
  readonly _tag: 'Fragment'
  readonly strings: ReadonlyArray<string>
  readonly args: ReadonlyArray<Expr>
}
/**
 * `exists (select ...)`: whether the subquery returns a row.
 *
 * @category model
 * @since 0.1.0
 */
export interface Exists extends Node.Branded {
  readonly _tag: 'Exists'
  readonly select: Select
}

/**
 * Arithmetic operators. PostgreSQL decides by the operands' types what `/` and `%` mean: both integer
 * types truncate toward zero (`7 / 2 = 3`, `-7 / 2 = -3`, `-7 % 2 = -1`); any other type divides
 * exactly. See `Arith.integer`.
 *
 * @category model
 * @since 0.1.0
 */
export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod'

/**
 * `left op right`. `integer` says that both operands are of integer types (the query layer knows the
 * columns' types; an interpreter without types, the memory one, needs to be told): then `div` and
 * `mod` truncate toward zero, and a division by zero is an error either way (SQLSTATE 22012).
 *
 * @category model
 * @since 0.1.0
 */
export interface Arith extends Node.Branded {
  readonly _tag: 'Arith'
  readonly op: ArithOp
  readonly left: Expr
  readonly right: Expr
  readonly integer: boolean
}

/**
 * The scalar functions an expression may call: a closed set, each with the meaning PostgreSQL gives
 * it. `concat` is the `||` operator of text (NULL if either side is); `dateTrunc` takes the unit first
 * (`'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second'`, a fixed table);
 * `coalesce` takes one or more arguments, `nullif` two, `round` one or two (the second the number of
 * decimal digits, `round(numeric, integer)`); the others one. `neg` is the prefix `-` (see `negate`).
 *
 * @category model
 * @since 0.1.0
 */
export type FnName =
  | 'lower'
  | 'upper'
  | 'length'
  | 'trim'
  | 'abs'
  | 'round'
  | 'neg'
  | 'coalesce'
  | 'nullif'
  | 'concat'
  | 'dateTrunc'

/**
 * The units of `dateTrunc`.
 *
 * @category model
 * @since 0.1.0
 */
export type TruncUnit = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second'

/**
 * A call of a scalar function; `unit` only for `dateTrunc`, `integer` only for `neg`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Call extends Node.Branded {
  readonly _tag: 'Call'
  readonly fn: FnName
  readonly args: ReadonlyArray<Expr>
  readonly unit?: TruncUnit
  /**
   * Of `neg` only, as `Arith.integer`: whether its operand is of an integer type (`integer`,
   * `bigint`), whose least value has no negation (22003), where a `double precision` zero negates to
   * `-0`. The query layer knows the operand's type; an evaluator without the table's types reads it here.
   */
  readonly integer?: boolean
}

/**
 * The types a value may be cast to: a closed set, spelled from a fixed table (never from input).
 *
 * @category model
 * @since 0.1.0
 */
export type CastType =
  'integer' | 'bigint' | 'numeric' | 'double' | 'text' | 'boolean' | 'date' | 'timestamptz'

/** `cast(expr as type)`. @category model @since 0.1.0 */
export interface Cast extends Node.Branded {
  readonly _tag: 'Cast'
  readonly expr: Expr
  readonly type: CastType
}

/** One branch of a `Case`. @category model @since 0.1.0 */
export interface When {
  readonly when: Expr
  readonly then: Expr
}

/**
 * `case when ... then ... [else ...] end`: the first branch whose condition is true; `otherwise` (or
 * NULL) when none is.
 *
 * @category model
 * @since 0.1.0
 */
export interface Case extends Node.Branded {
  readonly _tag: 'Case'
  readonly whens: ReadonlyArray<When>
  readonly otherwise: O.Option<Expr>
}

/**
 * The aggregate functions: a closed set, with PostgreSQL's meaning (NULL inputs skipped; over no rows,
 * `count` is 0 and every other one NULL). `count` with no argument is `count(*)`; `stringAgg` takes
 * the value and the separator.
 *
 * @category model
 * @since 0.1.0
 */
export type AggFn = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'boolAnd' | 'boolOr' | 'arrayAgg' | 'stringAgg'

/**
 * An aggregate over the rows of a group: `fn([distinct] args [order by ...]) [filter (where ...)]`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Agg extends Node.Branded {
  readonly _tag: 'Agg'
  readonly fn: AggFn
  readonly args: ReadonlyArray<Expr>
  readonly distinct: boolean
  readonly filter: O.Option<Expr>
  readonly orderBy: ReadonlyArray<OrderTerm>
}

/**
 * A scalar subquery: the one column of at most one row of `select` (NULL with none; more than one row
 * is an error, SQLSTATE 21000). It may refer to the bindings around it (a correlated subquery).
 *
 * @category model
 * @since 0.1.0
 */
export interface Scalar extends Node.Branded {
  readonly _tag: 'Scalar'
  readonly select: Select
}

/**
 * `expr in (select ...)`: membership in the one column of a subquery's rows, with SQL's three-valued
 * answer (NULL when no row is equal and some row or `expr` is NULL).
 *
 * @category model
 * @since 0.1.0
 */
export interface InSelect extends Node.Branded {
  readonly _tag: 'InSelect'
  readonly expr: Expr
  readonly select: Select
  /**
   * Rendered `expr = any(array(select ...))`: the same answer, which PostgreSQL plans as one run of the
   * subquery and an index probe per value (where `in (select ...)` may become a hash join over a scan).
   */
  readonly asArray?: boolean
}

/**
 * `expr = any(array)`: membership in the elements of an array value (a derived table's `array_agg`
 * output, say), with SQL's three-valued answer (false for an empty array, NULL for a NULL array, or
 * when no element is equal and `expr` or some element is NULL).
 *
 * @category model
 * @since 0.2.0
 */
export interface InArray extends Node.Branded {
  readonly _tag: 'InArray'
  readonly expr: Expr
  readonly array: Expr
}

/**
 * An expression: the closed union of the nodes above. Interpreters dispatch on `_tag`.
 *
 * @category model
 * @since 0.1.0
 */
export type Expr =
  | ColumnRef
  | Param
  | Bool
  | Compare
  | RowCompare
  | InList
  | IsNull
  | Not
  | NotTrue
  | And
  | Or
  | Like
  | Fragment
  | Exists
  | Arith
  | Call
  | Cast
  | Case
  | Agg
  | Scalar
  | InSelect
  | InArray

// The select node is part of the expression grammar (`exists (select ...)`), so its model lives
// here and `Select.ts` holds its constructors and combinators: the two modules import one way.

/**
 * A table in a select under an alias (`"table" as "alias"`); columns refer to the alias. With `select`,
 * a derived table instead: the rows of that select (`(select ...) as "alias"`), whose columns are its
 * outputs, `table` then only naming it in messages; `lateral` lets that select read the bindings
 * before it (`lateral (select ...)`).
 *
 * @category model
 * @since 0.1.0
 */
export interface Binding {
  readonly table: string
  readonly alias: string
  readonly select?: Select
  readonly lateral?: boolean
}

/**
 * The kinds of join.
 *
 * @category model
 * @since 0.1.0
 */
export type JoinKind = 'inner' | 'left' | 'right' | 'full'

/**
 * A joined binding and its `on` condition.
 *
 * @category model
 * @since 0.1.0
 */
export interface Join extends Node.Branded {
  readonly _tag: 'Join'
  readonly kind: JoinKind
  readonly binding: Binding
  readonly on: Expr
}

/**
 * One term of an `order by`: an expression, its direction and where NULLs go (`default`: PostgreSQL's, last when ascending).
 *
 * @category model
 * @since 0.1.0
 */
export interface OrderTerm {
  readonly expr: Expr
  readonly dir: 'asc' | 'desc'
  readonly nulls: 'first' | 'last' | 'default'
}

/**
 * An output column: an expression under a name.
 *
 * @category model
 * @since 0.1.0
 */
export interface Output {
  readonly name: string
  readonly expr: Expr
}

/**
 * A select statement: its `from` binding, outputs, joins, filters (`where` is a conjunction), order, paging, distinctness and grouping. Built by the companions of `Select` (`Ast.Select.create` and the `with...` combinators).
 *
 * @category model
 * @since 0.1.0
 */
export interface Select extends Node.Branded {
  readonly _tag: 'Select'
  readonly from: Binding
  /** Empty means "no columns" (an existence test). */
  readonly columns: ReadonlyArray<Output>
  readonly joins: ReadonlyArray<Join>
  /** Conjuncts, all of which must hold. */
  readonly where: ReadonlyArray<Expr>
  readonly orderBy: ReadonlyArray<OrderTerm>
  readonly limit: O.Option<Count>
  readonly offset: O.Option<Count>
  readonly distinct: boolean
  /**
   * `distinct on (...)`: one row per distinct value of these expressions, the first in `orderBy` order
   * (whose leading terms must be these expressions, as PostgreSQL requires). Empty: none.
   */
  readonly distinctOn: ReadonlyArray<Expr>
  /** `group by`: empty with no aggregate in the select means no grouping. */
  readonly groupBy: ReadonlyArray<Expr>
  /** `having`: conjuncts over the groups. */
  readonly having: ReadonlyArray<Expr>
  /**
   * The aliases of bindings whose primary key is entirely in `groupBy`: a grouped select may read their
   * other columns, which PostgreSQL allows by functional dependency (it knows the table's keys). The
   * SQL compiler renders nothing for it; an interpreter without keys (the memory one) is told here.
   */
  readonly keyed: ReadonlyArray<string>
  /**
   * Top-N per group (the preload planner's per-parent limit). When `some`, the rows that `from`, `joins`
   * and `where` produce are split into groups of equal `keys` values (compared as `=` compares them;
   * every key is non-null in practice); within each group the rows are ranked 1, 2, ... in `orderBy`
   * order (ties in an arbitrary but fixed order: the planner makes `orderBy` total). A row is kept when
   * `offset < rank` and, when `limit` is `some`, `rank <= offset + limit` (`offset` none means 0). The
   * kept rows come grouped by key, each group in `orderBy` order; the order of the groups among
   * themselves is unspecified (the preload assembler needs each parent's rows in order, nothing more).
   * `distinct` has no effect here (each ranked row is distinct). When a select-level `limit` or
   * `offset` is set (the planner never sets one with `perParent`), the kept rows are in `orderBy` order
   * overall and the select-level window applies to them.
   */
  readonly perParent: O.Option<PerParent>
}

/**
 * The fields of a select, its brand aside. Code that must account for every field (the SQL compiler's
 * clauses, `Check.select`, the walk over a select's expressions) keys a record by it, so a new field is
 * a type error in each until it says what the field means there.
 *
 * @category model
 * @since 0.1.0
 */
export type SelectField = Exclude<keyof Select, typeof Node.brand>

/**
 * See `Select.perParent`.
 *
 * @category model
 * @since 0.1.0
 */
export interface PerParent {
  readonly keys: ReadonlyArray<Expr>
  readonly limit: O.Option<Count>
  readonly offset: O.Option<Count>
  /**
   * A promise of the planner, when it can make it: the `where` lists the single key's values, no two
   * of them equal, and the model declares their SQL type (`sqlType`, the owner column's). An SQL
   * interpreter may then walk the values and take each parent's rows with an index-backed `limit`
   * instead of ranking every row. Interpreters that don't need it ignore it.
   */
  readonly distinctKeys: O.Option<{ readonly sqlType: string }>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const make = Node.make
const freeze = <A>(a: A): A => Object.freeze(a)

/**
 * A column of a binding; `type` given for a column of a JSON type (see `ColumnRef.json`), of a
 * decimal one (see `ColumnRef.decimal`) or of a floating-point one (see `ColumnRef.float`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.column('t0', 'title') }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."title" as "x" from "posts" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const column = (
  alias: string,
  column: string,
  type?: JsonType | DecimalType | FloatType,
): ColumnRef =>
  type === 'json' || type === 'jsonb'
    ? make({ _tag: 'ColumnRef', alias, column, json: type })
    : type === 'numeric' || type === 'bigint'
      ? make({ _tag: 'ColumnRef', alias, column, decimal: type })
      : type === 'double'
        ? make({ _tag: 'ColumnRef', alias, column, float: type })
        : make({ _tag: 'ColumnRef', alias, column })
/**
 * A value as a `$n` parameter.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.eq(Expr.column('t0', 'id'), Expr.param(7)))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" = $1',
 *   params: [7],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const param = (value: unknown): Param => make({ _tag: 'Param', value }, 'value')
/**
 * A parameter whose value is JSON, sent as JSON whatever its JavaScript type (an array of booleans, a
 * bare `true`, a Date inside an object): see `Param.json`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.jsonParam(true) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   json: { 0: 'value' },
 *   text: 'select $1 as "x" from "posts" as "t0"',
 *   params: [true],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const jsonParam = (value: unknown): Param => make({ _tag: 'Param', value, json: true }, 'value')

// A comparison with a JSON column takes the other side's value as JSON: the value's JavaScript type
// says nothing of the SQL type it is bound for (`[false]` is a JSON array, not a boolean).
const isJsonColumn = (e: Expr): boolean => e._tag === 'ColumnRef' && e.json !== undefined
const asJson = (e: Expr): Expr => (e._tag === 'Param' && e.json !== true ? jsonParam(e.value) : e)
/**
 * A placeholder for a value given when a prepared query runs (see `Placeholder`); a `Param` holds it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const id = Expr.placeholder('id')
 * assert.ok(Expr.isPlaceholder(id))
 * const e = Expr.eq(Expr.column('t0', 'id'), Expr.param(id))
 * assert.strictEqual(e.right._tag, 'Param')
 *
 * @category constructors
 * @since 0.1.0
 */
export const placeholder = (name: string): Placeholder => {
  const p: Placeholder = freeze({ _tag: 'Placeholder', name })
  placeholders.add(p)
  return p
}
/**
 * The literal `true` or `false`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.bool(true))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where true',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const bool = (value: boolean): Bool => make({ _tag: 'Bool', value })
/**
 * A comparison. When one side is a JSON column, a parameter on the other side is sent as JSON.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.compare('gte', Expr.column('t0', 'id'), Expr.param(10)))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" >= $1',
 *   params: [10],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const compare = (op: CompareOp, left: Expr, right: Expr): Compare => {
  const l = operand(left)
  const r = operand(right)
  return make({
    _tag: 'Compare',
    op,
    left: isJsonColumn(r) ? asJson(l) : l,
    right: isJsonColumn(l) ? asJson(r) : r,
  })
}
/**
 * A row comparison (see `RowCompare`). Lists of different lengths, or empty ones, are refused when the
 * tree is compiled or run (see `Node.refuse`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(
 *   Expr.rowCompare('lt', [Expr.column('t0', 'score'), Expr.column('t0', 'id')], [Expr.param(5), Expr.param(9)]),
 * )(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where ("t0"."score", "t0"."id") < ($1, $2)',
 *   params: [5, 9],
 * }))
 *
 * @category constructors
 * @since 0.2.0
 */
export const rowCompare = (
  op: CompareOp,
  left: ReadonlyArray<Expr>,
  right: ReadonlyArray<Expr>,
): RowCompare | Compare =>
  Node.total(
    'Expr.rowCompare',
    (): RowCompare | Compare => {
      if (!Array.isArray(left) || !Array.isArray(right) || left.length === 0 || left.length !== right.length)
        return compare(
          op,
          param(
            Node.refuse(
              `a row comparison needs two lists of one length (at least one member), got ${Array.isArray(left) ? left.length : 'no list'} and ${Array.isArray(right) ? right.length : 'no list'}`,
            ),
          ),
          bool(true),
        )
      const pairs = left.map((l, i) => compare(op, l, right[i]))
      return make({
        _tag: 'RowCompare' as const,
        op,
        left: freeze(pairs.map(c => c.left)),
        right: freeze(pairs.map(c => c.right)),
      })
    },
    reason => compare(op, param(Node.refuse(reason)), bool(true)),
  )
/**
 * Equality: `compare('eq', left, right)`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.eq(Expr.column('t0', 'id'), Expr.param(7)))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" = $1',
 *   params: [7],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const eq = (left: Expr, right: Expr): Compare => compare('eq', left, right)
/**
 * Membership in a list. A list that is not an array (from an untyped caller) is refused when the tree is
 * compiled or run (see `Node.refuse`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.inList(Expr.column('t0', 'id'), [1, 2]))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" = any($1)',
 *   params: [[1, 2]],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const inList = (expr: Expr, values: ReadonlyArray<unknown>): InList =>
  Node.total(
    'Expr.inList',
    () => {
      const x = operand(expr)
      return make({
        _tag: 'InList' as const,
        expr: x,
        values: Array.isArray(values)
          ? freeze([...(values as ReadonlyArray<unknown>)])
          : freeze([Node.refuse(`Expr.inList: expected an array of values, got ${typeof values}`)]),
        ...(isJsonColumn(x) ? { json: true as const } : {}),
      })
    },
    reason => make({ _tag: 'InList' as const, expr: param(Node.refuse(reason)), values: freeze([]) }),
  )
/**
 * `expr is null`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.isNull(Expr.column('t0', 'title')))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."title" is null',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const isNull = (expr: Expr): IsNull => make({ _tag: 'IsNull', expr: operand(expr) })
/**
 * `not (expr)`; the operand must be a condition.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.not(Expr.isNull(Expr.column('t0', 'title'))))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where not ("t0"."title" is null)',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const not = (expr: Expr): Not => make({ _tag: 'Not', expr: condition('Expr.not', expr) })
/**
 * `(expr) is not true`: true when the condition is false or NULL (the complement of a `where` filter).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.notTrue(Expr.column('t0', 'draft')))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where ("t0"."draft") is not true',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const notTrue = (expr: Expr): NotTrue =>
  make({ _tag: 'NotTrue', expr: condition('Expr.notTrue', expr) })

// A condition's place takes a node. A value there (`Pred.or(p, 'true')` from untyped input) would be a
// parameter PostgreSQL reads as a boolean, a filter that may hold for every row: it is refused instead.
const condition = (name: string, u: unknown): Expr =>
  isExpr(u) ? u : param(Node.refuse(`${name}: expected a condition built by Pred, got a value`))

// Same-operator nesting is flattened as it is built (`and(a, and(b, c))` is `and(a, b, c)`), so a long
// chain built one term at a time is one node with many children, not a tree as deep as it is long.
const flatten = (tag: 'And' | 'Or', exprs: ReadonlyArray<Expr>): ReadonlyArray<Expr> => {
  const name = `Expr.${tag.toLowerCase()}`
  if (!exprs.some(e => Node.isNode(e) && e._tag === tag)) return freeze(exprs.map(e => condition(name, e)))
  const out: Array<Expr> = []
  for (const e of exprs)
    if (Node.isNode(e) && e._tag === tag) out.push(...(e as And | Or).exprs)
    else out.push(condition(name, e))
  return freeze(out)
}

const logic = (tag: 'And' | 'Or', exprs: ReadonlyArray<Expr>): Expr =>
  Node.total(
    `Expr.${tag.toLowerCase()}`,
    () =>
      !Array.isArray(exprs)
        ? param(
            Node.refuse(`Expr.${tag.toLowerCase()}: expected an array of expressions, got ${typeof exprs}`),
          )
        : exprs.length === 1
          ? condition(`Expr.${tag.toLowerCase()}`, exprs[0])
          : make({ _tag: tag, exprs: flatten(tag, exprs) }),
    reason => param(Node.refuse(reason)),
  )

/**
 * The conjunction of conditions, flattened; one condition is itself.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.and([Expr.eq(Expr.column('t0', 'id'), Expr.param(1)), Expr.bool(true)]))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."id" = $1 and true',
 *   params: [1],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const and = (exprs: ReadonlyArray<Expr>): Expr => logic('And', exprs)
/**
 * The disjunction of conditions, flattened; one condition is itself.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.or([Expr.eq(Expr.column('t0', 'id'), Expr.param(1)), Expr.eq(Expr.column('t0', 'id'), Expr.param(2))]))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where ("t0"."id" = $1 or "t0"."id" = $2)',
 *   params: [1, 2],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const or = (exprs: ReadonlyArray<Expr>): Expr => logic('Or', exprs)
/**
 * `expr like pattern`, or `ilike` when `caseInsensitive`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.like(Expr.column('t0', 'title'), Expr.param('a%'), true))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where "t0"."title" ilike $1',
 *   params: ['a%'],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const like = (expr: Expr, pattern: Expr, caseInsensitive: boolean): Like =>
  make({ _tag: 'Like', expr: operand(expr), pattern: operand(pattern), caseInsensitive })
/**
 * SQL text written by the programmer with expressions between its pieces. This is the raw AST: its
 * strings are SQL. The user-facing constructors (`Pred.fragment`, `Schema.fragment`) accept only
 * tagged-template strings, so no runtime value can become one. Strings that are not a list of text
 * one longer than the arguments are refused when the tree is compiled or run.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.fragment(['length(', ') > 3'], [Expr.column('t0', 'title')]))(posts)
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" from "posts" as "t0" where (length("t0"."title") > 3)',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const fragment = (strings: ReadonlyArray<string>, args: ReadonlyArray<Expr>): Fragment =>
  Node.total(
    'Expr.fragment',
    () =>
      Array.isArray(strings) &&
      Array.isArray(args) &&
      strings.length === args.length + 1 &&
      strings.every(x => typeof x === 'string')
        ? make({
            _tag: 'Fragment' as const,
            strings: freeze([...(strings as ReadonlyArray<string>)]),
            args: freeze((args as ReadonlyArray<Expr>).map(operand)),
          })
        : refusedFragment('Expr.fragment: expected strings one longer than the arguments, all text'),
    refusedFragment,
  )

const refusedFragment = (reason: string): Fragment =>
  make({ _tag: 'Fragment' as const, strings: freeze(['', '']), args: freeze([param(Node.refuse(reason))]) })
/**
 * `exists (select ...)`; the subquery may refer to the bindings around it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const comments = Select.create({ table: 'comments', alias: 's0' }, [{ name: 'id', expr: Expr.column('s0', 'id') }])
 * const own = Select.withWhere(Expr.eq(Expr.column('s0', 'post_id'), Expr.column('t0', 'id')))(comments)
 * const posts = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }])
 * const q = Select.withWhere(Expr.exists(own))(posts)
 * assert.ok(E.isRight(Sql.toSql(q)))
 *
 * @category constructors
 * @since 0.1.0
 */
export const exists = (select: Select): Exists => make({ _tag: 'Exists', select })
/**
 * A scalar subquery (see `Scalar`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const one = Select.set('limit', { _tag: 'Some', value: 1 })(
 *   Select.create({ table: 'comments', alias: 's0' }, [{ name: 'id', expr: Expr.column('s0', 'id') }]),
 * )
 * assert.strictEqual(Expr.scalar(one)._tag, 'Scalar')
 *
 * @category constructors
 * @since 0.1.0
 */
export const scalar = (select: Select): Scalar => make({ _tag: 'Scalar', select })
/**
 * `expr in (select ...)` (see `InSelect`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const ids = Select.create({ table: 'comments', alias: 's0' }, [{ name: 'post_id', expr: Expr.column('s0', 'post_id') }])
 * const e = Expr.inSelect(Expr.column('t0', 'id'), ids)
 * assert.strictEqual(e._tag, 'InSelect')
 *
 * @category constructors
 * @since 0.1.0
 */
export const inSelect = (expr: Expr, select: Select, asArray = false): InSelect =>
  asArray
    ? make({ _tag: 'InSelect', expr: operand(expr), select, asArray })
    : make({ _tag: 'InSelect', expr: operand(expr), select })
/**
 * `expr = any(array)` (see `InArray`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.withWhere(Expr.inArray(Expr.column('t0', 'id'), Expr.column('g', 'ids')))(
 *   Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }]),
 * )
 * const sql = Sql.toSql(q)
 * assert.ok(E.isRight(sql) && sql.right.text.endsWith('where "t0"."id" = any("g"."ids")'))
 *
 * @category constructors
 * @since 0.2.0
 */
export const inArray = (expr: Expr, array: Expr): InArray =>
  make({ _tag: 'InArray', expr: operand(expr), array: operand(array) })
/**
 * Arithmetic; `integer` when both operands are of integer types (see `Arith.integer`).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.arith('div', Expr.column('t0', 'id'), Expr.param(2), true) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select "t0"."id" / $1 as "x" from "posts" as "t0"',
 *   params: [2],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const arith = (op: ArithOp, left: Expr, right: Expr, integer: boolean): Arith =>
  make({ _tag: 'Arith', op, left: operand(left), right: operand(right), integer: integer === true })
/**
 * A scalar function call (`dateTrunc` through `dateTrunc`, which takes its unit).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.call('lower', [Expr.column('t0', 'title')]) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select lower("t0"."title") as "x" from "posts" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const call = (fn: Exclude<FnName, 'dateTrunc' | 'neg'>, args: ReadonlyArray<Expr>): Call =>
  Node.total(
    'Expr.call',
    () => make({ _tag: 'Call' as const, fn, args: freeze([...args].map(operand)) }),
    reason => make({ _tag: 'Call' as const, fn, args: freeze([param(Node.refuse(reason))]) }),
  )
/**
 * `date_trunc(unit, expr)`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.dateTrunc('month', Expr.column('t0', 'created_at')) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select date_trunc(\'month\', "t0"."created_at") as "x" from "posts" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const dateTrunc = (unit: TruncUnit, expr: Expr): Call =>
  make({ _tag: 'Call', fn: 'dateTrunc', args: freeze([operand(expr)]), unit })
/**
 * `-(expr)`, the prefix minus; `integer` when `expr` is of an integer type (`Call.integer`): the
 * least `integer` or `bigint` has no negation there (22003, out of range).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'moves', alias: 't0' }, [{ name: 'x', expr: Expr.negate(Expr.column('t0', 'delta'), true) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select -("t0"."delta") as "x" from "moves" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.2.0
 */
export const negate = (expr: Expr, integer: boolean): Call =>
  make({ _tag: 'Call', fn: 'neg', args: freeze([operand(expr)]), integer: integer === true })
/**
 * `cast(expr as type)`, to one of the types of `CastType`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.cast(Expr.column('t0', 'id'), 'text') }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select cast("t0"."id" as text) as "x" from "posts" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const cast = (expr: Expr, type: CastType): Cast => make({ _tag: 'Cast', expr: operand(expr), type })
/**
 * `case when ... then ... else ... end`. Each condition's place takes a condition node.
 *
 * @example
 * import * as O from 'fp-ts/lib/Option.js'
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.case_(
 *   [{ when: Expr.isNull(Expr.column('t0', 'title')), then: Expr.param('untitled') }],
 *   O.some(Expr.column('t0', 'title')),
 * ) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select case when "t0"."title" is null then $1 else "t0"."title" end as "x" from "posts" as "t0"',
 *   params: ['untitled'],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const case_ = (whens: ReadonlyArray<When>, otherwise: O.Option<Expr>): Case =>
  Node.total(
    'Expr.case_',
    () =>
      make({
        _tag: 'Case' as const,
        whens: freeze(
          [...whens].map(w => freeze({ when: condition('Expr.case_', w.when), then: operand(w.then) })),
        ),
        otherwise:
          otherwise._tag === 'Some'
            ? freeze({ _tag: 'Some' as const, value: operand(otherwise.value) })
            : otherwise,
      }),
    reason =>
      make({
        _tag: 'Case' as const,
        whens: freeze([freeze({ when: param(Node.refuse(reason)), then: param(null) })]),
        otherwise,
      }),
  )
/**
 * An aggregate: `count` with no argument is `count(*)`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const q = Select.create({ table: 'posts', alias: 't0' }, [{ name: 'x', expr: Expr.agg('count', []) }])
 * assert.deepStrictEqual(Sql.toSql(q), E.right({
 *   text: 'select count(*) as "x" from "posts" as "t0"',
 *   params: [],
 * }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const agg = (
  fn: AggFn,
  args: ReadonlyArray<Expr>,
  options: {
    readonly distinct?: boolean
    readonly filter?: Expr
    readonly orderBy?: ReadonlyArray<OrderTerm>
  } = {},
): Agg =>
  Node.total(
    'Expr.agg',
    () =>
      make({
        _tag: 'Agg' as const,
        fn,
        args: freeze([...args].map(operand)),
        distinct: options.distinct === true,
        filter:
          options.filter === undefined
            ? none
            : freeze({ _tag: 'Some' as const, value: condition('Expr.agg', options.filter) }),
        orderBy: freeze([...(options.orderBy ?? [])].map(t => freeze({ ...t, expr: operand(t.expr) }))),
      }),
    reason =>
      make({
        _tag: 'Agg' as const,
        fn,
        args: freeze([param(Node.refuse(reason))]),
        distinct: false,
        filter: none,
        orderBy: freeze([]),
      }),
  )

// `O.none` without importing fp-ts's runtime into the AST (its type only): the same shape, frozen.
const none: O.Option<never> = freeze({ _tag: 'None' })

/**
 * A value as an operand: an expression built by these companions as itself, anything else (whatever
 * its shape, frozen or not) as a parameter holding it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const id = Expr.column('t0', 'id')
 * assert.strictEqual(Expr.operand(id), id)
 * assert.strictEqual(Expr.operand(5)._tag, 'Param')
 *
 * @category constructors
 * @since 0.1.0
 */
export const operand = (u: unknown): Expr => (isExpr(u) ? u : param(u))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * A count that is a number, else none: for the code that needs one where placeholders are refused
 * before it runs (a through association's window, a to-one association's limit) or that only
 * estimates.
 *
 * @example
 * import * as O from 'fp-ts/lib/Option.js'
 * import { Ast } from 'quiver-sql'
 * const { Expr } = Ast
 * assert.deepStrictEqual(Expr.countNumber(O.some(3)), O.some(3))
 * assert.deepStrictEqual(Expr.countNumber(O.some(Expr.placeholder('n'))), O.none)
 *
 * @category utils
 * @since 0.2.0
 */
export const countNumber = (c: O.Option<Count>): O.Option<number> => {
  // Untyped callers: a value that is not an option (or whose fields cannot be read) has no count.
  try {
    return typeof c === 'object' && c !== null && c._tag === 'Some' && typeof c.value === 'number'
      ? (freeze({ _tag: 'Some', value: c.value }) as O.Option<number>)
      : none
  } catch {
    return none
  }
}

/**
 * Whether a parameter value is a placeholder (made by `placeholder`, not merely shaped like one).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * assert.ok(Expr.isPlaceholder(Expr.placeholder('id')))
 * assert.ok(!Expr.isPlaceholder({ _tag: 'Placeholder', name: 'id' }))
 *
 * @category utils
 * @since 0.1.0
 */
export const isPlaceholder = (u: unknown): u is Placeholder =>
  typeof u === 'object' && u !== null && placeholders.has(u)

/**
 * Whether a value is an expression built by these companions. Shape never decides: a user value
 * shaped like a node is data.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * assert.ok(Expr.isExpr(Expr.bool(true)))
 * assert.ok(!Expr.isExpr({ _tag: 'Bool', value: true }))
 *
 * @category utils
 * @since 0.1.0
 */
export const isExpr = (u: unknown): u is Expr =>
  Node.isNode(u) && Object.hasOwn(exprTags, (u as { readonly _tag?: unknown })._tag as string)

const exprTags: Readonly<Record<Expr['_tag'], true>> = {
  ColumnRef: true,
  Param: true,
  Bool: true,
  Compare: true,
  RowCompare: true,
  InList: true,
  IsNull: true,
  Not: true,
  NotTrue: true,
  And: true,
  Or: true,
  Like: true,
  Fragment: true,
  Exists: true,
  Arith: true,
  Call: true,
  Cast: true,
  Case: true,
  Agg: true,
  Scalar: true,
  InSelect: true,
  InArray: true,
}

// The expressions directly inside a node (a subquery's filters, joins, outputs, order and per-parent
// keys included). A switch with no default: its return type makes it exhaustive.
const children = (e: Expr): ReadonlyArray<Expr> => {
  switch (e._tag) {
    case 'ColumnRef':
    case 'Param':
    case 'Bool':
      return []
    case 'Compare':
      return [e.left, e.right]
    case 'RowCompare':
      return [...e.left, ...e.right]
    case 'InList':
    case 'IsNull':
    case 'Not':
    case 'NotTrue':
      return [e.expr]
    case 'And':
    case 'Or':
      return e.exprs
    case 'Like':
      return [e.expr, e.pattern]
    case 'Fragment':
      return e.args
    case 'Exists':
    case 'Scalar':
      return selectChildren(e.select)
    case 'InSelect':
      return [e.expr, ...selectChildren(e.select)]
    case 'InArray':
      return [e.expr, e.array]
    case 'Arith':
      return [e.left, e.right]
    case 'Call':
      return e.args
    case 'Cast':
      return [e.expr]
    case 'Case':
      return [
        ...e.whens.flatMap(w => [w.when, w.then]),
        ...(e.otherwise._tag === 'Some' ? [e.otherwise.value] : []),
      ]
    case 'Agg':
      return [...e.args, ...(e.filter._tag === 'Some' ? [e.filter.value] : []), ...e.orderBy.map(t => t.expr)]
  }
}

// The expressions of a derived table's select (none for a table).
const derivedChildren = (b: Binding): ReadonlyArray<Expr> =>
  b.select === undefined ? [] : selectChildren(b.select)

// The expressions each field of a select holds directly.
const selectExprs: { readonly [K in SelectField]: (v: Select[K]) => ReadonlyArray<Expr> } = {
  _tag: () => [],
  from: b => derivedChildren(b),
  columns: cs => cs.map(o => o.expr),
  joins: js => js.flatMap(j => [...derivedChildren(j.binding), j.on]),
  where: w => w,
  orderBy: ts => ts.map(t => t.expr),
  limit: () => [],
  offset: () => [],
  distinct: () => [],
  distinctOn: es => es,
  groupBy: es => es,
  having: es => es,
  keyed: () => [],
  perParent: p => (p._tag === 'Some' ? p.value.keys : []),
}
const selectFields = Object.keys(selectExprs) as ReadonlyArray<SelectField>

/**
 * The expressions a select holds directly, in every field (outputs, joins' conditions, filters, order,
 * grouping, per-parent keys); a subquery's own expressions are inside them, not listed. Never throws.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const s = Select.withWhere(Expr.bool(true))(
 *   Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }]),
 * )
 * assert.strictEqual(Expr.selectChildren(s).length, 2)
 *
 * @category utils
 * @since 0.1.0
 */
export const selectChildren = (s: Select): ReadonlyArray<Expr> =>
  // Total: a select from untyped code whose fields cannot be read holds nothing to walk (`Check`
  // refuses it).
  Node.total(
    'Expr.selectChildren',
    () => selectFields.flatMap(k => (selectExprs[k] as (v: unknown) => ReadonlyArray<Expr>)(s[k])),
    () => [],
  )

/**
 * The nesting depth of an expression (a leaf is 1), measured without recursion, so that any input,
 * however deep, gets an answer; values that are not nodes count as leaves.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * assert.strictEqual(Expr.depth(Expr.bool(true)), 1)
 * assert.strictEqual(Expr.depth(Expr.not(Expr.bool(true))), 2)
 *
 * @category utils
 * @since 0.1.0
 */
export const depth = (e: unknown): number => {
  let max = 0
  // two stacks side by side (a node and its depth): no pair allocated per node
  const nodes: Array<unknown> = [e]
  const depths: Array<number> = [1]
  for (let x = nodes.pop(), d = depths.pop(); d !== undefined; x = nodes.pop(), d = depths.pop()) {
    if (d > max) max = d
    if (isExpr(x)) {
      // as `Node.total` would, inline: a node whose fields cannot be read is a leaf
      let cs: ReadonlyArray<Expr> = []
      try {
        cs = children(x)
      } catch {
        // a leaf
      }
      for (const c of cs) {
        nodes.push(c)
        depths.push(d + 1)
      }
    }
  }
  return max
}

/**
 * The deepest nesting the query layer accepts (`Query.where` and the other entry points answer a
 * deeper predicate with a typed error). Same-operator chains are flat, so this bounds only real
 * alternation (and inside or inside and ...), which no hand-written query comes near; PostgreSQL's
 * planner and any recursive evaluator stay far from their stack limits.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * assert.strictEqual(Expr.maxDepth, 100)
 *
 * @category utils
 * @since 0.1.0
 */
export const maxDepth = 100

/**
 * A refinement by tag, for a node built by these companions: `is('Compare')(e)`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { Ast, Sql } from 'quiver-sql'
 * const { Expr, Select } = Ast
 * const e = Expr.eq(Expr.column('t0', 'id'), Expr.param(1))
 * assert.ok(Expr.is('Compare')(e))
 * assert.ok(!Expr.is('Bool')(e))
 *
 * @category utils
 * @since 0.1.0
 */
export const is =
  <T extends Expr['_tag']>(tag: T) =>
  (e: Expr): e is Extract<Expr, { readonly _tag: T }> =>
    isExpr(e) && e._tag === tag
