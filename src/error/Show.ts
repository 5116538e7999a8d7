/**
 * A short, readable rendering of any value for error messages. Total: whatever an untyped caller
 * passes (a `BigInt`, a symbol, a cycle, a proxy whose traps throw, an object whose `toJSON` throws), it
 * returns a string and never throws, so building an error can never become an error of its own.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

const limit = 200

const clip = (s: string): string => (s.length > limit ? `${s.slice(0, limit)}...` : s)

/**
 * What `typeof` says of a value: a closed union, as the language defines it. Indexing a record keyed
 * by it with `typeof u` type-checks only when the record lists every answer (`Show` and the
 * PostgreSQL interpreter's parameter check dispatch on it so).
 *
 * @category utils
 * @since 0.1.0
 */
export type TypeOf =
  'string' | 'number' | 'bigint' | 'boolean' | 'symbol' | 'undefined' | 'object' | 'function'

/**
 * The value each answer of `typeof` says it is of.
 *
 * @category utils
 * @since 0.1.0
 */
export interface TypeOfValue {
  readonly string: string
  readonly number: number
  readonly bigint: bigint
  readonly boolean: boolean
  readonly symbol: symbol
  readonly undefined: undefined
  readonly object: object | null
  readonly function: (...args: ReadonlyArray<never>) => unknown
}

// The values JSON does not render as this module wants, by type; null for the others.
const scalars: { readonly [K in TypeOf]: (u: TypeOfValue[K]) => string | null } = {
  bigint: u => `${u}n`,
  symbol: u => (u.description === undefined ? 'Symbol()' : `Symbol(${u.description})`),
  function: () => '[function]',
  undefined: () => 'undefined',
  number: u => (Number.isNaN(u) ? 'NaN' : Object.is(u, -0) ? '-0' : String(u)),
  string: () => null,
  boolean: () => null,
  object: () => null,
}

const scalar = (u: unknown): string | null => (scalars[typeof u] as (u: unknown) => string | null)(u)

/**
 * @example
 * import { show } from './Show.js'
 * assert.strictEqual(show(10n), '10n')
 * assert.strictEqual(show({ a: [1, 'x'] }), '{"a":[1,"x"]}')
 *
 * @category destructors
 * @since 0.1.0
 */
export const show = (u: unknown): string => {
  const s = scalar(u)
  if (s !== null) return s
  try {
    const seen = new WeakSet<object>()
    const out = JSON.stringify(u, (_key, v: unknown) => {
      const x = scalar(v)
      if (x !== null && typeof v !== 'number') return x
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[cycle]'
        seen.add(v)
      }
      return v
    })
    return clip(out ?? 'undefined')
  } catch {
    try {
      return clip(Object.prototype.toString.call(u))
    } catch {
      return '[value]'
    }
  }
}
