// Prepared queries: built once over placeholders, run with arguments checked by their codecs; every run
// gives what the same query built with the arguments gives (PostgreSQL with each strategy, memory), and
// a placeholder outside its prepared query, a bad argument or a bad declaration is a typed error.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as fc from 'fast-check'
import * as t from 'io-ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ast, Memory, Pg, Pred, Preload, Prepared, Query, Run, Sql } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...seed])
  tables = new Map(
    await Promise.all(
      ['users', 'posts', 'comments', 'archived_comments', 'permalinks', 'tags', 'posts_tags'].map(
        async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
      ),
    ),
  )
})
afterAll(async () => db.close())

const strategies = ['auto', 'batched', 'lateral'] as const
const spec = { comments: { author: true }, permalink: true, tags: true } as const

const byId = (id: Pred.Term<number>) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.eq(p.id, id)),
    Query.preload(spec),
  )
const postById = Prepared.make({ id: t.number }, ({ id }) => byId(id))

// Posts in an id range that are (not) published and have (no) public comment: placeholders in a
// conjunction and inside an `exists` subquery.
const inRange = (lo: Pred.Term<number>, hi: Pred.Term<number>, pub: Pred.Term<boolean>) =>
  pipe(
    Query.from(Blog, 'post'),
    Query.where((p, $) =>
      Pred.and(
        Pred.gte(p.id, lo),
        Pred.lte(p.id, hi),
        $.exists('comments', c => Pred.eq(c.public, pub)),
      ),
    ),
    Query.orderBy(['id']),
    Query.preload({ comments: { author: true } }),
  )
const postsInRange = Prepared.make({ lo: t.number, hi: t.number, pub: t.boolean }, ({ lo, hi, pub }) =>
  inRange(lo, hi, pub),
)

const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('prepared queries give what the query built with the arguments gives', () => {
  it('one post by id, with each strategy on PostgreSQL and in memory', async () => {
    for (const id of [1, 2, 3, 4, 99]) {
      for (const strategy of strategies) {
        const adHoc = right(await Pg.all(byId(Pred.value(id)), { strategy })(db.sql)())
        const prepared = right(await Pg.prepared(postById, { strategy })({ id })(db.sql)())
        expect(prepared).toEqual(adHoc)
        expect(prepared.length).toBe(id === 99 ? 0 : 1)
      }
      const mem = right(await Memory.prepared(postById)({ id })(tables)())
      expect(mem).toEqual(right(await Memory.all(byId(Pred.value(id)))(tables)()))
      expect(mem).toEqual(right(await Pg.prepared(postById)({ id })(db.sql)()))
    }
  })

  it('placeholders in a conjunction and in an exists subquery (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        async (lo, hi, pub) => {
          const adHoc = inRange(Pred.value(lo), Pred.value(hi), Pred.value(pub))
          const expected = right(await Memory.all(adHoc)(tables)())
          expect(right(await Memory.prepared(postsInRange)({ lo, hi, pub })(tables)())).toEqual(expected)
          for (const strategy of strategies) {
            expect(right(await Pg.prepared(postsInRange, { strategy })({ lo, hi, pub })(db.sql)())).toEqual(
              expected,
            )
            expect(right(await Pg.all(adHoc, { strategy })(db.sql)())).toEqual(expected)
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it('builds the query once, whatever the number of runs', async () => {
    let builds = 0
    const p = Prepared.make({ id: t.number }, ({ id }) => {
      builds++
      return byId(id)
    })
    const load = Pg.prepared(p)
    for (const id of [1, 3, 1]) expect(right(await load({ id })(db.sql)())[0]?.id).toBe(id)
    expect(right(await Run.prepared(p)({ id: 2 })(Memory.interpreter(tables))())[0]?.id).toBe(2)
    expect(builds).toBe(1)
  })

  it('sends, per lateral run, the statement the query built with the argument sends', async () => {
    const { sql, sent } = recording()
    const load = Pg.prepared(postById, { strategy: 'lateral' })
    for (const id of [2, 3]) {
      expect(right(await load({ id })(sql)())[0]?.id).toBe(id)
      expect(right(await Pg.all(byId(Pred.value(id)), { strategy: 'lateral' })(sql)())[0]?.id).toBe(id)
    }
    expect(sent.length).toBe(4)
    expect(sent[0]).toEqual(sent[1])
    expect(sent[2]).toEqual(sent[3])
    expect(sent[2]?.text).toBe(sent[0]?.text)
    expect(sent[0]?.params).toContain(2)
    expect(sent[2]?.params).toContain(3)
  })
})

// The test client, recording the statements quiver sends through it.
const recording = () => {
  const sent: Array<{ readonly text: string; readonly params: ReadonlyArray<unknown> }> = []
  const sql = new Proxy(db.sql, {
    get: (target, key) =>
      key === 'unsafe'
        ? (text: string, params: ReadonlyArray<unknown>, options: unknown) => {
            sent.push({ text, params })
            return (target.unsafe as (...a: ReadonlyArray<unknown>) => unknown)(text, params, options)
          }
        : Reflect.get(target, key),
  })
  return { sql, sent }
}

describe('prepared queries refuse bad input as values', () => {
  it('an argument missing or of the wrong type names the parameter; nothing is sent', async () => {
    const { sql, sent } = recording()
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{}, "argument 'id' of a prepared query on 'post' is not number: undefined"],
      [{ id: '5' }, `argument 'id' of a prepared query on 'post' is not number: "5"`],
      [null, "the arguments of a prepared query on 'post' must be a record"],
    ]
    const untyped = <F>(f: F) => f as unknown as (a: unknown) => F extends (a: never) => infer R ? R : never
    for (const [args, message] of cases) {
      const error = E.left(expect.objectContaining({ _tag: 'QueryError', code: 'InvalidArgument', message }))
      expect(await untyped(Pg.prepared(postById))(args)(sql)()).toEqual(error)
      expect(await untyped(Memory.prepared(postById))(args)(tables)()).toEqual(error)
    }
    expect(sent).toEqual([])
  })

  it('a parameter declared without a codec (untyped input) makes every run a Left', async () => {
    const p = Prepared.make({ id: 'number' } as unknown as { readonly id: t.NumberC }, ({ id }) => byId(id))
    const r = await Pg.prepared(p)({ id: 1 })(db.sql)()
    expect(r).toEqual(
      E.left(
        expect.objectContaining({
          code: 'InvalidArgument',
          message: "parameter 'id' of a prepared query on 'post' is not an io-ts codec",
        }),
      ),
    )
  })

  it('a placeholder used outside its prepared query is refused, on PostgreSQL and in memory', async () => {
    let kept: Pred.Term<number> | undefined
    Prepared.make({ id: t.number }, ({ id }) => {
      kept = id
      return byId(id)
    })
    const leaked = byId(kept as Pred.Term<number>)
    const message =
      "placeholder 'id' has no value: the terms a prepared query's builder gets only run through Run.prepared or Pg.prepared"
    for (const strategy of strategies)
      expect(await Pg.all(leaked, { strategy })(db.sql)()).toEqual(
        E.left(expect.objectContaining({ code: 'InvalidArgument', message })),
      )
    expect(await Memory.all(leaked)(tables)()).toEqual(
      E.left(expect.objectContaining({ code: 'InvalidArgument', message })),
    )
    // the prepared query's own query, run as a query
    expect(await Pg.all(postById.query)(db.sql)()).toEqual(
      E.left(expect.objectContaining({ code: 'InvalidArgument', message })),
    )
  })

  it('an error of the built query (an unknown column from untyped code) comes out of every run', async () => {
    const p = Prepared.make({ id: t.number }, ({ id }) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(r =>
          Pred.eq((r as unknown as Record<string, Pred.Term<number>>)['nope'] as Pred.Term<number>, id),
        ),
      ),
    )
    const r = await Pg.prepared(p)({ id: 1 })(db.sql)()
    expect(r).toEqual(E.left(expect.objectContaining({ code: 'UnknownColumn' })))
  })

  it('a value shaped like a placeholder is a value', () => {
    expect(Ast.Expr.isPlaceholder({ _tag: 'Placeholder', name: 'id' })).toBe(false)
    expect(postById.placeholders.map(Ast.Expr.isPlaceholder)).toEqual([true])
  })
})

// Row counts as placeholders: `Query.limit(size)`, `Query.offset(skip)` and a preload's per-parent
// `limit`, with each strategy; one statement text for every value; a count that is not a whole number
// >= 0 is a typed error naming the option before anything is sent (PostgreSQL's own answer to a
// negative limit would be 2201W).
describe('prepared queries: limit and offset as placeholders', () => {
  const paged = Prepared.make({ size: t.number, skip: t.number }, ({ size, skip }) =>
    pipe(Query.from(Blog, 'comment'), Query.orderBy(['id']), Query.limit(size), Query.offset(skip)),
  )
  const literal = (size: number, skip: number) =>
    pipe(Query.from(Blog, 'comment'), Query.orderBy(['id']), Query.limit(size), Query.offset(skip))

  it('pages the root rows, one statement text for every page', async () => {
    const { sql, sent } = recording()
    for (const [size, skip] of [
      [2, 0],
      [2, 2],
      [3, 1],
      [0, 0],
      [5, 10],
    ] as const) {
      const pg = right(await Pg.prepared(paged)({ size, skip })(sql)())
      expect(pg).toEqual(right(await Pg.all(literal(size, skip))(db.sql)()))
      expect(right(await Memory.prepared(paged)({ size, skip })(tables)())).toEqual(pg)
    }
    // limit 0 reads nothing: no statement is needed for it on either interpreter, the others share one text
    expect(new Set(sent.map(s => s.text)).size).toBe(1)
    expect(sent[0]?.text).toBe(
      'select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at" ' +
        'from "comments" as "t0" order by "t0"."id" asc limit $1 offset $2',
    )
  })

  it("limits each parent's preloaded rows, batched and lateral, in one text for every value", async () => {
    const newest = Prepared.make({ n: t.number, skip: t.number }, ({ n, skip }) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.orderBy(['id']),
        Query.preload({
          comments: Preload.query({ orderBy: [['desc', 'id']], limit: n, offset: skip }, { author: true }),
        }),
      ),
    )
    const literally = (n: number, skip: number) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.orderBy(['id']),
        Query.preload({
          comments: Preload.query({ orderBy: [['desc', 'id']], limit: n, offset: skip }, { author: true }),
        }),
      )
    for (const strategy of strategies) {
      const { sql, sent } = recording()
      const runs: Array<ReadonlyArray<string>> = []
      for (const [n, skip] of [
        [1, 0],
        [2, 1],
        [0, 0],
        [5, 0],
      ] as const) {
        const before = sent.length
        const pg = right(await Pg.prepared(newest, { strategy })({ n, skip })(sql)())
        runs.push(sent.slice(before).map(x => x.text))
        expect(pg).toEqual(right(await Pg.all(literally(n, skip), { strategy })(db.sql)()))
        if (strategy !== 'lateral')
          expect(right(await Memory.prepared(newest, { strategy })({ n, skip })(tables)())).toEqual(pg)
      }
      // Every run sends the statements of the first (root, comments, their authors), or fewer: one
      // text per statement whatever the values.
      const first = new Set(runs[0])
      expect(first.size).toBe(strategy === 'lateral' ? 1 : 3)
      for (const r of runs) for (const text of r) expect(first.has(text)).toBe(true)
    }
  })

  it('a negative or fractional count is an InvalidArgument naming the option; nothing is sent', async () => {
    const { sql, sent } = recording()
    for (const [args, what] of [
      [{ size: -1, skip: 0 }, /^limit expects a whole number >= 0, got -1 \(argument 'size'/],
      [{ size: 1, skip: 0.5 }, /^offset expects a whole number >= 0, got 0.5 \(argument 'skip'/],
    ] as const) {
      for (const r of [await Pg.prepared(paged)(args)(sql)(), await Memory.prepared(paged)(args)(tables)()])
        expect(E.isLeft(r) && r.left).toMatchObject({
          _tag: 'QueryError',
          code: 'InvalidArgument',
          message: expect.stringMatching(what),
        })
    }
    const perParent = Prepared.make({ n: t.number }, ({ n }) =>
      pipe(Query.from(Blog, 'post'), Query.preload({ comments: Preload.query({ limit: n }) })),
    )
    for (const strategy of strategies) {
      const r = await Pg.prepared(perParent, { strategy })({ n: -2 })(sql)()
      expect(E.isLeft(r) && r.left.message).toMatch(/^limit expects a whole number >= 0, got -2/)
      if (strategy === 'lateral') continue
      const m = await Memory.prepared(perParent, { strategy })({ n: -2 })(tables)()
      expect(E.isLeft(m) && m.left.message).toMatch(/^limit expects a whole number >= 0, got -2/)
    }
    // only the root statements of the preloading runs were sent
    expect(sent.every(s => !/limit/.test(s.text) || /"posts"/.test(s.text))).toBe(true)
  })

  it('refuses a term that is not a placeholder as a count', () => {
    const q = Prepared.make({ n: t.number }, () =>
      pipe(Query.from(Blog, 'comment'), Query.limit(Pred.value(2) as never)),
    )
    expect(Query.toSql(q.query)).toMatchObject(E.left({ code: 'InvalidArgument' }))
  })
})

describe("a through's or a to-one's per-parent count as a placeholder", () => {
  // The through's window is cut from the walked value in memory, the to-one keeps at most one row:
  // both read the run's value, and agree with the same query built with numbers, on each strategy and
  // interpreter.
  type Count = Pred.Term<number> | number
  const shownQuery = (n: Count, skip: Count) =>
    pipe(
      Query.from(Blog, 'post'),
      Query.orderBy(['id']),
      Query.preload({
        commentsAuthors: Preload.query({ limit: n, offset: skip }),
        tags: Preload.query({ orderBy: [['desc', 'name']], limit: n, offset: skip }),
        permalink: Preload.query({ limit: n, offset: skip }),
        comments: Preload.query({ orderBy: ['id'] }, { post: Preload.query({ limit: n }) }),
      }),
    )
  const hiddenQuery = (n: Count) =>
    pipe(
      Query.from(Blog, 'post'),
      Query.orderBy(['id']),
      Query.preload({ commentsAuthors: Preload.query({ hops: 'hide', limit: n }) }),
    )

  it('cuts with the run value, equal to the literal query (PostgreSQL each strategy, memory)', async () => {
    const shown = Prepared.make({ n: t.number, skip: t.number }, ({ n, skip }) => shownQuery(n, skip))
    const hide = Prepared.make({ n: t.number }, ({ n }) => hiddenQuery(n))
    for (const [n, skip] of [
      [0, 0],
      [1, 0],
      [1, 1],
      [2, 0],
      [5, 1],
    ] as const) {
      const literal = right(await Pg.all(shownQuery(n, skip))(db.sql)())
      const literalHidden = right(await Pg.all(hiddenQuery(n))(db.sql)())
      for (const strategy of strategies) {
        expect(right(await Pg.prepared(shown, { strategy })({ n, skip })(db.sql)())).toEqual(literal)
        expect(right(await Pg.prepared(hide, { strategy })({ n })(db.sql)())).toEqual(literalHidden)
        if (strategy === 'lateral') continue
        expect(right(await Memory.prepared(shown, { strategy })({ n, skip })(tables)())).toEqual(literal)
        expect(right(await Memory.prepared(hide, { strategy })({ n })(tables)())).toEqual(literalHidden)
      }
      // The cut is real: a to-many through holds at most n values, a to-one none under limit 0.
      for (const p of literal) {
        expect(p.commentsAuthors.length).toBeLessThanOrEqual(n)
        expect(p.tags.length).toBeLessThanOrEqual(n)
        if (n === 0) expect(p.permalink._tag).toBe('None')
      }
    }
    const all = right(await Pg.all(shownQuery(5, 0))(db.sql)())
    expect(all.some(p => p.commentsAuthors.length > 1)).toBe(true)
    expect(all.some(p => p.permalink._tag === 'Some')).toBe(true)
  })

  it("a to-one's limit placeholder: one statement text for every value (0, 1, 3), results equal to the literal query", async () => {
    // a belongs-to and a has-one with a limit and no offset: the window is needed only under 0
    const toOne = (n: Count) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.orderBy(['id']),
        Query.preload({
          permalink: Preload.query({ limit: n }),
          comments: Preload.query({ orderBy: ['id'] }, { post: Preload.query({ limit: n }) }),
        }),
      )
    const prepared = Prepared.make({ n: t.number }, ({ n }) => toOne(n))
    for (const strategy of strategies) {
      const texts: Array<ReadonlyArray<string>> = []
      for (const n of [0, 1, 3]) {
        const { sql, sent } = recording()
        const got = right(await Pg.prepared(prepared, { strategy })({ n })(sql)())
        const literal = right(await Pg.all(toOne(n), { strategy })(db.sql)())
        expect(got).toEqual(literal)
        if (strategy !== 'lateral')
          expect(right(await Memory.prepared(prepared, { strategy })({ n })(tables)())).toEqual(literal)
        // the cut is real: nothing under 0, the post of every comment above it
        for (const p of got) {
          if (n === 0) expect(p.permalink._tag).toBe('None')
          for (const c of p.comments) expect(c.post._tag).toBe(n === 0 ? 'None' : 'Some')
        }
        texts.push(sent.map(s => s.text))
      }
      expect(texts[0]?.length, strategy).toBeGreaterThan(strategy === 'lateral' ? 0 : 1)
      expect(texts[1], strategy).toEqual(texts[0])
      expect(texts[2], strategy).toEqual(texts[0])
    }
  })

  it('a placeholder only below the first level is still bound (0 keeps no row, 1 the first)', async () => {
    // The spec is searched for count placeholders at every depth: here the top level has none.
    const nested = (n: Count) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.orderBy(['id']),
        Query.preload({
          comments: Preload.query({ orderBy: ['id'] }, { post: Preload.query({ limit: n }) }),
        }),
      )
    const prepared = Prepared.make({ n: t.number }, ({ n }) => nested(n))
    for (const strategy of strategies)
      for (const n of [0, 1, 0]) {
        const got = right(await Pg.prepared(prepared, { strategy })({ n })(db.sql)())
        expect(got, strategy).toEqual(right(await Pg.all(nested(n), { strategy })(db.sql)()))
        const posts = got.flatMap(p => p.comments.map(c => c.post._tag))
        expect(posts.length).toBeGreaterThan(0)
        expect(new Set(posts), `${strategy} ${n}`).toEqual(new Set([n === 0 ? 'None' : 'Some']))
        if (strategy !== 'lateral')
          expect(right(await Memory.prepared(prepared, { strategy })({ n })(tables)())).toEqual(got)
      }
  })

  it('a negative or fractional value is an InvalidArgument naming the option and argument; nothing is sent', async () => {
    const shown = Prepared.make({ n: t.number, skip: t.number }, ({ n, skip }) => shownQuery(n, skip))
    const { sql, sent } = recording()
    for (const [args, what] of [
      [{ n: -1, skip: 0 }, /^limit expects a whole number >= 0, got -1 \(argument 'n'/],
      [{ n: 1, skip: 0.5 }, /^offset expects a whole number >= 0, got 0.5 \(argument 'skip'/],
    ] as const)
      for (const strategy of strategies)
        for (const r of [
          await Pg.prepared(shown, { strategy })(args)(sql)(),
          ...(strategy === 'lateral' ? [] : [await Memory.prepared(shown, { strategy })(args)(tables)()]),
        ])
          expect(E.isLeft(r) && r.left).toMatchObject({
            _tag: 'QueryError',
            code: 'InvalidArgument',
            message: expect.stringMatching(what),
          })
    expect(sent).toEqual([])
  })

  it('a placeholder kept from a builder and run outside its prepared query is refused', async () => {
    let kept: Pred.Term<number> | undefined
    Prepared.make({ n: t.number }, ({ n }) => {
      kept = n
      return hiddenQuery(n)
    })
    const r = await Memory.all(hiddenQuery(kept as Pred.Term<number>))(tables)()
    expect(E.isLeft(r) && r.left).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/^placeholder 'n' has no value/),
    })
  })
})

describe('row counts as placeholders: the SQL lowering', () => {
  it('marks the count parameters, and the ranked window computes its end in SQL', () => {
    const { Expr, Select } = Ast
    const n = Expr.placeholder('n')
    const base = Select.withWhere(Expr.inList(Expr.column('t0', 'post_id'), [1, 2]))(
      Select.create({ table: 'comments', alias: 't0' }, [{ name: 'id', expr: Expr.column('t0', 'id') }]),
    )
    const ordered = Select.withOrder([{ expr: Expr.column('t0', 'id'), dir: 'desc', nulls: 'default' }])(base)
    const ranked = Select.set('perParent', {
      _tag: 'Some',
      value: {
        keys: [Expr.column('t0', 'post_id')],
        limit: { _tag: 'Some', value: n },
        offset: { _tag: 'None' },
        distinctKeys: { _tag: 'None' },
      },
    })(ordered)
    expect(Sql.toSql(ranked)).toEqual(
      E.right({
        text:
          'select "__ranked"."id" from (select "t0"."id", "t0"."id" as "__o0", row_number() over (partition by "t0"."post_id" ' +
          'order by "t0"."id" desc) as "__rank" from "comments" as "t0" where "t0"."post_id" = any($1)) as "__ranked" ' +
          'where "__ranked"."__rank" > $2 and "__ranked"."__rank" - $3 <= $4 order by "__ranked"."__o0" desc',
        params: [[1, 2], 0, 0, n],
        counts: { 3: 'limit' },
      }),
    )
    expect(Sql.toSql(Select.set('offset', { _tag: 'Some', value: n })(base))).toEqual(
      E.right({
        text: 'select "t0"."id" from "comments" as "t0" where "t0"."post_id" = any($1) offset $2',
        params: [[1, 2], n],
        counts: { 1: 'offset' },
      }),
    )
  })
})
