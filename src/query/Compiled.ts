/**
 * The statement of a projection's select (`Query.select`), lowered (./Lower.ts) and compiled, found
 * again by its shape. A query built per call is a new value every time, so nothing keyed by identity
 * helps it; but the same code builds the same shape with other values, and lowering and compiling it
 * again gave the same text. The shape is a key that spells the whole select as a graph (every field,
 * every node's brand, a node met twice as a reference to the first meeting, the relation aggregates
 * `Lower` records by identity) with each value's place left open: a `Param` node, the values of an
 * `InList` (and whether it holds one value, which changes the text). The first select of a shape is
 * lowered and compiled with the source of each parameter recorded (`Sql.recording`); a later select of
 * that shape takes the same text, with its own values in those places. Row counts (`limit`, `offset`)
 * are part of the shape (as numbers), so the parameters computed from them are the same.
 *
 * This relies on what lowering does with values: it never copies a `Param` node (its rewrites keep
 * them), the parameters it adds are constants, and it compares the values of two relation aggregates
 * only when they hold values, which keeps a select out of the cache. A select the key cannot spell
 * (a placeholder, a refusal marker, an object that is neither a node, a plain object nor an array, a
 * function) is compiled as before, as is a shape whose first compilation had a value standing where an
 * expression should be.
 *
 * Measured on bench W8 and W9 built per call (bench/adhoc.ts, `Query.toSql` of a new query, µs of CPU
 * per call less its build, loaded 2-core machine): lowering and compiling took about 135 (W8) and 140
 * (W9); the key and the parameters take about 15 and 35.
 *
 * @since 0.2.0
 */
import * as Expr from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import type * as Select from '../ast/Select.js'
import * as Sql from '../sql/Compile.js'
import * as Lower from './Lower.js'

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

// One spelling of a select: the key so far, the objects met (by order of meeting) and the places of
// values in the order met (a `Param` node, or an `InList`'s array of values).
interface Walk {
  key: string
  readonly met: Map<object, number>
  readonly places: Array<object>
}

// A relation aggregate that holds no value: spelled by identity (`$.count(name)` is built once per
// association and place, ./Query.ts), its select never walked again. `null`: it holds values, and a
// select with it is not kept (lowering compares two aggregates' values to share their joins).
const atoms = new WeakMap<object, number | null>()
let atomCount = 0

const atomOf = (e: object): number | null => {
  const hit = atoms.get(e)
  if (hit !== undefined) return hit
  const w: Walk = { key: '', met: new Map(), places: [] }
  const id = fields(w, e, false) && w.places.length === 0 ? atomCount++ : null
  atoms.set(e, id)
  return id
}

// Spells `u` onto the walk; false when it cannot be spelled.
const spell = (w: Walk, u: unknown): boolean => {
  switch (typeof u) {
    case 'string':
      w.key += `s${u.length}:${u}`
      return true
    case 'number':
      w.key += `n${Object.is(u, -0) ? '-0' : String(u)};`
      return true
    case 'boolean':
      w.key += u ? 't' : 'f'
      return true
    case 'undefined':
      w.key += 'u'
      return true
    case 'bigint':
      w.key += `b${String(u)};`
      return true
    case 'object': {
      if (u === null) {
        w.key += 'z'
        return true
      }
      const at = w.met.get(u)
      if (at !== undefined) {
        w.key += `#${at};`
        return true
      }
      w.met.set(u, w.met.size)
      if (Array.isArray(u)) {
        w.key += `[${u.length};`
        for (const x of u) if (!spell(w, x)) return false
        w.key += ']'
        return true
      }
      if (Node.isNode(u)) {
        const tag = (u as { readonly _tag?: unknown })._tag
        if (tag === 'Param') {
          w.places.push(u)
          w.key += (u as Expr.Param).json === true ? 'Pj' : 'P'
          return true
        }
        if (Lower.partsOf(u) !== undefined) {
          const id = atomOf(u)
          if (id === null) return false
          w.key += `@${id};`
          return true
        }
        w.key += 'N'
        return fields(w, u, tag === 'InList')
      }
      // Placeholders and refusal markers are told apart by identity: not spelled.
      if (Expr.isPlaceholder(u) || Node.refusal(u) !== undefined) return false
      const proto: unknown = Object.getPrototypeOf(u)
      if (proto !== Object.prototype && proto !== null) return false
      w.key += 'O'
      return fields(w, u, false)
    }
    default:
      return false
  }
}

// The own enumerable fields of an object, in order; an `InList`'s values are a place.
const fields = (w: Walk, u: object, list: boolean): boolean => {
  w.key += '{'
  for (const k in u) {
    if (!Object.hasOwn(u, k)) continue
    w.key += `${k.length}:${k}`
    const v = (u as Readonly<Record<string, unknown>>)[k]
    if (list && k === 'values') {
      if (!Array.isArray(v)) return false
      const at = w.met.get(v)
      if (at !== undefined) w.key += `#${at};`
      else {
        w.met.set(v, w.met.size)
        w.places.push(v)
        w.key += v.length === 1 ? 'L1' : 'L'
      }
    } else if (!spell(w, v)) return false
  }
  w.key += '}'
  return true
}

// A shape's statement: its text and parameters as first compiled, and for each parameter that holds
// a value of the select, where it is (its place in the walk, and whether it is an `InList`'s only value).
interface Template {
  readonly compiled: Sql.CompiledQuery
  readonly bound: ReadonlyArray<readonly [index: number, place: number, first: boolean]>
}

const templates = new Map<string, Template | null>()

// The template of a select just lowered and compiled with its sources; null when a parameter holds a
// value the walk did not find a place for.
const templateOf = (
  compiled: Sql.CompiledQuery,
  sources: ReadonlyArray<Sql.Source | undefined>,
  places: ReadonlyArray<object>,
): Template | null => {
  const at = new Map<object, number>()
  places.forEach((p, i) => at.set(p, i))
  const bound: Array<readonly [number, number, boolean]> = []
  for (let k = 0; k < compiled.params.length; k++) {
    const s = sources[k]
    // a row count, or computed from row counts: spelled in the key
    if (s === undefined) continue
    if (s._tag === 'Opaque') return null
    const place = at.get(s._tag === 'Param' ? s.node : s.values)
    if (place === undefined) {
      // a parameter lowering added (a constant); an `InList` lowering did not take from the select
      if (s._tag === 'Param') continue
      return null
    }
    bound.push([k, place, s._tag === 'List' && s.first])
  }
  // the values of the select it was made from are not kept (a cache holds no user data)
  const params = compiled.params.slice()
  for (const [k] of bound) params[k] = undefined
  return { compiled: Object.freeze({ ...compiled, params: Object.freeze(params) }), bound }
}

const fresh = (s: Select.Select): Sql.CompiledQuery => Sql.toSql(Lower.select(s))

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The statement of a projection's select: `Sql.toSql(Lower.select(s))`, the same text and parameters,
 * taken from an earlier select of the same shape when there is one (see the module doc).
 *
 * @category destructors
 * @since 0.2.0
 */
export const projection = (s: Select.Select): Sql.CompiledQuery => {
  const w: Walk = { key: '', met: new Map(), places: [] }
  if (!spell(w, s)) return fresh(s)
  const hit = templates.get(w.key)
  if (hit === null) return fresh(s)
  if (hit === undefined) {
    const ctx = Sql.recording()
    const compiled = Sql.compiled(ctx, Sql.select(ctx, Lower.select(s)))
    // bounded: a program builds few shapes, a generator of queries many
    if (templates.size >= 256) templates.clear()
    templates.set(w.key, templateOf(compiled, ctx.sources, w.places))
    return compiled
  }
  const params = hit.compiled.params.slice()
  for (const [k, place, first] of hit.bound) {
    const p = w.places[place] as Expr.Param | ReadonlyArray<unknown>
    params[k] = Array.isArray(p) ? (first ? p[0] : p) : (p as Expr.Param).value
  }
  const c = hit.compiled
  const out = Object.freeze(params)
  return Object.freeze(
    c.json === undefined
      ? c.counts === undefined
        ? { text: c.text, params: out }
        : { text: c.text, params: out, counts: c.counts }
      : c.counts === undefined
        ? { text: c.text, params: out, json: c.json }
        : { text: c.text, params: out, json: c.json, counts: c.counts },
  )
}
