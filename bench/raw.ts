// The hand-written lower bounds over postgres.js.
// raw-separate: one prepared statement per association level with `= any($1)`, stitched with Maps onto
//   the rows postgres.js returns (no copies).
// raw-json: one prepared statement per workload, LEFT JOIN LATERAL + json_agg(row_to_json(...)) over
//   column subqueries; nested timestamps are revived to Dates in place (the tree has the same types).
// W8 and W9 return flat rows: there raw-separate is the keys-first version (the root rows, then counts
// by `= any($1)`, summed in JS) and raw-json the fastest one statement we found (no JSON to build).
// Their counts stay as postgres.js returns them (int8 as a string; `::int` where JS adds them up); the
// check compares them as numbers.
import type postgres from 'postgres'
import { ranges, w9MinPosts, type Impl } from './workloads.js'

type Row = Record<string, unknown>

const P = `p.id, p.user_id, p.title, p.body, p.published, p.inserted_at`
const C = `c.id, c.post_id, c.user_id, c.body, c.public, c.inserted_at`
const U = `u.id, u.name, u.email`

const group = (rows: ReadonlyArray<Row>, key: string): Map<unknown, Array<Row>> => {
  const m = new Map<unknown, Array<Row>>()
  for (const r of rows) {
    const k = r[key]
    const a = m.get(k)
    if (a === undefined) m.set(k, [r])
    else a.push(r)
  }
  return m
}

const index = (rows: ReadonlyArray<Row>): Map<unknown, Row> => {
  const m = new Map<unknown, Row>()
  for (const r of rows) m.set(r['id'], r)
  return m
}

/** post_id -> n of `select post_id, count(*)::int as n ... group by post_id`. */
const counts = (rows: ReadonlyArray<Row>): Map<unknown, number> => {
  const m = new Map<unknown, number>()
  for (const r of rows) m.set(r['post_id'], r['n'] as number)
  return m
}

const distinct = (rows: ReadonlyArray<Row>, key: string): Array<unknown> => [
  ...new Set(rows.map(r => r[key])),
]

export const rawSeparate = (sql: postgres.Sql): Impl => {
  const q = (text: string, params: ReadonlyArray<unknown>) =>
    sql.unsafe<Array<Row>>(text, params as Array<postgres.ParameterOrJSON<never>>, { prepare: true })
  const posts = (lo: number, hi: number) =>
    q(`select ${P} from posts p where p.id >= $1 and p.id <= $2 order by p.id`, [lo, hi])
  const users = (ids: ReadonlyArray<unknown>) => q(`select ${U} from users u where u.id = any($1)`, [ids])
  const commentsOf = (ids: ReadonlyArray<unknown>) =>
    q(`select ${C} from comments c where c.post_id = any($1) order by c.inserted_at, c.id`, [ids])
  const attach = (parents: ReadonlyArray<Row>, field: string, children: Map<unknown, Array<Row>>) => {
    for (const p of parents) p[field] = children.get(p['id']) ?? []
  }
  const withAuthors = async (comments: ReadonlyArray<Row>) => {
    const us = index(await users(distinct(comments, 'user_id')))
    for (const c of comments) c['author'] = us.get(c['user_id']) ?? null
  }
  return {
    name: 'raw-separate',
    run: {
      W1: async () => {
        const ps = await posts(...ranges.W1)
        attach(ps, 'comments', group(await commentsOf(ps.map(p => p['id'])), 'post_id'))
        return ps
      },
      W2: async () => {
        const ps = await posts(...ranges.W2)
        const ids = ps.map(p => p['id'])
        const [authors, comments, links, tags] = await Promise.all([
          users(distinct(ps, 'user_id')),
          commentsOf(ids).then(async cs => (await withAuthors(cs), cs)),
          q(`select l.id, l.post_id, l.url from permalinks l where l.post_id = any($1)`, [ids]),
          q(
            `select pt.post_id, t.id, t.name from posts_tags pt join tags t on t.id = pt.tag_id where pt.post_id = any($1)`,
            [ids],
          ),
        ])
        const au = index(authors)
        const cs = group(comments, 'post_id')
        const ls = new Map<unknown, Row>()
        for (const l of links) if (!ls.has(l['post_id'])) ls.set(l['post_id'], l)
        const ts = new Map<unknown, Array<Row>>()
        for (const t of tags) {
          const k = t['post_id']
          const v = { id: t['id'], name: t['name'] }
          const a = ts.get(k)
          if (a === undefined) ts.set(k, [v])
          else a.push(v)
        }
        for (const p of ps) {
          const id = p['id']
          p['author'] = au.get(p['user_id']) ?? null
          p['comments'] = cs.get(id) ?? []
          p['permalink'] = ls.get(id) ?? null
          p['tags'] = ts.get(id) ?? []
        }
        return ps
      },
      W3: async () => {
        const us = await q(
          `select ${U} from users u where u.id >= $1 and u.id <= $2 order by u.id`,
          ranges.W3,
        )
        const rows = await q(
          `select distinct p.user_id as owner_id, u.id, u.name, u.email from posts p
             join comments c on c.post_id = p.id join users u on u.id = c.user_id
            where p.user_id = any($1)`,
          [us.map(u => u['id'])],
        )
        const m = new Map<unknown, Array<Row>>()
        for (const r of rows) {
          const v = { id: r['id'], name: r['name'], email: r['email'] }
          const a = m.get(r['owner_id'])
          if (a === undefined) m.set(r['owner_id'], [v])
          else a.push(v)
        }
        attach(us, 'commenters', m)
        return us
      },
      W4: async () => {
        const ps = await posts(...ranges.W4)
        const cs = await q(
          `select ${C} from comments c where c.post_id = any($1) and c.public order by c.inserted_at desc, c.id desc`,
          [ps.map(p => p['id'])],
        )
        attach(ps, 'publicComments', group(cs, 'post_id'))
        return ps
      },
      W5: async (id: number) => {
        const p = (await q(`select ${P} from posts p where p.id = $1`, [id]))[0]
        if (p === undefined) return null
        const cs = await q(`select ${C} from comments c where c.post_id = $1 order by c.inserted_at, c.id`, [
          id,
        ])
        await withAuthors(cs)
        p['comments'] = cs
        return p
      },
      W6: async () => {
        const ps = await posts(...ranges.W6)
        const cs = await q(
          `select ${C} from unnest($1::integer[]) as k(id) cross join lateral
             (select ${C} from comments c where c.post_id = k.id order by c.inserted_at desc, c.id desc limit 3) c`,
          [ps.map(p => p['id'])],
        )
        attach(ps, 'latestComments', group(cs, 'post_id'))
        return ps
      },
      W8: async () => {
        const ps = await q(
          `select p.id, p.title from posts p where p.id >= $1 and p.id <= $2 order by p.id`,
          ranges.W8,
        )
        const ids = ps.map(p => p['id'])
        const [cs, ls] = await Promise.all([
          q(
            `select c.post_id, count(*)::int as n from comments c where c.post_id = any($1) group by c.post_id`,
            [ids],
          ),
          q(
            `select l.post_id, count(*)::int as n from likes l where l.post_id = any($1) group by l.post_id`,
            [ids],
          ),
        ])
        const nc = counts(cs)
        const nl = counts(ls)
        for (const p of ps) {
          p['comments'] = nc.get(p['id']) ?? 0
          p['likes'] = nl.get(p['id']) ?? 0
        }
        return ps
      },
      // The groups first, with their post ids; then the comments of only the posts in groups that passed
      // `having` (about a fifth of them), added up per group.
      W9: async () => {
        const gs = await q(
          `select p.user_id, date_trunc('month', p.inserted_at) as month, count(*)::int as posts, array_agg(p.id) as ids
             from posts p where p.user_id >= $1 and p.user_id <= $2
            group by p.user_id, date_trunc('month', p.inserted_at) having count(*) > $3 order by 1, 2`,
          [...ranges.W9, w9MinPosts],
        )
        const nc = counts(
          await q(
            `select c.post_id, count(*)::int as n from comments c where c.post_id = any($1) group by c.post_id`,
            [gs.flatMap(g => g['ids'] as Array<number>)],
          ),
        )
        return gs.map(g => {
          let n = 0
          for (const id of g['ids'] as Array<number>) n += nc.get(id) ?? 0
          return { user_id: g['user_id'], month: g['month'], posts: g['posts'], comments: n }
        })
      },
    },
    close: () => sql.end({ timeout: 5 }),
  }
}

/**
 * W3 hop by hop, for reference (not a lower bound of the targets, which take the faster of raw-separate
 * and raw-json): one single-table `= any($1)` statement per hop, each hop's keys feeding the next (the
 * posts of the users, the comments of those posts, the users who wrote them), walked per user in
 * posts-then-comments order, each commenter once. Its plans have one shape whatever the keys: a bitmap
 * scan of the hop's index, in custom and generic plans alike.
 */
export const rawHops = (sql: postgres.Sql): Impl => {
  const q = (text: string, params: ReadonlyArray<unknown>) =>
    sql.unsafe<Array<Row>>(text, params as Array<postgres.ParameterOrJSON<never>>, { prepare: true })
  const none = async () => {
    throw new Error('raw-hops runs W3 only')
  }
  return {
    name: 'raw-hops',
    workloads: ['W3'],
    run: {
      W1: none,
      W2: none,
      W3: async () => {
        const us = await q(
          `select ${U} from users u where u.id >= $1 and u.id <= $2 order by u.id`,
          ranges.W3,
        )
        const ps = await q(`select p.id, p.user_id from posts p where p.user_id = any($1) order by p.id`, [
          us.map(u => u['id']),
        ])
        const cs = await q(
          `select c.post_id, c.user_id from comments c where c.post_id = any($1) order by c.post_id, c.inserted_at, c.id`,
          [ps.map(p => p['id'])],
        )
        const authors = index(
          await q(`select ${U} from users u where u.id = any($1)`, [distinct(cs, 'user_id')]),
        )
        const postsOf = group(ps, 'user_id')
        const commentsOf = group(cs, 'post_id')
        for (const u of us) {
          const seen = new Set<unknown>()
          const out: Array<Row> = []
          for (const p of postsOf.get(u['id']) ?? [])
            for (const c of commentsOf.get(p['id']) ?? []) {
              const a = c['user_id']
              if (seen.has(a)) continue
              seen.add(a)
              const row = authors.get(a)
              if (row !== undefined) out.push(row)
            }
          u['commenters'] = out
        }
        return us
      },
      W4: none,
      W5: none,
      W6: none,
      W8: none,
      W9: none,
    },
    close: () => sql.end({ timeout: 5 }),
  }
}

// ---------------------------------------------------------------------------------------------------

const revive = (rows: ReadonlyArray<Row> | null | undefined): void => {
  if (rows == null) return
  for (const r of rows) r['inserted_at'] = new Date(r['inserted_at'] as string)
}

const commentsJson = (filter: string, order: string, limit: string, withAuthor: boolean) => `
  left join lateral (
    select json_agg(row_to_json(c) order by ${order}) as j from (
      select ${C}${
        withAuthor
          ? `, (select row_to_json(u) from (select ${U} from users u where u.id = c.user_id) u) as author`
          : ''
      }
        from comments c where c.post_id = p.id${filter}${limit === '' ? '' : ` order by ${order} ${limit}`}
    ) c
  ) cj on true`

const sqlW1 = `select ${P}, coalesce(cj.j, '[]') as comments from posts p
  ${commentsJson('', 'c.inserted_at, c.id', '', false)}
  where p.id >= $1 and p.id <= $2 order by p.id`

const sqlW2 = `select ${P}, aj.j as author, coalesce(cj.j, '[]') as comments, lj.j as permalink,
    coalesce(tj.j, '[]') as tags
  from posts p
  left join lateral (select row_to_json(u) as j from (select ${U} from users u where u.id = p.user_id) u) aj on true
  ${commentsJson('', 'c.inserted_at, c.id', '', true)}
  left join lateral (select row_to_json(l) as j from
    (select l.id, l.post_id, l.url from permalinks l where l.post_id = p.id limit 1) l) lj on true
  left join lateral (select json_agg(row_to_json(t)) as j from
    (select t.id, t.name from posts_tags pt join tags t on t.id = pt.tag_id where pt.post_id = p.id) t) tj on true
  where p.id >= $1 and p.id <= $2 order by p.id`

const sqlW3 = `select ${U}, coalesce(x.j, '[]') as commenters from users u
  left join lateral (select json_agg(row_to_json(v)) as j from (
    select distinct cu.id, cu.name, cu.email from posts p join comments c on c.post_id = p.id
      join users cu on cu.id = c.user_id where p.user_id = u.id) v) x on true
  where u.id >= $1 and u.id <= $2 order by u.id`

const sqlW4 = `select ${P}, coalesce(cj.j, '[]') as "publicComments" from posts p
  ${commentsJson(' and c.public', 'c.inserted_at desc, c.id desc', '', false)}
  where p.id >= $1 and p.id <= $2 order by p.id`

const sqlW5 = `select ${P}, coalesce(cj.j, '[]') as comments from posts p
  ${commentsJson('', 'c.inserted_at, c.id', '', true)}
  where p.id = $1`

const sqlW6 = `select ${P}, coalesce(cj.j, '[]') as "latestComments" from posts p
  ${commentsJson('', 'c.inserted_at desc, c.id desc', 'limit 3', false)}
  where p.id >= $1 and p.id <= $2 order by p.id`

// W8: the counts grouped once per table, restricted to the posts' id range, then joined to the posts.
// Measured against the alternatives on the scale-1 dataset (server, 60 rounds): this 5.7 ms; a lateral
// `cross join lateral (select count(*) ... where c.post_id = p.id)` per table 7.6 ms; correlated
// `(select count(*) from comments c where c.post_id = p.id)` columns 8.8 ms; the same grouped joins
// without the range pushed into them 75 ms (they count every post's comments).
const sqlW8 = `select p.id, p.title, coalesce(c.n, 0) as comments, coalesce(l.n, 0) as likes from posts p
  left join (select c.post_id, count(*) as n from comments c where c.post_id >= $1 and c.post_id <= $2
    group by c.post_id) c on c.post_id = p.id
  left join (select l.post_id, count(*) as n from likes l where l.post_id >= $1 and l.post_id <= $2
    group by l.post_id) l on l.post_id = p.id
  where p.id >= $1 and p.id <= $2 order by p.id`

// W9: the groups of posts first (with their ids), `having` applied, then the comments of only the posts
// in the groups that remain (an index probe with `= any(ids)`): 7.8 ms. Counting every post's comments
// before grouping is about three times slower whichever way it is written: `left join comments` and
// `count(distinct p.id)` 25 ms, `sum((select count(*) ...))` per post 22 ms, a lateral count per post
// 23 ms, a join to comments grouped by post_id 45 ms.
const sqlW9 = `select g.user_id, g.month, g.posts,
    (select count(*) from comments c where c.post_id = any(g.ids)) as comments
  from (select p.user_id, date_trunc('month', p.inserted_at) as month, count(*) as posts, array_agg(p.id) as ids
          from posts p where p.user_id >= $1 and p.user_id <= $2
         group by p.user_id, date_trunc('month', p.inserted_at) having count(*) > $3) g
  order by g.user_id, g.month`

export const rawJson = (sql: postgres.Sql): Impl => {
  const q = (text: string, params: ReadonlyArray<unknown>) =>
    sql.unsafe<Array<Row>>(text, params as Array<postgres.ParameterOrJSON<never>>, { prepare: true })
  const postsWith = async (text: string, field: string, lo: number, hi: number) => {
    const ps = await q(text, [lo, hi])
    for (const p of ps) revive(p[field] as Array<Row>)
    return ps
  }
  return {
    name: 'raw-json',
    run: {
      W1: () => postsWith(sqlW1, 'comments', ...ranges.W1),
      W2: async () => {
        const ps = await q(sqlW2, ranges.W2)
        for (const p of ps) revive(p['comments'] as Array<Row>)
        return ps
      },
      W3: () => q(sqlW3, ranges.W3),
      W4: () => postsWith(sqlW4, 'publicComments', ...ranges.W4),
      W5: async (id: number) => {
        const p = (await q(sqlW5, [id]))[0]
        if (p === undefined) return null
        revive(p['comments'] as Array<Row>)
        return p
      },
      W6: () => postsWith(sqlW6, 'latestComments', ...ranges.W6),
      W8: () => q(sqlW8, ranges.W8),
      W9: () => q(sqlW9, [...ranges.W9, w9MinPosts]),
    },
    close: () => sql.end({ timeout: 5 }),
  }
}
