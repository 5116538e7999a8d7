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
    const out: Record<string, unknown> = {}
    for (const c of cols) {
      const v = row[c.name]
      const d = c.decode(v)
      if (d === Column.invalid) return E.left(DecodeError.make(table.name, c.name, v, c.expected))
      out[c.name] = d
    }
    return E.right(out)
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

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Decodes every row, stopping at the first failure.
 *
 * @category destructors
 * @since 0.1.0
 */
export const rows = (
  table: Table,
  raw: ReadonlyArray<RawRow>,
): E.Either<DecodeError.DecodeError, ReadonlyArray<Record<string, unknown>>> => {
  const d = forTable(table)
  const out: Array<Record<string, unknown>> = new Array(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const r = d(raw[i] as RawRow)
    if (E.isLeft(r)) return r
    out[i] = r.right
  }
  return E.right(out)
}
