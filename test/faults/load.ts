// The workload of the concurrency tests: a generated blog (50 posts, 500 comments, threads, tags) and
// 1,000 nested preload queries over it, in every strategy. Shared by concurrency.test.ts and the heap
// child process (heap-child.ts).
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { Pg, Pred, Query } from '../../src/index.js'
import { Blog, ddl } from '../support/blog.js'

export const data: ReadonlyArray<string> = [
  ...ddl,
  `insert into users (id, name, email) select i, 'user ' || i, case when i % 3 = 0 then null else 'u' || i || '@example.com' end
     from generate_series(1, 20) i`,
  `insert into posts (id, author_id, title, body, published, inserted_at)
     select i, case when i % 7 = 0 then null else 1 + i % 20 end, 'post ' || i, 'body ' || i, i % 2 = 0,
            timestamptz '2026-01-01' + i * interval '1 hour'
     from generate_series(1, 50) i`,
  `insert into comments (id, post_id, author_id, parent_id, body, public, inserted_at)
     select i, 1 + i % 50, 1 + i % 20, case when i > 50 and i % 4 = 0 then i - 50 else null end, 'comment ' || i,
            i % 3 <> 0, timestamptz '2026-02-01' + i * interval '1 minute'
     from generate_series(1, 500) i`,
  `insert into permalinks (id, post_id, url) select i, i, '/p/' || i from generate_series(1, 50) i where i % 5 <> 0`,
  `insert into tags (id, name) select i, 'tag ' || i from generate_series(1, 10) i`,
  `insert into posts_tags (post_id, tag_id) select p, t from generate_series(1, 50) p, generate_series(1, 10) t where (p + t) % 4 = 0`,
]

const strategies = ['auto', 'batched', 'lateral'] as const

// Query i of the workload: a range of posts (one post, a page, or all) with a nested spec.
export const query = (i: number) => {
  const lo = 1 + (i % 50)
  const width = i % 3 === 0 ? 1 : i % 3 === 1 ? 10 : 50
  return pipe(
    Query.from(Blog, 'post'),
    Query.where(p => Pred.and(Pred.gte(p.id, lo), Pred.lt(p.id, lo + width))),
    Query.orderBy(['id']),
    Query.preload({
      author: true,
      comments: { author: true, children: { author: true } },
      permalink: true,
      tags: true,
    }),
  )
}

export const strategy = (i: number) => strategies[Math.floor(i / 50) % 3] as (typeof strategies)[number]

export const load = (sql: postgres.Sql, i: number) => Pg.all(query(i), { strategy: strategy(i) })(sql)()

// The distinct (query, strategy) pairs of the workload, by key.
export const key = (i: number) => `${i % 150}`

export const sequential = async (sql: postgres.Sql, n: number): Promise<Map<string, unknown>> => {
  const out = new Map<string, unknown>()
  for (let i = 0; i < n; i++) {
    const k = key(i)
    if (out.has(k)) continue
    const r = await load(sql, i)
    if (E.isLeft(r)) throw new Error(`sequential load ${i} failed: ${r.left.message}`)
    out.set(k, r.right)
  }
  return out
}
