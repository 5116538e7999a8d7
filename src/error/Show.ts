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

const scalar = (u: unknown): string | null => {
  switch (typeof u) {
    case 'bigint':
      return `${u}n`
    case 'symbol':
      return u.description === undefined ? 'Symbol()' : `Symbol(${u.description})`
    case 'function':
      return '[function]'
    case 'undefined':
      return 'undefined'
    case 'number':
      return Number.isNaN(u) ? 'NaN' : Object.is(u, -0) ? '-0' : String(u)
    default:
      return null
  }
}

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
