// The deterministic blog dataset: generated from a seeded PRNG, loaded with COPY into a dedicated
// PostgreSQL schema (namespace) per scale: `quiver_bench` at scale 1, `quiver_bench_4` at scale 4,
// `quiver_bench_0_25` at 0.25 (so a scale sweep loads each once). A loaded dataset is reused when its scale, seed and
// version match (table `bench_meta`), so repeated runs skip the load; one of version 2 (before the
// likes) gets the likes table added in place, since version 3 changed nothing else.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type postgres from 'postgres'

/** The schema a scale's dataset lives in. */
export const namespaceOf = (scale: number): string =>
  scale === 1 ? 'quiver_bench' : `quiver_bench_${String(scale).replace(/[^0-9]/g, '_')}`
// 3: the likes table (its own PRNG stream, so every other table is the same as in version 2)
const version = 3
const seed = 20260101

export interface Sizes {
  readonly users: number
  readonly posts: number
  readonly comments: number
  readonly permalinks: number
  readonly tags: number
  readonly postsTags: number
  readonly likes: number
}

export const sizes = (scale: number): Sizes => {
  const posts = Math.round(20_000 * scale)
  return {
    users: Math.round(2_000 * scale),
    posts,
    comments: posts * 10,
    permalinks: posts,
    tags: 200,
    postsTags: posts * 3,
    likes: posts * 3,
  }
}

// mulberry32: small, fast, good enough for synthetic data.
const prng = (s: number) => () => {
  s = (s + 0x6d2b79f5) | 0
  let t = Math.imul(s ^ (s >>> 15), 1 | s)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const words = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ' +
  'ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla'
).split(' ')

const sentence = (rnd: () => number, n: number): string => {
  const out: Array<string> = []
  for (let i = 0; i < n; i++) out.push(words[Math.floor(rnd() * words.length)] as string)
  return out.join(' ')
}

const base = Date.UTC(2025, 0, 1)
const iso = (ms: number) => new Date(ms).toISOString()

/** COPY text-format lines per table (our text has no tabs, newlines or backslashes). */
function* lines(sz: Sizes): Generator<[string, string]> {
  const rnd = prng(seed)
  const int = (n: number) => 1 + Math.floor(rnd() * n)
  for (let id = 1; id <= sz.users; id++)
    yield ['users', `${id}\tuser ${id}\t${rnd() < 0.1 ? '\\N' : `user${id}@example.com`}\n`]
  const postAt: Array<number> = [0]
  for (let id = 1; id <= sz.posts; id++) {
    const at = base + Math.floor(rnd() * 365 * 86400) * 1000
    postAt.push(at)
    yield [
      'posts',
      `${id}\t${int(sz.users)}\t${sentence(rnd, 5)}\t${sentence(rnd, 40)}\t${rnd() < 0.7 ? 't' : 'f'}\t${iso(at)}\n`,
    ]
  }
  for (let id = 1; id <= sz.comments; id++) {
    const p = int(sz.posts)
    const at = (postAt[p] as number) + Math.floor(rnd() * 30 * 86400) * 1000
    yield [
      'comments',
      `${id}\t${p}\t${int(sz.users)}\t${sentence(rnd, 12)}\t${rnd() < 0.8 ? 't' : 'f'}\t${iso(at)}\n`,
    ]
  }
  for (let id = 1; id <= sz.permalinks; id++) yield ['permalinks', `${id}\t${id}\t/posts/${id}\n`]
  for (let id = 1; id <= sz.tags; id++) yield ['tags', `${id}\ttag ${id}\n`]
  for (let p = 1; p <= sz.posts; p++) {
    const seen = new Set<number>()
    while (seen.size < 3) seen.add(int(sz.tags))
    for (const t of [...seen].sort((a, b) => a - b)) yield ['posts_tags', `${p}\t${t}\n`]
  }
  // Likes draw from a stream of their own: added in version 3, they leave the other tables as they were.
  // Posts are drawn uniformly, so a post has 3 on average (Poisson-like: about 5% have none).
  const rndLikes = prng(seed + 3)
  for (let id = 1; id <= sz.likes; id++) {
    const p = 1 + Math.floor(rndLikes() * sz.posts)
    const u = 1 + Math.floor(rndLikes() * sz.users)
    const at = (postAt[p] as number) + Math.floor(rndLikes() * 60 * 86400) * 1000
    yield ['likes', `${id}\t${p}\t${u}\t${iso(at)}\n`]
  }
}

const columns: Readonly<Record<string, string>> = {
  users: 'id, name, email',
  posts: 'id, user_id, title, body, published, inserted_at',
  comments: 'id, post_id, user_id, body, public, inserted_at',
  permalinks: 'id, post_id, url',
  tags: 'id, name',
  posts_tags: 'post_id, tag_id',
  likes: 'id, post_id, user_id, inserted_at',
}

const copy = async (sql: postgres.Sql, table: string, rows: ReadonlyArray<string>): Promise<void> => {
  const writable = await sql.unsafe(`copy ${table} (${columns[table]}) from stdin`).writable()
  const chunks = function* () {
    for (let i = 0; i < rows.length; i += 2000) yield rows.slice(i, i + 2000).join('')
  }
  await pipeline(Readable.from(chunks()), writable)
}

// The embedded database (PGlite behind pglite-socket) does not finish `copy ... from stdin`: there the
// same lines go in as JSON through `json_populate_recordset`, a batch per statement.
const insertJson = async (sql: postgres.Sql, table: string, rows: ReadonlyArray<string>): Promise<void> => {
  const names = (columns[table] ?? '').split(', ')
  for (let i = 0; i < rows.length; i += 5000) {
    const batch = rows.slice(i, i + 5000).map(line => {
      const o: Record<string, string | null> = {}
      line
        .slice(0, -1)
        .split('\t')
        .forEach((v, k) => (o[names[k] as string] = v === '\\N' ? null : v))
      return o
    })
    await sql.unsafe(
      `insert into ${table} (${columns[table]}) select ${columns[table]} from json_populate_recordset(null::${table}, $1::json)`,
      [sql.json(batch)],
    )
  }
}

const tables = ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags', 'likes']
const serials = ['users', 'posts', 'comments', 'permalinks', 'tags', 'likes']

const isIndex = (s: string) => /^create (unique )?index/i.test(s)
/** The table a DDL statement creates, alters or indexes. */
const tableOf = (s: string): string | undefined =>
  /^(?:create|alter) table "([^"]+)"/i.exec(s)?.[1] ??
  /^create (?:unique )?index "[^"]+" on "([^"]+)"/i.exec(s)?.[1]

/**
 * Creates the given tables (in `ddl` order), loads their lines, then indexes, vacuums and analyzes
 * them: the visibility map a vacuum sets is what a table in use has (autovacuum keeps it), and without
 * it no implementation gets an index-only scan.
 */
const load = async (
  sql: postgres.Sql,
  scale: number,
  only: ReadonlyArray<string>,
  options: { readonly ddl: ReadonlyArray<string>; readonly copy: boolean },
): Promise<void> => {
  const ours = options.ddl.filter(s => {
    const t = tableOf(s)
    if (t === undefined) throw new Error(`bench ddl: no table in ${s}`)
    return only.includes(t)
  })
  // tables first, indexes after the load
  for (const s of ours.filter(s => !isIndex(s))) await sql.unsafe(s)
  const byTable = new Map<string, Array<string>>()
  for (const [t, line] of lines(sizes(scale))) {
    if (!only.includes(t)) continue
    let a = byTable.get(t)
    if (a === undefined) byTable.set(t, (a = []))
    a.push(line)
  }
  for (const t of tables.filter(t => only.includes(t)))
    await (options.copy ? copy : insertJson)(sql, t, byTable.get(t) ?? [])
  for (const s of ours.filter(isIndex)) await sql.unsafe(s)
  for (const t of serials.filter(t => only.includes(t)))
    await sql.unsafe(`select setval(pg_get_serial_sequence('${t}', 'id'), (select max(id) from ${t}))`)
  await sql.unsafe(`vacuum analyze ${only.join(', ')}`)
}

/**
 * Creates the tables with the given DDL (`ddl(Bench)`) and loads the dataset, unless an identical one is
 * there; a version-2 dataset of the same scale and seed gets the likes table added. `sql` must be
 * connected with `search_path` = `namespaceOf(scale)`.
 */
export const ensure = async (
  sql: postgres.Sql,
  scale: number,
  options: { readonly reload: boolean; readonly ddl: ReadonlyArray<string>; readonly copy: boolean },
): Promise<{ readonly status: 'reused' | 'loaded' | 'extended'; readonly ms: number }> => {
  const t0 = performance.now()
  const namespace = namespaceOf(scale)
  await sql.unsafe(`create schema if not exists ${namespace}`)
  const meta = await sql
    .unsafe<Array<{ scale: number; seed: number; version: number }>>(
      `select scale, seed, version from ${namespace}.bench_meta`,
    )
    .catch(() => [])
  const m = meta[0]
  const same = !options.reload && m !== undefined && m.scale === scale && m.seed === seed
  if (same && m.version === version) return { status: 'reused', ms: performance.now() - t0 }
  await sql.unsafe(`set search_path to ${namespace}`)
  if (same && m.version === 2) {
    // drop first: an extension interrupted before the meta update may have left part of a likes table
    await sql.unsafe(`drop table if exists likes`)
    await load(sql, scale, ['likes'], options)
    await sql.unsafe(`update ${namespace}.bench_meta set version = $1`, [version])
    return { status: 'extended', ms: performance.now() - t0 }
  }
  await sql.unsafe(`drop schema if exists ${namespace} cascade`)
  await sql.unsafe(`create schema ${namespace}`)
  await sql.unsafe(`set search_path to ${namespace}`)
  await load(sql, scale, tables, options)
  await sql.unsafe(
    `create table ${namespace}.bench_meta (scale double precision, seed integer, version integer)`,
  )
  await sql.unsafe(`insert into ${namespace}.bench_meta values ($1, $2, $3)`, [scale, seed, version])
  return { status: 'loaded', ms: performance.now() - t0 }
}
