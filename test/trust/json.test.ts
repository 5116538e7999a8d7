// Values of json/jsonb columns reach PostgreSQL as JSON (issue 13, memory and PostgreSQL agree).
// postgres.js 3.4.9 types a parameter by its JavaScript value: `true`/`false` as boolean, a Date as
// timestamptz, and an array by its first element, recursively (`[[false]]` is a boolean), so such JSON
// values failed on PostgreSQL (42804, 42883) while memory accepted them, and a list of nested arrays in
// `= any($n)` became a multidimensional PostgreSQL array. Every write path, filter, prepared placeholder
// and preload filter below runs on both interpreters, and the stored values and rows are compared.
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Column, Memory, Pg, Pred, Preload, Prepared, Query, Schema } from '../../src/index.js'
import type { RawRow } from '../../src/run/Interpreter.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'

// `b` is jsonb (Column.json), `j` is json (Column.custom): both nullable.
const folder = Schema.table('folder', 'json_folders', { id: Column.serial, name: Column.text })
const doc = Schema.table('doc', 'json_values', {
  id: Column.serial,
  folder_id: Column.nullable(Column.integer),
  b: Column.nullable(Column.json(t.unknown)),
  j: Column.nullable(Column.custom(t.unknown, 'json')),
})
const M = Schema.modelOrThrow(
  { folder, doc },
  {
    folder: {
      docs: Schema.hasMany('doc'),
      // An association filter on a JSON column: a boolean went out as boolean (jsonb = boolean).
      trueDocs: Schema.hasMany('doc', { where: { b: true } }),
    },
  },
)
const tables = ['json_folders', 'json_values']

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

// The values of the issue, with what PostgreSQL stores for each (its JSON text read back).
const values: ReadonlyArray<unknown> = [
  [[false]],
  [false],
  [true, 1],
  ['a', 'b'],
  [],
  {},
  { a: [1, { b: null }] },
  'text',
  1.5,
  true,
  false,
  null,
  { at: new Date(0), list: [new Date(86_400_000)] },
  new Date(0),
  [new Date(0)],
  [
    [1, 2],
    [3, 4],
  ],
  [['a'], ['b', 'c']],
]
const stored = (v: unknown): unknown => (v === null ? null : JSON.parse(JSON.stringify(v)))

let db: TestDb
// The memory interpreter's tables, kept in step with PostgreSQL's.
let mem: ReadonlyMap<string, ReadonlyArray<RawRow>>
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())
beforeEach(async () => {
  await run(db.sql, [`drop table if exists ${tables.join(', ')} cascade`, ...right(Ddl.ddl(M))])
  await run(db.sql, [`insert into json_folders (name) values ('inbox')`])
  mem = new Map([
    ['json_folders', [{ id: 1, name: 'inbox' }]],
    ['json_values', []],
  ])
})

const byId = (rows: ReadonlyArray<RawRow>) =>
  [...rows].map(r => ({ ...r })).sort((x, y) => Number(x['id']) - Number(y['id']))

// Runs a plan on both interpreters; both succeed and hold the same rows afterwards.
const write = async <A>(plan: Write.Plan<A>): Promise<void> => {
  const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
  const m = Write.runPure(plan)(mem)
  expect({ pg: E.isRight(pg) ? 'ok' : pg.left, memory: E.isRight(m) ? 'ok' : m.left }).toEqual({
    pg: 'ok',
    memory: 'ok',
  })
  mem = right(m).tables
  await same()
}
const same = async (): Promise<void> => {
  for (const table of tables)
    expect(byId(mem.get(table) ?? [])).toEqual(byId(await db.sql.unsafe(`select * from ${table}`)))
}
const storedValues = async () =>
  byId(await db.sql`select id, b, j from json_values`).map(r => [r['b'], r['j']])

const docs = Query.from(M, 'doc')
// The ids of a query's rows on both interpreters: they agree, and are returned.
const ids = async (q: Parameters<typeof Pg.all>[0]): Promise<ReadonlyArray<unknown>> => {
  const pg = right(await Pg.all(q)(db.sql)()).map(r => (r as { readonly id: unknown }).id)
  const m = right(await Memory.all(q)(mem)()).map(r => (r as { readonly id: unknown }).id)
  expect(m).toEqual(pg)
  return pg
}
const insertAll = async () =>
  write(
    right(
      Write.insertAll(
        M,
        'doc',
        values.map(v => ({ b: v, j: v, folder_id: 1 })),
      ),
    ),
  )

describe('values of json and jsonb columns travel as JSON', () => {
  it('insert, one value at a time: stored as JSON on PostgreSQL, as in memory', async () => {
    for (const v of values) await write(right(Write.insert(M, 'doc', { b: v, j: v })))
    expect(await storedValues()).toEqual(values.map(v => [stored(v), stored(v)]))
  })

  it('insertAll, then update every row to another value', async () => {
    await insertAll()
    expect(await storedValues()).toEqual(values.map(v => [stored(v), stored(v)]))
    const rows = byId(await db.sql`select * from json_values`)
    for (const [i, row] of rows.entries()) {
      const next = values[(i + 1) % values.length]
      await write(right(Write.update(M, 'doc', row as never, { b: next, j: next })))
    }
    expect(await storedValues()).toEqual(
      values.map((_, i) => values[(i + 1) % values.length]).map(v => [stored(v), stored(v)]),
    )
  })

  it('putAssoc and castAssoc child rows', async () => {
    const owner = { id: 1, name: 'inbox', docs: [] }
    const viaPut = pipe(
      Write.change(M, 'folder', owner),
      Write.putAssoc(
        'docs',
        values.map(v => ({ b: v, j: v })),
      ),
      E.flatMap(Write.toPlan),
    )
    await write(right(viaPut))
    const viaCast = pipe(
      Write.change(M, 'folder', { id: 1, name: 'inbox', docs: [] }),
      Write.castAssoc(
        'docs',
        values.map(v => ({ b: v, j: v })),
        { permit: ['b', 'j'] },
      ),
      E.flatMap(Write.toPlan),
    )
    await write(right(viaCast))
    expect(await storedValues()).toEqual([...values, ...values].map(v => [stored(v), stored(v)]))
  })

  it('Pred.eq / Pred.neq / Pred.in with each value on each column: the same rows', async () => {
    await insertAll()
    for (const [i, v] of values.entries()) {
      if (v === null) continue
      for (const col of ['b', 'j'] as const) {
        const eq = await ids(
          pipe(
            docs,
            Query.where(d => Pred.eq(d[col], v as object)),
            Query.orderBy(['id']),
          ),
        )
        // Equal JSON values match (false and [false] are not equal; the Date and its ISO text are).
        const expected = values.flatMap((w, k) =>
          w !== null && JSON.stringify(stored(w)) === JSON.stringify(stored(v)) ? [k + 1] : [],
        )
        expect(eq).toEqual(expected)
        expect(eq).toContain(i + 1)
        const neq = await ids(
          pipe(
            docs,
            Query.where(d => Pred.neq(d[col], v as object)),
            Query.orderBy(['id']),
          ),
        )
        expect(neq.length).toBe(values.filter(w => w !== null).length - expected.length)
      }
    }
    // A list of JSON values is a list, not a multidimensional array of their elements.
    const inList = [
      [
        [1, 2],
        [3, 4],
      ],
      [false],
      'text',
    ]
    for (const col of ['b', 'j'] as const)
      expect(
        await ids(
          pipe(
            docs,
            Query.where(d => Pred.in(d[col], inList)),
            Query.orderBy(['id']),
          ),
        ),
      ).toEqual(
        inList
          .map(v => values.findIndex(w => JSON.stringify(w) === JSON.stringify(v)) + 1)
          .sort((x, y) => x - y),
      )
  })

  it("a prepared query's placeholder compared with a JSON column", async () => {
    await insertAll()
    for (const col of ['b', 'j'] as const) {
      const p = Prepared.make({ v: t.unknown }, ({ v }) =>
        pipe(
          docs,
          Query.where(d => Pred.eq(d[col], v)),
          Query.orderBy(['id']),
        ),
      )
      for (const [i, v] of values.entries()) {
        if (v === null || (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date))) continue
        const pg = right(await Pg.prepared(p)({ v })(db.sql)()).map(r => r.id)
        const m = right(await Memory.prepared(p)({ v })(mem)()).map(r => r.id)
        expect(m).toEqual(pg)
        expect(pg).toContain(i + 1)
      }
    }
  })

  it('preload filters on a JSON column (an association where, a preload query where)', async () => {
    await insertAll()
    const folders = Query.from(M, 'folder')
    for (const v of [true, false, 'text', 1.5, new Date(0)]) {
      const q = pipe(folders, Query.preload({ docs: Preload.query({ where: { b: v } }), trueDocs: true }))
      for (const strategy of ['batched', 'lateral'] as const) {
        const pg = right(await Pg.all(q, { strategy })(db.sql)())
        const m = right(await Memory.all(q)(mem)())
        expect(m).toEqual(pg)
        const [f] = pg
        expect(f?.docs.map(d => d.b)).toEqual(
          values.filter(w => JSON.stringify(w) === JSON.stringify(v)).map(stored),
        )
        expect(f?.trueDocs.map(d => d.id)).toEqual([values.indexOf(true) + 1])
      }
    }
  })

  it('any JSON value: insert and read back round-trips on PostgreSQL and equals memory (property)', async () => {
    // NUL and lone surrogates are refused by both (tested in test/trust/values.test.ts).
    const storable = fc.jsonValue().filter(v => !/\\u0000|\\ud[89a-f]/i.test(JSON.stringify(v)))
    await fc.assert(
      fc.asyncProperty(fc.array(storable, { minLength: 1, maxLength: 5 }), async vs => {
        await run(db.sql, ['truncate json_values restart identity'])
        mem = new Map([...mem, ['json_values', []]])
        await write(
          right(
            Write.insertAll(
              M,
              'doc',
              vs.map(v => ({ b: v, j: v })),
            ),
          ),
        )
        const back = await storedValues()
        expect(back).toEqual(vs.map(v => [stored(v), stored(v)]))
      }),
      { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 60) },
    )
  })
})
