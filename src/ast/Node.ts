/**
 * The brand of AST nodes. A node is recognised by identity, as one of the values the companions of
 * `ast/` built (a module-private set), never by its shape: a user value that looks like a node (a frozen
 * `{ _tag: 'Fragment', ... }` from JSON, a state library or an attacker) is data, and travels as a
 * parameter. The set is not reachable from the package's entry points.
 *
 * @since 0.1.0
 */
// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The type-level mark of a node (nominal typing: a structurally equal type from elsewhere is not a
 * node type). At run time a node is recognised by identity (see `isNode`), not by this key.
 *
 * @internal
 */
export declare const brand: unique symbol

/**
 * A value built by an AST companion.
 *
 * @category model
 * @since 0.1.0
 */
export interface Branded {
  readonly [brand]: true
}

/**
 * A set made by `members`.
 *
 * @category model
 * @since 0.2.0
 */
export interface Members {
  /** Puts a fresh, extensible object in the set (returns it). */
  readonly stamp: <A extends object>(o: A) => A
  /** Whether a value is in the set. */
  readonly has: (u: unknown) => boolean
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Brands and deep-freezes a node (see `freeze`); `fields` is a fresh object literal of the caller's.
 * `data` names the field, if any, that holds a user's value (a parameter's `value`, a list's
 * `values`): it is left as the user gave it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A extends object>(fields: A, data?: keyof A & string): A & Branded =>
  freeze(made.stamp(fields), data) as A & Branded

/**
 * A set of objects that membership is asked of by identity, the way a `WeakSet` is: `stamp` puts a
 * fresh object in (before it is frozen: it gains a private field), `has` asks. Membership cannot be
 * copied (by a spread, a prototype, or anything read off a member and set on another object: a
 * private field is not a property), nor claimed by a proxy of a member (`#f in proxy` is false and runs
 * no trap), and asking runs no code of the value's. Each call makes a set of its own.
 *
 * Not a `WeakSet` because of its cost: every AST node and query is put in one, and a `WeakSet.add` of
 * a short-lived object (an ephemeron the collector must trace) took about 40% of building a query
 * with two relation counts (bench W8), against a field write here.
 *
 * @category constructors
 * @since 0.2.0
 */
export const members = (): Members => {
  // The base constructor returns the object given, so `new Stamp(o)` installs the field on `o` itself.
  class Base {
    constructor(o: object) {
      return o
    }
  }
  class Stamp extends Base {
    readonly #member = true
    static has(u: unknown): boolean {
      return typeof u === 'object' && u !== null && #member in u
    }
  }
  return {
    stamp: o => {
      new Stamp(o)
      return o
    },
    has: Stamp.has,
  }
}

// Every node `make` built. A node is recognised by identity (see `members`).
const made = members()

/**
 * Freezes a node and the structure it was built of, recursively: bindings, lists of columns, joins,
 * conjuncts and order terms, outputs, order terms, options, per-parent windows, a statement's rows
 * and lists of names. Structure is an array or a plain object; the walk leaves alone
 *
 * - what is frozen already (a node, a shared list, a template's strings): it stops there, so it
 *   visits only what the constructor just built;
 * - the `data` field, and every place that holds an expression (see `roles`): a node there is
 *   frozen already, and anything else is a user's value, which travels as a parameter. It is data,
 *   and freezing it would change the user's object;
 * - anything that is not an array or a plain object (a `Date`, a `Map`, a class instance), and an
 *   object whose traps throw (a proxy): `Check` refuses what it cannot read.
 *
 * @category constructors
 * @since 0.1.0
 */
export const freeze = <A extends object>(node: A, data?: string): A => {
  const stack: Array<object> = []
  Object.freeze(node)
  try {
    fields(stack, node, data)
  } catch {
    // a getter that throws (a node's fields are a fresh literal: not in practice): nothing more
  }
  return drain(stack, node)
}

/**
 * `make` of a copy of a node with one field replaced: `fields` is a fresh object literal of the
 * caller's, `{ ...node, [key]: value }`. When `node` is a node (`make` built it, so every field it
 * holds is frozen already), only the replaced field is walked, not the node's every field again;
 * for anything else (an untyped caller's object), this is `make(fields)`. For nodes without a `data`
 * field (a select).
 *
 * @category constructors
 * @since 0.2.0
 */
export const remake = <A extends object>(node: unknown, fields: A, key: keyof A & string): A & Branded => {
  if (!made.has(node)) return make(fields)
  const stack: Array<object> = []
  Object.freeze(made.stamp(fields))
  try {
    field(stack, key, (fields as Readonly<Record<string, unknown>>)[key])
  } catch {
    // a getter that throws (a fresh literal: not in practice): nothing more
  }
  return drain(stack, fields) as A & Branded
}

// Freezes the structure `freeze` found (and what it holds), then returns `node`.
const drain = <A>(stack: Array<object>, node: A): A => {
  for (let o = stack.pop(); o !== undefined; o = stack.pop())
    try {
      // Frozen before what it holds is visited: a cycle meets a frozen object and stops.
      Object.freeze(o)
      if (Array.isArray(o)) for (let i = 0; i < o.length; i++) structure(stack, o[i])
      else fields(stack, o, undefined)
    } catch {
      // a proxy whose traps throw: left as it is
    }
  return node
}

/**
 * How the walk of `freeze` treats a field of the AST, by name (the AST's vocabulary is small and
 * closed; test/ast/frozen.test.ts puts a user's value in every place that holds an expression).
 * `expression`: a node or a user's value; never entered. `list`: a list of those (or of text); the
 * list is frozen, its elements never entered. `lists`: a list of such lists (a statement's rows, its
 * `[column, value]` pairs). `structure`, any other field: frozen and entered.
 */
type Role = 'expression' | 'list' | 'lists' | 'structure'

// A switch, not a map: the walk runs for every node built, and this is its inner loop. Field names
// are an open set (structure from a caller may have any): every name not listed is structure.
const role = (field: string): Role => {
  switch (field) {
    case 'expr':
    case 'left':
    case 'right':
    case 'pattern':
    case 'on':
    case 'select':
    case 'when':
    case 'then':
      return 'expression'
    case 'where':
    case 'exprs':
    case 'args':
    case 'keys':
    case 'joins':
    case 'values':
    case 'groupBy':
    case 'having':
    case 'distinctOn':
      return 'list'
    case 'rows':
    case 'set':
      return 'lists'
    default:
      return 'structure'
  }
}

const fields = (stack: Array<object>, o: object, data: string | undefined): void => {
  for (const k in o) if (k !== data) field(stack, k, (o as Readonly<Record<string, unknown>>)[k])
}

const field = (stack: Array<object>, k: string, v: unknown): void => {
  // Most fields are text, numbers, nodes and shared lists: nothing to do.
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return
  const r = role(k)
  if (r === 'structure') structure(stack, v)
  else if (r === 'list') list(v)
  else if (r === 'lists' && list(v)) for (let j = 0; j < v.length; j++) list(v[j])
}

// Freezes an array not frozen yet (its elements left alone); false for anything else (a proxy whose
// traps throw included), and for a list that was frozen already: what it holds was made before.
const list = (u: unknown): u is ReadonlyArray<unknown> => {
  try {
    if (!Array.isArray(u) || Object.isFrozen(u)) return false
    Object.freeze(u)
    return true
  } catch {
    return false
  }
}

// Arrays and plain objects not frozen yet are structure to freeze and enter; anything else is left.
const structure = (stack: Array<object>, u: unknown): void => {
  if (typeof u !== 'object' || u === null) return
  try {
    if (Object.isFrozen(u)) return
    const proto: unknown = Object.getPrototypeOf(u)
    if (Array.isArray(u) || proto === Object.prototype || proto === null) stack.push(u)
  } catch {
    // a proxy whose traps throw: left as it is
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Whether a value was built by an AST companion (not merely shaped like a node).
 *
 * @category utils
 * @since 0.1.0
 */
export const isNode = (u: unknown): u is Branded => made.has(u)

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
