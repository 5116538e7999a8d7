// Atomicity under faults: a plan of n statements where statement k fails (every k), and a connection
// killed in the middle of a plan. The database is unchanged, the result is a Left, nothing is thrown.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Write as WriteNode } from '../../src/ast/Write.js'
import type { Interpreter } from '../../src/run/Interpreter.js'
import { Pg } from '../../src/index.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { both, dump, fresh, right, W } from './model.js'

let db: TestDb
const rejections: Array<unknown> = []
const onRejection = (u: unknown) => rejections.push(u)
beforeAll(async () => {
  process.on('unhandledRejection', onRejection)
  db = await connect()
})
afterAll(async () => {
  process.off('unhandledRejection', onRejection)
  await db.close()
})
beforeEach(async () => {
  await run(db.sql, fresh())
})

// A plan of 10 statements: a new parent, the owner, replaced and new children, a linked tag read whole, join rows.
const bigPlan = () =>
  right(
    pipe(
      Write.change(W, 'post', {
        id: 2,
        author_id: 1,
        title: 'again',
        authorNilify: { id: 1, name: 'ada' },
        commentsDeleteIfExists: [{ id: 4, post_id: 2, parent_id: null, body: 'd' }],
        tags: [{ id: 1, name: 'x' }],
      }),
      Write.putAssoc('authorNilify', { name: 'new author' }),
      E.flatMap(
        Write.putAssoc('commentsDeleteIfExists', [
          { body: 'one', parent_id: null },
          { body: 'two', parent_id: null },
        ]),
      ),
      E.flatMap(Write.putAssoc('tags', [{ id: 2 }, { name: 'fresh' }])),
      E.flatMap(Write.toPlan),
    ),
  )

const breakStep = <A>(plan: Write.Plan<A>, k: number): Write.Plan<A> => {
  const s = plan.steps[k] as Write.Step
  const w = s.statement
  const broken: WriteNode =
    w._tag === 'Insert'
      ? { ...w, table: 'no_such_table' }
      : { ...w, binding: { ...w.binding, table: 'no_such_table' } }
  return { ...plan, steps: plan.steps.map((x, i) => (i === k ? { ...s, statement: broken } : x)) }
}

describe('atomicity', () => {
  it('the plan works as a whole on both interpreters', async () => {
    const plan = bigPlan()
    expect(plan.steps.map(s => s.note)).toHaveLength(10)
    expect(E.isRight(await both(db.sql, plan))).toBe(true)
  })

  it('statement k fails, for every k: database unchanged, Left on both interpreters', async () => {
    const plan = bigPlan()
    const before = await dump(db.sql)
    for (let k = 0; k < plan.steps.length; k++) {
      const r = await both(db.sql, breakStep(plan, k)) // both() also checks the tables are unchanged
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError', kind: 'UndefinedTable' })
      expect(Write.runPure(breakStep(plan, k))(before)._tag).toBe('Left')
      expect(await dump(db.sql)).toEqual(before)
    }
    expect(rejections).toEqual([])
  })

  it('a stale entry in the middle (a constraint the database does not see) also rolls back', async () => {
    const plan = right(
      pipe(
        Write.change(W, 'post', {
          id: 3,
          author_id: 2,
          title: 'bobs',
          commentsDelete: [{ id: 5, body: 'e' }],
        }),
        Write.putAssoc('commentsDelete', [{ body: 'new', parent_id: null }]),
        E.flatMap(Write.toPlan),
      ),
    )
    await db.sql.unsafe('delete from comments where id = 5')
    const before = await dump(db.sql)
    const r = await both(db.sql, plan)
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'StaleEntry' })
    expect(await dump(db.sql)).toEqual(before)
  })

  it.skipIf(process.env['DATABASE_URL'] === undefined || process.env['DATABASE_URL'] === '')(
    'the connection is killed mid-plan (pg_terminate_backend): unchanged, Left (server only: PGlite has one backend)',
    async () => {
      const plan = bigPlan()
      const before = await dump(db.sql)
      // the database's search_path of this test file, on a client of one connection
      const path = (await db.sql.unsafe('show search_path'))[0]?.['search_path'] as string
      for (const k of [1, 4, 7]) {
        const victim = postgres(process.env['DATABASE_URL'] as string, {
          max: 1,
          onnotice: () => undefined,
          connection: { search_path: path },
        })
        const pid = (await victim.unsafe('select pg_backend_pid() as pid'))[0]?.['pid']
        const base = Pg.interpreter(victim)
        let n = 0
        const wrap = (i: Interpreter): Interpreter => ({
          ...i,
          write: (w: WriteNode) =>
            n++ === k
              ? pipe(
                  TE.fromTask(async () => {
                    await db.sql.unsafe('select pg_terminate_backend($1)', [pid as number])
                  }),
                  TE.flatMap(() => (i.write as NonNullable<Interpreter['write']>)(w)),
                )
              : (i.write as NonNullable<Interpreter['write']>)(w),
        })
        const killing: Interpreter = { ...base, transact: p => base.transact(tx => p(wrap(tx))) }
        const r = await Write.run(plan)(killing)()
        expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError' })
        expect(await dump(db.sql)).toEqual(before)
        await victim.end({ timeout: 1 }).catch(() => undefined)
      }
      expect(rejections).toEqual([])
    },
  )
})
