// Derived tables and the lowering of relation aggregates (issue 15, query/Lower.ts). First the AST: a
// select from or joined to a derived table, lateral or not, of every join kind, on PostgreSQL and in
// memory alike. Then the lowering: a projection's relation aggregates become grouped derived tables
// joined once (golden SQL), and where that is not the same query they stay correlated (a limit, a bare
// aggregate in a grouped select, a through). Every lowered query gives the rows of its correlated
// form on PostgreSQL, and memory gives them too; a property checks that over random algebra queries.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as O from 'fp-ts/lib/Option.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ast, Fn, Memory, Pred, Query, Sql } from '../../src/index.js'
import * as Lower from '../../src/query/Lower.js'
import * as Run from '../../src/run/Run.js'
import * as Arb from '../../src/testing/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { connect, multiset, params, withData, type PropertyDb } from '../property/support.js'
import { agree, openBlog } from './fixture.js'

const { Expr, Select } = Ast

const names = ['users', 'posts', 'comments', 'tags', 'posts_tags']

let db: TestDb
let tables: Memory.Tables
let prop: PropertyDb
beforeAll(async () => {
  ;({ db, tables } = await openBlog(names))
  prop = await connect()
})
afterAll(async () => {
  await db.close()
  await prop.close()
})

type Rows = ReadonlyArray<Readonly<Record<string, unknown>>>
const sortRows = (rs: Rows): Rows => [...rs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

// A select's rows on PostgreSQL and in memory: equal (as sets unless `ordered`), returned.
const both = async (s: Ast.Select.Select, ordered = false): Promise<Rows> => {
  const sql = Sql.toSql(s)
  if (E.isLeft(sql)) throw new Error(sql.left.message)
  const pg = (await db.sql.unsafe(sql.right.text, sql.right.params as Array<never>)) as Rows
  const mem = Memory.evaluate(tables)(s)
  if (E.isLeft(mem)) throw new Error(`memory: ${mem.left.message}`)
  expect(ordered ? mem.right : sortRows(mem.right)).toEqual(ordered ? [...pg] : sortRows(pg))
  return pg
}

const col = Expr.column
const counts = (alias: string) =>
  Select.set('groupBy', [col(alias, 'post_id')])(
    Select.create({ table: 'comments', alias }, [
      { name: 'post_id', expr: col(alias, 'post_id') },
      { name: 'n', expr: Expr.agg('count', []) },
    ]),
  )

describe('derived tables (AST)', () => {
  it('a grouped derived table joined left, inner, right and full: PostgreSQL = memory', async () => {
    for (const kind of ['left', 'inner', 'right', 'full'] as const) {
      const s = Select.withJoins([
        Select.join(kind, Select.derived(counts('c'), 'j'), Expr.eq(col('j', 'post_id'), col('t0', 'id'))),
      ])(
        Select.create({ table: 'posts', alias: 't0' }, [
          { name: 'id', expr: col('t0', 'id') },
          { name: 'n', expr: col('j', 'n') },
        ]),
      )
      const rows = await both(s)
      expect(rows.length).toBeGreaterThan(0)
    }
  })

  it('selects from a derived table, filtering and ordering by its outputs', async () => {
    const s = Select.withOrder([{ expr: col('d', 'post_id'), dir: 'asc', nulls: 'default' }])(
      Select.withWhere(Expr.compare('gt', col('d', 'n'), Expr.param(1)))(
        Select.create(Select.derived(counts('c'), 'd'), [
          { name: 'post_id', expr: col('d', 'post_id') },
          { name: 'n', expr: col('d', 'n') },
        ]),
      ),
    )
    expect(Sql.toSql(s)).toEqual(
      E.right({
        text:
          'select "d"."post_id", "d"."n" from (select "c"."post_id", count(*) as "n" from "comments" as "c" ' +
          'group by "c"."post_id") as "d" where "d"."n" > $1 order by "d"."post_id" asc',
        params: [1],
      }),
    )
    const rows = await both(s, true)
    expect(rows.every(r => Number(r['n']) > 1)).toBe(true)
  })

  it('a lateral join reads the rows before it: the newest comment of each post', async () => {
    const newest = Select.set(
      'limit',
      O.some(1),
    )(
      Select.withOrder([
        { expr: col('c', 'inserted_at'), dir: 'desc', nulls: 'default' },
        { expr: col('c', 'id'), dir: 'desc', nulls: 'default' },
      ])(
        Select.withWhere(Expr.eq(col('c', 'post_id'), col('t0', 'id')))(
          Select.create({ table: 'comments', alias: 'c' }, [{ name: 'body', expr: col('c', 'body') }]),
        ),
      ),
    )
    for (const kind of ['left', 'inner'] as const) {
      const s = Select.withJoins([Select.join(kind, Select.derived(newest, 'l', true), Expr.bool(true))])(
        Select.create({ table: 'posts', alias: 't0' }, [
          { name: 'id', expr: col('t0', 'id') },
          { name: 'body', expr: col('l', 'body') },
        ]),
      )
      const sql = Sql.toSql(s)
      expect(E.isRight(sql) && sql.right.text).toContain(`${kind} join lateral (select "c"."body" from`)
      await both(s)
    }
  })

  it('a lateral derived table joined right or full, or read in from, is refused before SQL', () => {
    const lateral = Select.derived(counts('c'), 'l', true)
    for (const kind of ['right', 'full'] as const) {
      const s = Select.withJoins([Select.join(kind, lateral, Expr.bool(true))])(
        Select.create({ table: 'posts', alias: 't0' }, [{ name: 'id', expr: col('t0', 'id') }]),
      )
      expect(E.isLeft(Sql.toSql(s))).toBe(true)
    }
    expect(E.isLeft(Sql.toSql(Select.create(lateral, [{ name: 'n', expr: col('l', 'n') }])))).toBe(true)
  })

  it('an inner binding shadows an outer one of the same alias (as a lowered semi-join nests a filter)', async () => {
    // The exists binds "x" again (posts) inside a select from comments as "x", and starts from "u" (the
    // binding it can probe): its conjunct on "x"."title" waits for the inner "x". Found by the algebra
    // property: memory read it from the outer "x" (comments, no title: 42703).
    const inner = Select.withWhere(Expr.like(col('x', 'title'), Expr.param('%e%'), false))(
      Select.withWhere(Expr.eq(col('u', 'id'), col('o', 'id')))(
        Select.withJoins([
          Select.join(
            'inner',
            { table: 'users', alias: 'u' },
            Expr.eq(col('u', 'id'), col('x', 'author_id')),
          ),
        ])(Select.create({ table: 'posts', alias: 'x' }, [])),
      ),
    )
    const s = Select.withWhere(Expr.exists(inner))(
      Select.withJoins([
        Select.join('inner', { table: 'users', alias: 'o' }, Expr.eq(col('o', 'id'), col('x', 'author_id'))),
      ])(Select.create({ table: 'comments', alias: 'x' }, [{ name: 'id', expr: col('x', 'id') }])),
    )
    const rows = await both(s)
    expect(rows.length).toBeGreaterThan(0)
  })

  it('an unbranded select in a derived table is refused, never compiled', () => {
    const fake = { ...counts('c') }
    const s = Select.create({ table: 'subquery', alias: 'd', select: fake as never }, [
      { name: 'n', expr: col('d', 'n') },
    ])
    expect(E.isLeft(Sql.toSql(s))).toBe(true)
    expect(E.isLeft(Memory.evaluate(tables)(s))).toBe(true)
  })
})

// The rows of a query's correlated form (its own select) and of its lowered form on PostgreSQL.
const correlatedAndLowered = async (q: Query.AnyQuery): Promise<readonly [Rows, Rows]> => {
  const run = async (s: Ast.Select.Select) => {
    const sql = Sql.toSql(s)
    if (E.isLeft(sql)) throw new Error(sql.left.message)
    return (await db.sql.unsafe(sql.right.text, sql.right.params as Array<never>)) as Rows
  }
  return [await run(q.select), await run(Lower.select(q.select))] as const
}

const posts = Query.from(Blog, 'post')

describe('relation aggregates lowered to grouped joins', () => {
  it("the root's own filters restrict the grouping (restated over the key); the rows are the correlated form's", async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.lte(p.id, 3)),
      Query.select((p, $) => ({ id: p.id, comments: $.count('comments'), tags: $.count('tags') })),
      Query.orderBy(['id']),
    )
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id", coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments", coalesce("t0_j1"."v0", cast($2 as bigint)) as "tags" ' +
        'from "posts" as "t0" left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" ' +
        'where "e1_0"."post_id" <= $3 group by "e1_0"."post_id") as "t0_j0" ' +
        'on "t0_j0"."k" = "t0"."id" left join (select "e1_1"."post_id" as "k", count(*) as "v0" from "tags" as "e1_0" ' +
        'inner join "posts_tags" as "e1_1" on "e1_1"."tag_id" = "e1_0"."id" ' +
        'where "e1_1"."post_id" <= $4 group by "e1_1"."post_id") as "t0_j1" ' +
        'on "t0_j1"."k" = "t0"."id" where "t0"."id" <= $5 order by "t0"."id" asc',
      [0, 0, 3, 3, 3],
    )
    expect(rows.map(r => r['comments'])).toEqual([3, 1, 1])
    const [correlated, lowered] = await correlatedAndLowered(q)
    expect(lowered).toEqual(correlated)
  })

  it('$.count(name) is built once per association and place: the same count twice (and in a second query) is one grouped column', async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.lte(p.id, 3)),
      Query.select((p, $) => ({ id: p.id, a: $.count('comments'), b: $.count('comments') })),
      Query.orderBy(['id']),
    )
    const again = pipe(
      posts,
      Query.select((p, $) => ({ id: p.id, a: $.count('comments') })),
    )
    expect(q.select.columns[1]?.expr).toBe(q.select.columns[2]?.expr)
    expect(again.select.columns[1]?.expr).toBe(q.select.columns[1]?.expr)
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id", coalesce("t0_j0"."v0", cast($1 as bigint)) as "a", coalesce("t0_j0"."v0", cast($2 as bigint)) as "b" ' +
        'from "posts" as "t0" left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" ' +
        'where "e1_0"."post_id" <= $3 group by "e1_0"."post_id") as "t0_j0" ' +
        'on "t0_j0"."k" = "t0"."id" where "t0"."id" <= $4 order by "t0"."id" asc',
      [0, 0, 3, 3],
    )
    expect(rows.map(r => [r['a'], r['b']])).toEqual([
      [3, 3],
      [1, 1],
      [1, 1],
    ])
    const [correlated, lowered] = await correlatedAndLowered(q)
    expect(lowered).toEqual(correlated)
  })

  it("a root filter that reads another column restricts the grouping by the root's keys (= any(array(select ...)))", async () => {
    const q = pipe(
      posts,
      Query.where(p => Pred.lte(p.id, 3)),
      Query.where(p => Pred.gte(p.author_id, 1)),
      Query.select((p, $) => ({ id: p.id, comments: $.count('comments') })),
      Query.orderBy(['id']),
    )
    const rows = await agree(
      { db, tables },
      q,
      'select "t0"."id", coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments" from "posts" as "t0" ' +
        'left join (select "e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "e1_0" ' +
        'where "e1_0"."post_id" = any(array(select "t0"."id" from "posts" as "t0" where "t0"."id" <= $2 ' +
        'and "t0"."author_id" >= $3)) group by "e1_0"."post_id") as "t0_j0" on "t0_j0"."k" = "t0"."id" ' +
        'where "t0"."id" <= $4 and "t0"."author_id" >= $5 order by "t0"."id" asc',
      [0, 3, 1, 3, 1],
    )
    expect(rows.length).toBeGreaterThan(0)
    const [correlated, lowered] = await correlatedAndLowered(q)
    expect(lowered).toEqual(correlated)
  })

  it('in a grouped select, inside an aggregate: lowered; the sum of counts per author', async () => {
    const q = pipe(
      posts,
      Query.groupBy(p => [p.author_id]),
      Query.select((p, $) => ({
        author: p.author_id,
        posts: Fn.count(),
        comments: Fn.sum($.count('comments')),
      })),
      Query.orderBy(['author']),
    )
    const sql = Query.toSql(q)
    expect(E.isRight(sql) && sql.right.text).toContain(
      'sum(coalesce("t0_j0"."v0", cast($1 as bigint))) as "comments"',
    )
    const [correlated, lowered] = await correlatedAndLowered(q)
    expect(sortRows(lowered)).toEqual(sortRows(correlated))
    await agree({ db, tables }, q, (sql as E.Right<Sql.CompiledQuery>).right.text, [0], true)
  })

  it('grouped with a having, a summed count: groups first, then counts the records of the groups kept', async () => {
    // Per author (NULL included) and month, the groups of at least one post, their posts and their
    // comments (bench W9's shape): each group gathers its post ids, each sum counts the comments of them;
    // an order term that is an output is ordered by that output.
    const q = pipe(
      posts,
      Query.where(p => Pred.lte(p.id, 4)),
      Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
      Query.having(() => Pred.gte(Fn.count(), 1)),
      Query.select((p, $) => ({
        author: p.author_id,
        month: Fn.dateTrunc('month', p.inserted_at),
        posts: Fn.count(),
        comments: Fn.sum($.count('comments')),
        open: Fn.sum($.count('comments', c => Pred.eq(c.public, true))),
      })),
      Query.orderBy(['author', 'month']),
    )
    const rows = await agree(
      { db, tables },
      q,
      'select "t0_g"."c0" as "author", "t0_g"."c1" as "month", "t0_g"."c2" as "posts", cast((select count(*) as "count" ' +
        'from "comments" as "e1_0" where "e1_0"."post_id" = any("t0_g"."t0_ids")) as numeric) as "comments", ' +
        'cast((select count(*) as "count" from "comments" as "e1_0" where "e1_0"."public" = $1 and ' +
        '"e1_0"."post_id" = any("t0_g"."t0_ids")) as numeric) as "open" from (select "t0"."author_id" as "c0", ' +
        'date_trunc(\'month\', "t0"."inserted_at") as "c1", count(*) as "c2", array_agg("t0"."id") as "t0_ids" ' +
        'from "posts" as "t0" where "t0"."id" <= $2 group by "t0"."author_id", date_trunc(\'month\', "t0"."inserted_at") ' +
        'having count(*) >= $3) as "t0_g" order by "t0_g"."c0" asc, "t0_g"."c1" asc',
      [true, 4, 1],
    )
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.some(r => r['author'] === null)).toBe(true)
    const [correlated, lowered] = await correlatedAndLowered(q)
    expect(lowered).toEqual(correlated)
  })

  it('stays correlated where lowering would change the query: a limit, a bare aggregate in a group, a through', () => {
    const limited = pipe(
      posts,
      Query.select((p, $) => ({ id: p.id, n: $.count('comments') })),
      Query.limit(2),
    )
    const grouped = pipe(
      posts,
      Query.groupBy(p => [p.id]),
      Query.select((p, $) => ({ id: p.id, n: $.count('comments') })),
    )
    const through = pipe(
      posts,
      Query.select((p, $) => ({ id: p.id, n: $.count('commentsAuthors') })),
    )
    for (const q of [limited, grouped, through]) {
      const sql = Query.toSql(q)
      expect(E.isRight(sql) && sql.right.text).toContain('(select count(*) as "count" from')
      expect(E.isRight(sql) && sql.right.text).not.toContain('left join (select')
    }
  })

  it('a whole-row query keeps its correlated filter; a subquery keeps its own aggregates correlated', () => {
    const whole = pipe(
      posts,
      Query.where((_, $) => Pred.gt($.count('comments'), 1)),
    )
    expect(Query.toSql(whole)).toMatchObject(
      E.right({ text: expect.stringContaining('where (select count(*) as "count" from "comments"') }),
    )
    const inner = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({
        name: u.name,
        busiest: Fn.scalar(
          pipe(
            posts,
            Query.where(p => Pred.eq(p.author_id, u.id)),
            Query.select((_, $) => ({ n: $.count('comments') })),
            Query.orderBy([['desc', 'n']]),
            Query.limit(1),
          ),
        ),
      })),
    )
    const sql = Query.toSql(inner)
    expect(E.isRight(sql) && sql.right.text).not.toContain('left join (select')
  })

  it('property: over random algebra queries the lowered select returns the correlated rows on PostgreSQL', async () => {
    const cases = Arb.model({ maxTables: 4 }).chain(g =>
      Arb.rows(g, { maxRows: 5 }).chain(data =>
        fc.array(Arb.algebraQuery(g), { minLength: 1, maxLength: 4 }).map(queries => ({ g, data, queries })),
      ),
    )
    let lowered = 0
    await fc.assert(
      fc.asyncProperty(cases, async ({ g, data, queries }) => {
        const results = await withData(prop.sql, g, data, async pg => {
          const out = []
          for (const spec of queries) {
            const q = Arb.toAlgebraQuery(g, data, spec)
            if (spec.refused !== null || !q.projected) continue
            // Without its limit and offset (which keep the correlated form), a query's aggregates lower.
            const whole = Select.set('offset', O.none)(Select.set('limit', O.none)(q.select))
            const low = Lower.select(whole)
            if (low === whole) continue
            lowered++
            out.push({ a: await pg.select(whole)(), b: await pg.select(low)() })
          }
          return out
        })
        for (const r of results) {
          if (E.isLeft(r.a)) {
            // The same error (a division by zero, an overflow) from both forms.
            expect(E.isLeft(r.b) && r.b.left._tag).toBe(r.a.left._tag)
            continue
          }
          if (E.isLeft(r.b)) throw new Error(`the lowered form failed: ${r.b.left.message}`)
          expect(multiset(r.b.right)).toEqual(multiset(r.a.right))
        }
      }),
      params(60),
    )
    expect(lowered).toBeGreaterThan(0)
  }, 120_000)
})

void Run
