// Text for a `numeric` column (issue 15): the column's codec reads what PostgreSQL's `numeric` input
// reads and nothing else. Each text is first asked of the server itself (`select $1::numeric::text`),
// so the codec is held to PostgreSQL's answer, not to a list written here: what it refuses (22P02 /
// 22003) the codec rejects, what it reads the codec decodes to the text PostgreSQL prints. Then writes:
// an insert, an update, an upsert's set and an updateAll with refused text are a WriteError naming the
// schema, the column and the value before any SQL; accepted text writes the same rows on PostgreSQL and
// in memory.
import * as E from 'fp-ts/lib/Either.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Query, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { differential } from './agree.js'

const item = Schema.table(
  'item',
  'numtext_items',
  { id: Column.serial, sku: Column.text, price: Column.numeric, cost: Column.nullable(Column.numeric) },
  { unique: ['sku'] },
)
const M = Schema.modelOrThrow({ item }, {})

const state = async (sql: postgres.Sql): Promise<Map<string, ReadonlyArray<RawRow>>> =>
  new Map([
    [
      'numtext_items',
      [...(await sql.unsafe('select * from numtext_items order by id'))].map(r => ({ ...r })),
    ],
  ])
const { agree } = differential(state, tables => new Map(tables))

let db: TestDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => {
  await db.sql.unsafe('drop table if exists numtext_items')
  await db.close()
})
beforeEach(async () => {
  const ddl = Ddl.ddl(M)
  if (E.isLeft(ddl)) throw new Error(ddl.left.message)
  await run(db.sql, [
    'drop table if exists numtext_items',
    ...ddl.right,
    `insert into numtext_items (id, sku, price, cost) values (1, 'a', 1.50, null)`,
    `select setval(pg_get_serial_sequence('numtext_items', 'id'), 2, false)`,
  ])
})

const texts: ReadonlyArray<string> = [
  // read
  '12.50',
  '0',
  '1e5',
  '1E-3',
  '1.5e+3',
  '1.50e-1',
  ' 1.5 ',
  '\t1\n',
  '\r\v\f7',
  '+1.5',
  '.5',
  '5.',
  '007.50',
  '-0',
  '-0.00',
  '-.0e-3',
  '0.000e2',
  '+.5e2',
  'NaN',
  'nan',
  ' NaN ',
  'Infinity',
  '-Infinity',
  '+Infinity',
  'inf',
  '-INF',
  ' -infinity ',
  '1e131071',
  '100e131069',
  '1e-16383',
  '0e999999',
  '0.0e200000',
  // refused: not numeric text (22P02)
  'abc',
  '',
  ' ',
  '.',
  '1e',
  'e5',
  '1e+',
  '1 e5',
  '1 2',
  '--1',
  '+-1',
  '+NaN',
  '-NaN',
  'NaN1',
  'Inf inity',
  '1,5',
  '\u0661',
  '\u00a01',
  '1\u2028',
  // refused: beyond numeric's limits (22003)
  '1e131072',
  '1e-16384',
  '1000e-16386',
  '0e-999999',
  '1e1073741822',
  '1e2147483648',
]
// Text that some supported PostgreSQL versions read and others refuse: refused by the codec, so that
// no server refuses a value it accepted (blanks before the exponent's digits are read up to 15; `_`
// between digits and 0x / 0o / 0b integers from 16; the exponent of a zero at INT_MAX / 2 from 18).
const versionDependent: ReadonlyArray<string> = [
  '1e 5',
  '1e\t+5',
  '1_000',
  '1.000_5',
  '1e1_0',
  '0x1A',
  '-0X1a',
  '0o17',
  '0b101',
  '0e1073741823',
]

describe('the numeric codec reads text as PostgreSQL does', () => {
  it('each text: refused by both, or read as the text PostgreSQL prints', async () => {
    const decode = Column.fastDecoder(Column.numeric.codec)
    let refused = 0
    for (const text of texts) {
      const pg = await db.sql.unsafe<Array<{ v: string }>>('select $1::numeric::text as v', [text]).then(
        rows => ({ ok: rows[0]?.v }) as const,
        (e: { code?: string }) => ({ code: e.code }) as const,
      )
      const ours = decode(text)
      const io = Column.numeric.codec.decode(text)
      if ('code' in pg) {
        refused++
        expect(['22P02', '22003'], JSON.stringify(text)).toContain(pg.code)
        expect(ours, JSON.stringify(text)).toBe(Column.invalid)
        expect(E.isLeft(io), JSON.stringify(text)).toBe(true)
      } else {
        expect(ours, JSON.stringify(text)).toBe(pg.ok)
        expect(io, JSON.stringify(text)).toEqual(E.right(pg.ok))
        // PostgreSQL's output is the codec's own form
        expect(Column.numeric.codec.is(pg.ok), JSON.stringify(pg.ok)).toBe(true)
      }
    }
    // both kinds of answer occurred
    expect(refused).toBeGreaterThan(20)
    expect(texts.length - refused).toBeGreaterThan(20)
  })

  it('text only some PostgreSQL versions read is refused', () => {
    for (const text of versionDependent) {
      expect(Column.fastDecoder(Column.numeric.codec)(text), JSON.stringify(text)).toBe(Column.invalid)
      expect(E.isLeft(Column.numeric.codec.decode(text)), JSON.stringify(text)).toBe(true)
    }
  })

  it('values that are not text are not numeric values', () => {
    for (const v of [42, 1.5, null, undefined, {}, ['1'], 10n, new String('1')])
      expect(Column.fastDecoder(Column.numeric.codec)(v)).toBe(Column.invalid)
  })
})

// The WriteError of a refused plan: schema, column and the value in its message.
const refusedWrite = (r: E.Either<unknown, unknown>, column: string, value: string) => {
  expect(E.isLeft(r) && r.left).toMatchObject({
    _tag: 'WriteError',
    code: 'InvalidValue',
    schema: 'item',
    column,
    message: expect.stringContaining(
      `invalid value ${JSON.stringify(value)} for column '${column}' of schema 'item'`,
    ),
  })
}

describe('writes of numeric text', () => {
  const bad = ['abc', '1,5', '+NaN', '1e131072', ' ']
  it('an insert, insertAll, update, upsert set and updateAll of refused text: a WriteError before any SQL', () => {
    for (const v of bad) {
      refusedWrite(Write.insert(M, 'item', { sku: 'x', price: v }), 'price', v)
      refusedWrite(
        Write.insertAll(M, 'item', [
          { sku: 'x', price: '1' },
          { sku: 'y', price: '1', cost: v },
        ]),
        'cost',
        v,
      )
      refusedWrite(
        Write.update(M, 'item', { id: 1, sku: 'a', price: '1.50', cost: null }, { price: v }),
        'price',
        v,
      )
      refusedWrite(
        Write.insert(
          M,
          'item',
          { sku: 'a', price: '2' },
          { onConflict: { target: ['sku'], action: { update: { cost: v } } } },
        ),
        'cost',
        v,
      )
      refusedWrite(Write.updateAll(Query.from(M, 'item'), { price: v }), 'price', v)
    }
  })

  it('accepted text writes the value PostgreSQL stores, on both interpreters', async () => {
    const plan = Write.insertAll(M, 'item', [
      { sku: 'b', price: ' 1.50e1 ', cost: '-inf' },
      { sku: 'c', price: '007', cost: '-0.00' },
      { sku: 'd', price: '1E-3', cost: ' NaN ' },
    ])
    if (E.isLeft(plan)) throw new Error(plan.left.message)
    const o = await agree(db.sql, plan.right)
    expect(o.memory).toEqual(o.pg)
    expect(o.memoryState).toEqual(o.pgState)
    expect(o.pgState.get('numtext_items')?.map(r => [r['price'], r['cost']])).toEqual([
      ['1.50', null],
      ['15.0', '-Infinity'],
      ['7', '0.00'],
      ['0.001', 'NaN'],
    ])
    // and an upsert's set, over the conflicting row
    const upsert = Write.insert(
      M,
      'item',
      { sku: 'a', price: '2' },
      { onConflict: { target: ['sku'], action: { update: { cost: '2.5e1' } } } },
    )
    if (E.isLeft(upsert)) throw new Error(upsert.left.message)
    const u = await agree(db.sql, upsert.right)
    expect(u.memoryState).toEqual(u.pgState)
    expect(u.pgState.get('numtext_items')?.[0]).toMatchObject({ sku: 'a', cost: '25' })
  })
})
