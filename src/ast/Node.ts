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
  // Not enumerable: a spread of a node (`{ ...node, strings: [...] }`) is a plain object, not a copy
  // that passes for ours.
  Object.freeze(Object.defineProperty(fields, brand, { value: true, enumerable: false })) as A & Branded

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by an AST companion (not merely shaped like a node).
 *
 * @category utils
 * @since 0.1.0
 */
export const isNode = (u: unknown): u is Branded => {
  if (typeof u !== 'object' || u === null) return false
  try {
    // An own property: an object whose prototype is a node is not one.
    return Object.hasOwn(u, brand) && (u as { readonly [brand]?: unknown })[brand] === true
  } catch {
    // a proxy whose traps throw is a value, not a node
    return false
  }
}

// -------------------------------------------------------------------------------------
// refusals
// -------------------------------------------------------------------------------------

// Markers are recognised by identity (this module's WeakMap), never by shape.
const reasons = new WeakMap<object, string>()

/**
 * A fresh marker value standing for something an untyped caller handed a companion that no node can
 * be made of (a list that is not an array, fragment strings that are not a template, an operator
 * outside the union, a proxy whose traps throw). Companions put it where the node would be, as a
 * parameter's value; whoever compiles or runs the tree refuses it with `reason` (see `refusal`), so
 * the misuse surfaces as a `Left`, never as an exception and never as SQL.
 *
 * @category refusals
 * @since 0.1.0
 */
export const refuse = (reason: string): object => {
  const marker = Object.freeze({})
  reasons.set(marker, reason)
  return marker
}

/**
 * The reason a marker made by `refuse` carries; `undefined` for any other value.
 *
 * @category refusals
 * @since 0.1.0
 */
export const refusal = (u: unknown): string | undefined =>
  typeof u === 'object' && u !== null ? reasons.get(u) : undefined

/**
 * Runs a companion over untyped input: whatever it throws becomes `fallback` of a reason naming it.
 *
 * @category refusals
 * @since 0.1.0
 */
export const total = <A>(name: string, f: () => A, fallback: (reason: string) => A): A => {
  try {
    return f()
  } catch (u) {
    return fallback(`${name}: its arguments could not be read: ${describe(u)}`)
  }
}

/**
 * What a companion's input threw, rendered without throwing (the AST imports nothing of ours, so
 * not through `error/Show`).
 *
 * @category refusals
 * @since 0.1.0
 */
export const describe = (u: unknown): string => {
  try {
    if (u instanceof Error) return `${u.name}: ${u.message}`
  } catch {
    // a proxy whose getPrototypeOf trap throws: described by its type
  }
  return `a thrown ${u === null ? 'null' : typeof u}`
}

// -------------------------------------------------------------------------------------
// templates
// -------------------------------------------------------------------------------------

/**
 * Whether a value is the strings array of a tagged template with `args` substitutions: the only text
 * `Pred.fragment` and `Schema.fragment` take as SQL. The engine's template object is a frozen array of
 * strings whose `raw` is an own, non-enumerable, read-only property holding a frozen array of the same
 * length. Data cannot have that shape: JSON has no `raw`, and freezing (immer, Redux, `Object.freeze`)
 * leaves a `raw` it finds enumerable. Reads are guarded: a proxy whose traps throw is not a template.
 *
 * @category utils
 * @since 0.1.0
 */
export const isTemplate = (u: unknown, args: number): u is TemplateStringsArray => {
  try {
    if (!Array.isArray(u) || !Object.isFrozen(u) || u.length !== args + 1) return false
    const d = Object.getOwnPropertyDescriptor(u, 'raw')
    if (d === undefined || d.enumerable !== false || d.writable !== false || d.configurable !== false)
      return false
    const raw: unknown = d.value
    return (
      Array.isArray(raw) &&
      Object.isFrozen(raw) &&
      raw.length === u.length &&
      u.every(s => typeof s === 'string') &&
      raw.every(s => typeof s === 'string')
    )
  } catch {
    return false
  }
}
