// Dispatch over the write layer's unions is exhaustive; what an untyped caller hands it that is none of
// the kinds is refused by an explicit check before the dispatch, with a Left naming it: a plan step that
// holds no write statement, a plan output of no kind, a change entry of no kind. A spread of a statement
// (its fields, as a caller may rebuild one) is still a statement.
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pg } from '../../src/index.js'
import * as Ex from '../../src/ast/Expr.js'
import * as WriteAst from '../../src/ast/Write.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, dump, fresh, right, W } from './model.js'

// One set of tables for the file: no test here leaves a change another could see (the refused plans
// write nothing, the spread inserts a tag of its own name).
let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, fresh())
})
afterAll(async () => db.close())

const onBoth = async <A>(plan: Write.Plan<A>) => {
  const before = await dump(db.sql)
  const pg = await Write.run(plan)(Pg.interpreter(db.sql))()
  expect(await dump(db.sql)).toEqual(before)
  return { pg, memory: Write.runPure(plan)(before) }
}

const step = (statement: unknown): Write.Step => ({
  statement: statement as WriteAst.Write,
  expect: 'any',
  note: 'hand-built',
})

describe('a plan step that holds no write statement', () => {
  it('is an InvalidArgument Left on PostgreSQL and in memory, and nothing is written', async () => {
    for (const statement of [
      undefined,
      null,
      42,
      { _tag: 'Select' },
      { _tag: 'Ref', step: 0, column: 'id' },
      Ex.param(1),
      WriteAst.ref(0, 'id'),
    ]) {
      const plan = Write.make(W, [step(statement)], { _tag: 'None' })
      const r = await onBoth(plan)
      for (const [name, side] of [
        ['Write.run', r.pg],
        ['Write.runPure', r.memory],
      ] as const)
        expect(E.isLeft(side) && side.left, `${name}: ${String(statement)}`).toMatchObject({
          _tag: 'QueryError',
          code: 'InvalidArgument',
          message: expect.stringContaining(
            `${name}: expected a statement built by Ast.Write.insert, update or delete_, got `,
          ),
        })
    }
  })
  it('a spread of a statement built by a companion still runs, as it did', async () => {
    const plan = right(Write.insert(W, 'tag', { name: 'spread' }))
    const spread = Write.make(W, [step({ ...(plan.steps[0] as Write.Step).statement })], { _tag: 'None' })
    expect(await both(db.sql, spread)).toEqual(E.right(undefined))
    expect(await db.sql.unsafe(`select name from tags where name = 'spread'`)).toHaveLength(1)
  })
})

describe('a plan output of no kind', () => {
  it('is an InvalidArgument Left, after the statements ran and were rolled back', async () => {
    const plan = right(Write.insert(W, 'tag', { name: 'out' }))
    const bad = Write.make(W, plan.steps, { _tag: 'All', schema: 'tag' } as unknown as Write.Output)
    const r = await onBoth(bad)
    for (const [name, side] of [
      ['Write.run', r.pg],
      ['Write.runPure', r.memory],
    ] as const)
      expect(E.isLeft(side) && side.left).toMatchObject({
        code: 'InvalidArgument',
        message: `${name}: expected a plan output, got {"_tag":"All","schema":"tag"}`,
      })
  })
})

describe('a change entry of no kind', () => {
  it('is an InvalidValue Left from toPlan, not an entry skipped', () => {
    const c = right(
      Write.putAssoc('comments', [])(Write.change(W, 'post', { id: 1, title: 'x', comments: [] })),
    )
    const [assoc] = c.associations
    const odd: Write.Change = {
      ...c,
      associations: [
        { ...(assoc as Write.AssocChange), entries: [{ _tag: 'Upsert' } as unknown as Write.Entry] },
      ],
    }
    const p = Write.toPlan(odd)
    expect(E.isLeft(p) && p.left).toMatchObject({
      _tag: 'WriteError',
      code: 'InvalidValue',
      message: 'not an entry of an association change: {"_tag":"Upsert"}',
    })
  })
})
