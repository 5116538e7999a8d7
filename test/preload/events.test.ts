// `onEvent`: a load reports the strategy it runs with and the auto rule's inputs (the estimate of the
// parents and where it comes from, the depth of the spec, the threshold) before sending anything, on
// PostgreSQL and in memory; the strategy reported is the one that runs (the statements sent show it).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, Pg, Preload, Pred, Query, Run } from '../../src/index.js'
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

// The client the interpreter sends through, counting statements.
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

const posts = pipe(Query.from(Blog, 'post'), Query.orderBy(['id']))
const spec = { comments: { author: true } } as const

describe('Preload onEvent', () => {
  it('PostgreSQL: lateral for limit 3 (estimate from the limit), batched without a bound', async () => {
    const events: Array<Preload.Event> = []
    const onEvent = (e: Preload.Event) => events.push(e)
    const few = counting(db.sql)
    const a = await Pg.all(pipe(posts, Query.limit(3), Query.preload(spec)), { onEvent })(few.sql)()
    expect(E.isRight(a)).toBe(true)
    expect(events).toEqual([
      {
        _tag: 'StrategyChosen',
        schema: 'post',
        asked: 'auto',
        strategy: 'lateral',
        reason: 'FewParents',
        estimate: { _tag: 'Limit', parents: 3 },
        depth: 2,
        // the post, its 10 assumed comments, and each comment's author
        rowsPerParent: 21,
        rows: 63,
        lateralMaxRows: Preload.lateralMaxRows,
      },
    ])
    expect(Object.isFrozen(events[0])).toBe(true)
    expect(few.sent).toHaveLength(1)
    events.length = 0
    const many = counting(db.sql)
    const b = await Pg.all(pipe(posts, Query.preload(spec)), { onEvent })(many.sql)()
    expect(E.isRight(b)).toBe(true)
    expect(events).toMatchObject([
      { strategy: 'batched', reason: 'Unbounded', estimate: { _tag: 'Unbounded' }, depth: 2 },
    ])
    expect(many.sent).toHaveLength(3)
  })

  it('a projection with preloads reports its strategy too: batched under auto (Projection), lateral when asked', async () => {
    const titled = pipe(
      posts,
      Query.limit(3),
      Query.select(p => ({ title: p.title })),
      Query.preload(spec),
    )
    const events: Array<Preload.Event> = []
    const onEvent = (e: Preload.Event) => events.push(e)
    const auto = counting(db.sql)
    const a = await Pg.all(titled, { onEvent })(auto.sql)()
    const m = await Memory.all(titled, { onEvent })(tables)()
    expect(E.isRight(a) && E.isRight(m) && a.right).toEqual(E.isRight(m) && m.right)
    expect(events).toMatchObject([
      {
        schema: 'post',
        asked: 'auto',
        strategy: 'batched',
        reason: 'Projection',
        estimate: { _tag: 'Limit', parents: 3 },
        depth: 2,
      },
      { asked: 'auto', strategy: 'batched', reason: 'Projection' },
    ])
    // batched: the projection, then one statement per level
    expect(auto.sent).toHaveLength(3)
    events.length = 0
    const lateral = counting(db.sql)
    const l = await Pg.all(titled, { onEvent, strategy: 'lateral' })(lateral.sql)()
    expect(E.isRight(l) && l.right).toEqual(E.isRight(a) && a.right)
    expect(events).toMatchObject([{ asked: 'lateral', strategy: 'lateral', reason: 'Asked' }])
    // lateral: the projection, then the whole tree in one statement
    expect(lateral.sent).toHaveLength(2)
    // a callback that throws is the load's Left, before anything is sent
    const thrown = counting(db.sql)
    const t = await Pg.all(titled, {
      onEvent: () => {
        throw new Error('boom')
      },
    })(thrown.sql)()
    expect(E.isLeft(t) && t.left).toMatchObject({ code: 'InvalidArgument' })
    expect(thrown.sent).toHaveLength(0)
  })

  it('PostgreSQL: the estimate names its source (key in a list, key range, key equality) and the threshold decides', async () => {
    const reported = async (q: Query.AnyQuery, options: Preload.Options = {}) => {
      const events: Array<Preload.Event> = []
      const r = await Run.all(q, { ...options, onEvent: e => events.push(e) })(Pg.interpreter(db.sql))()
      expect(E.isRight(r)).toBe(true)
      return events.map(e => [e.strategy, e.reason, e.estimate])
    }
    const q = (f: (q: typeof posts) => typeof posts) =>
      pipe(f(posts), Query.preload({ comments: true })) as unknown as Query.AnyQuery
    expect(
      await reported(
        q(p =>
          pipe(
            p,
            Query.where(r => Pred.in(r.id, [1, 2])),
          ),
        ),
      ),
    ).toEqual([['lateral', 'FewParents', { _tag: 'KeyIn', parents: 2 }]])
    // { comments: true }: 11 rows per post, so 272 posts are 2,992 rows (lateral) and 273 are 3,003
    const range = (hi: number) =>
      q(p =>
        pipe(
          p,
          Query.where(r => Pred.and(Pred.gte(r.id, 1), Pred.lte(r.id, hi))),
        ),
      )
    expect(await reported(range(273))).toEqual([
      ['batched', 'ManyParents', { _tag: 'KeyRange', parents: 273 }],
    ])
    expect(await reported(range(272))).toEqual([
      ['lateral', 'FewParents', { _tag: 'KeyRange', parents: 272 }],
    ])
    expect(
      await reported(
        q(p =>
          pipe(
            p,
            Query.where(r => Pred.eq(r.id, 1)),
          ),
        ),
      ),
    ).toEqual([['lateral', 'FewParents', { _tag: 'KeyEquality', parents: 1 }]])
    // asked for: reported as asked, with the estimate all the same
    expect(
      await reported(
        q(p => pipe(p, Query.limit(3))),
        { strategy: 'batched' },
      ),
    ).toEqual([['batched', 'Asked', { _tag: 'Limit', parents: 3 }]])
  })

  it('the rows per parent come from the spec: the same 100 parents are lateral for one to-many, batched for a deeper spec, lateral again under a per-parent limit', async () => {
    const decided = async (q: Query.AnyQuery) => {
      const events: Array<Preload.Event> = []
      const c = counting(db.sql)
      const r = await Pg.all(q, { onEvent: e => events.push(e) })(c.sql)()
      expect(E.isRight(r)).toBe(true)
      const e = events[0]
      return [e?.strategy, e?.rowsPerParent, e?.rows, c.sent.length]
    }
    const hundred = pipe(posts, Query.limit(100))
    // 1 + 10 per post: 1,100 rows, one statement
    expect(await decided(pipe(hundred, Query.preload({ comments: true })))).toEqual(['lateral', 11, 1100, 1])
    // 1 + (10 comments + 10 authors) + 10 tags: 3,100 rows, a statement each for the posts, their
    // comments, their tags and the comments' authors
    expect(await decided(pipe(hundred, Query.preload({ comments: { author: true }, tags: true })))).toEqual([
      'batched',
      31,
      3100,
      4,
    ])
    // two comments per post at most: 1 + (2 + 2) + 10 = 15 rows per post
    expect(
      await decided(
        pipe(hundred, Query.preload({ comments: Preload.query({ limit: 2 }, { author: true }), tags: true })),
      ),
    ).toEqual(['lateral', 15, 1500, 1])
    // a through counts its hops (here hidden: comments and their authors), not itself: 1 + 10 + 10
    const authors = Query.preload({ commentsAuthors: Preload.query({ hops: 'hide' }, {}) })
    expect(await decided(pipe(hundred, authors))).toEqual(['lateral', 21, 2100, 1])
    expect(await decided(pipe(posts, Query.limit(143), authors))).toEqual(['batched', 21, 3003, 3])
  })

  it('memory: batched for limit 3 too (no trees), and into reports the rows given', async () => {
    const events: Array<Preload.Event> = []
    const onEvent = (e: Preload.Event) => events.push(e)
    const i = Memory.interpreter(tables)
    const a = await Memory.all(pipe(posts, Query.limit(3), Query.preload(spec)), { onEvent })(tables)()
    expect(E.isRight(a)).toBe(true)
    expect(events).toMatchObject([
      { strategy: 'batched', reason: 'NoTrees', estimate: { _tag: 'Limit', parents: 3 }, depth: 2 },
    ])
    events.length = 0
    const rows = await Memory.all(pipe(posts, Query.limit(2)))(tables)()
    if (E.isLeft(rows)) throw new Error(rows.left.message)
    const loaded = await Preload.into(Blog, 'post', { comments: true }, { onEvent })(rows.right)(i)()
    expect(E.isRight(loaded)).toBe(true)
    expect(events).toMatchObject([
      { strategy: 'batched', reason: 'NoTrees', estimate: { _tag: 'Rows', parents: 2 }, depth: 1 },
    ])
  })

  it("a callback that throws is the load's Left, nothing sent; a non-function is refused", async () => {
    const c = counting(db.sql)
    const r = await Pg.all(pipe(posts, Query.preload(spec)), {
      onEvent: () => {
        throw new Error('boom')
      },
    })(c.sql)()
    expect(E.isLeft(r) && r.left._tag === 'QueryError' && r.left.code).toBe('InvalidArgument')
    expect(E.isLeft(r) && r.left.message).toMatch(/onEvent.*boom/)
    expect(c.sent).toEqual([])
    const bad = await Run.all(pipe(posts, Query.preload(spec)), { onEvent: 1 } as unknown as Preload.Options)(
      Memory.interpreter(tables),
    )()
    expect(E.isLeft(bad) && bad.left.message).toMatch(/onEvent/)
  })
})
