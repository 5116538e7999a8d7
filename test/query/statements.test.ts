// `Query.statements`: every statement a load sends, with no database. Golden tests pin the text and
// parameters of both strategies (a nested preload, a through over its chain, a per-parent limit), the
// strategy `auto` picks and the refusals; a differential test runs the same loads on PostgreSQL through
// a client that records every statement the interpreter hands to postgres.js and checks that the
// statements reported are exactly the statements sent.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Column, Pg, Pred, Preload, Prepared, Query, Schema } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { connect, run, type TestDb } from '../support/db.js'

const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

const columns = (alias: string, names: ReadonlyArray<string>) =>
  names.map(c => `"${alias}"."${c}"`).join(', ')
const postCols = ['id', 'author_id', 'title', 'body', 'published', 'inserted_at']
const commentCols = ['id', 'post_id', 'author_id', 'parent_id', 'body', 'public', 'inserted_at']
const userCols = ['id', 'name', 'email']
const posts = `select ${columns('t0', postCols)} from "posts" as "t0"`

const posts0 = Query.from(Blog, 'post')

describe('Query.statements: golden', () => {
  const nested = pipe(posts0, Query.preload({ comments: { author: true } }))

  it('batched: the root, then each level with an empty list where its keys go', () => {
    const r = right(Query.statements(nested, { strategy: 'batched' }))
    expect(r.strategy).toBe('batched')
    expect(r.statements).toEqual([
      { _tag: 'Root', text: posts, params: [] },
      {
        _tag: 'Level',
        level: 'comments',
        keyedBy: 'owners',
        // a has_many without an order asked for: ordered by key in memory, no order by
        text: `select ${columns('t0', commentCols)} from "comments" as "t0" where "t0"."post_id" = any($1)`,
        params: [[]],
        keys: 0,
        one: {
          text: `select ${columns('t0', commentCols)} from "comments" as "t0" where "t0"."post_id" = $1`,
          params: [null],
          keys: 0,
        },
      },
      {
        _tag: 'Level',
        level: 'comments.author',
        keyedBy: 'owners',
        // a belongs_to to the primary key: at most one row per key, no order
        text: `select ${columns('t0', userCols)} from "users" as "t0" where "t0"."id" = any($1)`,
        params: [[]],
        keys: 0,
        one: {
          text: `select ${columns('t0', userCols)} from "users" as "t0" where "t0"."id" = $1`,
          params: [null],
          keys: 0,
        },
      },
    ])
    // the root statement is Query.toSql's
    expect(r.statements[0]).toEqual({ _tag: 'Root', ...right(Query.toSql(nested)) })
  })

  it('lateral: one statement, every association a json subquery', () => {
    const r = right(Query.statements(nested, { strategy: 'lateral' }))
    expect(r).toEqual({
      strategy: 'lateral',
      statements: [
        {
          _tag: 'Tree',
          text:
            `select ${columns('t0', postCols)}, (select coalesce(json_agg(row_to_json("j0")), '[]'::json) from ` +
            `(select ${columns('p0_0', commentCols)}, (select row_to_json("j1") from (select ${columns('p1_0', userCols)} ` +
            `from "users" as "p1_0" where "p1_0"."id" = "p0_0"."author_id") as "j1") as "author" ` +
            `from "comments" as "p0_0" where "p0_0"."post_id" = "t0"."id" order by "p0_0"."id" asc) as "j0") as "comments" ` +
            `from "posts" as "t0"`,
          params: [],
        },
      ],
    })
  })

  it('a through with hidden hops: its paths by owner key, then its targets by key (batched); one distinct on subquery (lateral)', () => {
    const q = pipe(posts0, Query.preload({ commentsAuthors: Preload.query({ hops: 'hide' }) }))
    expect(right(Query.statements(q, { strategy: 'batched' })).statements).toEqual([
      { _tag: 'Root', text: posts, params: [] },
      {
        _tag: 'Level',
        level: 'commentsAuthors',
        keyedBy: 'owners',
        // the author's key is the comment's foreign key: the paths do not read the users
        text:
          'select "t1"."author_id" as "id", "t1"."post_id" as "__owner" from "comments" as "t1" ' +
          'where "t1"."post_id" = any($1) order by "t1"."id" asc',
        params: [[]],
        keys: 0,
        one: {
          text:
            'select "t1"."author_id" as "id", "t1"."post_id" as "__owner" from "comments" as "t1" ' +
            'where "t1"."post_id" = $1 order by "t1"."id" asc',
          params: [null],
          keys: 0,
        },
      },
      {
        _tag: 'Level',
        level: 'commentsAuthors',
        keyedBy: 'targets',
        text: `select ${columns('t0', userCols)} from "users" as "t0" where "t0"."id" = any($1)`,
        params: [[]],
        keys: 0,
        one: {
          text: `select ${columns('t0', userCols)} from "users" as "t0" where "t0"."id" = $1`,
          params: [null],
          keys: 0,
        },
      },
    ])
    expect(right(Query.statements(q, { strategy: 'lateral' })).statements).toEqual([
      {
        _tag: 'Tree',
        text:
          `select ${columns('t0', postCols)}, (select coalesce(json_agg(row_to_json("j0")), '[]'::json) from ` +
          `(select ${columns('p0_x', userCols)} from (select distinct on ("p0_0"."id") "p0_0"."id" as "id", ` +
          `"p0_0"."name" as "name", "p0_0"."email" as "email", "p0_1"."id" as "__o0" from "users" as "p0_0" ` +
          `inner join "comments" as "p0_1" on "p0_1"."author_id" = "p0_0"."id" where "p0_1"."post_id" = "t0"."id" ` +
          `order by "p0_0"."id" asc, "p0_1"."id" asc) as "p0_x" order by "p0_x"."__o0" asc) as "j0") as "commentsAuthors" ` +
          `from "posts" as "t0"`,
        params: [],
      },
    ])
  })

  it('a through with its hops shown is walked from the hops: a statement per hop', () => {
    const q = pipe(posts0, Query.preload({ commentsAuthors: true }))
    const levels = right(Query.statements(q, { strategy: 'batched' })).statements.map(s =>
      s._tag === 'Level' ? s.level : s._tag,
    )
    expect(levels).toEqual(['Root', 'comments', 'comments.author'])
  })

  it('a per-parent limit: the keys walked with unnest (batched), a limit in the subquery (lateral)', () => {
    const q = pipe(posts0, Query.preload({ comments: Preload.query({ limit: 2 }) }))
    const inner = `select ${columns('t0', commentCols)} from "comments" as "t0"`
    expect(right(Query.statements(q, { strategy: 'batched' })).statements[1]).toEqual({
      _tag: 'Level',
      level: 'comments',
      keyedBy: 'owners',
      text:
        `select ${columns('__top', commentCols)} from unnest($1::integer[]) as "__keys"("v") cross join lateral ` +
        `(${inner} where "t0"."post_id" = "__keys"."v" order by "t0"."id" asc limit $2) as "__top"`,
      params: [[], 2],
      keys: 0,
      // one parent needs no walk: the group's window is the statement's
      one: {
        text: `${inner} where "t0"."post_id" = $1 order by "t0"."id" asc limit $2`,
        params: [null, 2],
        keys: 0,
      },
    })
    expect(right(Query.statements(q, { strategy: 'lateral' })).statements).toEqual([
      {
        _tag: 'Tree',
        text:
          `select ${columns('t0', postCols)}, (select coalesce(json_agg(row_to_json("j0")), '[]'::json) from ` +
          `(select ${columns('p0_0', commentCols)} from "comments" as "p0_0" where "p0_0"."post_id" = "t0"."id" ` +
          `order by "p0_0"."id" asc limit $1) as "j0") as "comments" from "posts" as "t0"`,
        params: [2],
      },
    ])
  })

  it('auto is the strategy a PostgreSQL load picks', () => {
    const spec = { comments: true } as const
    const strategyOf = (q: Query.AnyQuery) => right(Query.statements(q)).strategy
    expect(strategyOf(pipe(posts0, Query.preload(spec)))).toBe('batched')
    const n = Preload.lateralMaxParents(1 + Preload.assumedFanOut)
    expect(strategyOf(pipe(posts0, Query.limit(n), Query.preload(spec)))).toBe('lateral')
    expect(strategyOf(pipe(posts0, Query.limit(n + 1), Query.preload(spec)))).toBe('batched')
    expect(
      strategyOf(
        pipe(
          posts0,
          Query.where(p => Pred.eq(p.id, 1)),
          Query.preload(spec),
        ),
      ),
    ).toBe('lateral')
    expect(strategyOf(pipe(posts0, Query.limit(2), Query.distinct(), Query.preload(spec)))).toBe('batched')
    expect(right(Query.statements(pipe(posts0, Query.preload(spec)), { strategy: 'auto' })).strategy).toBe(
      'batched',
    )
  })

  it('without preloads, the root statement; a query that cannot match, none', () => {
    const plain = pipe(posts0, Query.limit(3))
    for (const strategy of ['auto', 'batched', 'lateral'] as const)
      expect(right(Query.statements(plain, { strategy })).statements).toEqual([
        { _tag: 'Root', ...right(Query.toSql(plain)) },
      ])
    const none = pipe(
      posts0,
      Query.where(p => Pred.in(p.id, [])),
      Query.preload({ comments: true }),
    )
    for (const strategy of ['batched', 'lateral'] as const)
      expect(right(Query.statements(none, { strategy })).statements).toEqual([])
  })

  it('an invalid query, spec or option is a Left', () => {
    const codeOf = (r: E.Either<{ readonly code: string }, unknown>) => (E.isLeft(r) ? r.left.code : 'Right')
    expect(codeOf(Query.statements(Query.from(Blog, 'nope' as never)))).toBe('UnknownSchema')
    const preloadOf = Query.preload as unknown as (p: unknown) => (q: Query.AnyQuery) => Query.AnyQuery
    expect(codeOf(Query.statements(pipe(posts0, preloadOf({ nope: true }))))).toBe('UnknownAssociation')
    expect(codeOf(Query.statements({ _tag: 'Query' } as never))).toBe('InvalidArgument')
    expect(codeOf(Query.statements(posts0, { strategy: 'fast' as never }))).toBe('InvalidArgument')
    expect(codeOf(Query.statements(posts0, { force: true } as never))).toBe('InvalidArgument')
    expect(codeOf(Query.statements(posts0, 'batched' as never))).toBe('InvalidArgument')
    const throwing = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom')
        },
      },
    )
    expect(codeOf(Query.statements(posts0, throwing as never))).toBe('InvalidArgument')
  })
})

// -------------------------------------------------------------------------------------
// differential: what is reported is what is sent
// -------------------------------------------------------------------------------------

// A composite target key: a through over it is one statement of whole paths.
const owner = Schema.table('owner', 'owners', { id: Column.integer })
const visit = Schema.table('visit', 'visits', { id: Column.integer, owner_id: Column.integer })
const mark = Schema.table(
  'mark',
  'marks',
  { visit_id: Column.integer, n: Column.integer, label: Column.text },
  { primaryKey: ['visit_id', 'n'] },
)
const Visits = Schema.modelOrThrow(
  { owner, visit, mark },
  {
    owner: { visits: Schema.hasMany('visit'), marks: Schema.through(['visits', 'marks']) },
    visit: { marks: Schema.hasMany('mark') },
  },
)

let db: TestDb
beforeAll(async () => {
  db = await connect()
  await run(db.sql, [
    ...ddl,
    ...seed,
    `create table owners (id integer primary key)`,
    `create table visits (id integer primary key, owner_id integer not null)`,
    `create table marks (visit_id integer, n integer, label text not null, primary key (visit_id, n))`,
    `insert into owners values (1), (2), (3)`,
    `insert into visits values (1, 1), (2, 1), (3, 2)`,
    `insert into marks values (1, 1, 'a'), (1, 2, 'b'), (3, 1, 'c')`,
  ])
})
afterAll(async () => db.close())

interface Sent {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
}

// The client the interpreter sends through, recording each statement as handed to postgres.js.
const recording = (sql: postgres.Sql): { readonly sql: postgres.Sql; readonly sent: Array<Sent> } => {
  const sent: Array<Sent> = []
  const proxy = new Proxy(sql, {
    get: (target, key) =>
      key === 'unsafe'
        ? (text: string, params: ReadonlyArray<unknown> = [], options?: postgres.UnsafeQueryOptions) => {
            sent.push({ text, params })
            return target.unsafe(text, params as Array<postgres.ParameterOrJSON<never>>, options)
          }
        : Reflect.get(target, key, target),
  })
  return { sql: proxy, sent }
}

// Every statement sent is one reported (a level in its many-key or one-key form, with the parameters
// reported but the keys), and every statement reported is sent once: the data below gives every level
// some keys.
const expectSameStatements = (reported: ReadonlyArray<Query.Statement>, sent: ReadonlyArray<Sent>) => {
  const rest = [...sent]
  const take = (text: string): Sent | undefined => {
    const k = rest.findIndex(s => s.text === text)
    return k < 0 ? undefined : rest.splice(k, 1)[0]
  }
  const but = (params: ReadonlyArray<unknown>, k: number) => params.filter((_, j) => j !== k)
  for (const s of reported) {
    if (s._tag !== 'Level') {
      const got = take(s.text)
      expect(got, s.text).toBeDefined()
      expect(got?.params).toEqual(s.params)
      continue
    }
    const many = take(s.text)
    const one = many === undefined ? take(s.one.text) : undefined
    expect(many ?? one, `level ${s.level}: ${s.text}`).toBeDefined()
    if (many !== undefined) {
      expect(but(many.params, s.keys)).toEqual(but(s.params, s.keys))
      expect(Array.isArray(many.params[s.keys])).toBe(true)
    }
    if (one !== undefined) expect(but(one.params, s.one.keys)).toEqual(but(s.one.params, s.one.keys))
  }
  expect(rest).toEqual([])
}

describe('Query.statements: what PostgreSQL is sent', () => {
  const cases: ReadonlyArray<readonly [string, Query.AnyQuery]> = [
    [
      'a nested spec beside a has_one and a many_to_many',
      pipe(
        posts0,
        Query.orderBy(['id']),
        Query.preload({ comments: { author: true }, permalink: true, tags: true }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'one parent (one key for the first level)',
      pipe(
        posts0,
        Query.where(p => Pred.eq(p.id, 1)),
        Query.preload({ comments: { author: true }, tags: true }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'a through with hidden hops and a spec on its rows',
      pipe(
        posts0,
        Query.preload({ commentsAuthors: Preload.query({ hops: 'hide' }, { posts: true }) }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'a through with hidden hops and a per-parent limit (cut in memory batched)',
      pipe(
        posts0,
        Query.preload({ commentsAuthors: Preload.query({ hops: 'hide', limit: 1 }) }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'a through with its hops shown',
      pipe(Query.from(Blog, 'user'), Query.preload({ commentedPosts: true })) as unknown as Query.AnyQuery,
    ],
    [
      'a per-parent limit with a filter and a nested spec',
      pipe(
        posts0,
        Query.preload({ comments: Preload.query({ where: { public: true }, limit: 2 }, { author: true }) }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'a distinct root',
      pipe(
        posts0,
        Query.distinct(),
        Query.where(p => Pred.in(p.id, [1, 2, 3])),
        Query.preload({ comments: true }),
      ) as unknown as Query.AnyQuery,
    ],
    ['no preload', pipe(posts0, Query.limit(2)) as unknown as Query.AnyQuery],
    [
      'a query that cannot match',
      pipe(
        posts0,
        Query.where(p => Pred.in(p.id, [])),
        Query.preload({ comments: true }),
      ) as unknown as Query.AnyQuery,
    ],
    [
      'a through to a composite key (whole paths)',
      pipe(
        Query.from(Visits, 'owner'),
        Query.preload({ marks: Preload.query({ hops: 'hide' }) }),
      ) as unknown as Query.AnyQuery,
    ],
  ]

  for (const [name, q] of cases)
    for (const strategy of ['auto', 'batched', 'lateral'] as const)
      it(`${name}, ${strategy}`, async () => {
        const reported = right(Query.statements(q, { strategy }))
        const { sql, sent } = recording(db.sql)
        right(await Pg.all(q, { strategy })(sql)())
        expectSameStatements(reported.statements, sent)
      })

  it('a prepared query: the statements of its query, its placeholders bound in each run', async () => {
    const p = Prepared.make({ id: t.number }, ({ id }) =>
      pipe(
        posts0,
        Query.where(r => Pred.gte(r.id, id)),
        Query.preload({ comments: { author: true } }),
      ),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      const reported = right(Query.statements(p.query, { strategy })).statements
      const { sql, sent } = recording(db.sql)
      right(await Pg.prepared(p, { strategy })({ id: 1 })(sql)())
      expect(sent.map(s => s.text).sort()).toEqual(reported.map(s => s.text).sort())
      expect(sent[0]?.params).toEqual([1])
    }
  })
})
