// quiver's implementations. PLACEHOLDER until `Query.preload` lands: every quiver row runs the same
// code, one `Query.assoc` + `Pg.all` per level, stitched here with Maps (the shape of the batched
// strategy, without its planner).
import { pipe } from 'fp-ts/lib/function.js'
import type postgres from 'postgres'
import { Pg, Pred, Query, type Sql } from '../src/index.js'
import { Bench } from './model.js'
import { ranges, type Impl, type ImplName } from './workloads.js'

type Row = Record<string, unknown>

const unwrap = async <A>(
  p: Promise<{ _tag: 'Left'; left: { message: string } } | { _tag: 'Right'; right: A }>,
) => {
  const r = await p
  if (r._tag === 'Left') throw new Error(`quiver: ${r.left.message}`)
  return r.right
}

const postsIn = (lo: number, hi: number) =>
  pipe(
    Query.from(Bench, 'post'),
    Query.where(p => Pred.and(Pred.gte(p.id, lo), Pred.lte(p.id, hi))),
    Query.orderBy(['id']),
  )

const group = (rows: ReadonlyArray<Row>, key: string): Map<unknown, Array<Row>> => {
  const m = new Map<unknown, Array<Row>>()
  for (const r of rows) {
    const a = m.get(r[key])
    if (a === undefined) m.set(r[key], [r])
    else a.push(r)
  }
  return m
}

/** The W2 query's SQL (the W7 compile subject). Placeholder: the root statement only. */
export const quiverW2Sql = (): unknown => Query.toSql(postsIn(...ranges.W2)) as unknown as Sql.CompiledQuery

export const quiverImpl = (name: ImplName, sql: postgres.Sql): Impl => {
  const all = <A>(q: Parameters<typeof Pg.all>[0]) => unwrap(Pg.all(q)(sql)() as never) as Promise<A>
  const comments = async (ps: ReadonlyArray<Row>, newest: boolean, assoc: 'comments' | 'publicComments') => {
    const q = Query.assoc(Bench, 'post', assoc)(ps as never)
    return all<ReadonlyArray<Row>>(
      newest
        ? Query.orderBy<typeof Bench, 'comment'>([
            ['desc', 'inserted_at'],
            ['desc', 'id'],
          ])(q)
        : Query.orderBy<typeof Bench, 'comment'>(['inserted_at', 'id'])(q),
    )
  }
  const authors = async (cs: ReadonlyArray<Row>) => {
    const us = await all<ReadonlyArray<Row>>(Query.assoc(Bench, 'comment', 'author')(cs as never))
    const m = new Map(us.map(u => [u['id'], u]))
    return cs.map(c => ({ ...c, author: m.get(c['user_id']) ?? null }))
  }
  const attach = (ps: ReadonlyArray<Row>, field: string, m: Map<unknown, Array<Row>>) =>
    ps.map(p => ({ ...p, [field]: m.get(p['id']) ?? [] }))
  return {
    name,
    note: 'placeholder: Query.assoc + Pg.all per level (preload not landed)',
    run: {
      W1: async () => {
        const ps = await all<ReadonlyArray<Row>>(postsIn(...ranges.W1))
        return attach(ps, 'comments', group(await comments(ps, false, 'comments'), 'post_id'))
      },
      W2: async () => {
        const ps = await all<ReadonlyArray<Row>>(postsIn(...ranges.W2))
        const [au, cs, ls, ts] = await Promise.all([
          all<ReadonlyArray<Row>>(Query.assoc(Bench, 'post', 'author')(ps as never)),
          comments(ps, false, 'comments').then(authors),
          all<ReadonlyArray<Row>>(Query.assoc(Bench, 'post', 'permalink')(ps as never)),
          // placeholder: tags per post one at a time would be N+1; load the join rows by hand instead
          sql.unsafe<Array<Row>>(
            `select pt.post_id, t.id, t.name from posts_tags pt join tags t on t.id = pt.tag_id where pt.post_id = any($1)`,
            [ps.map(p => p['id']) as never],
            { prepare: true },
          ),
        ])
        const aum = new Map(au.map(u => [u['id'], u]))
        const csm = group(cs, 'post_id')
        const lsm = new Map(ls.map(l => [l['post_id'], l]))
        const tsm = new Map<unknown, Array<Row>>()
        for (const t of ts) {
          const a = tsm.get(t['post_id'])
          const v = { id: t['id'], name: t['name'] }
          if (a === undefined) tsm.set(t['post_id'], [v])
          else a.push(v)
        }
        return ps.map(p => ({
          ...p,
          author: aum.get(p['user_id']) ?? null,
          comments: csm.get(p['id']) ?? [],
          permalink: lsm.get(p['id']) ?? null,
          tags: tsm.get(p['id']) ?? [],
        }))
      },
      W3: async () => {
        const us = await all<ReadonlyArray<Row>>(
          pipe(
            Query.from(Bench, 'user'),
            Query.where(u => Pred.and(Pred.gte(u.id, ranges.W3[0]), Pred.lte(u.id, ranges.W3[1]))),
            Query.orderBy(['id']),
          ),
        )
        const ps = await all<ReadonlyArray<Row>>(Query.assoc(Bench, 'user', 'posts')(us as never))
        const cs = await all<ReadonlyArray<Row>>(Query.assoc(Bench, 'post', 'comments')(ps as never))
        const au = new Map(
          (await all<ReadonlyArray<Row>>(Query.assoc(Bench, 'comment', 'author')(cs as never))).map(u => [
            u['id'],
            u,
          ]),
        )
        const byPost = group(cs, 'post_id')
        const byUser = group(ps, 'user_id')
        return us.map(u => {
          const seen = new Map<unknown, Row>()
          for (const p of byUser.get(u['id']) ?? [])
            for (const c of byPost.get(p['id']) ?? []) {
              const a = au.get(c['user_id'])
              if (a !== undefined) seen.set(a['id'], a)
            }
          return { ...u, commenters: [...seen.values()] }
        })
      },
      W4: async () => {
        const ps = await all<ReadonlyArray<Row>>(postsIn(...ranges.W4))
        return attach(ps, 'publicComments', group(await comments(ps, true, 'publicComments'), 'post_id'))
      },
      W5: async (id: number) => {
        const ps = await all<ReadonlyArray<Row>>(postsIn(id, id))
        const p = ps[0]
        if (p === undefined) return null
        return { ...p, comments: await authors(await comments(ps, false, 'comments')) }
      },
      W6: async () => {
        const ps = await all<ReadonlyArray<Row>>(postsIn(...ranges.W6))
        const m = group(await comments(ps, true, 'comments'), 'post_id')
        for (const [k, v] of m) m.set(k, v.slice(0, 3))
        return attach(ps, 'latestComments', m)
      },
    },
    close: () => sql.end({ timeout: 5 }),
  }
}
