// A prepared query's plan is kept between its runs (its normalized spec, the steps before the
// interpreter, the auto rule's decision per strategy asked and kind of interpreter, its lateral tree):
// every run still reports its event to a listener, two prepared queries of different shapes keep their
// own plans and decoders when run in turn, and one prepared query runs with the decision of each
// interpreter and strategy it is given, the same trees as the memory interpreter every time.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, Pg, Pred, Preload, Prepared, Query } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
  tables = new Map(
    await Promise.all(
      ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags'].map(
        async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
      ),
    ),
  )
})
afterAll(async () => db.close())

// The client the interpreter sends through, recording statements.
const counting = (sql: postgres.Sql): { readonly sql: postgres.Sql; readonly sent: Array<string> } => {
  const sent: Array<string> = []
  const proxy = new Proxy(sql, {
    get: (target, key) =>
      key === 'unsafe'
        ? (text: string, params: ReadonlyArray<unknown> = [], options?: postgres.UnsafeQueryOptions) => {
            sent.push(text)
            return target.unsafe(text, params as Array<postgres.ParameterOrJSON<never>>, options)
          }
        : Reflect.get(target, key, target),
  })
  return { sql: proxy, sent }
}

const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

// One post by id with its comments and their authors: bounded (an equality on the key), lateral.
const byId = Prepared.make({ id: t.number }, ({ id }) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.eq(p.id, id)),
    Query.preload({ comments: { author: true } }),
  ),
)
// The posts from an id on, with their author and tags: unbounded, batched under auto.
const fromId = Prepared.make({ lo: t.number }, ({ lo }) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.gte(p.id, lo)),
    Query.orderBy(['id']),
    Query.preload({ author: true, tags: true }),
  ),
)

describe('a prepared query keeps its plan between runs', () => {
  it('reports its event on every run to a listener, and none is needed to run it', async () => {
    const events: Array<Preload.Event> = []
    const c = counting(db.sql)
    const load = Pg.prepared(byId, { onEvent: e => events.push(e) })
    const quiet = Pg.prepared(byId)
    for (const id of [1, 2, 1]) {
      const loud = right(await load({ id })(c.sql)())
      expect(right(await quiet({ id })(c.sql)())).toEqual(loud)
      expect(loud).toEqual(right(await Memory.prepared(byId)({ id })(tables)()))
    }
    expect(events).toHaveLength(3)
    for (const e of events)
      expect(e).toMatchObject({
        _tag: 'StrategyChosen',
        schema: 'post',
        asked: 'auto',
        strategy: 'lateral',
        reason: 'FewParents',
        estimate: { _tag: 'KeyEquality', parents: 1 },
      })
    // one statement per run, the same text every time
    expect(c.sent).toHaveLength(6)
    expect(new Set(c.sent).size).toBe(1)
  })

  it('keeps the plans and decoders of two prepared queries of different shapes apart', async () => {
    const events: Array<Preload.Event> = []
    const onEvent = (e: Preload.Event) => events.push(e)
    const c = counting(db.sql)
    for (let k = 0; k < 3; k++) {
      const one = right(await Pg.prepared(byId, { onEvent })({ id: 1 + k })(c.sql)())
      expect(one).toEqual(right(await Memory.prepared(byId)({ id: 1 + k })(tables)()))
      const many = right(await Pg.prepared(fromId, { onEvent })({ lo: 1 + k })(c.sql)())
      expect(many).toEqual(right(await Memory.prepared(fromId)({ lo: 1 + k })(tables)()))
      expect(many.length).toBeGreaterThan(1)
      // each tree has its own associations and none of the other's
      for (const p of one) expect(Object.keys(p)).toEqual(expect.arrayContaining(['comments']))
      for (const p of one) expect(Object.keys(p)).not.toContain('tags')
      for (const p of many) expect(Object.keys(p)).toEqual(expect.arrayContaining(['author', 'tags']))
      for (const p of many) expect(Object.keys(p)).not.toContain('comments')
    }
    expect(events.map(e => [e.strategy, e.reason])).toEqual(
      Array.from({ length: 3 }, () => [
        ['lateral', 'FewParents'],
        ['batched', 'Unbounded'],
      ]).flat(),
    )
    // byId: one lateral statement a run; fromId: the posts, then one statement per association
    expect(c.sent).toHaveLength(3 * (1 + 3))
  })

  it('decides for each strategy asked and each interpreter it runs on', async () => {
    const events: Array<Preload.Event> = []
    const onEvent = (e: Preload.Event) => events.push(e)
    const expected = right(await Memory.prepared(byId)({ id: 2 })(tables)())
    for (const strategy of ['auto', 'batched', 'lateral', 'auto'] as const)
      expect(right(await Pg.prepared(byId, { strategy, onEvent })({ id: 2 })(db.sql)())).toEqual(expected)
    // the memory interpreter runs no trees: auto is batched there, after the PostgreSQL runs
    expect(right(await Memory.prepared(byId, { onEvent })({ id: 2 })(tables)())).toEqual(expected)
    expect(right(await Pg.prepared(byId, { onEvent })({ id: 2 })(db.sql)())).toEqual(expected)
    expect(events.map(e => [e.asked, e.strategy, e.reason])).toEqual([
      ['auto', 'lateral', 'FewParents'],
      ['batched', 'batched', 'Asked'],
      ['lateral', 'lateral', 'Asked'],
      ['auto', 'lateral', 'FewParents'],
      ['auto', 'batched', 'NoTrees'],
      ['auto', 'lateral', 'FewParents'],
    ])
  })

  it('reports a listener that throws as a Left on every run, sending nothing', async () => {
    const c = counting(db.sql)
    const load = Pg.prepared(byId, {
      onEvent: () => {
        throw new Error('no')
      },
    })
    for (const id of [1, 1]) {
      const r = await load({ id })(c.sql)()
      expect(E.isLeft(r) && r.left.message).toMatch(/onEvent' threw: no/)
    }
    expect(c.sent).toHaveLength(0)
  })
})
