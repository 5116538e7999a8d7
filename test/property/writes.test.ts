// Invariant: the same write plan leaves the same tables on PostgreSQL and on the memory interpreter.
// For random models (with every onDelete), rows and a valid random write (`Arb.write`: an insert, an
// update of some columns, a delete with the model's onDelete, sometimes cascading), the plan runs on
// PostgreSQL (`Write.run` on `Pg.interpreter`, inside a rolled-back transaction, with a real foreign
// key on every key whose values all exist) and on the memory interpreter (`Write.runPure`, and
// `Write.run` on `Memory.store`, the store enforcing the constraints PostgreSQL has: Ddl's keys and
// NOT NULL, and the foreign keys withData keeps): both succeed with equal results, and every table
// holds the same rows (sorted by id) afterwards.
import * as E from 'fp-ts/lib/Either.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Constraints from '../../src/interpreter/memory/Constraints.js'
import * as Memory from '../../src/interpreter/memory/Memory.js'
import * as Run from '../../src/run/Run.js'
import * as Query from '../../src/query/Query.js'
import * as Ddl from '../../src/sql/Ddl.js'
import * as Arb from '../../src/testing/index.js'
import * as Write from '../../src/write/Write.js'
import { canonical, connect, params, show, withData, type PropertyDb } from './support.js'

let db: PropertyDb
beforeAll(async () => {
  db = await connect()
})
afterAll(async () => db.close())

const cases = Arb.model().chain(g =>
  Arb.rows(g).chain(data => Arb.write(g, data).map(write => ({ g, data, write }))),
)

const byId = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>): ReadonlyArray<string> =>
  [...rows].sort((a, b) => (a['id'] as number) - (b['id'] as number)).map(canonical)

describe('writes: memory == PostgreSQL', () => {
  it('a random write plan leaves the same tables on both', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, write }) => {
        const plan = Arb.toWrite(g, data, write)
        if (E.isLeft(plan)) throw new Error(`the write did not plan: ${show(plan.left)}`)
        const pure = Write.runPure(plan.right)(data)
        const constraints = Constraints.fromModel(g.model)
        if (E.isLeft(constraints)) throw new Error(constraints.left.message)
        // The foreign keys withData creates: where every value exists, with no on-delete action.
        const fks = Ddl.foreignKeys(g.model).flatMap(fk => {
          const ids = new Set((data.get(fk.references) ?? []).map(r => r[fk.referencedColumn]))
          const ok = (data.get(fk.table) ?? []).every(r => r[fk.column] === null || ids.has(r[fk.column]))
          return ok ? [{ ...fk, onDelete: 'no action' as const }] : []
        })
        const store = Memory.store(data, { ...constraints.right, foreignKeys: fks })
        const viaStore = await Write.run(plan.right)(store.interpreter)()
        const pg = await withData(db.sql, g, data, async i => {
          const result = await Write.run(plan.right)(i)()
          const tables = new Map<string, ReadonlyArray<string>>()
          for (const t of g.spec.tables) {
            const rows = await Run.all(Query.from(g.model, t.schema))(i)()
            if (E.isLeft(rows)) throw new Error(`reading ${t.source} failed: ${show(rows.left)}`)
            tables.set(t.source, byId(rows.right as ReadonlyArray<Readonly<Record<string, unknown>>>))
          }
          return { result, tables }
        })
        if (E.isLeft(pg.result) || E.isLeft(pure) || E.isLeft(viaStore))
          throw new Error(`a side failed: pg ${show(pg.result)} memory ${show(pure)} store ${show(viaStore)}`)
        expect(canonical(pure.right.result)).toEqual(canonical(pg.result.right))
        expect(canonical(viaStore.right)).toEqual(canonical(pg.result.right))
        for (const t of g.spec.tables) {
          const expected = pg.tables.get(t.source)
          expect(byId(pure.right.tables.get(t.source) ?? [])).toEqual(expected)
          expect(byId(store.tables().get(t.source) ?? [])).toEqual(expected)
        }
      }),
      params(40),
    )
  })
})
