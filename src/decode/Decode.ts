/**
 * Decoding of rows with the tables' io-ts codecs. A decoder is compiled once per table (a list of
 * column/decoder pairs, cached). Each column decodes with its codec's fast decoder
 * (`Column.fastDecoder`): the built-in codecs check a value with one `typeof` and convert what needs it
 * (ISO text read from JSON into a `Date`) without building an `Either` per value; other codecs keep a
 * value they accept as-is (`is`) and `decode` anything else. A rejected value is a `DecodeError` naming table, column and value.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as DecodeError from '../error/DecodeError.js'
import * as Column from '../schema/Column.js'
import type { Table } from '../schema/Table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * @category model
 * @since 0.1.0
 */
export type RawRow = Readonly<Record<string, unknown>>

/**
 * @category model
 * @since 0.1.0
 */
export type RowDecoder = (row: RawRow) => E.Either<DecodeError.DecodeError, Record<string, unknown>>

/**
 * One column of a compiled decoder: its name, its fast decoder, and what it expects (for errors).
 *
 * @category model
 * @since 0.1.0
 */
export interface ColumnDecoder {
  readonly name: string
  readonly decode: Column.FastDecoder<unknown>
  readonly expected: string
  /**
   * For a decoder that keeps NULL as null and decodes any other value with another decoder (a nullable
   * output): that other decoder, which the in-place walk (`rowsWith`) calls itself after reading a NULL
   * as null (one call less per value). `decode` must then be exactly that.
   *
   * @since 0.2.0
   */
  readonly nonNull?: Column.FastDecoder<unknown>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const cache = new WeakMap<Table, RowDecoder>()
const columns = new WeakMap<Table, ReadonlyArray<ColumnDecoder>>()

/**
 * The decoder of a table's rows (compiled once, cached per table value).
 *
 * @category constructors
 * @since 0.1.0
 */
export const forTable = (table: Table): RowDecoder => {
  const hit = cache.get(table)
  if (hit !== undefined) return hit
  const cols = columnsOf(table)
  const decoder: RowDecoder = row => {
    const out = decodeRow(cols, row)
    return typeof out === 'number' ? E.left(errorOf(table, cols, row, out)) : E.right(out)
  }
  cache.set(table, decoder)
  return decoder
}

/**
 * A table's columns with their fast decoders (compiled once, cached per table value), for decoders
 * that build rows of their own (the lateral strategy's nested JSON).
 *
 * @category constructors
 * @since 0.1.0
 */
export const columnsOf = (table: Table): ReadonlyArray<ColumnDecoder> => {
  const hit = columns.get(table)
  if (hit !== undefined) return hit
  const cols = Object.freeze(
    [...table.columns].map(([name, c]) =>
      Object.freeze({ name, decode: Column.fastDecoder(c.codec), expected: c.codec.name }),
    ),
  )
  columns.set(table, cols)
  return cols
}

/**
 * Whether the rows of one result may be decoded in place: the rows are not frozen and have exactly the
 * table's columns. An interpreter hands its rows over to the caller (`Interpreter.select`), and one
 * that keeps them freezes them (the memory interpreter); the PostgreSQL interpreter's rows are fresh
 * objects of the driver, which are then completed instead of copied.
 *
 * @category utils
 * @since 0.1.0
 */
export const ownable = (cols: ReadonlyArray<ColumnDecoder>, raw: ReadonlyArray<RawRow>): boolean => {
  const first = raw[0]
  if (first === undefined || Object.isFrozen(first)) return false
  const keys = Object.keys(first)
  return keys.length === cols.length && cols.every(c => Object.hasOwn(first, c.name))
}

/**
 * One row decoded column by column into a new row built field by field (every row then follows the
 * same chain of shapes as associations are added), the raw row left as it was. A rejected value gives
 * the index of its column instead (`errorOf` names it). Rows handed over to be completed in place go
 * through `rows`.
 *
 * @category utils
 * @since 0.1.0
 */
export const decodeRow = (
  cols: ReadonlyArray<ColumnDecoder>,
  raw: RawRow,
): Record<string, unknown> | number => {
  const row: Record<string, unknown> = {}
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k] as ColumnDecoder
    const d = c.decode(raw[c.name])
    if (d === Column.invalid) return k
    row[c.name] = d
  }
  return row
}

/**
 * The `DecodeError` of the column `decodeRow` rejected (by index).
 *
 * @category utils
 * @since 0.1.0
 */
export const errorOf = (
  table: Table,
  cols: ReadonlyArray<ColumnDecoder>,
  raw: RawRow,
  at: number,
): DecodeError.DecodeError => {
  const c = cols[at]
  return c === undefined
    ? DecodeError.make(table.name, '(row)', raw, 'a row')
    : DecodeError.make(table.name, c.name, raw[c.name], c.expected)
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Decodes every row, stopping at the first failure. The rows of a result an interpreter hands over
 * (`ownable`) are completed in place: each row's fields are walked in their own order (a `for...in`,
 * which V8 reads by the shape's field index instead of looking each column name up), matched against
 * the first row's column order; a row that differs from it (another shape, a frozen row) is decoded
 * column by column into a new row.
 *
 * @category destructors
 * @since 0.1.0
 */
export const rows = (
  table: Table,
  raw: ReadonlyArray<RawRow>,
): E.Either<DecodeError.DecodeError, Array<Record<string, unknown>>> => {
  const cols = columnsOf(table)
  return rowsWith(cols, raw, (row, at) => errorOf(table, cols, row, at))
}

/**
 * `rows` over any list of column decoders: a table's (`columnsOf`) or a projection's outputs, each a
 * name (the key of the raw row and of the decoded row), a fast decoder and what it expects. Rows handed
 * over unfrozen, with exactly these keys, are completed in place (in the first row's key order; a row
 * of another shape, or a frozen one, is decoded into a new row in the list's order); `error` makes the
 * `DecodeError` of the value rejected in `row` at index `at` of `cols` (its raw value is still there).
 * Only for rows nothing else reads afterwards: a value read again would be the decoded one.
 *
 * @category destructors
 * @since 0.2.0
 */
export const rowsWith = (
  cols: ReadonlyArray<ColumnDecoder>,
  raw: ReadonlyArray<RawRow>,
  error: (row: RawRow, at: number) => DecodeError.DecodeError,
): E.Either<DecodeError.DecodeError, Array<Record<string, unknown>>> => {
  const order = orderOf(cols, raw[0])
  const out: Array<Record<string, unknown>> = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const row = raw[i] as RawRow
    if (order !== undefined) {
      const k = decodeInOrder(order, row)
      if (k === order.names.length) {
        out[i] = row as Record<string, unknown>
        continue
      }
      if (k >= 0) return E.left(error(row, order.at[k] as number))
    }
    const d = decodeRow(cols, row)
    if (typeof d === 'number') return E.left(error(row, d))
    out[i] = d
  }
  return E.right(out)
}

interface Order {
  /** The column names in the first row's order. */
  readonly names: ReadonlyArray<string>
  /** Each column's decoder of a non-null value where `nulls` says NULL is kept (`nonNull`), else its decoder. */
  readonly decoders: ReadonlyArray<Column.FastDecoder<unknown>>
  /** Whether each column keeps NULL as null. */
  readonly nulls: ReadonlyArray<boolean>
  /** The index in `cols` of each name. */
  readonly at: ReadonlyArray<number>
}

// The order of the columns as the list gives them (a table's columns, a projection's outputs), built
// once per list: the order of nearly every result (the compiler selects the columns in that order).
const tableOrders = new WeakMap<ReadonlyArray<ColumnDecoder>, Order>()

const tableOrder = (cols: ReadonlyArray<ColumnDecoder>): Order => {
  const hit = tableOrders.get(cols)
  if (hit !== undefined) return hit
  const order: Order = {
    names: cols.map(c => c.name),
    decoders: cols.map(c => c.nonNull ?? c.decode),
    nulls: cols.map(c => c.nonNull !== undefined),
    at: cols.map((_, k) => k),
  }
  tableOrders.set(cols, order)
  return order
}

// `ownable` and the first row's order in one reading of its keys: undefined when the rows are not
// ownable; the cached table order when the keys come in the table's order (no search per column).
const orderOf = (cols: ReadonlyArray<ColumnDecoder>, first: RawRow | undefined): Order | undefined => {
  if (first === undefined || Object.isFrozen(first)) return undefined
  const names = Object.keys(first)
  if (names.length !== cols.length) return undefined
  let same = true
  for (let k = 0; k < cols.length; k++)
    if (names[k] !== (cols[k] as ColumnDecoder).name) {
      same = false
      break
    }
  if (same) return tableOrder(cols)
  if (!cols.every(c => Object.hasOwn(first, c.name))) return undefined
  const at = names.map(n => cols.findIndex(c => c.name === n))
  const ordered = at.map(k => cols[k] as ColumnDecoder)
  return {
    names,
    decoders: ordered.map(c => c.nonNull ?? c.decode),
    nulls: ordered.map(c => c.nonNull !== undefined),
    at,
  }
}

// Whether a write to a frozen object throws, as it does in strict code (a module is).
const writesThrow = ((): boolean => {
  try {
    ;(Object.freeze({ a: 0 }) as { a: number }).a = 1
    return false
  } catch {
    return true
  }
})()

// A row of the first row's shape decoded in place: the number of columns (all accepted), the index in
// `order` of a rejected one, or -1 when the row has another shape or is frozen (nothing rejected; the
// columns before the difference may hold their decoded values, which decode to themselves again). A
// frozen row is found without asking each row (`Object.isFrozen` costs about as much as decoding a
// count): a write to it throws (modules are strict code) before anything of it changed, and a row that
// took no write is asked at its end (or at a rejected value). Should this code run as sloppy code (a
// bundle that dropped its strictness), where such a write is silently ignored, every row is asked first.
const decodeInOrder = (order: Order, raw: RawRow): number => {
  const row = raw as Record<string, unknown>
  if (!writesThrow && Object.isFrozen(row)) return -1
  const { names, decoders, nulls } = order
  let k = 0
  let wrote = false
  for (const name in row) {
    if (name !== names[k]) return -1
    const v = row[name]
    if (v === null && nulls[k] === true) {
      k++
      continue
    }
    const d = (decoders[k] as Column.FastDecoder<unknown>)(v)
    // a frozen row took no write: asked, so that it is decoded into a new row as any frozen row is
    if (d === Column.invalid) return !wrote && Object.isFrozen(row) ? -1 : k
    if (d !== v) {
      try {
        row[name] = d
      } catch {
        return -1
      }
      wrote = true
    }
    k++
  }
  return k !== names.length || (!wrote && Object.isFrozen(row)) ? -1 : k
}
