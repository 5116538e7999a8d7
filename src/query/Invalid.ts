/**
 * Predicates built from misuse. `Pred`'s constructors return plain values and never throw, yet an
 * untyped caller can hand them what no predicate can be made of (a list that is not an array, fragment
 * strings that are not a template, a proxy whose traps throw). Such a predicate is a parameter holding a
 * private marker with the reason; `Query.where` refuses a predicate that holds one, with that reason, so
 * the misuse surfaces as a `Left` when the query is compiled or run, and never becomes SQL. Internal:
 * not exported from the package.
 *
 * @since 0.1.0
 */
import * as Expr from '../ast/Expr.js'
import { show } from '../error/Show.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

// Markers are recognised by identity (this module's WeakMap), never by shape.
const reasons = new WeakMap<object, string>()

/**
 * A predicate that `Query.where` refuses with `reason`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pred = (reason: string): Expr.Expr => {
  const marker = Object.freeze({})
  reasons.set(marker, reason)
  return Expr.param(marker)
}

/**
 * Runs a constructor over untyped input: whatever it throws becomes a refused predicate naming the
 * constructor.
 *
 * @category constructors
 * @since 0.1.0
 */
export const total = (name: string, f: () => Expr.Expr): Expr.Expr => {
  try {
    return f()
  } catch (u) {
    return pred(`${name}: its arguments could not be read: ${describe(u)}`)
  }
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * An error or any value, rendered without throwing.
 *
 * @category destructors
 * @since 0.1.0
 */
export const describe = (u: unknown): string => {
  try {
    if (u instanceof Error) return `${u.name}: ${u.message}`
  } catch {
    // a proxy whose getPrototypeOf trap throws: rendered as a value
  }
  return show(u)
}

// The expressions directly inside a node, down to (not into) subqueries: the predicate of an
// `$.exists` callback was checked by `Query.where` when it was built.
const children = (e: Expr.Expr): ReadonlyArray<Expr.Expr> => {
  switch (e._tag) {
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
    case 'ColumnRef':
    case 'Param':
    case 'Bool':
    case 'Exists':
      return []
  }
}

/**
 * The reason of the first refused predicate inside `e`, if any. Iterative: the depth of `e` is the
 * caller's to bound, not the stack's.
 *
 * @category destructors
 * @since 0.1.0
 */
export const find = (e: Expr.Expr): string | undefined => {
  const stack: Array<Expr.Expr> = [e]
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    if (x._tag === 'Param') {
      const v = x.value
      if (typeof v === 'object' && v !== null) {
        const r = reasons.get(v)
        if (r !== undefined) return r
      }
    } else stack.push(...children(x))
  }
  return undefined
}
