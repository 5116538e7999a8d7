/**
 * The brand of schema definitions: tables, columns, association values and the markers of `where`
 * and `defaults` (`self`, `notNull`, `isIn`, `fragment`, `withArgs`). `model` recognises them by
 * identity, as values their constructors built (a module-private set), never by their shape: an
 * object that merely looks like a marker (a frozen `{ _tag: 'WhereNotNull' }` parsed from JSON) is a
 * plain value, checked like any other, and so is a spread, a proxy or a prototype-child of a real one.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Brands and freezes a definition; `fields` is a fresh object of the caller's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A extends object>(fields: A): A => {
  const definition = Object.freeze(fields)
  made.add(definition)
  return definition
}

// Every definition `make` built: recognised by identity, which a spread, a prototype or a proxy of a
// real definition does not carry, and asking runs no code of the value's.
const made = new WeakSet<object>()

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by a schema constructor with the given tag (not merely shaped like one).
 *
 * @category utils
 * @since 0.1.0
 */
export const is = <T extends string>(u: unknown, tag: T): u is { readonly _tag: T } => {
  // One of ours is a frozen plain object: reading its tag runs no code of a caller's.
  if (typeof u !== 'object' || u === null || !made.has(u)) return false
  return (u as { readonly _tag?: unknown })._tag === tag
}
