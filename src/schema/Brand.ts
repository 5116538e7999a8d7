/**
 * The brand of schema definitions: tables, columns, association values and the markers of `where`
 * and `defaults` (`self`, `notNull`, `isIn`, `fragment`, `withArgs`). `model` recognises them by this
 * module-private symbol, which only their constructors set, never by their shape: an object that
 * merely looks like a marker (a frozen `{ _tag: 'WhereNotNull' }` parsed from JSON) is a plain value,
 * checked like any other. The brand is not enumerable, so spreading a definition into an object
 * literal gives a plain object, not a copy that passes for ours.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const brand: unique symbol = Symbol('quiver.schema.definition')

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Brands and freezes a definition; `fields` is a fresh object of the caller's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A extends object>(fields: A): A =>
  Object.freeze(Object.defineProperty(fields, brand, { value: true, enumerable: false }))

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
  if (typeof u !== 'object' || u === null) return false
  // A proxy from untyped input may throw from any trap: then it is not ours.
  try {
    return (
      Object.hasOwn(u, brand) &&
      (u as { readonly [brand]?: unknown })[brand] === true &&
      (u as { readonly _tag?: unknown })._tag === tag
    )
  } catch {
    return false
  }
}
