// The deterministic blog dataset: generated from a seeded PRNG, loaded with COPY into a dedicated
// PostgreSQL schema (namespace) `quiver_bench`. A loaded dataset is reused when its scale, seed and
// version match (table `bench_meta`), so repeated runs skip the load.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type postgres from 'postgres'

export const namespace = 'quiver_bench'
const version = 2
const seed = 20260101

export interface Sizes {
  readonly users: number
  readonly posts: number
  readonly comments: number
  readonly permalinks: number
  readonly tags: number
  readonly postsTags: number
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
}

const columns: Readonly<Record<string, string>> = {
  users: 'id, name, email',
  posts: 'id, user_id, title, body, published, inserted_at',
  comments: 'id, post_id, user_id, body, public, inserted_at',
  permalinks: 'id, post_id, url',
  tags: 'id, name',
  posts_tags: 'post_id, tag_id',
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

/**
 * Creates the tables with the given DDL (`ddl(Bench)`) and loads the dataset, unless an identical one is
 * there. `sql` must be connected with
 * `search_path` = `quiver_bench`.
 */
export const ensure = async (
  sql: postgres.Sql,
  scale: number,
  options: { readonly reload: boolean; readonly ddl: ReadonlyArray<string>; readonly copy: boolean },
): Promise<{ readonly loaded: boolean; readonly ms: number }> => {
  const t0 = performance.now()
  await sql.unsafe(`create schema if not exists ${namespace}`)
  const meta = await sql
    .unsafe<Array<{ scale: number; seed: number; version: number }>>(
      `select scale, seed, version from ${namespace}.bench_meta`,
    )
    .catch(() => [])
  const m = meta[0]
  if (!options.reload && m !== undefined && m.scale === scale && m.seed === seed && m.version === version)
    return { loaded: false, ms: performance.now() - t0 }
  await sql.unsafe(`drop schema if exists ${namespace} cascade`)
  await sql.unsafe(`create schema ${namespace}`)
  await sql.unsafe(`set search_path to ${namespace}`)
  // tables first, indexes after the load
  const isIndex = (s: string) => /^create (unique )?index/i.test(s)
  for (const s of options.ddl.filter(s => !isIndex(s))) await sql.unsafe(s)
  const byTable = new Map<string, Array<string>>()
  for (const [t, line] of lines(sizes(scale))) {
    let a = byTable.get(t)
    if (a === undefined) byTable.set(t, (a = []))
    a.push(line)
  }
  for (const t of ['users', 'posts', 'comments', 'permalinks', 'tags', 'posts_tags'])
    await (options.copy ? copy : insertJson)(sql, t, byTable.get(t) ?? [])
  for (const s of options.ddl.filter(isIndex)) await sql.unsafe(s)
  for (const t of ['users', 'posts', 'comments', 'permalinks', 'tags'])
    await sql.unsafe(`select setval(pg_get_serial_sequence('${t}', 'id'), (select max(id) from ${t}))`)
  await sql.unsafe(`analyze users, posts, comments, permalinks, tags, posts_tags`)
  await sql.unsafe(
    `create table ${namespace}.bench_meta (scale double precision, seed integer, version integer)`,
  )
  await sql.unsafe(`insert into ${namespace}.bench_meta values ($1, $2, $3)`, [scale, seed, version])
  return { loaded: true, ms: performance.now() - t0 }
}
