// Fault injection (issue 13, generic test): for every statement k of a 5-statement write plan, a fault
// at k (a trigger raising, the backend terminated from another connection, statement_timeout) leaves
// the database exactly as before, the promise settles within 10 s, and the next call on the same pool
// succeeds. Each statement of the plan is the only one of its (table, operation), so a trigger on that
// pair fires at statement k and nowhere else.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Pg, Query } from '../../src/index.js'
import * as Write from '../../src/write/Write.js'
import { connect, run, type TestDb } from '../support/db.js'
import { dump, fresh, right, W } from '../write/model.js'

const url = process.env['DATABASE_URL'] ?? ''
const server = url !== ''

let db: TestDb
let path = ''
const rejections: Array<unknown> = []
const onRejection = (u: unknown) => rejections.push(u)
beforeAll(async () => {
  process.on('unhandledRejection', onRejection)
  db = await connect()
  path = String((await db.sql.unsafe('show search_path'))[0]?.['search_path'])
})
afterAll(async () => {
  process.off('unhandledRejection', onRejection)
  await db.close()
})
beforeEach(async () => {
  await run(db.sql, fresh())
})

const within = async <A>(ms: number, p: Promise<A>): Promise<A | 'pending'> => {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([
    p,
    new Promise<'pending'>(resolve => {
      timer = setTimeout(resolve, ms, 'pending')
    }),
  ])
  clearTimeout(timer)
  return r
}

// update posts; delete from permalinks; insert into permalinks; insert into tags; insert into posts_tags
const plan5 = () =>
  right(
    pipe(
      Write.change(
        W,
        'post',
        {
          id: 1,
          author_id: 1,
          title: 'hello',
          permalinkDelete: { id: 1, post_id: 1, url: '/hello' },
          tags: [],
        },
        { title: 'changed' },
      ),
      Write.putAssoc('permalinkDelete', { url: '/new' }),
      E.flatMap(Write.putAssoc('tags', [{ name: 'fresh' }])),
      E.flatMap(Write.toPlan),
    ),
  )

const targets = (plan: Write.Plan<unknown>): ReadonlyArray<readonly [string, string]> =>
  plan.steps.map(s => {
    const w = s.statement
    return w._tag === 'Insert'
      ? [w.table, 'insert']
      : [w.binding.table, w._tag === 'Update' ? 'update' : 'delete']
  })

// A trigger on step k's table and operation whose body is `action`.
const trigger = (table: string, op: string, action: string): ReadonlyArray<string> => [
  `create or replace function quiver_fault() returns trigger language plpgsql as $$ begin ${action}; return null; end $$`,
  `create trigger quiver_fault before ${op} on "${table}" for each statement execute function quiver_fault()`,
]
const untrigger = (table: string): string => `drop trigger if exists quiver_fault on "${table}"`

// A pool of 4 on this file's schema; `statement_timeout` for the timeout case.
const pool = (extra: Record<string, string> = {}) =>
  postgres(url, {
    max: 4,
    onnotice: () => undefined,
    connection: { search_path: path, application_name: 'quiver_fault', ...extra },
  })

const check = async (
  sql: postgres.Sql,
  fault: (k: number, table: string, op: string) => Promise<() => Promise<void>>,
  expected: Record<string, unknown>,
) => {
  const plan = plan5()
  const steps = targets(plan)
  expect(steps.length).toBe(5)
  expect(new Set(steps.map(([t, o]) => `${t} ${o}`)).size).toBe(5)
  const before = await dump(db.sql)
  const timings: Array<number> = []
  for (const [k, [table, op]] of steps.entries()) {
    const cleanup = await fault(k, table, op)
    const started = Date.now()
    const r = await within(10_000, Write.run(plan)(Pg.interpreter(sql))())
    timings.push(Date.now() - started)
    expect(r, `statement ${k} (${op} ${table})`).not.toBe('pending')
    expect(r !== 'pending' && E.isLeft(r) && r.left, `statement ${k}`).toMatchObject(expected)
    await cleanup()
    expect(await dump(db.sql), `statement ${k}`).toEqual(before)
    const next = await within(10_000, Pg.all(Query.from(W, 'tag'))(sql)())
    expect(next !== 'pending' && E.isRight(next) && next.right.length, `after statement ${k}`).toBe(3)
  }
  // With no fault the plan runs, on the same pool.
  const ok = await within(10_000, Write.run(plan)(Pg.interpreter(sql))())
  expect(ok !== 'pending' && E.isRight(ok)).toBe(true)
  expect(rejections).toEqual([])
  return timings
}

describe('a fault at every statement k of a 5-statement plan', () => {
  it('a trigger raising at k', async () => {
    const sql = server ? pool() : db.sql
    await check(
      sql,
      async (k, table, op) => {
        await run(db.sql, trigger(table, op, `raise exception 'fault at statement ${k}'`))
        return () => run(db.sql, [untrigger(table)])
      },
      { _tag: 'DbError', code: 'P0001' },
    )
    if (sql !== db.sql) await sql.end({ timeout: 1 })
  })

  it.skipIf(!server)(
    'statement_timeout at k (server only: PGlite has no timer to cancel a statement)',
    async () => {
      const sql = pool({ statement_timeout: '300' })
      await check(
        sql,
        async (_k, table, op) => {
          await run(db.sql, trigger(table, op, 'perform pg_sleep(3)'))
          return () => run(db.sql, [untrigger(table)])
        },
        { _tag: 'DbError', kind: 'QueryCanceled', code: '57014' },
      )
      await sql.end({ timeout: 1 })
    },
    60_000,
  )

  it.skipIf(!server)(
    'the backend terminated from another connection at k (server only: PGlite has one backend and no pg_terminate_backend of another session)',
    async () => {
      const sql = pool()
      const timings = await check(
        sql,
        async (k, table, op) => {
          await run(db.sql, trigger(table, op, 'perform pg_sleep(5)'))
          // Terminates the plan's backend once it sleeps in statement k's trigger.
          const killer = (async () => {
            for (let i = 0; i < 200; i++) {
              const r = await db.sql.unsafe(
                `select pid from pg_stat_activity where application_name = 'quiver_fault' and wait_event = 'PgSleep'`,
              )
              const pid = r[0]?.['pid']
              if (pid !== undefined) {
                await db.sql.unsafe('select pg_terminate_backend($1)', [pid as number])
                return true
              }
              await new Promise(resolve => setTimeout(resolve, 20))
            }
            return false
          })()
          return async () => {
            expect(await killer, `statement ${k}: the backend was found and terminated`).toBe(true)
            await run(db.sql, [untrigger(table)])
          }
        },
        { _tag: 'DbError' },
      )
      // Settled at once on the termination, not at the sleep's end.
      expect(Math.max(...timings)).toBeLessThan(4_000)
      await sql.end({ timeout: 1 })
    },
    90_000,
  )
})
