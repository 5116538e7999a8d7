/**
 * Scalar and boolean expressions of the query AST: a closed readonly union. Values are `Param` nodes
 * (an interpreter decides how they travel; the SQL compiler makes them `$n`), columns are referenced by
 * binding alias, and nothing here knows SQL text or a driver.
 *
 * @since 0.1.0
 */
import type { Select } from './Select.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model @since 0.1.0 */
export interface ColumnRef {
  readonly _tag: 'ColumnRef'
  readonly alias: string
  readonly column: string
}
/** @category model @since 0.1.0 */
export interface Param {
  readonly _tag: 'Param'
  readonly value: unknown
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
  readonly [brand]: true
}
// A module-private brand: a value from user data that merely looks like a placeholder is a value.
const brand: unique symbol = Symbol('quiver.placeholder')

/**
 * The values of a prepared query's placeholders for one run.
 *
 * @category model
 * @since 0.1.0
 */
export type Bind = ReadonlyMap<Placeholder, unknown>

/** @category model @since 0.1.0 */
export interface Bool {
  readonly _tag: 'Bool'
  readonly value: boolean
}
/** @category model @since 0.1.0 */
export type CompareOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'
/** @category model @since 0.1.0 */
export interface Compare {
  readonly _tag: 'Compare'
  readonly op: CompareOp
  readonly left: Expr
  readonly right: Expr
}
/** Membership in a list of values, carried as one list (SQL: `= any($n)`). @category model @since 0.1.0 */
export interface InList {
  readonly _tag: 'InList'
  readonly expr: Expr
  readonly values: ReadonlyArray<unknown>
}
/** @category model @since 0.1.0 */
export interface IsNull {
  readonly _tag: 'IsNull'
  readonly expr: Expr
}
/** @category model @since 0.1.0 */
export interface Not {
  readonly _tag: 'Not'
  readonly expr: Expr
}
/** `expr IS NOT TRUE`: false or unknown. @category model @since 0.1.0 */
export interface NotTrue {
  readonly _tag: 'NotTrue'
  readonly expr: Expr
}
/** @category model @since 0.1.0 */
export interface And {
  readonly _tag: 'And'
  readonly exprs: ReadonlyArray<Expr>
}
/** @category model @since 0.1.0 */
export interface Or {
  readonly _tag: 'Or'
  readonly exprs: ReadonlyArray<Expr>
}
/** @category model @since 0.1.0 */
export interface Like {
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
export interface Fragment {
  readonly _tag: 'Fragment'
  readonly strings: ReadonlyArray<string>
  readonly args: ReadonlyArray<Expr>
}
/** @category model @since 0.1.0 */
export interface Exists {
  readonly _tag: 'Exists'
  readonly select: Select
}

/**
 * @category model
 * @since 0.1.0
 */
export type Expr =
  ColumnRef | Param | Bool | Compare | InList | IsNull | Not | NotTrue | And | Or | Like | Fragment | Exists

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const freeze = <A>(a: A): A => Object.freeze(a)

/** @category constructors @since 0.1.0 */
export const column = (alias: string, column: string): ColumnRef =>
  freeze({ _tag: 'ColumnRef', alias, column })
/** @category constructors @since 0.1.0 */
export const param = (value: unknown): Param => freeze({ _tag: 'Param', value })
/** @category constructors @since 0.1.0 */
export const placeholder = (name: string): Placeholder => freeze({ _tag: 'Placeholder', name, [brand]: true })
/** @category constructors @since 0.1.0 */
export const bool = (value: boolean): Bool => freeze({ _tag: 'Bool', value })
/** @category constructors @since 0.1.0 */
export const compare = (op: CompareOp, left: Expr, right: Expr): Compare =>
  freeze({ _tag: 'Compare', op, left, right })
/** @category constructors @since 0.1.0 */
export const eq = (left: Expr, right: Expr): Compare => compare('eq', left, right)
/** @category constructors @since 0.1.0 */
export const inList = (expr: Expr, values: ReadonlyArray<unknown>): InList =>
  freeze({ _tag: 'InList', expr, values: freeze([...values]) })
/** @category constructors @since 0.1.0 */
export const isNull = (expr: Expr): IsNull => freeze({ _tag: 'IsNull', expr })
/** @category constructors @since 0.1.0 */
export const not = (expr: Expr): Not => freeze({ _tag: 'Not', expr })
/** @category constructors @since 0.1.0 */
export const notTrue = (expr: Expr): NotTrue => freeze({ _tag: 'NotTrue', expr })
/** @category constructors @since 0.1.0 */
export const and = (exprs: ReadonlyArray<Expr>): Expr =>
  exprs.length === 1 ? (exprs[0] as Expr) : freeze({ _tag: 'And', exprs: freeze([...exprs]) })
/** @category constructors @since 0.1.0 */
export const or = (exprs: ReadonlyArray<Expr>): Expr =>
  exprs.length === 1 ? (exprs[0] as Expr) : freeze({ _tag: 'Or', exprs: freeze([...exprs]) })
/** @category constructors @since 0.1.0 */
export const like = (expr: Expr, pattern: Expr, caseInsensitive: boolean): Like =>
  freeze({ _tag: 'Like', expr, pattern, caseInsensitive })
/** @category constructors @since 0.1.0 */
export const fragment = (strings: ReadonlyArray<string>, args: ReadonlyArray<Expr>): Fragment =>
  freeze({ _tag: 'Fragment', strings: freeze([...strings]), args: freeze([...args]) })
/** @category constructors @since 0.1.0 */
export const exists = (select: Select): Exists => freeze({ _tag: 'Exists', select })

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
  typeof u === 'object' && u !== null && (u as { readonly [brand]?: unknown })[brand] === true

/**
 * @category utils
 * @since 0.1.0
 */
export const is =
  <T extends Expr['_tag']>(tag: T) =>
  (e: Expr): e is Extract<Expr, { readonly _tag: T }> =>
    e._tag === tag
