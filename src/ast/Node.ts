/**
 * The brand of AST nodes. A node is recognised by this module-private symbol, which only the
 * companions of `ast/` set, never by its shape: a user value that looks like a node (a frozen
 * `{ _tag: 'Fragment', ... }` from JSON, a state library or an attacker) is data, and travels as a
 * parameter. The symbol is not reachable from the package's entry points.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @internal */
export const brand: unique symbol = Symbol('quiver.ast.node')

/**
 * A value built by an AST companion.
 *
 * @category model
 * @since 0.1.0
 */
export interface Branded {
  readonly [brand]: true
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Brands and freezes a node; `fields` is a fresh object literal of the caller's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A extends object>(fields: A): A & Branded =>
  Object.freeze(Object.assign(fields, { [brand]: true as const }))

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by an AST companion (not merely shaped like a node).
 *
 * @category utils
 * @since 0.1.0
 */
export const isNode = (u: unknown): u is Branded =>
  typeof u === 'object' && u !== null && (u as { readonly [brand]?: unknown })[brand] === true
