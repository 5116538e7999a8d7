/**
 * Typed predicates for `Query.where`. A term carries the TypeScript type of its values as a phantom, so
 * comparing a number column with a string, or with `null`, is a compile error (use `isNull`). Values
 * become parameters; nothing is spliced into SQL.
 *
 * @since 0.1.0
 */
import * as Expr from '../ast/Expr.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * An expression whose values have type `A`.
 *
 * @category model
 * @since 0.1.0
 */
export type Term<A> = Expr.Expr & { readonly __type?: A }

/**
 * A condition.
 *
 * @category model
 * @since 0.1.0
 */
export type Pred = Term<boolean>

/**
 * What a comparison accepts on its right: another term of the same type, or a non-null value.
 *
 * @category model
 * @since 0.1.0
 */
export type Operand<A> = Term<A> | NonNullable<A>

/**
 * Whether a value is an expression built by `Pred` (or the AST companions). Shape never decides: a
 * value shaped like an expression, frozen or not, is a value, and a comparison makes it a parameter.
 *
 * @category utils
 * @since 0.1.0
 */
export const isExpr: (u: unknown) => u is Expr.Expr = Expr.isExpr

const operand = Expr.operand

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A value as a term (a parameter). @category constructors @since 0.1.0 */
export const value = <A>(a: A): Term<A> => Expr.param(a)

/** @category constructors @since 0.1.0 */
export const eq = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('eq', a, operand(b))
/** @category constructors @since 0.1.0 */
export const neq = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('neq', a, operand(b))
/** @category constructors @since 0.1.0 */
export const lt = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('lt', a, operand(b))
/** @category constructors @since 0.1.0 */
export const lte = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('lte', a, operand(b))
/** @category constructors @since 0.1.0 */
export const gt = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('gt', a, operand(b))
/** @category constructors @since 0.1.0 */
export const gte = <A>(a: Term<A>, b: NoInfer<Operand<A>>): Pred => Expr.compare('gte', a, operand(b))

/**
 * Membership in a list, sent as one array parameter (`= any($1)`); an empty list matches nothing.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import { Query, Pred } from 'quiver-sql'
 * // pipe(Query.from(Blog, 'post'), Query.where(p => Pred.in(p.id, [1, 2, 3])))
 *
 * @category constructors
 * @since 0.1.0
 */
export const isIn = <A>(a: Term<A>, values: ReadonlyArray<NoInfer<NonNullable<A>>>): Pred =>
  Expr.inList(a, values)
export { isIn as in }

/** @category constructors @since 0.1.0 */
export const isNull = <A>(a: Term<A>): Pred => Expr.isNull(a)
/** @category constructors @since 0.1.0 */
export const isNotNull = <A>(a: Term<A>): Pred => Expr.not(Expr.isNull(a))
/** @category constructors @since 0.1.0 */
export const not = (p: Pred): Pred => Expr.not(p)
/** All of the conditions (true when none is given). @category constructors @since 0.1.0 */
export const and = (...ps: ReadonlyArray<Pred>): Pred => (ps.length === 0 ? Expr.bool(true) : Expr.and(ps))
/** Any of the conditions (false when none is given). @category constructors @since 0.1.0 */
export const or = (...ps: ReadonlyArray<Pred>): Pred => (ps.length === 0 ? Expr.bool(false) : Expr.or(ps))
/** @category constructors @since 0.1.0 */
export const like = (a: Term<string> | Term<string | null>, pattern: Operand<string>): Pred =>
  Expr.like(a, operand(pattern), false)
/** @category constructors @since 0.1.0 */
export const ilike = (a: Term<string> | Term<string | null>, pattern: Operand<string>): Pred =>
  Expr.like(a, operand(pattern), true)

/**
 * A SQL fragment: columns interpolate as columns, anything else as a parameter.
 *
 * @example
 * import { Pred } from 'quiver-sql'
 * // Query.where(p => Pred.fragment`length(${p.title}) > ${10}`)
 *
 * @category constructors
 * @since 0.1.0
 */
export const fragment = <A = boolean>(
  strings: TemplateStringsArray,
  ...args: ReadonlyArray<unknown>
): Term<A> => Expr.fragment([...strings], args.map(operand))
