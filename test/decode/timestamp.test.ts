// The timestamp reader gives what `new Date(text)` gives, for the text PostgreSQL writes (every offset,
// fraction length and calendar day) and for text around it (out-of-range fields, other shapes), where
// the engine's parser decides.
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Timestamp from '../../src/schema/Timestamp.js'

const pad = (n: number, w: number) => String(n).padStart(w, '0')
const same = (s: string) => {
  const a = Timestamp.parse(s).getTime()
  const b = new Date(s).getTime()
  expect(Number.isNaN(a) ? 'NaN' : a, s).toBe(Number.isNaN(b) ? 'NaN' : b)
}

describe('Timestamp.parse', () => {
  it('equals new Date on generated ISO text, in and out of range (property)', () => {
    const field = (lo: number, hi: number, w: number) => fc.integer({ min: lo, max: hi }).map(n => pad(n, w))
    const text = fc
      .tuple(
        fc.oneof(
          field(0, 9999, 4),
          fc.constantFrom('0000', '0099', '0100', '1970', '2000', '2100', '9999', '20x6'),
        ),
        fc.oneof(field(1, 12, 2), field(0, 19, 2)),
        fc.oneof(field(1, 28, 2), field(0, 35, 2)),
        fc.oneof(field(0, 23, 2), field(0, 25, 2)),
        fc.oneof(field(0, 59, 2), field(0, 61, 2)),
        fc.oneof(field(0, 59, 2), field(0, 61, 2)),
        fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/), fc.constant('.')),
        fc.oneof(
          fc.constant('Z'),
          fc.constant('+00:00'),
          fc
            .tuple(fc.constantFrom('+', '-'), field(0, 25, 2), field(0, 61, 2))
            .map(([s, h, m]) => `${s}${h}:${m}`),
          fc.constantFrom('', 'z', '+05', '+0530', '+05:30:00', ' UTC'),
        ),
        fc.constantFrom('T', 'T', 'T', ' ', 't'),
      )
      .map(([y, mo, d, h, mi, s, f, z, sep]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${f}${z}`)
    fc.assert(
      fc.property(text, s => same(s)),
      { numRuns: 5000 },
    )
  })

  it('equals new Date on the text of every instant PostgreSQL can write, in UTC and with offsets', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0100-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (d, micros, offset) => {
          const local = new Date(d.getTime() + offset * 60000).toISOString().slice(0, 23)
          const z = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`
          same(`${local}${pad(micros, 3)}${z}`)
          same(`${local}${z}`)
          same(d.toISOString())
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('reads the forms it is for, and leaves the rest to the engine', () => {
    expect(Timestamp.parse('2026-01-05T10:00:00.123456+00:00').toISOString()).toBe('2026-01-05T10:00:00.123Z')
    expect(Timestamp.parse('2024-02-29T23:59:59.9-05:30').toISOString()).toBe('2024-03-01T05:29:59.900Z')
    for (const s of [
      '2026-02-30T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '0050-01-01T00:00:00Z',
      'infinity',
      '',
      'x',
    ])
      same(s)
  })
})
