// Prisma 7 as a peer: its TypeScript query compiler (WebAssembly, shipped in @prisma/client) over the
// driver adapter @prisma/adapter-pg (node-postgres), no Rust query engine. It is not a root
// devDependency: the `prisma` CLI has install scripts (a preinstall, and @prisma/engines' postinstall,
// which downloads the schema engine from Prisma's own server), and `prisma generate` writes code from
// bench/prisma/schema.prisma. So the bench installs bench/prisma/package.json (its own lockfile) on
// demand into bench/.data/prisma with `npm ci --ignore-scripts`, generates the client there, bundles it
// (esbuild) and imports it; on any failure Prisma is skipped and the reason printed.
//
// The CLI looks for the schema engine binary when it starts, also for `generate`, which does not run
// it (the schema engine serves migrations): the bench points PRISMA_SCHEMA_ENGINE_BINARY at a stub
// that exits 1, so that nothing is fetched from outside the npm registry.
//
// The queries are written as Prisma's documentation writes them (`include` / `select`, `orderBy`,
// `take`, `_count`), with Prisma's default relation load strategy (one query per relation level,
// `in (...)` lists of keys). W9 is not run: `groupBy` cannot group by an expression (the month of
// `date_trunc`), so a Prisma user writes it as raw SQL (`$queryRaw`), which raw-separate already is.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { rename } from './peers.js'
import { ranges, type Impl, type WorkloadId } from './workloads.js'

type Row = Record<string, unknown>

/** The parts of a generated Prisma client the workloads call (the generated types are not checked here). */
interface Delegate {
  readonly findMany: (args: object) => Promise<ReadonlyArray<Row>>
  readonly findUnique: (args: object) => Promise<Row | null>
}
interface PrismaClientLike {
  readonly posts: Delegate
  readonly users: Delegate
  readonly $on: (event: 'query', f: () => void) => void
  readonly $disconnect: () => Promise<void>
}
interface Loaded {
  readonly PrismaClient: new (options: object) => PrismaClientLike
  readonly PrismaPg: new (pool: object, options: object) => object
}

const source = 'bench/prisma'
const dir = 'bench/.data/prisma'
const inputs = ['package.json', 'package-lock.json', 'schema.prisma']

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  if (r.status === 0) return null
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' / ')
  return `\`${[path.basename(cmd), ...args].join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`}): ${out}`
}

/** Installs, generates and bundles the client when its inputs changed; the reason it could not, else null. */
const prepare = async (): Promise<string | null> => {
  const stamp = createHash('sha256')
  for (const f of inputs) stamp.update(readFileSync(path.join(source, f)))
  const want = stamp.digest('hex')
  const stampFile = path.join(dir, 'stamp')
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return null
  console.log(
    `prisma: installing bench/prisma into ${dir} (npm ci --ignore-scripts) and generating its client`,
  )
  mkdirSync(dir, { recursive: true })
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(source, f), path.join(dir, f))
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const installed = run(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], dir)
  if (installed !== null) return installed
  const stub = path.resolve(dir, 'schema-engine-stub')
  writeFileSync(stub, '#!/bin/sh\necho "the schema engine is not installed (bench/prisma.ts)" >&2\nexit 1\n')
  chmodSync(stub, 0o755)
  const generated = run(
    process.execPath,
    [
      path.resolve(dir, 'node_modules/prisma/build/index.js'),
      'generate',
      '--schema',
      path.resolve(source, 'schema.prisma'),
    ],
    dir,
    { PRISMA_SCHEMA_ENGINE_BINARY: stub, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  )
  if (generated !== null) return generated
  const entry = path.join(dir, 'entry.ts')
  writeFileSync(
    entry,
    `export { PrismaClient } from './generated/client.ts'\nexport { PrismaPg } from '@prisma/adapter-pg'\n`,
  )
  try {
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: path.join(dir, 'client.mjs'),
      logLevel: 'warning',
    })
  } catch (e) {
    return `bundling the generated client failed: ${e instanceof Error ? e.message : String(e)}`
  }
  writeFileSync(stampFile, want)
  return null
}

const oldest = [{ inserted_at: 'asc' }, { id: 'asc' }]
const newest = [{ inserted_at: 'desc' }, { id: 'desc' }]
const between = ([lo, hi]: readonly [number, number]) => ({ id: { gte: lo, lte: hi } })

const impl = (prisma: PrismaClientLike, count: () => void): Impl => {
  prisma.$on('query', count)
  const postsWithComments = (range: readonly [number, number], comments: object) =>
    prisma.posts.findMany({ where: between(range), orderBy: { id: 'asc' }, include: { comments } })
  return {
    name: 'prisma',
    workloads: ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W8'],
    note: 'W9 not run: groupBy cannot group by an expression (date_trunc), so a Prisma user writes it as $queryRaw (raw SQL). Statements counted by its query events.',
    run: {
      W1: () => postsWithComments(ranges.W1, { orderBy: oldest }),
      W2: () =>
        prisma.posts.findMany({
          where: between(ranges.W2),
          orderBy: { id: 'asc' },
          include: {
            author: true,
            comments: { orderBy: oldest, include: { author: true } },
            permalink: true,
            posts_tags: { select: { tag: true } },
          },
        }),
      // no relation through two hops: load them and collect the distinct authors (as drizzle does)
      W3: async () => {
        const us = await prisma.users.findMany({
          where: between(ranges.W3),
          orderBy: { id: 'asc' },
          include: { posts: { select: { comments: { select: { author: true } } } } },
        })
        return us.map(({ posts, ...u }) => {
          const seen = new Map<unknown, Row>()
          for (const p of posts as ReadonlyArray<{ comments: ReadonlyArray<{ author: Row }> }>)
            for (const c of p.comments) seen.set(c.author['id'], c.author)
          return { ...u, commenters: [...seen.values()] }
        })
      },
      W4: () => postsWithComments(ranges.W4, { where: { public: true }, orderBy: newest }),
      W5: (id: number) =>
        prisma.posts.findUnique({
          where: { id },
          include: { comments: { orderBy: oldest, include: { author: true } } },
        }),
      W6: () => postsWithComments(ranges.W6, { orderBy: newest, take: 3 }),
      W8: () =>
        prisma.posts.findMany({
          where: between(ranges.W8),
          orderBy: { id: 'asc' },
          select: { id: true, title: true, _count: { select: { comments: true, likes: true } } },
        }),
      W9: () => Promise.reject(new Error('prisma does not run W9')),
    },
    adapt: (w: WorkloadId, tree: unknown) => {
      const rows = tree as ReadonlyArray<Row>
      if (w === 'W2')
        return rows.map(({ posts_tags, ...p }) => ({
          ...p,
          tags: (posts_tags as ReadonlyArray<{ tag: Row }>).map(pt => pt.tag),
        }))
      if (w === 'W4') return rename('comments', 'publicComments')(rows)
      if (w === 'W6') return rename('comments', 'latestComments')(rows)
      if (w === 'W8') return rows.map(({ _count, ...p }) => ({ ...p, ...(_count as Row) }))
      return tree
    },
    close: () => prisma.$disconnect(),
  }
}

/** Makes a Prisma implementation on its own pool of `pool` connections to `url`, tables in `schema`. */
export type MakePrisma = (url: string, pool: number, schema: string, count: () => void) => Impl

/** Prisma, ready to make implementations, or the reason it cannot run here. */
export const loadPrisma = async (): Promise<{ readonly make: MakePrisma } | { readonly skip: string }> => {
  const reason = await prepare().catch((e: unknown) => (e instanceof Error ? e.message : String(e)))
  if (reason !== null) return { skip: reason }
  try {
    const m = (await import(pathToFileURL(path.resolve(dir, 'client.mjs')).href)) as Loaded
    return {
      make: (url, pool, schema, count) =>
        impl(
          new m.PrismaClient({
            adapter: new m.PrismaPg({ connectionString: url, max: pool }, { schema }),
            log: [{ emit: 'event', level: 'query' }],
          }),
          count,
        ),
    }
  } catch (e) {
    return { skip: `loading the generated client failed: ${e instanceof Error ? e.message : String(e)}` }
  }
}
