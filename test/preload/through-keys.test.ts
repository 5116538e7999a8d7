// A through with hidden hops loads over its chain: with a one-column target key, the paths carry the
// key only and each target row is read once (two statements); with a composite key, every path carries
// the target's columns (one statement). Both give the walked value, on PostgreSQL and in memory. When
// the last hop is an unfiltered belongs_to on the target's key, the paths read the foreign key and not
// the target (a null or dangling key is then skipped by the load, as the join skipped its path).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Memory, Pg, Preload, Query, Run, Schema } from '../../src/index.js'
import type { Interpreter } from '../../src/run/Interpreter.js'
import { connect, run, type TestDb } from '../support/db.js'

const owner = Schema.table('owner', 'owners', { id: Column.integer })
const visit = Schema.table('visit', 'visits', {
  id: Column.integer,
  owner_id: Column.integer,
  place_id: Column.nullable(Column.integer),
  place_big: Column.bigint,
  region: Column.text,
  code: Column.integer,
  at: Column.integer,
})
const place = Schema.table('place', 'places', { id: Column.integer, name: Column.text })
const mark = Schema.table(
  'mark',
  'marks',
  { visit_id: Column.integer, n: Column.integer, label: Column.text },
  { primaryKey: ['visit_id', 'n'] },
)

const M = Schema.modelOrThrow(
  { owner, visit, place, mark },
  {
    owner: {
      visits: Schema.hasMany('visit', { preloadOrder: ['at', 'id'] }),
      places: Schema.through(['visits', 'place']),
      marks: Schema.through(['visits', 'marks']),
      bPlaces: Schema.through(['visits', 'placeB']),
      bigPlaces: Schema.through(['visits', 'placeBig']),
    },
    visit: {
      place: Schema.belongsTo('place'),
      placeB: Schema.belongsTo('place', { foreignKey: 'place_id', where: { name: 'b' } }),
      // an int8 foreign key to the integer key: read as text, so the paths join the places
      placeBig: Schema.belongsTo('place', { foreignKey: 'place_big' }),
      marks: Schema.hasMany('mark', { preloadOrder: [['desc', 'n']] }),
    },
  },
)

let db: TestDb
beforeAll(async () => {
  db = await connect()
  // no foreign keys: a visit may name a place that does not exist
  await run(db.sql, [
    `create table owners (id integer primary key)`,
    `create table visits (id integer primary key, owner_id integer not null, place_id integer, place_big bigint not null,
       region text not null, code integer not null, at integer not null)`,
    `create table places (id integer primary key, name text not null)`,
    `create table marks (visit_id integer, n integer, label text not null, primary key (visit_id, n))`,
  ])
  await run(db.sql, [
    `insert into owners values (1), (2), (3)`,
    `insert into places values (10, 'a'), (11, 'b'), (12, 'c')`,
    `insert into marks values (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c'), (5, 1, 'd'), (9, 1, 'orphan')`,
    // owner 1 visits 11, 10, 11 again, a dangling place 99, no place; owner 2 visits 12; owner 3 nothing
    `insert into visits values (1, 1, 11, 11, 'n', 1, 5), (2, 1, 10, 10, 's', 1, 3), (3, 1, 11, 11, 'n', 2, 7),
       (4, 1, 99, 99, 'x', 9, 8), (5, 2, 12, 12, 'n', 2, 1), (6, 1, null, 98, 'x', 3, 9)`,
  ])
})
afterAll(async () => db.close())

// One through per query: a hop shared by two throughs is loaded (and walked) once for both.
const owners = pipe(Query.from(M, 'owner'), Query.orderBy(['id']))
const q = (hops: 'show' | 'hide', name: 'places' | 'marks'): Query.AnyQuery =>
  (name === 'places'
    ? pipe(owners, Query.preload({ places: Preload.query({ hops }) }))
    : pipe(owners, Query.preload({ marks: Preload.query({ hops }) }))) as unknown as Query.AnyQuery

type Rows = ReadonlyArray<Readonly<Record<string, unknown>>>

const load = async (hops: 'show' | 'hide', name: 'places' | 'marks', strategy: Preload.Strategy) => {
  const r = await Pg.all(q(hops, name), { strategy })(db.sql)()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right.map(o => o[name] as Rows)
}

describe('throughs loaded over their chain', () => {
  it('equal the walked value, with a one-column and with a composite target key', async () => {
    const places = await load('hide', 'places', 'batched')
    const marks = await load('hide', 'marks', 'batched')
    // walk order: owner 1's visits by `at`: 2 (10), 1 (11), 3 (11 again), 4 (a place that does not
    // exist), 6 (no place)
    expect(places.map(ps => ps.map(p => p['id']))).toEqual([[10, 11], [12], []])
    // marks by visit in walk order (visits by `at`: 2, 1, 3, 4, 6), each visit's marks by n desc
    expect(marks.map(ms => ms.map(m => m['label']))).toEqual([['c', 'b', 'a'], ['d'], []])
    for (const strategy of ['batched', 'lateral'] as const) {
      expect(await load('show', 'places', strategy)).toEqual(places)
      expect(await load('show', 'marks', strategy)).toEqual(marks)
    }
    expect(await load('hide', 'places', 'lateral')).toEqual(places)
    expect(await load('hide', 'marks', 'lateral')).toEqual(marks)
    const tables: Memory.Tables = new Map(
      await Promise.all(
        ['owners', 'visits', 'places', 'marks'].map(
          async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
        ),
      ),
    )
    for (const name of ['places', 'marks'] as const) {
      const mem = await Run.all(q('hide', name))(Memory.interpreter(tables))()
      if (E.isLeft(mem)) throw new Error('memory failed')
      expect(mem.right.map(o => o[name])).toEqual(name === 'places' ? places : marks)
    }
  })

  it('selects: the root, the one-column key through in two, the composite key through in one', async () => {
    const pg = Pg.interpreter(db.sql)
    const selects: Array<ReadonlyArray<string>> = []
    const counting: Interpreter = {
      ...pg,
      select: s => {
        selects.push(s.columns.map(c => c.name))
        return pg.select(s)
      },
    }
    const selectsOf = async (name: 'places' | 'marks') => {
      selects.length = 0
      const r = await Run.all(q('hide', name), { strategy: 'batched' })(counting)()
      if (E.isLeft(r)) throw new Error('load failed')
      return [...selects]
    }
    expect(await selectsOf('places')).toEqual([['id'], ['id', '__owner'], ['id', 'name']])
    expect(await selectsOf('marks')).toEqual([['id'], ['visit_id', 'n', 'label', '__owner']])
  })

  it('the key-only paths skip the target unless it is filtered; both give the walked value', async () => {
    const pg = Pg.interpreter(db.sql)
    let tables: Array<ReadonlyArray<string>> = []
    const recording: Interpreter = {
      ...pg,
      select: s => {
        tables.push([s.from.table, ...s.joins.map(j => j.binding.table)])
        return pg.select(s)
      },
    }
    // one through per query (two throughs starting with the same hop are walked)
    const of = (name: 'places' | 'bPlaces' | 'bigPlaces', hops: 'show' | 'hide') =>
      name === 'places'
        ? pipe(owners, Query.preload({ places: Preload.query({ hops }) }))
        : name === 'bPlaces'
          ? pipe(owners, Query.preload({ bPlaces: Preload.query({ hops }) }))
          : pipe(owners, Query.preload({ bigPlaces: Preload.query({ hops }) }))
    const load = async (
      name: 'places' | 'bPlaces' | 'bigPlaces',
      hops: 'show' | 'hide',
      strategy: Preload.Strategy,
      i: Interpreter,
    ) => {
      tables = []
      const r = await Run.all(of(name, hops) as unknown as Query.AnyQuery, { strategy })(i)()
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right.map(o => (o[name] as Rows).map(p => p['id']))
    }
    // the paths of `places` read visits only (the place key is the visit's), then the places
    expect(await load('places', 'hide', 'batched', recording)).toEqual([[10, 11], [12], []])
    expect(tables).toEqual([['owners'], ['visits'], ['places']])
    // those of `bPlaces` (places named 'b') join the places, whose filter decides the paths
    expect(await load('bPlaces', 'hide', 'batched', recording)).toEqual([[11], [], []])
    expect(tables).toEqual([['owners'], ['places', 'visits'], ['places']])
    // those of `bigPlaces` too: its int8 foreign key does not read as the places' integer key
    expect(await load('bigPlaces', 'hide', 'batched', recording)).toEqual([[10, 11], [12], []])
    expect(tables).toEqual([['owners'], ['places', 'visits'], ['places']])
    for (const name of ['places', 'bPlaces', 'bigPlaces'] as const) {
      const walked = await load(name, 'show', 'batched', pg)
      expect(await load(name, 'hide', 'batched', pg)).toEqual(walked)
      expect(await load(name, 'hide', 'lateral', pg)).toEqual(walked)
    }
  })
})
