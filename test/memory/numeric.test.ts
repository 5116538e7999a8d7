// Numeric arithmetic with an infinity and a finite value beyond the double range: the finite side
// counts by its sign only (found by test/property/algebra: -Infinity + 2e323 summed as doubles was NaN).
import * as E from 'fp-ts/lib/Either.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from 'vitest'
import * as Numeric from '../../src/interpreter/memory/Numeric.js'
import { connect, type TestDb } from '../support/db.js'

let db: TestDb
let sql: postgres.Sql
beforeAll(async () => {
  db = await connect()
  sql = db.sql
})
afterAll(async () => db.close())

const huge = `2${'0'.repeat(323)}`
const cases: ReadonlyArray<readonly [Numeric.Op, string, string]> = [
  ['add', '-Infinity', huge],
  ['add', huge, 'Infinity'],
  ['sub', huge, 'Infinity'],
  ['sub', 'Infinity', `-${huge}`],
  ['mul', '-Infinity', `-${huge}`],
  ['mul', 'Infinity', '0'],
  ['add', 'Infinity', '-Infinity'],
]

it.each(cases)('%s(%s, …) as PostgreSQL computes it', async (op, a, b) => {
  const symbol = { add: '+', sub: '-', mul: '*', div: '/', mod: '%' }[op]
  const rows = await sql.unsafe(`select ($1::numeric ${symbol} $2::numeric)::text as r`, [a, b])
  expect(Numeric.arith(op, false, a, b)).toEqual(E.right(rows[0]?.['r']))
})

it('sum over an infinity and a finite value beyond the double range', async () => {
  const rows = await sql.unsafe(`select sum(x)::text as r from unnest($1::numeric[]) as v(x)`, [
    ['-Infinity', huge],
  ])
  expect(rows[0]?.['r']).toBe('-Infinity')
  expect(Numeric.sum(['-Infinity', huge])).toEqual(E.right('-Infinity'))
})
