// The hand-written lower bounds over postgres.js.
// raw-separate: one prepared statement per association level with `= any($1)`, stitched with Maps onto
//   the rows postgres.js returns (no copies).
// raw-json: one prepared statement per workload, LEFT JOIN LATERAL + json_agg(row_to_json(...)) over
//   column subqueries; nested timestamps are revived to Dates in place (the tree has the same types).
import type postgres from 'postgres'
import { ranges, type Impl } from './workloads.js'

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
    },
    close: () => sql.end({ timeout: 5 }),
  }
}
