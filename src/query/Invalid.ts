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
import * as Node from '../ast/Node.js'
import { show } from '../error/Show.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A predicate that `Query.where` refuses with `reason` (a parameter holding an `ast/Node` refusal
 * marker, recognised by identity, never by shape).
 *
 * @category constructors
 * @since 0.1.0
 */
export const pred = (reason: string): Expr.Expr => Expr.param(Node.refuse(reason))

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
    return thrown(name, u)
  }
}

/**
 * The refused predicate of a constructor whose input threw `u` (what `total` returns; for the hot
 * constructors that catch themselves, with no closure per call).
 *
 * @category constructors
 * @since 0.2.0
 */
export const thrown = (name: string, u: unknown): Expr.Expr =>
  pred(`${name}: its arguments could not be read: ${describe(u)}`)

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
