/**
 * Decoding of rows with the tables' io-ts codecs. A decoder is compiled once per table (a list of
 * column/codec pairs, cached); a value the codec already accepts as-is (`is`) is kept without
 * re-validation, anything else goes through `decode` (which, for example, turns ISO text read from JSON
 * into a `Date`). A rejected value is a `DecodeError` naming table, column and value.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as DecodeError from '../error/DecodeError.js'
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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const cache = new WeakMap<Table, RowDecoder>()

/**
 * The decoder of a table's rows (compiled once, cached per table value).
 *
 * @category constructors
 * @since 0.1.0
 */
export const forTable = (table: Table): RowDecoder => {
  const hit = cache.get(table)
  if (hit !== undefined) return hit
  const cols = [...table.columns].map(([name, c]) => ({ name, codec: c.codec }))
  const decoder: RowDecoder = row => {
    const out: Record<string, unknown> = {}
    for (const { name, codec } of cols) {
      const v = row[name]
      if (codec.is(v)) {
        out[name] = v
        continue
      }
      const d = codec.decode(v)
      if (E.isLeft(d)) return E.left(DecodeError.make(table.name, name, v, codec.name))
      out[name] = d.right
    }
    return E.right(out)
  }
  cache.set(table, decoder)
  return decoder
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
