// Load options from untyped code (issue 13, item 13): an unknown strategy, a non-boolean force, an
// unknown option or a non-object is a QueryError naming the option and listing the valid values,
// before any statement; error rendering never throws (BigInt, symbols, throwing getters).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as DbError from '../../src/error/DbError.js'
import * as DecodeError from '../../src/error/DecodeError.js'
import { Pg, Pred, Prepared, Query, Run } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'
import * as Write from '../../src/write/Write.js'
import * as t from 'io-ts'

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
})
afterAll(async () => db.close())

const posts = pipe(Query.from(Blog, 'post'), Query.preload({ comments: true }))
const bad: ReadonlyArray<unknown> = ['fast', 'LATERAL', 42, null, 10n, Symbol('s'), {}, ['batched'], true]

describe('load options are checked', () => {
  it('every invalid strategy is an InvalidArgument naming the option and listing the valid values', async () => {
    for (const strategy of bad) {
      const options = { strategy } as unknown as { readonly strategy: 'auto' }
      for (const r of [
        await Pg.all(posts, options)(db.sql)(),
        await Pg.one(posts, options)(db.sql)(),
        await Pg.first(posts, options)(db.sql)(),
        await Pg.preloadInto(Blog, 'post', { comments: true }, options)([])(db.sql)(),
      ]) {
        expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
        const message = E.isLeft(r) ? r.left.message : ''
        expect(message).toContain("'strategy'")
        expect(message).toContain("'auto', 'batched', 'lateral'")
      }
    }
  })

  it('valid strategies and undefined still run, and agree', async () => {
    const results = []
    for (const strategy of ['auto', 'batched', 'lateral', undefined] as const) {
      const r = await Pg.all(posts, strategy === undefined ? {} : { strategy })(db.sql)()
      expect(E.isRight(r)).toBe(true)
      results.push(E.isRight(r) ? r.right : null)
    }
    expect(results[1]).toEqual(results[0])
    expect(results[2]).toEqual(results[0])
    expect(results[3]).toEqual(results[0])
  })

  it('force must be a boolean, unknown options and non-objects are refused', async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ force: 'yes' }, "'force'"],
      [{ force: 1n }, "'force'"],
      [{ stratgy: 'batched' }, '"stratgy"'],
      [null, 'expected an object'],
      [42, 'expected an object'],
      ['batched', 'expected an object'],
    ]
    for (const [options, named] of cases) {
      const r = await Pg.all(posts, options as object)(db.sql)()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(E.isLeft(r) && r.left.message).toContain(named)
    }
  })

  it('options that throw when read are a Left too', async () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys for you')
        },
      },
    )
    const r = await Pg.all(posts, hostile)(db.sql)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
  })

  it('prepared queries check their options as well', async () => {
    const p = Prepared.make({ id: t.number }, ({ id }) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(q => Pred.eq(q.id, id)),
      ),
    )
    const r = await Pg.prepared(p, { strategy: 'nope' } as unknown as { readonly strategy: 'auto' })({
      id: 1,
    })(db.sql)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
  })

  it('a value that is not a query is a Left, not a TypeError', async () => {
    for (const q of [null, undefined, 42, {}, { _tag: 'Query' }]) {
      const r = await Pg.all(q as unknown as typeof posts)(db.sql)()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
    }
    expect(E.isLeft(await Run.rows(null as unknown as typeof posts)(Pg.interpreter(db.sql))())).toBe(true)
  })

  it('checkOptions is total', () => {
    expect(Run.checkOptions(undefined)).toEqual(E.right({}))
    expect(Run.checkOptions({ strategy: undefined, force: true })._tag).toBe('Right')
  })
})

describe('error rendering never throws', () => {
  it('DbError.fromUnknown of anything, hostile values included', () => {
    const throwing = {
      get message(): string {
        throw new Error('getter')
      },
      toString(): string {
        throw new Error('toString')
      },
    }
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    for (const u of [10n, Symbol('x'), undefined, null, 'text', { code: 10n }, throwing, revoked.proxy]) {
      const e = DbError.fromUnknown(u)
      expect(e._tag).toBe('DbError')
      expect(typeof e.message).toBe('string')
    }
    expect(DbError.fromUnknown(10n).message).toBe('10n')
    expect(DbError.fromUnknown('kaput').message).toBe('kaput')
  })

  it('DecodeError.make renders BigInt, cycles and symbols', () => {
    const cycle: Record<string, unknown> = { a: 1n }
    cycle['self'] = cycle
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    for (const v of [10n, cycle, Symbol('s'), [1n, 2n], new Date(Number.NaN), revoked.proxy]) {
      const e = DecodeError.make('post', 'title', v, 'string')
      expect(e.message).toContain("column 'title' of table 'post'")
    }
    expect(DecodeError.make('post', 'id', 10n, 'number').message).toContain('got 10n')
  })

  it('isConnectionLost: client codes and FATAL server errors, not 08P01', () => {
    expect(DbError.isConnectionLost(DbError.fromUnknown({ code: 'ECONNRESET' }))).toBe(true)
    expect(DbError.isConnectionLost(DbError.fromUnknown({ code: '57P01', severity: 'FATAL' }))).toBe(true)
    const protocol = DbError.fromUnknown({
      code: '08P01',
      severity: 'ERROR',
      message: 'invalid message format',
    })
    expect(protocol.kind).toBe('ProtocolViolation')
    expect(DbError.isConnectionLost(protocol)).toBe(false)
    expect(DbError.isConnectionLost(DbError.fromUnknown({ code: '23505', severity: 'ERROR' }))).toBe(false)
  })
})

describe('untyped values where a prepared query or a plan is expected', () => {
  it('Pg.prepared and Write.run of a non-value are a Left', async () => {
    for (const p of [null, 42, { _tag: 'Prepared' }, { _tag: 'Prepared', query: null }]) {
      const load = Pg.prepared(p as unknown as Parameters<typeof Pg.prepared>[0])
      const r = await load({})(db.sql)()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
    }
    for (const plan of [null, 'plan', { _tag: 'Plan' }]) {
      const r = await Write.run(plan as unknown as Write.Plan<void>)(Pg.interpreter(db.sql))()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
    }
    const r = await Write.run(Write.make(Blog, [], { _tag: 'None' }))(null as unknown as Pg.Db as never)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
  })
})

describe('an environment that is not a postgres.js client', () => {
  it('Pg.all, Pg.transact, Pg.execute and Write.run are Lefts, not throws', async () => {
    for (const env of [null, undefined, 42, {}, () => undefined]) {
      const sql = env as unknown as Pg.Db
      const all = await Pg.all(posts)(sql)()
      expect(E.isLeft(all) && all.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      const tx = await Pg.transact(Pg.execute({ text: 'select 1', params: [] }))(sql)()
      expect(E.isLeft(tx) && tx.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
      expect(E.isLeft(await Pg.execute({ text: 'select 1', params: [] })(sql)())).toBe(true)
      const w = await Write.run(Write.make(Blog, [], { _tag: 'None' }))(Pg.interpreter(sql))()
      expect(E.isLeft(w) && w.left).toMatchObject({ _tag: 'QueryError', code: 'InvalidArgument' })
    }
  })
})

describe('parameters postgres.js cannot serialize', () => {
  it('are a Left before they reach the driver, and the connection goes on answering', async () => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle['self'] = cycle
    const values: ReadonlyArray<unknown> = [
      { a: 1n },
      cycle,
      Symbol('s'),
      () => 1,
      [Symbol('q')],
      new Date(Number.NaN),
    ]
    for (const v of values) {
      // A jsonb parameter: a value that failed to serialize after the statement was described used to
      // leave postgres.js's connection answering nothing more.
      const r = await Pg.execute({ text: 'select $1::jsonb as x', params: [v] })(db.sql)()
      expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DbError', code: 'QUIVER_PARAM' })
      expect(E.isLeft(r) && r.left.message).toContain('parameter $1 cannot be sent')
    }
    const ok = await Pg.execute({ text: 'select $1::jsonb as x', params: [{ a: [1, 'b', null] }] })(db.sql)()
    expect(E.isRight(ok) && ok.right[0]).toEqual({ x: { a: [1, 'b', null] } })
  })

  it('hostile inputs at every stage of Run and Pg are Lefts (total entry points)', async () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap')
        },
        has: () => {
          throw new Error('trap')
        },
      },
    )
    const h = hostile as never
    for (const r of [
      await Run.all(h)(Pg.interpreter(db.sql))(),
      await Run.one(posts)(h)(),
      await Run.first(posts, h)(Pg.interpreter(db.sql))(),
      await Pg.all(posts)(h)(),
      await Pg.transact(Pg.execute({ text: 'select 1', params: [] }), h)(db.sql)(),
      await Write.run(h)(Pg.interpreter(db.sql))(),
      Write.runPure(h)(new Map()),
    ])
      expect(E.isLeft(r)).toBe(true)
    expect(Write.toSql(h)).toEqual([])
    expect(DbError.isConnectionLost(h)).toBe(false)
  })
})
