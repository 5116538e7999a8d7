import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Select from '../../src/ast/Select.js'
import * as Expr from '../../src/ast/Expr.js'
import * as Plan from '../../src/plan/Preload.js'
import * as Spec from '../../src/plan/Spec.js'
import * as Strategy from '../../src/plan/Strategy.js'
import * as Lateral from '../../src/sql/Lateral.js'
import { Memory, Pg, Pred, Preload, Query, Run } from '../../src/index.js'
import * as Sql from '../../src/sql/Compile.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'
import * as Fixture from './fixture.js'

const { Ext } = Fixture

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [...ddl, ...Fixture.ddl, ...seed, ...Fixture.seed])
})
afterAll(async () => db.close())

const both = async <A>(
  f: (s: 'batched' | 'lateral') => (sql: Pg.Db) => () => Promise<E.Either<unknown, A>>,
) => {
  const b = await f('batched')(db.sql)()
  const l = await f('lateral')(db.sql)()
  if (E.isLeft(b)) throw new Error(`batched: ${JSON.stringify(b.left)}`)
  if (E.isLeft(l)) throw new Error(`lateral: ${JSON.stringify(l.left)}`)
  expect(l.right).toEqual(b.right)
  return b.right
}

const ids = (rows: ReadonlyArray<{ readonly id: unknown }>) => rows.map(r => r.id)

describe('preload: representations through JSON', () => {
  it('int8, numeric, timestamptz (microseconds) and jsonb decode to the values top-level rows hold', async () => {
    const top = await Pg.all(pipe(Query.from(Ext, 'measure'), Query.orderBy(['id'])))(db.sql)()
    if (E.isLeft(top)) throw top.left
    const r = await both(s =>
      Pg.all(
        pipe(
          Query.from(Ext, 'post'),
          Query.where(p => Pred.in(p.id, [1, 3])),
          Query.orderBy(['id']),
          Query.preload({ measures: Preload.query({ orderBy: ['id'] }) }),
        ),
        { strategy: s },
      ),
    )
    const nested = r.flatMap(p => p.measures)
    // post 1: ids 2 and 9007199254740993 (int8 order), post 3: id 3; top-level rows are in id order
    expect(nested).toEqual([top.right[0], top.right[2], top.right[1]])
    expect(nested.find(m => m.id === '9007199254740993')?.big).toBe('9007199254740993')
    expect(nested.find(m => m.id === '9007199254740993')?.amount).toBe('12345678901234567890.125')
    expect(nested[0]?.at).toBeInstanceOf(Date)
  })

  it('int8 owner keys (preloadInto, lateral keys as bigint[])', async () => {
    const ms = await Pg.all(pipe(Query.from(Ext, 'measure'), Query.orderBy(['id'])))(db.sql)()
    if (E.isLeft(ms)) throw ms.left
    const r = await both(s => Pg.preloadInto(Ext, 'measure', { parts: true }, { strategy: s })(ms.right))
    expect(r.map(m => m.parts.map(p => p.label))).toEqual([[], ['p3'], ['p1', 'p2']])
  })
})

describe('preload: more Ecto scenarios', () => {
  it('has_one: preloadOrder picks the first in that order; without it the lowest primary key', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          Query.from(Ext, 'post'),
          Query.orderBy(['id']),
          Query.preload({ latestComment: true, permalink: true }),
        ),
        { strategy: s },
      ),
    )
    expect(r.map(p => O.map((c: { readonly id: number }) => c.id)(p.latestComment))).toEqual([
      O.some(3),
      O.some(4),
      O.some(5),
      O.none,
    ])
    expect(O.map((l: { readonly id: number }) => l.id)(r[0]?.permalink ?? O.none)).toEqual(O.some(1))
    const second = await both(s =>
      Pg.all(
        pipe(
          Query.from(Ext, 'post'),
          Query.where(p => Pred.eq(p.id, 1)),
          Query.preload({ permalink: Preload.query({ offset: 1 }) }),
        ),
        { strategy: s },
      ),
    )
    expect(O.map((l: { readonly id: number }) => l.id)(second[0]?.permalink ?? O.none)).toEqual(O.some(3))
  })

  it('has_many through many_to_many, and through of a through', async () => {
    const r = await both(s =>
      Pg.all(pipe(Query.from(Ext, 'post'), Query.orderBy(['id']), Query.preload({ tagsPosts: true })), {
        strategy: s,
      }),
    )
    expect(r.map(p => ids(p.tagsPosts))).toEqual([[1, 3], [2], [1, 3], []])
    expect(r[0]?.tags.map(t => ids(t.posts))).toEqual([[1], [1, 3]])
    const l = await both(s =>
      Pg.all(
        pipe(
          Query.from(Ext, 'permalink'),
          Query.orderBy(['id']),
          Query.preload({ postCommentsAuthors: true }),
        ),
        {
          strategy: s,
        },
      ),
    )
    expect(l.map(x => x.postCommentsAuthors.map(u => u.name))).toEqual([['bob', 'cy'], ['cy'], ['bob', 'cy']])
    const first = l[0]?.post
    expect(first !== undefined && O.isSome(first) && first.value.commentsAuthors.map(u => u.name)).toEqual([
      'bob',
      'cy',
    ])
  })

  it('a key given twice with different queries is a QueryError', async () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.preload({ comments: Preload.query({ limit: 1 }) }),
      Query.preload({ comments: Preload.query({ limit: 2 }) }),
    )
    expect(Query.toSql(q)).toEqual(
      E.left(expect.objectContaining({ _tag: 'QueryError', schema: 'post', association: 'comments' })),
    )
    expect(await Pg.all(q)(db.sql)()).toEqual(E.left(expect.objectContaining({ association: 'comments' })))
  })

  it('a distinct root runs laterally too', async () => {
    const r = await both(s =>
      Pg.all(
        pipe(
          Query.from(Blog, 'post'),
          Query.distinct(),
          Query.orderBy(['id']),
          Query.preload({ tags: true }),
        ),
        { strategy: s },
      ),
    )
    expect(ids(r)).toEqual([1, 2, 3, 4])
  })
})

describe('preload: strategies', () => {
  it('auto: lateral for a limited or single-parent root, batched otherwise; batched without the capability', () => {
    const i = Pg.interpreter(db.sql)
    const s = (q: Query.AnyQuery) => Preload.choose(i, q.model, q.schema, { _tag: 'Query', select: q.select })
    expect(
      s(pipe(Query.from(Blog, 'post'), Query.limit(Preload.lateralMaxParents(1 + Preload.assumedFanOut)))),
    ).toBe('lateral')
    expect(
      s(
        pipe(Query.from(Blog, 'post'), Query.limit(Preload.lateralMaxParents(1 + Preload.assumedFanOut) + 1)),
      ),
    ).toBe('batched')
    const one = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.eq(p.id, 1)),
    )
    expect(s(one)).toBe('lateral')
    expect(s(Query.from(Blog, 'post'))).toBe('batched')
    expect(Preload.choose(i, Blog, 'post', { _tag: 'Rows', count: 3 })).toBe('lateral')
    expect(Preload.choose(i, Blog, 'post', { _tag: 'Rows', count: 500 })).toBe('batched')
    expect(Preload.choose({ ...i, tree: undefined } as never, Blog, 'post', { _tag: 'Rows', count: 1 })).toBe(
      'batched',
    )
  })

  it('auto reads the most parents a root can return from its own terms: limit, key equality, key list, key range', () => {
    const i = Pg.interpreter(db.sql)
    const n = Preload.lateralMaxParents(1 + Preload.assumedFanOut)
    const s = (q: Query.AnyQuery) => Preload.choose(i, q.model, q.schema, { _tag: 'Query', select: q.select })
    const bound = (q: Query.AnyQuery) => Strategy.parentsBound(q.model, q.schema, q.select)
    const posts = Query.from(Blog, 'post')
    const range = (lo: number, hi: number) =>
      pipe(
        posts,
        Query.where(p => Pred.and(Pred.gte(p.id, lo), Pred.lte(p.id, hi))),
      )
    // a range of the primary key: hi - lo + 1 rows at most
    expect(bound(range(101, 100 + n))).toBe(n)
    expect(s(range(101, 100 + n))).toBe('lateral')
    expect(s(range(101, 101 + n))).toBe('batched')
    // strict bounds, and an empty range
    expect(
      bound(
        pipe(
          posts,
          Query.where(p => Pred.and(Pred.gt(p.id, 10), Pred.lt(p.id, 14))),
        ),
      ),
    ).toBe(3)
    expect(bound(range(10, 5))).toBe(0)
    // one bound alone says nothing
    expect(
      bound(
        pipe(
          posts,
          Query.where(p => Pred.gte(p.id, 10)),
        ),
      ),
    ).toBeUndefined()
    // a range of another column says nothing (no statistics are read)
    expect(
      bound(
        pipe(
          posts,
          Query.where(p => Pred.and(Pred.gte(p.author_id, 1), Pred.lte(p.author_id, 2))),
        ),
      ),
    ).toBeUndefined()
    // a list of keys: its length; the smallest of several bounds wins
    const keys = Array.from({ length: n + 1 }, (_, k) => k + 1)
    expect(
      bound(
        pipe(
          posts,
          Query.where(p => Pred.in(p.id, keys)),
        ),
      ),
    ).toBe(n + 1)
    expect(
      s(
        pipe(
          posts,
          Query.where(p => Pred.in(p.id, keys)),
        ),
      ),
    ).toBe('batched')
    expect(
      s(
        pipe(
          posts,
          Query.where(p => Pred.in(p.id, keys.slice(0, n))),
        ),
      ),
    ).toBe('lateral')
    expect(bound(pipe(range(1, 1000), Query.limit(7)))).toBe(7)
    expect(
      bound(
        pipe(
          posts,
          Query.where(p => Pred.in(p.id, keys)),
          Query.limit(2),
        ),
      ),
    ).toBe(2)
    // a distinct root stays batched whatever its bound
    expect(s(pipe(range(1, 2), Query.distinct()))).toBe('batched')
  })

  it('the memory interpreter (batched over select) gives the PostgreSQL tree', async () => {
    const tables: Memory.Tables = new Map(
      await Promise.all(
        ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags', 'measures', 'parts'].map(
          async name => [name, await db.sql.unsafe(`select * from ${name}`)] as const,
        ),
      ),
    )
    const q = pipe(
      Query.from(Ext, 'post'),
      Query.orderBy(['id']),
      Query.preload({
        comments: Preload.query({ orderBy: [['desc', 'id']], limit: 2 }, { author: { posts: true } }),
        commentsAuthors: true,
        tags: { posts: true },
        latestComment: true,
        measures: { parts: true },
      }),
    )
    const pg = await both(s => Pg.all(q, { strategy: s }))
    const mem = await Run.all(q)(Memory.interpreter(tables))()
    expect(mem).toEqual(E.right(pg))
  })

  it('SQL of both strategies for a nested preload with a per-parent limit', () => {
    const q = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.in(p.id, [1, 2])),
      Query.preload({ comments: Preload.query({ orderBy: [['desc', 'id']], limit: 2 }, { author: true }) }),
    )
    const nodes = Spec.normalize(Blog, 'post', q.preload)
    if (E.isLeft(nodes)) throw nodes.left
    const comments = nodes.right[0] as Spec.Node
    const chain = Plan.chain(Blog, comments)
    if (E.isLeft(chain)) throw chain.left
    expect(Sql.toSql(Plan.batched(Blog, comments, chain.right, [1, 2]))).toEqual({
      text: 'select "__top"."id", "__top"."post_id", "__top"."author_id", "__top"."parent_id", "__top"."body", "__top"."public", "__top"."inserted_at" from unnest($1::integer[]) as "__keys"("v") cross join lateral (select "t0"."id", "t0"."post_id", "t0"."author_id", "t0"."parent_id", "t0"."body", "t0"."public", "t0"."inserted_at" from "comments" as "t0" where "t0"."post_id" = "__keys"."v" order by "t0"."id" desc limit $2) as "__top"',
      params: [[1, 2], 2],
    })
    const tree = Plan.treeOfQuery(Blog, q.select, nodes.right)
    if (E.isLeft(tree)) throw tree.left
    expect(Lateral.toSql(tree.right)).toEqual({
      text: 'select "t0"."id", "t0"."author_id", "t0"."title", "t0"."body", "t0"."published", "t0"."inserted_at", (select coalesce(json_agg(row_to_json("j0")), \'[]\'::json) from (select "p0_0"."id", "p0_0"."post_id", "p0_0"."author_id", "p0_0"."parent_id", "p0_0"."body", "p0_0"."public", "p0_0"."inserted_at", (select row_to_json("j1") from (select "p1_0"."id", "p1_0"."name", "p1_0"."email" from "users" as "p1_0" where "p1_0"."id" = "p0_0"."author_id") as "j1") as "author" from "comments" as "p0_0" where "p0_0"."post_id" = "t0"."id" order by "p0_0"."id" desc limit $1) as "j0") as "comments" from "posts" as "t0" where "t0"."id" = any($2)',
      params: [2, [1, 2]],
    })
  })

  it('lateral: a through with hidden hops is one distinct-on subquery, and equals the walk', async () => {
    const q = (hops: 'show' | 'hide') =>
      pipe(
        Query.from(Blog, 'post'),
        Query.orderBy(['id']),
        Query.preload({ commentsAuthors: Preload.query({ hops, limit: 1 }, { posts: true }) }),
      )
    const nodes = Spec.normalize(Blog, 'post', q('hide').preload)
    if (E.isLeft(nodes)) throw nodes.left
    const tree = Plan.treeOfQuery(Blog, q('hide').select, nodes.right)
    if (E.isLeft(tree)) throw tree.left
    const { text } = Lateral.toSql(tree.right)
    expect(text).toContain('select distinct on ("p0_0"."id")')
    expect(text).not.toContain('as "comments"')
    const hidden = await both(s => Pg.all(q('hide'), { strategy: s }))
    const shown = await Pg.all(q('show'), { strategy: 'lateral' })(db.sql)()
    if (E.isLeft(shown)) throw shown.left
    expect(hidden.map(p => p.commentsAuthors)).toEqual(shown.right.map(p => p.commentsAuthors))
    expect(hidden.map(p => p.commentsAuthors.map(u => ids(u.posts)))).toEqual([[[3]], [[1, 2]], [[]], []])
  })

  it('Select.perParent walks distinct listed keys laterally, with the ranking and the memory result', async () => {
    const base = (sqlType: O.Option<string>, keys: ReadonlyArray<unknown>, offset: O.Option<number>) =>
      pipe(
        Select.create({ table: 'comments', alias: 'c' }, [
          { name: 'id', expr: Expr.column('c', 'id') },
          { name: 'author_id', expr: Expr.column('c', 'author_id') },
        ]),
        Select.withWhere(Expr.inList(Expr.column('c', 'author_id'), keys)),
        Select.withOrder([{ expr: Expr.column('c', 'id'), dir: 'desc', nulls: 'default' }]),
        Select.set(
          'perParent',
          O.some({
            keys: [Expr.column('c', 'author_id')],
            limit: O.some(1),
            offset,
            distinctKeys: O.map((t: string) => ({ sqlType: t }))(sqlType),
          }),
        ),
      )
    // grouped by key, each group in order: the order among groups is unspecified
    const groups = (rows: ReadonlyArray<Record<string, unknown>>) => {
      const m = new Map<unknown, Array<unknown>>()
      for (const r of rows) m.set(r['author_id'], [...(m.get(r['author_id']) ?? []), r['id']])
      return [...m].sort((a, b) => Number(a[0]) - Number(b[0]))
    }
    const tables: Memory.Tables = new Map([['comments', await db.sql.unsafe(`select * from comments`)]])
    for (const keys of [[1, 2, 3], [3, 1, null, 99], [2]])
      for (const offset of [O.none, O.some(1)]) {
        const walked = Sql.toSql(base(O.some('integer'), keys, offset))
        const ranked = Sql.toSql(base(O.none, keys, offset))
        if (keys.length > 1) {
          expect(walked.text).toContain('from unnest($1::integer[]) as "__keys"("v") cross join lateral')
          expect(walked.text).toContain('cross join lateral')
        } else expect(walked.text).not.toContain('lateral')
        expect(walked.text).not.toContain('row_number')
        if (keys.length > 1) expect(ranked.text).toContain('row_number() over (partition by "c"."author_id"')
        else expect(ranked.text).toBe(walked.text)
        const a = await Pg.execute(walked)(db.sql)()
        const b = await Pg.execute(ranked)(db.sql)()
        const m = Memory.evaluate(tables)(base(O.none, keys, offset))
        if (E.isLeft(a) || E.isLeft(b) || E.isLeft(m)) throw new Error('failed')
        expect(groups(a.right)).toEqual(groups(m.right))
        expect(groups(b.right)).toEqual(groups(m.right))
        expect(m.right.length).toBeGreaterThan(0)
      }
  })

  it('Select.perParent: a key type that is not a plain built-in type name is never spelled in SQL', () => {
    for (const keyType of ['integer not null', 'integer[]); drop table users; --', 'my_domain']) {
      const s = pipe(
        Select.create({ table: 'comments', alias: 'c' }, [{ name: 'id', expr: Expr.column('c', 'id') }]),
        Select.withWhere(Expr.inList(Expr.column('c', 'author_id'), [1, 2])),
        Select.set(
          'perParent',
          O.some({
            keys: [Expr.column('c', 'author_id')],
            limit: O.some(1),
            offset: O.none,
            distinctKeys: O.some({ sqlType: keyType }),
          }),
        ),
      )
      const { text } = Sql.toSql(s)
      expect(text).not.toContain(keyType)
      expect(text).toContain('row_number()')
    }
  })

  it('Select.perParent runs on PostgreSQL: top-N per group, in order', async () => {
    let s = Select.create({ table: 'comments', alias: 'c' }, [
      { name: 'id', expr: Expr.column('c', 'id') },
      { name: 'author_id', expr: Expr.column('c', 'author_id') },
    ])
    s = Select.withOrder([{ expr: Expr.column('c', 'id'), dir: 'asc', nulls: 'default' }])(s)
    s = Select.set(
      'perParent',
      O.some({
        keys: [Expr.column('c', 'author_id')],
        limit: O.some(1),
        offset: O.none,
        distinctKeys: O.none,
      }),
    )(s)
    const r = await Pg.execute(Sql.toSql(s))(db.sql)()
    expect(r).toEqual(
      E.right([
        { id: 1, author_id: 2 },
        { id: 2, author_id: 3 },
        { id: 4, author_id: 1 },
      ]),
    )
  })
})
