// A preload's order over a bigint, numeric or double column (its `preloadOrder`, or a custom
// `orderBy`, with and without a per-parent limit): the memory interpreter orders the values as
// PostgreSQL does, by value, not their text ('-9007199254740993' before '-3', '10.5' after '9.5').
// Found by the top-N property (test/property/preload.test.ts, seed -1376803452).
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Memory, Pg, Preload, Query, Schema } from '../../src/index.js'
import { connect, run, type TestDb } from '../support/db.js'

const owner = Schema.table('owner', 'pot_owners', { id: Column.serial })
const item = Schema.table('item', 'pot_items', {
  id: Column.serial,
  owner_id: Column.integer,
  big: Column.bigint,
  dec: Column.numeric,
  dbl: Column.double,
})
const M = Schema.modelOrThrow(
  { owner, item },
  {
    owner: {
      items: Schema.hasMany('item'),
      byBig: Schema.hasMany('item', { preloadOrder: [['desc', 'big']] }),
    },
  },
)

const items = [
  { id: 1, owner_id: 1, big: '-3', dec: '9.5', dbl: 2 },
  { id: 2, owner_id: 1, big: '-9007199254740993', dec: '10.5', dbl: 10 },
  { id: 3, owner_id: 1, big: '12', dec: '-1', dbl: -2 },
  { id: 4, owner_id: 2, big: '100', dec: '2', dbl: 9 },
  { id: 5, owner_id: 2, big: '9', dec: '11', dbl: 100 },
] as const

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    'drop table if exists pot_items',
    'drop table if exists pot_owners',
    'create table pot_owners (id integer primary key)',
    `create table pot_items (id integer primary key, owner_id integer not null references pot_owners,
       big bigint not null, dec numeric not null, dbl double precision not null)`,
    'insert into pot_owners values (1), (2)',
  ])
  for (const r of items)
    await db.sql`insert into pot_items ${db.sql(r as unknown as Record<string, unknown>)}`
  tables = new Map<string, ReadonlyArray<Readonly<Record<string, unknown>>>>([
    ['pot_owners', await db.sql.unsafe('select * from pot_owners order by id')],
    ['pot_items', await db.sql.unsafe('select * from pot_items order by id')],
  ])
})
afterAll(async () => {
  await db.sql.unsafe('drop table if exists pot_items')
  await db.sql.unsafe('drop table if exists pot_owners')
  await db.close()
})

const owners = pipe(Query.from(M, 'owner'), Query.orderBy(['id']))
const idsOf = (r: unknown, name: string): ReadonlyArray<ReadonlyArray<number>> => {
  const rows = (
    r as { readonly right: ReadonlyArray<Readonly<Record<string, ReadonlyArray<{ id: number }>>>> }
  ).right
  return rows.map(o => (o[name] ?? []).map(i => i.id))
}

describe('a preload ordered by a number column of text values', () => {
  for (const [column, dir, expected] of [
    [
      'big',
      'asc',
      [
        [2, 1, 3],
        [5, 4],
      ],
    ],
    [
      'dec',
      'desc',
      [
        [2, 1, 3],
        [5, 4],
      ],
    ],
    [
      'dbl',
      'asc',
      [
        [3, 1, 2],
        [4, 5],
      ],
    ],
  ] as const)
    it(`orders by ${column} ${dir} by value, every strategy and memory, with and without a limit`, async () => {
      for (const limit of [undefined, 1, 2] as const) {
        const q = pipe(
          owners,
          Query.preload({
            items: Preload.query(
              limit === undefined ? { orderBy: [[dir, column]] } : { orderBy: [[dir, column]], limit },
              {},
            ),
          }),
        )
        const want = expected.map(ids => ids.slice(0, limit ?? ids.length))
        for (const strategy of ['batched', 'lateral'] as const)
          expect(idsOf(await Pg.all(q, { strategy })(db.sql)(), 'items')).toEqual(want)
        expect(idsOf(await Memory.all(q)(tables)(), 'items')).toEqual(want)
      }
    })

  it("orders by the association's preloadOrder over a bigint column by value", async () => {
    const q = pipe(owners, Query.preload({ byBig: Preload.query({ limit: 1 }, {}) }))
    expect(idsOf(await Pg.all(q)(db.sql)(), 'byBig')).toEqual([[3], [4]])
    expect(idsOf(await Memory.all(q)(tables)(), 'byBig')).toEqual([[3], [4]])
    const all = pipe(owners, Query.preload({ byBig: true }))
    expect(idsOf(await Memory.all(all)(tables)(), 'byBig')).toEqual([
      [3, 1, 2],
      [4, 5],
    ])
  })
})
