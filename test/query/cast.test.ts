// Fn.cast between the types the query layer knows (issue 15): every pair of a term's type and a cast
// type is prepared on PostgreSQL, so that the casts Fn.cast refuses before any SQL are exactly those
// PostgreSQL refuses (42846, "cannot cast type"), and the casts it accepts run on PostgreSQL and in
// memory with the same result. The one knowing exception: a JSON term (json or jsonb, one type to the
// layer) is cast to text only, as jsonb's other casts depend on the kind of each JSON value.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Fn, Memory, Pg, Query, Schema } from '../../src/index.js'
import { connect, type TestDb } from '../support/db.js'

const targets = ['integer', 'bigint', 'numeric', 'double', 'text', 'boolean', 'date', 'timestamptz'] as const
const sqlOf: Readonly<Record<(typeof targets)[number], string>> = {
  integer: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  double: 'double precision',
  text: 'text',
  boolean: 'boolean',
  date: 'date',
  timestamptz: 'timestamptz',
}

// A column of each declared type, NULL in the one row, so that only the types decide.
const sources = {
  i2: Column.custom(t.number, 'smallint'),
  i4: Column.integer,
  i8: Column.bigint,
  num: Column.numeric,
  f4: Column.custom(t.number, 'real'),
  f8: Column.double,
  txt: Column.text,
  vc: Column.custom(t.string, 'varchar(20)'),
  b: Column.boolean,
  ts: Column.timestamptz,
  d: Column.custom(t.unknown, 'date'),
  js: Column.custom(t.unknown, 'json'),
  jsb: Column.json(t.unknown),
  arr: Column.custom(t.array(t.number), 'integer[]'),
} as const
type Source = keyof typeof sources

const declared: Readonly<Record<Source, string>> = {
  i2: 'smallint',
  i4: 'integer',
  i8: 'bigint',
  num: 'numeric',
  f4: 'real',
  f8: 'double precision',
  txt: 'text',
  vc: 'varchar(20)',
  b: 'boolean',
  ts: 'timestamptz',
  d: 'date',
  js: 'json',
  jsb: 'jsonb',
  arr: 'integer[]',
}

const cols = Object.fromEntries(
  Object.entries(sources).map(([k, c]) => [k, Column.nullable(c as Column.Column<unknown>)]),
) as { readonly [K in Source]: Column.Column<unknown> }
const src = Schema.table('castsrc', 'cast_sources', { id: Column.integer, ...cols })
const M = Schema.modelOrThrow({ castsrc: src }, {})

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  const defs = Object.entries(declared).map(([k, ty]) => `"${k}" ${ty}`)
  await db.sql.unsafe(`create table cast_sources (id integer primary key, ${defs.join(', ')})`)
  await db.sql.unsafe(`insert into cast_sources (id) values (1)`)
  tables = new Map([['cast_sources', await db.sql.unsafe('select * from cast_sources')]])
})
afterAll(async () => {
  await db.close()
})

const castOf = (k: Source, to: (typeof targets)[number]) =>
  pipe(
    Query.from(M, 'castsrc'),
    Query.select(r => ({ x: Fn.cast(r[k], to) })),
  )

describe('Fn.cast refuses exactly the casts PostgreSQL has not', () => {
  it('every pair of a column type and a cast type, prepared on PostgreSQL', async () => {
    const refusedByUs: Array<string> = []
    for (const k of Object.keys(sources) as ReadonlyArray<Source>) {
      for (const to of targets) {
        const pair = `${declared[k]} -> ${to}`
        const q = castOf(k, to)
        const sql = Query.toSql(q)
        const raw = await db.sql.unsafe(`select cast("${k}" as ${sqlOf[to]}) as x from cast_sources`).then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        )
        if (E.isLeft(sql)) {
          refusedByUs.push(pair)
          expect(sql.left, pair).toMatchObject({
            _tag: 'QueryError',
            message: expect.stringMatching(/Fn\.cast: PostgreSQL has no cast from .* to .*/),
          })
          // jsonb casts to numbers and booleans exist, but depend on each value's JSON kind
          if (!(k === 'jsb' && ['integer', 'bigint', 'numeric', 'double', 'boolean'].includes(to)))
            expect(raw, pair).toBe('42846')
        } else {
          // PostgreSQL has no smallint -> boolean, which Fn.cast writes through integer (below)
          expect(raw, pair).toBe(pair === 'smallint -> boolean' ? '42846' : 'ok')
          const pg = await Pg.all(q)(db.sql)()
          const mem = await Memory.all(q)(tables)()
          expect(pg, pair).toEqual(E.right([{ x: null }]))
          expect(mem, pair).toEqual(pg)
        }
      }
    }
    // the list, as PostgreSQL 15 gives it
    expect(refusedByUs).toEqual([
      'smallint -> date',
      'smallint -> timestamptz',
      'integer -> date',
      'integer -> timestamptz',
      'bigint -> boolean',
      'bigint -> date',
      'bigint -> timestamptz',
      'numeric -> boolean',
      'numeric -> date',
      'numeric -> timestamptz',
      'real -> boolean',
      'real -> date',
      'real -> timestamptz',
      'double precision -> boolean',
      'double precision -> date',
      'double precision -> timestamptz',
      'boolean -> bigint',
      'boolean -> numeric',
      'boolean -> double',
      'boolean -> date',
      'boolean -> timestamptz',
      'timestamptz -> integer',
      'timestamptz -> bigint',
      'timestamptz -> numeric',
      'timestamptz -> double',
      'timestamptz -> boolean',
      'date -> integer',
      'date -> bigint',
      'date -> numeric',
      'date -> double',
      'date -> boolean',
      ...['json', 'jsonb', 'integer[]'].flatMap(s =>
        ['integer', 'bigint', 'numeric', 'double', 'boolean', 'date', 'timestamptz'].map(
          to => `${s} -> ${to}`,
        ),
      ),
    ])
  })

  it('names both types and what to write instead', () => {
    const r = Query.toSql(castOf('i8', 'boolean'))
    expect(E.isLeft(r) && r.left).toMatchObject({
      _tag: 'QueryError',
      code: 'InvalidArgument',
      message: expect.stringContaining(
        'Fn.cast: PostgreSQL has no cast from bigint to boolean (42846): compare it with zero instead',
      ),
    })
    // a cast term is of its cast type: cast(cast(b as integer) as bigint) is fine, its bigint is not a boolean
    const twice = pipe(
      Query.from(M, 'castsrc'),
      Query.select(r => ({ x: Fn.cast(Fn.cast(Fn.cast(r.b, 'integer'), 'bigint'), 'boolean') })),
    )
    expect(Query.toSql(twice)).toMatchObject(
      E.left({ message: expect.stringMatching(/from bigint to boolean/) }),
    )
  })

  it('a smallint or integer term is cast to boolean through integer (PostgreSQL has no smallint -> boolean)', async () => {
    await db.sql.unsafe(`insert into cast_sources (id, i2, i4) values (2, 0, 7), (3, -3, 0)`)
    const rows = await db.sql.unsafe('select * from cast_sources')
    const q = pipe(
      Query.from(M, 'castsrc'),
      Query.select(r => ({ id: r.id, a: Fn.cast(r.i2, 'boolean'), b: Fn.cast(r.i4, 'boolean') })),
      Query.orderBy(['id']),
    )
    expect(Query.toSql(q)).toEqual(
      E.right({
        text:
          'select "t0"."id", cast(cast("t0"."i2" as integer) as boolean) as "a", ' +
          'cast(cast("t0"."i4" as integer) as boolean) as "b" from "cast_sources" as "t0" order by "t0"."id" asc',
        params: [],
      }),
    )
    const expected = [
      { id: 1, a: null, b: null },
      { id: 2, a: false, b: true },
      { id: 3, a: true, b: false },
    ]
    expect(await Pg.all(q)(db.sql)()).toEqual(E.right(expected))
    expect(await Memory.all(q)(new Map([['cast_sources', rows]]))()).toEqual(E.right(expected))
  })
})
