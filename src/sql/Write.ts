/**
 * The PostgreSQL lowering of write statements: a pure, total function from an `Insert`, `Update` or
 * `Delete` to a frozen `{ text, params }`. As for selects, every value is a `$n` parameter and every
 * identifier is quoted; filters go through the same expression compiler.
 *
 * @since 0.1.0
 */
import * as Ex from '../ast/Expr.js'
import type { Expr, Param } from '../ast/Expr.js'
import * as Node from '../ast/Node.js'
import {
  type Conflict,
  type ConflictAction,
  type Delete,
  type Insert,
  isRef,
  type Read,
  type Update,
  type Write,
  valuesOnly,
} from '../ast/Write.js'
import {
  type CompiledQuery,
  type Context,
  compiled,
  conjunction,
  context,
  expr,
  ident,
  jsonParam,
  param,
  select,
  typeName,
} from './Compile.js'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const returning = (cols: ReadonlyArray<string>): string =>
  cols.length === 0 ? '' : ` returning ${cols.map(ident).join(', ')}`

const where = (ctx: Context, conjuncts: Update['where']): string =>
  conjuncts.length === 0 ? '' : ` where ${conjunction(ctx, conjuncts)}`

// What an insert does on a key conflict; keywords come from this table, never from the field's text.
const conflicts: Readonly<Record<'raise' | 'nothing', string>> = {
  raise: '',
  nothing: ' on conflict do nothing',
}

const assignments = (ctx: Context, set: ReadonlyArray<readonly [string, Expr]>): string =>
  set.map(([c, e]) => `${ident(c)} = ${expr(ctx, e)}`).join(', ')

const actions: {
  readonly [K in ConflictAction['_tag']]: (
    ctx: Context,
    a: Extract<ConflictAction, { readonly _tag: K }>,
  ) => string
} = {
  Nothing: () => 'do nothing',
  Update: (ctx, a) => `do update set ${assignments(ctx, a.set)}`,
}

const conflictClause = (ctx: Context, c: Conflict): string => {
  const target =
    c.constraint === null ? `(${c.target.map(ident).join(', ')})` : `on constraint ${ident(c.constraint)}`
  const action = (actions[c.action._tag] as (ctx: Context, a: ConflictAction) => string)(ctx, c.action)
  return ` on conflict ${target} ${action}`
}

/**
 * From how many rows an insert whose columns all have a known scalar SQL type sends its rows as one
 * array parameter per column (`select * from unnest($1::text[], $2::integer[])`) instead of one
 * parameter per value: the statement's text and its number of parameters no longer grow with the rows
 * (PostgreSQL takes at most 65,535 parameters; postgres.js 65,533), and PostgreSQL parses and plans
 * it about twice as fast as the same rows as `values` lists (measured with 100,000 rows).
 *
 * @category utils
 * @since 0.2.0
 */
export const unnestFrom = 100

/**
 * The most parameters one statement may carry: postgres.js 3.4.9 refuses 65,534 or more (PostgreSQL's
 * own limit is 65,535). An insert that needs more and cannot go as arrays is split (see `Write.insertAll`).
 *
 * @category utils
 * @since 0.2.0
 */
export const maxParams = 65_533

// The cast of each column's array, or null when one cannot go as an array: a type the model does not
// give or that is not a plain type name (`typeName`), or an array type (`unnest` would flatten it).
const arrayTypes = (w: Insert): ReadonlyArray<string> | null => {
  const types: unknown = w.types
  if (!Array.isArray(types) || types.length !== w.columns.length || types.length === 0) return null
  const out: Array<string> = []
  for (const t of types as ReadonlyArray<unknown>) {
    const name = elementType(t)
    if (name === null) return null
    out.push(name)
  }
  return out
}

const elementType = (t: unknown): string | null => {
  const name = typeof t === 'string' ? typeName(t) : null
  return name === null || name.endsWith(']') ? null : name
}

/**
 * Whether an insert of this many rows into columns of these SQL types goes as one array per column
 * (`unnest`), provided its values all have a text form (see `Write.insertAll`, which splits the others
 * at `maxParams`).
 *
 * @category utils
 * @since 0.2.0
 */
export const unnests = (types: ReadonlyArray<string | null>, rows: number): boolean =>
  rows >= unnestFrom && types.length > 0 && types.every(t => elementType(t) !== null)

const hex = (b: Uint8Array): string => {
  let s = '\\x'
  for (let i = 0; i < b.length; i++) s += (b[i] as number).toString(16).padStart(2, '0')
  return s
}

// The text of one value as an element of an array literal (quoted, or NULL), as postgres.js would send
// it as a parameter of its own; undefined when it has none here (a plan reference, a placeholder, an
// object that is not a Date or bytes): the insert then goes as `values`, where each is handled as ever.
const element = (v: unknown, json: boolean): string | undefined => {
  if (v === null || v === undefined) return 'NULL'
  if (json) {
    if (isRef(v) || Ex.isPlaceholder(v) || Node.isNode(v)) return undefined
    let text: string | undefined
    try {
      text = JSON.stringify(v)
    } catch {
      return undefined
    }
    // JSON null (null, NaN, a function) is SQL NULL, as for a single JSON parameter.
    return text === undefined || text === 'null' ? 'NULL' : quote(text)
  }
  switch (typeof v) {
    case 'string':
      return quote(v)
    case 'number':
    case 'bigint':
      return `"${String(v)}"`
    case 'boolean':
      return v ? '"t"' : '"f"'
    case 'object':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : `"${v.toISOString()}"`
      if (v instanceof Uint8Array) return quote(hex(v))
      return undefined
    default:
      return undefined
  }
}

// Most texts hold neither a quote nor a backslash: tested once, not rewritten twice.
const escapes = /["\\]/
const quote = (text: string): string =>
  escapes.test(text) ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${text}"`

// The array literal of a column of numbers only, or of strings only (the columns of most bulk inserts),
// made with one `join` rather than one string per element: numbers need no quotes (`{1,2.5,NaN}`), and
// strings without a quote or a backslash need none escaped. Undefined for any other column.
const plainLiteral = (values: ReadonlyArray<unknown>): string | undefined => {
  const kind = typeof values[0]
  if (kind === 'number' || kind === 'bigint') {
    for (let r = 0; r < values.length; r++) if (typeof values[r] !== kind) return undefined
    return `{${values.join(',')}}`
  }
  if (kind !== 'string') return undefined
  let escaped = false
  for (let r = 0; r < values.length; r++) {
    const v = values[r]
    if (typeof v !== 'string') return undefined
    if (!escaped && escapes.test(v)) escaped = true
  }
  return escaped ? `{${values.map(v => quote(v as string)).join(',')}}` : `{"${values.join('","')}"}`
}

// An insert's values column by column, whichever way it holds them: column `c`'s values, in row order,
// and whether they are JSON. Null when a row lacks the column.
const columnOf = (
  w: Insert,
  c: number,
): { readonly values: ReadonlyArray<unknown>; readonly json: ReadonlyArray<boolean> | boolean } | null => {
  const a = w.arrays?.[c]
  if (a !== undefined) return { values: a.value as ReadonlyArray<unknown>, json: a.json === true }
  const values: Array<unknown> = new Array<unknown>(w.rows.length)
  const json: Array<boolean> = new Array<boolean>(w.rows.length)
  for (let r = 0; r < w.rows.length; r++) {
    const p = (w.rows[r] as ReadonlyArray<Param>)[c]
    if (p === undefined) return null
    values[r] = p.value
    json[r] = p.json === true
  }
  return { values, json }
}

// How many rows an insert holds, whichever way.
const rowCount = (w: Insert): number =>
  w.arrays === undefined ? w.rows.length : ((w.arrays[0]?.value as ReadonlyArray<unknown>).length ?? 0)

// `select * from unnest($1::type[], ...)`: each column's values as one array literal, cast to the
// column's type (a column given Dates to timestamptz, the type postgres.js sends a Date as, so that a
// timestamp or date column converts them as it does a single Date). Null when a value has no text form.
const unnest = (ctx: Context, w: Insert, types: ReadonlyArray<string>): string | null => {
  // Every value a parameter, none a plan reference: looked at once (and cached), not here per value.
  if (!valuesOnly(w)) return null
  const arrays: Array<readonly [string, string]> = []
  for (let c = 0; c < w.columns.length; c++) {
    const col = columnOf(w, c)
    if (col === null) return null
    const { values, json } = col
    const plain = json === false ? plainLiteral(values) : undefined
    if (plain !== undefined) {
      arrays.push([plain, types[c] as string])
      continue
    }
    const parts: Array<string> = new Array<string>(values.length)
    let dates = false
    for (let r = 0; r < values.length; r++) {
      const v = values[r]
      const j = typeof json === 'boolean' ? json : json[r] === true
      const e = element(v, j)
      if (e === undefined) return null
      if (!j && v instanceof Date) dates = true
      parts[r] = e
    }
    arrays.push([`{${parts.join(',')}}`, dates ? 'timestamptz' : (types[c] as string)])
  }
  const casts = arrays.map(([a, t]) => `${param(ctx, a)}::${t}[]`)
  return ` (${w.columns.map(ident).join(', ')}) select * from unnest(${casts.join(', ')})`
}

// `values (...), ...`: from the rows' parameters, or from the columns' lists (each value a parameter of
// its own, JSON for a JSON column).
const valuesList = (ctx: Context, w: Insert): string => {
  const arrays = w.arrays
  if (arrays === undefined) return w.rows.map(r => `(${r.map(p => expr(ctx, p)).join(', ')})`).join(', ')
  const out: Array<string> = []
  for (let r = 0; r < rowCount(w); r++)
    out.push(
      `(${arrays
        .map(a => {
          const v = (a.value as ReadonlyArray<unknown>)[r]
          return a.json === true ? jsonParam(ctx, v) : param(ctx, v)
        })
        .join(', ')})`,
    )
  return out.join(', ')
}

type Handlers = {
  readonly [K in Write['_tag']]: (ctx: Context, w: Extract<Write, { readonly _tag: K }>) => string
}

const handlers: Handlers = {
  Insert: (ctx: Context, w: Insert) => {
    const oc = w.onConflict
    const upsert = typeof oc === 'object'
    // An upsert names the target's alias: its `do update set` reads the existing row through it.
    const target = upsert ? `${ident(w.table)} as ${ident(oc.alias)}` : ident(w.table)
    const types = w.select === undefined && rowCount(w) >= unnestFrom ? arrayTypes(w) : null
    const arrays = types === null ? null : unnest(ctx, w, types)
    const body =
      arrays !== null
        ? arrays
        : w.select !== undefined
          ? ` (${w.columns.map(ident).join(', ')}) ${select(ctx, w.select)}`
          : w.columns.length === 0
            ? // A row of defaults only; several such rows need one statement each (see `Plan`).
              ' default values'
            : ` (${w.columns.map(ident).join(', ')}) values ${valuesList(ctx, w)}`
    const conflict = upsert ? conflictClause(ctx, oc) : Object.hasOwn(conflicts, oc) ? conflicts[oc] : ''
    return `insert into ${target}${body}${conflict}${returning(w.returning)}`
  },
  Update: (ctx: Context, w: Update) =>
    `update ${ident(w.binding.table)} as ${ident(w.binding.alias)} set ${assignments(ctx, w.set)}${where(
      ctx,
      w.where,
    )}${returning(w.returning)}`,
  Delete: (ctx: Context, w: Delete) =>
    `delete from ${ident(w.binding.table)} as ${ident(w.binding.alias)}${where(ctx, w.where)}${returning(w.returning)}`,
  // `for key share`: the rows a plan links stay as they are until it commits (what the insert of a row
  // referencing them would lock), without writing them.
  Read: (ctx: Context, w: Read) =>
    `select ${w.returning.map(ident).join(', ')} from ${ident(w.binding.table)} as ${ident(w.binding.alias)}${where(
      ctx,
      w.where,
    )} for key share`,
}

/**
 * The text of a write statement, its values appended to the context's parameters.
 *
 * @category utils
 * @since 0.1.0
 */
export const write = (ctx: Context, w: Write): string =>
  (handlers[w._tag] as (ctx: Context, w: Write) => string)(ctx, w)

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * @category destructors
 * @since 0.1.0
 */
export const toSql = (w: Write): CompiledQuery => {
  const ctx = context()
  return compiled(ctx, write(ctx, w))
}
