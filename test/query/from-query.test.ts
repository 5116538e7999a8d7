// Query.fromQuery (issue 15): a projection as the root `from` source. Golden SQL for each use (where,
// grouping and having over the outputs, order by an output's name, a joined subquery, a right join, a
// nested fromQuery, the relation aggregates of the subquery, a fromQuery inside Pred.in and inside a
// lateral join), each run on PostgreSQL and in memory with the same rows; then what is refused before
// any SQL.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as t from 'io-ts'
import { Fn, Memory, Pg, Pred, Prepared, Query } from '../../src/index.js'
import { Blog } from '../support/blog.js'
import type { TestDb } from '../support/db.js'
import { agree, openBlog, refused, type Rows } from './fixture.js'

// Posts over three months: author 1 writes 2 in January (the seed), 3 in February and 3 in March;
// author 2 writes 1 in January (the seed) and 1 in February.
const extra: ReadonlyArray<string> = [
  `insert into posts (id, author_id, title, body, published, inserted_at) values
     (11, 1, 'f1', 'x', true, '2026-02-01T08:00:00Z'), (12, 1, 'f2', 'x', false, '2026-02-11T08:00:00Z'),
     (13, 1, 'f3', 'x', true, '2026-02-21T08:00:00Z'), (14, 1, 'm1', 'x', true, '2026-03-02T08:00:00Z'),
     (15, 1, 'm2', 'x', true, '2026-03-12T08:00:00Z'), (16, 1, 'm3', 'x', true, '2026-03-22T08:00:00Z'),
     (17, 2, 'f4', 'x', true, '2026-02-05T08:00:00Z')`,
]

let db: TestDb
let tables: Memory.Tables
beforeAll(async () => {
  ;({ db, tables } = await openBlog(['users', 'posts', 'comments'], extra))
})
afterAll(async () => {
  await db.close()
})
const env = () => ({ db, tables })

// Posts per author per month.
const monthly = pipe(
  Query.from(Blog, 'post'),
  Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
  Query.select(p => ({ author: p.author_id, month: Fn.dateTrunc('month', p.inserted_at), n: Fn.count() })),
)
const monthlySql =
  'select "s1_0"."author_id" as "author", date_trunc(\'month\', "s1_0"."inserted_at") as "month", count(*) as "n" ' +
  'from "posts" as "s1_0" group by "s1_0"."author_id", date_trunc(\'month\', "s1_0"."inserted_at")'

describe('Query.fromQuery', () => {
  it('returns the projection as it is, decoded with its decoders', async () => {
    const q = pipe(Query.fromQuery(monthly), Query.orderBy(['author', 'month']))
    const rows = await agree(
      env(),
      q,
      `select "t0"."author", "t0"."month", "t0"."n" from (${monthlySql}) as "t0" order by "t0"."author" asc, "t0"."month" asc`,
    )
    expect(rows.filter(r => r['author'] === 1).map(r => r['n'])).toEqual([2, 3, 3])
    expect(rows[0]?.['month']).toBeInstanceOf(Date)
  })

  it('authors whose posts per month average more than 2: group and having over its outputs', async () => {
    const q = pipe(
      Query.fromQuery(monthly),
      Query.groupBy(m => [m.author]),
      Query.having(m => Pred.gt(Fn.avg(m.n), 2)),
      Query.select(m => ({ author: m.author, perMonth: Fn.avg(m.n), months: Fn.count() })),
    )
    const rows = await agree(
      env(),
      q,
      'select "t0"."author", avg("t0"."n") as "perMonth", count(*) as "months" ' +
        `from (${monthlySql}) as "t0" group by "t0"."author" having avg("t0"."n") > $1`,
      [2],
    )
    expect(rows).toEqual([{ author: 1, perMonth: 8 / 3, months: 3 }])
  })

  it('where, expressions and a limit over its outputs; an unselected output orders', async () => {
    const q = pipe(
      Query.fromQuery(monthly),
      Query.where(m => Pred.and(Pred.gte(m.n, 2), Pred.isNotNull(m.author))),
      Query.select(m => ({ who: Fn.concat('author ', Fn.cast(m.author, 'text')), twice: Fn.mul(m.n, 2) })),
      Query.orderBy(m => [['desc', m.month]]),
      Query.limit(2),
    )
    const rows = await agree(
      env(),
      q,
      'select $1 || cast("t0"."author" as text) as "who", "t0"."n" * $2 as "twice" ' +
        `from (${monthlySql}) as "t0" where "t0"."n" >= $3 and not ("t0"."author" is null) ` +
        'order by "t0"."month" desc limit $4',
      ['author ', 2, 2, 2],
    )
    expect(rows).toEqual([
      { who: 'author 1', twice: 6 },
      { who: 'author 1', twice: 6 },
    ])
  })

  it('a subquery joined to it (and a right join, which makes its outputs nullable)', async () => {
    const names = pipe(
      Query.from(Blog, 'user'),
      Query.select(u => ({ id: u.id, name: u.name })),
    )
    const q = pipe(
      Query.fromQuery(monthly),
      Query.joinQuery(names, 'right', { as: 'u', on: (u, m) => Pred.eq(m.author, u.id) }),
      Query.groupBy((_, $) => [$.joined.u.id, $.joined.u.name]),
      Query.select((m, $) => ({ name: $.joined.u.name, posts: Fn.coalesce(Fn.sum(m.n), 0) })),
    )
    const rows = await agree(
      env(),
      q,
      'select "t1"."name", coalesce(sum("t0"."n"), $1) as "posts" ' +
        `from (${monthlySql}) as "t0" right join (select "s1_0"."id", "s1_0"."name" from "users" as "s1_0") as "t1" ` +
        'on "t0"."author" = "t1"."id" group by "t1"."id", "t1"."name"',
      [0],
    )
    expect(rows.length).toBeGreaterThan(2)
  })

  it('nests, and a subquery with a relation aggregate keeps its lowering', async () => {
    const counted = pipe(
      Query.from(Blog, 'post'),
      Query.select((p, $) => ({ id: p.id, author: p.author_id, comments: $.count('comments') })),
    )
    const q = pipe(
      Query.fromQuery(Query.fromQuery(counted)),
      Query.groupBy(c => [c.author]),
      Query.select(c => ({ author: c.author, comments: Fn.sum(c.comments), posts: Fn.count() })),
    )
    const rows = await agree(
      env(),
      q,
      'select "t0"."author", sum("t0"."comments") as "comments", count(*) as "posts" from (select "s2_0"."id", ' +
        '"s2_0"."author", "s2_0"."comments" from (select "s1_0"."id", "s1_0"."author_id" as "author", ' +
        'coalesce("t0_j0"."v0", cast($1 as bigint)) as "comments" from "posts" as "s1_0" left join ' +
        '(select "s1_e1_0"."post_id" as "k", count(*) as "v0" from "comments" as "s1_e1_0" group by "s1_e1_0"."post_id") ' +
        'as "t0_j0" on "t0_j0"."k" = "s1_0"."id") as "s2_0") as "t0" group by "t0"."author"',
      [0],
    )
    expect(rows.find(r => r['author'] === 1)?.['posts']).toBe(8)
  })

  it('inside Pred.in, and as a lateral join correlated to the row', async () => {
    const busy = pipe(
      Query.fromQuery(monthly),
      Query.where(m => Pred.gte(m.n, 3)),
      Query.select(m => ({ author: m.author })),
    )
    await agree(
      env(),
      pipe(
        Query.from(Blog, 'user'),
        Query.where(u => Pred.in(u.id, busy)),
        Query.select(u => ({ name: u.name })),
      ),
      'select "t0"."name" from "users" as "t0" where "t0"."id" in (select "s2_0"."author" from ' +
        `(${monthlySql}) as "s2_0" where "s2_0"."n" >= $1)`,
      [3],
    )
    const q = pipe(
      Query.from(Blog, 'user'),
      Query.joinLateral('best', u =>
        pipe(
          Query.from(Blog, 'post'),
          Query.where(p => Pred.eq(p.author_id, u.id)),
          Query.groupBy(p => [Fn.dateTrunc('month', p.inserted_at)]),
          Query.select(() => ({ n: Fn.count() })),
          Query.fromQuery,
          Query.select(m => ({ most: Fn.max(m.n) })),
        ),
      ),
      Query.select((u, $) => ({ name: u.name, most: $.joined.best.most })),
      Query.orderBy(['name']),
    )
    const rows = await agree(
      env(),
      q,
      'select "t0"."name", "t1"."most" from "users" as "t0" inner join lateral (select max("s2_0"."n") as "most" ' +
        'from (select count(*) as "n" from "posts" as "s1_0" where "s1_0"."author_id" = "t0"."id" ' +
        'group by date_trunc(\'month\', "s1_0"."inserted_at")) as "s2_0") as "t1" on true order by "t0"."name" asc',
    )
    expect(rows.length).toBeGreaterThan(0)
  })

  it('prepared, with placeholders in the subquery and around it', async () => {
    const busy = Prepared.make({ since: t.string, least: t.number }, ({ since, least }) =>
      pipe(
        Query.from(Blog, 'post'),
        Query.where(p => Pred.gte(p.title, since)),
        Query.groupBy(p => [p.author_id, Fn.dateTrunc('month', p.inserted_at)]),
        Query.select(p => ({ author: p.author_id, n: Fn.count() })),
        Query.fromQuery,
        Query.where(m => Pred.gte(m.n, least)),
        Query.select(m => ({ author: m.author, n: m.n })),
        Query.orderBy(['author', 'n']),
      ),
    )
    for (const args of [
      { since: 'a', least: 1 },
      { since: 'f', least: 3 },
    ]) {
      const pg = await Pg.prepared(busy)(args)(db.sql)()
      expect(E.isRight(pg)).toBe(true)
      expect(await Memory.prepared(busy)(args)(tables)()).toEqual(pg)
    }
    expect(await Pg.prepared(busy)({ since: 'f', least: 3 })(db.sql)()).toEqual(
      E.right([
        { author: 1, n: 3 },
        { author: 1, n: 3 },
      ]),
    )
  })

  // An output PostgreSQL never computes: one the outer query does not read, or one read only on the
  // rows an outer filter keeps (the filter is pushed into the subquery, or the subquery merged into the
  // query around it). The memory interpreter computes no more (post 11 makes `id * 100 / (id - 11)` fail).
  describe('outputs computed as PostgreSQL computes them', () => {
    type Posts = ReturnType<typeof posts>
    const posts = () => Query.from(Blog, 'post')
    const withQuotient = (shape: (q: Posts) => Posts = q => q) =>
      pipe(
        posts(),
        shape,
        Query.select(p => ({
          id: p.id,
          author: p.author_id,
          q: Fn.div(Fn.mul(p.id, 100), Fn.sub(p.id, 11)),
        })),
      )
    const outcome = async (q: Query.AnyQuery): Promise<unknown> => {
      const pg = await Pg.all(q)(db.sql)()
      const mem = await Memory.all(q)(tables)()
      const norm = (r: typeof pg) =>
        E.isLeft(r)
          ? `${r.left._tag} ${'code' in r.left ? String(r.left.code) : ''}`
          : [...(r.right as Rows)].sort((a, b) => Number(a['id'] ?? 0) - Number(b['id'] ?? 0))
      expect(norm(mem)).toEqual(norm(pg))
      return norm(pg)
    }

    it('an output the outer query does not read is not computed', async () => {
      const q = pipe(
        Query.fromQuery(withQuotient()),
        Query.select(r => ({ id: r.id, author: r.author })),
      )
      expect(((await outcome(q)) as Rows).map(r => r['id'])).toContain(11)
    })

    it('an output the outer query reads fails on both', async () => {
      const q = pipe(
        Query.fromQuery(withQuotient()),
        Query.select(r => ({ id: r.id, q: r.q })),
      )
      expect(await outcome(q)).toBe('DbError 22012')
    })

    it('an output read after an outer filter on another output: computed only on the rows kept', async () => {
      const q = pipe(
        Query.fromQuery(withQuotient()),
        Query.where(r => Pred.neq(r.id, 11)),
        Query.select(r => ({ id: r.id, q: r.q })),
      )
      const rows = (await outcome(q)) as Rows
      expect(rows.find(r => r['id'] === 12)).toEqual({ id: 12, q: 1200 })
      // Ordered in the subquery: not merged, the filter is pushed into its WHERE all the same.
      const ordered = pipe(
        Query.fromQuery(withQuotient(Query.orderBy(['id']))),
        Query.where(r => Pred.neq(r.id, 11)),
        Query.select(r => ({ id: r.id, q: r.q })),
      )
      expect(await outcome(ordered)).toEqual(rows)
      // Into a DISTINCT, and into a DISTINCT ON when the filter reads only its distinct expressions.
      const distinct = pipe(
        Query.fromQuery(withQuotient(Query.distinct())),
        Query.where(r => Pred.neq(r.id, 11)),
        Query.select(r => ({ id: r.id, q: r.q })),
      )
      expect(await outcome(distinct)).toEqual(rows)
      const on = pipe(
        Query.fromQuery(withQuotient(Query.distinctOn(p => [p.id]))),
        Query.where(r => Pred.neq(r.id, 11)),
        Query.select(r => ({ id: r.id, q: r.q })),
      )
      expect(await outcome(on)).toEqual(rows)
    })

    it('under a LIMIT, or a DISTINCT ON the filter is not on, it stays outside: the read output fails', async () => {
      for (const shape of [
        (q: Posts) => pipe(q, Query.orderBy(['id']), Query.limit(100)),
        (q: Posts) =>
          pipe(
            q,
            Query.distinctOn(p => [p.author_id]),
            Query.orderBy(['id']),
          ),
      ]) {
        const q = pipe(
          Query.fromQuery(withQuotient(shape)),
          Query.where(r => Pred.neq(r.id, 11)),
          Query.select(r => ({ id: r.id, q: r.q })),
        )
        expect(await outcome(q)).toBe('DbError 22012')
      }
    })

    it('the statement after one that failed once rows had come has its rows, whole', async () => {
      // postgres.js 3.4.9 leaves that many empty slots at the start of the connection's next result.
      const one = await db.sql.reserve()
      try {
        // Unordered: the rows before post 11 are sent before the division fails.
        const failing = pipe(
          Query.fromQuery(withQuotient()),
          Query.select(r => ({ id: r.id, q: r.q })),
        )
        const next = pipe(
          Query.fromQuery(withQuotient()),
          Query.select(r => ({ id: r.id })),
          Query.orderBy(['id']),
        )
        expect(E.isLeft(await Pg.all(failing)(one)())).toBe(true)
        const rows = await Pg.all(next)(one)()
        expect(rows).toEqual(await Memory.all(next)(tables)())
        expect(E.isRight(rows) && rows.right.every(r => typeof r.id === 'number')).toBe(true)
      } finally {
        one.release()
      }
    })

    it('an unread aggregate of a grouped subquery is not computed', async () => {
      const grouped = pipe(
        Query.from(Blog, 'post'),
        Query.groupBy(p => [p.author_id]),
        Query.select(p => ({
          author: p.author_id,
          bad: Fn.sum(Fn.div(Fn.mul(p.id, 100), Fn.sub(p.id, 11))),
        })),
      )
      const q = pipe(
        Query.fromQuery(grouped),
        Query.select(r => ({ id: r.author })),
      )
      expect(((await outcome(q)) as Rows).length).toBeGreaterThan(0)
      const read = pipe(
        Query.fromQuery(grouped),
        Query.select(r => ({ id: r.author, bad: r.bad })),
      )
      expect(await outcome(read)).toBe('DbError 22012')
    })
  })

  it('Query.statements shows its one statement', () => {
    expect(Query.statements(Query.fromQuery(monthly))).toEqual(
      E.right({
        strategy: expect.any(String),
        statements: [
          {
            _tag: 'Root',
            text: `select "t0"."author", "t0"."month", "t0"."n" from (${monthlySql}) as "t0"`,
            params: [],
          },
        ],
      }),
    )
  })
})

describe('Query.fromQuery: refused before any SQL', () => {
  it('a query refused while built (no model to read) answers its own error on every interpreter, as toSql does', async () => {
    const q = Query.fromQuery({} as never)
    const sql = Query.toSql(q)
    expect(E.isLeft(sql) && sql.left.message).toMatch(/^Query\.fromQuery: expected a query/)
    expect(await Memory.all(q)(tables)()).toEqual(sql)
    expect(await Pg.all(q)(db.sql)()).toEqual(sql)
  })
  it('a query of whole rows, or with preloads', () => {
    refused(
      Query.fromQuery(Query.from(Blog, 'post') as never),
      'InvalidArgument',
      /expected a projection.*'post'/,
    )
    refused(
      Query.fromQuery(pipe(monthly, Query.preload({ author: true })) as never),
      'InvalidArgument',
      /a query with preloads cannot be selected from/,
    )
    refused(Query.fromQuery({ select: 1 } as never), 'InvalidArgument', /fromQuery: expected a query/)
  })

  it("the subquery's errors, an output it does not have, associations and preloads", () => {
    refused(
      Query.fromQuery(
        pipe(
          Query.from(Blog, 'post'),
          Query.select(p => ({ x: Fn.cast(Fn.cast(p.id, 'bigint'), 'boolean') })),
        ),
      ),
      'InvalidArgument',
      /no cast from bigint to boolean/,
    )
    refused(
      pipe(
        Query.fromQuery(monthly),
        Query.where(m =>
          Pred.eq((m as unknown as Record<string, Pred.Term<unknown>>)['title'] as Pred.Term<unknown>, 'x'),
        ),
      ),
      'UnknownColumn',
      /the subquery of Query.fromQuery has no output 'title'/,
    )
    refused(
      pipe(Query.fromQuery(monthly), Query.preload({ comments: true } as never) as never),
      'InvalidArgument',
      /Query.preload: a query over the subquery of Query.fromQuery \(a query of 'post'\) has no schema/,
    )
    refused(
      pipe(Query.fromQuery(monthly), Query.orderBy(['title' as never])),
      'UnknownColumn',
      /the subquery of Query.fromQuery has no output 'title'/,
    )
  })

  it('an association asked of it: its rows are a derived table, which has none (named with the query it came from)', async () => {
    type Untyped = Record<string, (name: string, f?: unknown) => never>
    const asked: ReadonlyArray<readonly [string, (q: Query.AnyQuery) => Query.AnyQuery]> = [
      [
        '$.count',
        q => Query.select((_, $) => ({ c: ($ as never as Untyped)['count']!('comments') }))(q as never),
      ],
      [
        '$.sum',
        q =>
          Query.select((_, $) => ({ c: ($ as never as Untyped)['sum']!('comments', () => 1) }))(q as never),
      ],
      ['$.exists', q => Query.where((_, $) => ($ as never as Untyped)['exists']!('comments'))(q as never)],
      ['$.every', q => Query.where((_, $) => ($ as never as Untyped)['every']!('comments'))(q as never)],
      ['$.count', q => Query.orderBy((_, $) => [($ as never as Untyped)['count']!('comments')])(q as never)],
      [
        'Query.join',
        q => (Query.join as (name: string) => (q: Query.AnyQuery) => Query.AnyQuery)('comments')(q),
      ],
    ]
    // nested: the message still names the schema the rows came from
    for (const source of [Query.fromQuery(monthly), Query.fromQuery(Query.fromQuery(monthly))])
      for (const [fn, f] of asked) {
        const q = f(source)
        const expected = {
          _tag: 'QueryError',
          code: 'UnknownAssociation',
          association: 'comments',
          message: expect.stringMatching(
            new RegExp(
              `^${fn.replace('$', '\\$')}(\\('comments'\\))?: the query selects from the subquery of Query\\.fromQuery \\(a query of 'post'\\): ` +
                'a derived table of its outputs \\(author, month, n\\) has no associations',
            ),
          ),
        }
        const sql = Query.toSql(q)
        expect(E.isLeft(sql) && sql.left).toMatchObject(expected)
        expect(JSON.stringify(sql)).not.toMatch(/no schema ''/)
        const pg = await Pg.all(q)(db.sql)()
        expect(E.isLeft(pg) && pg.left).toMatchObject(expected)
        const mem = await Memory.all(q)(tables)()
        expect(E.isLeft(mem) && mem.left).toMatchObject(expected)
      }
  })

  it('a column of it neither grouped nor aggregated', () => {
    refused(
      pipe(
        Query.fromQuery(monthly),
        Query.groupBy(m => [m.author]),
        Query.select(m => ({ a: m.author, m: m.month })),
      ),
      'InvalidArgument',
      /column 'subquery.month' is neither grouped/,
    )
  })

  it('runs nothing when refused', async () => {
    const q = Query.fromQuery(Query.from(Blog, 'post') as never)
    expect(E.isLeft(await Pg.all(q)(db.sql)())).toBe(true)
    expect(E.isLeft(await Memory.all(q)(tables)())).toBe(true)
  })
})
