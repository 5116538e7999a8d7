// Nothing hangs at the driver edge (issue 13, items 14 and 15): a write plan or a transaction settles on
// a protocol error, on a connection the server terminated, and when no connection can start it; the
// connection is rolled back and released, and the next call on the same client succeeds.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Write as WriteNode } from '../../src/ast/Write.js'
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

// The promise's outcome, or 'pending' when it has not settled within `ms`.
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

// A plan of 5 statements: a post, its permalink, two comments, an update of the author.
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

const withTable = <A>(plan: Write.Plan<A>, k: number, table: string): Write.Plan<A> => {
  const s = plan.steps[k] as Write.Step
  const w = s.statement
  const broken: WriteNode = w._tag === 'Insert' ? { ...w, table } : { ...w, binding: { ...w.binding, table } }
  return { ...plan, steps: plan.steps.map((x, i) => (i === k ? { ...s, statement: broken } : x)) }
}

// A client of one connection on this file's schema, so the connection the fault hits is the one reused.
const single = () => postgres(url, { max: 1, onnotice: () => undefined, connection: { search_path: path } })

const abortedSessions = async (): Promise<number> => {
  const r = await db.sql.unsafe(
    `select count(*)::int as n from pg_stat_activity where application_name = 'quiver_hangs' and state like 'idle in transaction%'`,
  )
  return r[0]?.['n'] as number
}

describe('item 14: a protocol error (08P01) inside a write plan', () => {
  it('the plan settles with a ProtocolViolation at every statement, nothing is left pending or changed', async () => {
    const plan = plan5()
    expect(plan.steps.length).toBeGreaterThanOrEqual(4)
    const sql = server ? single() : db.sql
    const before = await dump(db.sql)
    for (let k = 0; k < plan.steps.length; k++) {
      // A NUL byte in an identifier cuts the statement text short on the wire.
      const r = await within(5_000, Write.run(withTable(plan, k, 'po\u0000sts'))(Pg.interpreter(sql))())
      expect(r).not.toBe('pending')
      expect(r !== 'pending' && E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError' })
      if (server) {
        expect(r !== 'pending' && E.isLeft(r) && r.left).toMatchObject({
          kind: 'ProtocolViolation',
          code: '08P01',
        })
        expect(await abortedSessions()).toBe(0)
      }
      expect(await dump(db.sql)).toEqual(before)
    }
    // The same connection (a pool of one on a server) runs the whole plan next.
    const ok = await within(5_000, Write.run(plan)(Pg.interpreter(sql))())
    expect(ok !== 'pending' && E.isRight(ok)).toBe(true)
    expect(rejections).toEqual([])
    if (sql !== db.sql) await sql.end({ timeout: 1 })
  })

  it('Pg.transact settles on it too, and its connection is released (a pool of one runs the next call)', async () => {
    const sql = server ? single() : db.sql
    const r = await within(
      5_000,
      Pg.transact(
        pipe(
          Pg.execute({ text: 'insert into tags (name) values ($1)', params: ['kept?'] }),
          RTEflatMap(() => Pg.execute({ text: 'select 1 as "a\u0000b"', params: [] })),
        ),
      )(sql)(),
    )
    expect(r !== 'pending' && E.isLeft(r)).toBe(true)
    const next = await within(5_000, Pg.all(Query.from(W, 'tag'))(sql)())
    expect(next !== 'pending' && E.isRight(next) && next.right.map(t => t.name)).toEqual(['x', 'y', 'z'])
    if (sql !== db.sql) await sql.end({ timeout: 1 })
  })
})

// A ReaderTaskEither flatMap over the execute programs, widening the error.
const RTEflatMap =
  <A, B, E1>(f: (a: A) => (sql: Pg.Db) => TE.TaskEither<E1, B>) =>
  <E0>(ma: (sql: Pg.Db) => TE.TaskEither<E0, A>) =>
  (sql: Pg.Db): TE.TaskEither<E0 | E1, B> =>
    pipe(
      ma(sql),
      TE.flatMap((a): TE.TaskEither<E0 | E1, B> => f(a)(sql)),
    )

describe('item 15: a pooled connection the server terminated', () => {
  it.skipIf(!server)(
    'after a Quiver query fails on it, Write.run and Pg.transact settle and succeed, and so do later calls (server only: PGlite has no second backend to terminate from)',
    async () => {
      for (let trial = 0; trial < 5; trial++) {
        const sql = single()
        const pid = (await sql.unsafe('select pg_backend_pid() as pid'))[0]?.['pid'] as number
        await db.sql.unsafe('select pg_terminate_backend($1)', [pid])
        // Sent at once, this query meets the terminated socket (ECONNRESET) or its close.
        const failed = await within(5_000, Pg.all(Query.from(W, 'tag'))(sql)())
        expect(failed).not.toBe('pending')
        const before = await dump(db.sql)
        const w = await within(10_000, Write.run(plan5())(Pg.interpreter(sql))())
        expect(w !== 'pending' && E.isRight(w)).toBe(true)
        expect(await dump(db.sql)).not.toEqual(before)
        const t = await within(
          10_000,
          Pg.transact(Pg.execute({ text: 'select count(*)::int as n from tags', params: [] }))(sql)(),
        )
        expect(t !== 'pending' && E.isRight(t) && t.right[0]).toEqual({ n: 4 })
        await run(db.sql, fresh())
        await sql.end({ timeout: 1 })
      }
      expect(rejections).toEqual([])
    },
    60_000,
  )

  it.skipIf(!server)(
    'after a raw postgres.js query fails on it (the issue: sql.begin never settled), a plan settles and the pool recovers (server only)',
    async () => {
      const outcomes = new Map<string, number>()
      for (let trial = 0; trial < 5; trial++) {
        const sql = single()
        const pid = (await sql.unsafe('select pg_backend_pid() as pid'))[0]?.['pid'] as number
        await db.sql.unsafe('select pg_terminate_backend($1)', [pid])
        const raw = await sql.unsafe('select 1').then(
          () => 'ok',
          (e: { readonly code?: string }) => String(e.code),
        )
        const w = await within(12_000, Write.run(plan5())(Pg.interpreter(sql))())
        expect(w).not.toBe('pending')
        const key = `${raw} -> ${w !== 'pending' && E.isRight(w) ? 'Right' : 'Left'}`
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
        const next = await within(5_000, Pg.all(Query.from(W, 'tag'))(sql)())
        expect(next !== 'pending' && E.isRight(next)).toBe(true)
        await run(db.sql, fresh())
        await sql.end({ timeout: 1 })
      }
      expect([...outcomes.keys()].every(k => k.endsWith('Right'))).toBe(true)
      expect(rejections).toEqual([])
    },
    90_000,
  )
})

describe('a transaction whose connection the server closed', () => {
  it.skipIf(!server)(
    'a program that goes on after its connection closed sends nothing more, and the caller has its Left (server only)',
    async () => {
      const sql = single()
      const pid = (await sql.unsafe('select pg_backend_pid() as pid'))[0]?.['pid'] as number
      const outcomes: Array<string> = []
      const statement =
        (text: string): ReturnType<typeof Pg.execute> =>
        tx =>
        async () => {
          const r = await Pg.execute({ text, params: [] })(tx)()
          outcomes.push(`${text}: ${E.isRight(r) ? 'ran' : r.left.message}`)
          return r
        }
      let finished: () => void = () => undefined
      const done = new Promise<void>(resolve => {
        finished = resolve
      })
      const program = pipe(
        statement('select 1'),
        RTE.flatMap(() => () => async () => {
          await db.sql.unsafe('select pg_terminate_backend($1)', [pid])
          // long enough for the close to reach the client: the program goes on after it
          await new Promise(resolve => setTimeout(resolve, 300))
          return E.right(null)
        }),
        RTE.flatMap(() => statement('select 2')),
        // a program that recovers from the Left and carries on with the same transaction client
        RTE.orElse(() => statement('select 3')),
        RTE.tapIO(() => finished),
        RTE.tapError(() => RTE.fromIO(finished)),
      )
      const r = await within(8_000, Pg.transact(program)(sql)())
      expect(r !== 'pending' && E.isLeft(r) && r.left).toMatchObject({
        _tag: 'DbError',
        kind: 'ConnectionClosed',
      })
      expect(await within(5_000, done)).toBeUndefined()
      // neither statement reached the driver: postgres.js 3.4.9 may write a statement given to a closed
      // connection from a timer to the socket it has dropped (an uncaught TypeError)
      const notSent = 'the transaction has ended: its connection was closed, so this statement was not sent'
      expect(outcomes).toEqual(['select 1: ran', `select 2: ${notSent}`, `select 3: ${notSent}`])
      expect(rejections).toEqual([])
      // the pool recovers: the next call on the same client succeeds
      const next = await within(5_000, Pg.execute({ text: 'select 4 as n', params: [] })(sql)())
      expect(next !== 'pending' && E.isRight(next) && next.right).toEqual([{ n: 4 }])
      await sql.end({ timeout: 1 })
    },
  )
})

describe('item 15: the wait for a transaction to start is bounded', () => {
  it('no connection free within beginTimeout: a ConnectionClosed BEGIN_TIMEOUT, and the transaction never runs', async () => {
    const sql = server ? single() : db.sql
    let release: () => void = () => undefined
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    // The client's only connection is held by another transaction.
    const holder = sql.begin(async tx => {
      await tx.unsafe('select 1')
      await held
    })
    await new Promise(resolve => setTimeout(resolve, 50))
    const started = Date.now()
    const r = await within(
      5_000,
      Pg.transact(Pg.execute({ text: `insert into tags (name) values ('late')`, params: [] }), {
        beginTimeout: 300,
      })(sql)(),
    )
    const waited = Date.now() - started
    expect(r !== 'pending' && E.isLeft(r) && r.left).toMatchObject({
      _tag: 'DbError',
      kind: 'ConnectionClosed',
      code: 'BEGIN_TIMEOUT',
    })
    expect(waited).toBeGreaterThanOrEqual(290)
    expect(waited).toBeLessThan(2_000)
    release()
    await holder
    await new Promise(resolve => setTimeout(resolve, 200))
    // The abandoned transaction got the connection afterwards and rolled back without running.
    const names = (await sql.unsafe('select name from tags order by id')).map(r => r['name'])
    expect(names).toEqual(['x', 'y', 'z'])
    const next = await within(5_000, Write.run(plan5())(Pg.interpreter(sql, { beginTimeout: 1_000 }))())
    expect(next !== 'pending' && E.isRight(next)).toBe(true)
    if (sql !== db.sql) await sql.end({ timeout: 1 })
  })

  it('an invalid beginTimeout is a QueryError naming the option, before anything runs', async () => {
    for (const bad of [0, -1, Number.NaN, '10', null, 10n]) {
      const r = await Pg.transact(Pg.execute({ text: 'select 1', params: [] }), {
        beginTimeout: bad as unknown as number,
      })(db.sql)()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(E.isLeft(r) && r.left.message).toContain("'beginTimeout'")
    }
  })
})
