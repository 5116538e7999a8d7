// Tree equality before timing: every implementation's result is normalised (object keys sorted, dates
// and timestamp text as ISO strings, Option as value | null, unordered collections sorted by id, counts
// as numbers) and compared with raw-separate's. A mismatch throws with the first differing path.

/** Collections whose order no workload specifies. */
const unordered = new Set(['tags', 'commenters'])
/** Timestamps: a Date, or text where a library returns an expression's timestamptz unparsed. */
const timestamps = new Set(['inserted_at', 'month'])
/**
 * Counts (W8, W9): postgres.js returns an int8 as a string, a library may map it to a number (or a
 * bigint); all compare as numbers.
 */
const counts = new Set(['comments', 'likes', 'posts'])

export const normalise = (v: unknown, key = ''): unknown => {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v.toISOString()
  if (timestamps.has(key) && typeof v === 'string') return new Date(v).toISOString()
  if (counts.has(key) && (typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+$/.test(v))))
    return Number(v)
  if (Array.isArray(v)) {
    const a = v.map(x => normalise(x))
    if (unordered.has(key))
      a.sort((x, y) => Number((x as { id: unknown }).id) - Number((y as { id: unknown }).id))
    return a
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    if (o['_tag'] === 'None') return null
    if (o['_tag'] === 'Some') return normalise(o['value'], key)
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(o).sort()) out[k] = normalise(o[k], k)
    return out
  }
  return v
}

const firstDifference = (a: unknown, b: unknown, path: string): string | null => {
  if (a === b) return null
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object')
    return `${path}: expected ${JSON.stringify(a)?.slice(0, 200)}, got ${JSON.stringify(b)?.slice(0, 200)}`
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length)
    return `${path}: expected ${a.length} elements, got ${b.length}`
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)])
  for (const k of keys) {
    if (!(k in ao)) return `${path}.${k}: unexpected field`
    if (!(k in bo)) return `${path}.${k}: missing field`
    const d = firstDifference(ao[k], bo[k], `${path}.${k}`)
    if (d !== null) return d
  }
  return null
}

/** Throws when `actual` differs from `expected` after normalisation. */
export const assertSame = (what: string, expected: unknown, actual: unknown): void => {
  const d = firstDifference(normalise(expected), normalise(actual), '$')
  if (d !== null) throw new Error(`MISMATCH ${what}: ${d}`)
}

/** A rough size of a tree (number of objects), to show the check compared something. */
export const count = (v: unknown): number => {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + count(x), 0)
  if (v !== null && typeof v === 'object' && !(v instanceof Date))
    return 1 + Object.values(v).reduce((n: number, x) => n + count(x), 0)
  return 0
}
