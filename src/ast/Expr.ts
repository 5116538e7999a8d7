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

/** @category model @since 0.1.0 */
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
}
/**
 * The JSON types of PostgreSQL.
 *
 * @category model
 * @since 0.1.0
 */
export type JsonType = 'json' | 'jsonb'
/** @category model @since 0.1.0 */
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
 * The values of a prepared query's placeholders for one run.
 *
 * @category model
 * @since 0.1.0
 */
export type Bind = ReadonlyMap<Placeholder, unknown>

/** @category model @since 0.1.0 */
export interface Bool extends Node.Branded {
  readonly _tag: 'Bool'
  readonly value: boolean
}
/** @category model @since 0.1.0 */
export type CompareOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'
/** @category model @since 0.1.0 */
export interface Compare extends Node.Branded {
  readonly _tag: 'Compare'
  readonly op: CompareOp
  readonly left: Expr
  readonly right: Expr
}
/** Membership in a list of values, carried as one list (SQL: `= any($n)`). @category model @since 0.1.0 */
export interface InList extends Node.Branded {
  readonly _tag: 'InList'
  readonly expr: Expr
  readonly values: ReadonlyArray<unknown>
  /** Each value is JSON (the list is compared with a `json`/`jsonb` column): see `Param.json`. */
  readonly json?: true
}
/** @category model @since 0.1.0 */
export interface IsNull extends Node.Branded {
  readonly _tag: 'IsNull'
  readonly expr: Expr
}
/** @category model @since 0.1.0 */
export interface Not extends Node.Branded {
  readonly _tag: 'Not'
  readonly expr: Expr
}
/** `expr IS NOT TRUE`: false or unknown. @category model @since 0.1.0 */
export interface NotTrue extends Node.Branded {
  readonly _tag: 'NotTrue'
  readonly expr: Expr
}
/** @category model @since 0.1.0 */
export interface And extends Node.Branded {
  readonly _tag: 'And'
  readonly exprs: ReadonlyArray<Expr>
}
/** @category model @since 0.1.0 */
export interface Or extends Node.Branded {
  readonly _tag: 'Or'
  readonly exprs: ReadonlyArray<Expr>
}
/** @category model @since 0.1.0 */
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
/** @category model @since 0.1.0 */
export interface Exists extends Node.Branded {
  readonly _tag: 'Exists'
  readonly select: Select
}

/**
 * @category model
 * @since 0.1.0
 */
export type Expr =
  ColumnRef | Param | Bool | Compare | InList | IsNull | Not | NotTrue | And | Or | Like | Fragment | Exists

// The select node is part of the expression grammar (`exists (select ...)`), so its model lives
// here and `Select.ts` holds its constructors and combinators: the two modules import one way.

/**
 * @category model
 * @since 0.1.0
 */
export interface Binding {
  readonly table: string
  readonly alias: string
}

/**
 * @category model
 * @since 0.1.0
 */
export interface Join extends Node.Branded {
  readonly _tag: 'Join'
  readonly kind: 'inner' | 'left'
  readonly binding: Binding
  readonly on: Expr
}

/**
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
  readonly limit: O.Option<number>
  readonly offset: O.Option<number>
  readonly distinct: boolean
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
  readonly limit: O.Option<number>
  readonly offset: O.Option<number>
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
 * A column of a binding; `json` given for a column of a JSON type (see `ColumnRef.json`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const column = (alias: string, column: string, json?: JsonType): ColumnRef =>
  json === 'json' || json === 'jsonb'
    ? make({ _tag: 'ColumnRef', alias, column, json })
    : make({ _tag: 'ColumnRef', alias, column })
/** @category constructors @since 0.1.0 */
export const param = (value: unknown): Param => make({ _tag: 'Param', value }, 'value')
/**
 * A parameter whose value is JSON, sent as JSON whatever its JavaScript type (an array of booleans, a
 * bare `true`, a Date inside an object): see `Param.json`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const jsonParam = (value: unknown): Param => make({ _tag: 'Param', value, json: true }, 'value')

// A comparison with a JSON column takes the other side's value as JSON: the value's JavaScript type
// says nothing of the SQL type it is bound for (`[false]` is a JSON array, not a boolean).
const isJsonColumn = (e: Expr): boolean => e._tag === 'ColumnRef' && e.json !== undefined
const asJson = (e: Expr): Expr => (e._tag === 'Param' && e.json !== true ? jsonParam(e.value) : e)
/** @category constructors @since 0.1.0 */
export const placeholder = (name: string): Placeholder => {
  const p: Placeholder = freeze({ _tag: 'Placeholder', name })
  placeholders.add(p)
  return p
}
/** @category constructors @since 0.1.0 */
export const bool = (value: boolean): Bool => make({ _tag: 'Bool', value })
/** @category constructors @since 0.1.0 */
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
/** @category constructors @since 0.1.0 */
export const eq = (left: Expr, right: Expr): Compare => compare('eq', left, right)
/**
 * Membership in a list. A list that is not an array (from an untyped caller) is refused when the tree is
 * compiled or run (see `Node.refuse`).
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
/** @category constructors @since 0.1.0 */
export const isNull = (expr: Expr): IsNull => make({ _tag: 'IsNull', expr: operand(expr) })
/** @category constructors @since 0.1.0 */
export const not = (expr: Expr): Not => make({ _tag: 'Not', expr: condition('Expr.not', expr) })
/** @category constructors @since 0.1.0 */
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

/** @category constructors @since 0.1.0 */
export const and = (exprs: ReadonlyArray<Expr>): Expr => logic('And', exprs)
/** @category constructors @since 0.1.0 */
export const or = (exprs: ReadonlyArray<Expr>): Expr => logic('Or', exprs)
/** @category constructors @since 0.1.0 */
export const like = (expr: Expr, pattern: Expr, caseInsensitive: boolean): Like =>
  make({ _tag: 'Like', expr: operand(expr), pattern: operand(pattern), caseInsensitive })
/**
 * SQL text written by the programmer with expressions between its pieces. This is the raw AST: its
 * strings are SQL. The user-facing constructors (`Pred.fragment`, `Schema.fragment`) accept only
 * tagged-template strings, so no runtime value can become one. Strings that are not a list of text
 * one longer than the arguments are refused when the tree is compiled or run.
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
/** @category constructors @since 0.1.0 */
export const exists = (select: Select): Exists => make({ _tag: 'Exists', select })

/**
 * A value as an operand: an expression built by these companions as itself, anything else (whatever
 * its shape, frozen or not) as a parameter holding it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const operand = (u: unknown): Expr => (isExpr(u) ? u : param(u))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a parameter value is a placeholder (made by `placeholder`, not merely shaped like one).
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
  InList: true,
  IsNull: true,
  Not: true,
  NotTrue: true,
  And: true,
  Or: true,
  Like: true,
  Fragment: true,
  Exists: true,
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
      return selectChildren(e.select)
  }
}

// The expressions each field of a select holds directly.
const selectExprs: { readonly [K in SelectField]: (v: Select[K]) => ReadonlyArray<Expr> } = {
  _tag: () => [],
  from: () => [],
  columns: cs => cs.map(o => o.expr),
  joins: js => js.map(j => j.on),
  where: w => w,
  orderBy: ts => ts.map(t => t.expr),
  limit: () => [],
  offset: () => [],
  distinct: () => [],
  perParent: p => (p._tag === 'Some' ? p.value.keys : []),
}
const selectFields = Object.keys(selectExprs) as ReadonlyArray<SelectField>

const selectChildren = (s: Select): ReadonlyArray<Expr> =>
  selectFields.flatMap(k => (selectExprs[k] as (v: unknown) => ReadonlyArray<Expr>)(s[k]))

/**
 * The nesting depth of an expression (a leaf is 1), measured without recursion, so that any input,
 * however deep, gets an answer; values that are not nodes count as leaves.
 *
 * @category utils
 * @since 0.1.0
 */
export const depth = (e: unknown): number => {
  let max = 0
  const stack: Array<readonly [unknown, number]> = [[e, 1]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, d] = top
    if (d > max) max = d
    if (isExpr(x))
      for (const c of Node.total(
        'Expr.depth',
        () => children(x),
        () => [],
      ))
        stack.push([c, d + 1])
  }
  return max
}

/**
 * The deepest nesting the query layer accepts (`Query.where` and the other entry points answer a
 * deeper predicate with a typed error). Same-operator chains are flat, so this bounds only real
 * alternation (and inside or inside and ...), which no hand-written query comes near; PostgreSQL's
 * planner and any recursive evaluator stay far from their stack limits.
 *
 * @category utils
 * @since 0.1.0
 */
export const maxDepth = 100

/**
 * @category utils
 * @since 0.1.0
 */
export const is =
  <T extends Expr['_tag']>(tag: T) =>
  (e: Expr): e is Extract<Expr, { readonly _tag: T }> =>
    isExpr(e) && e._tag === tag
