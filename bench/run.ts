// npm run bench [-- --quick] [--scales 0.25,1,4] [--parents 5,50,500,5000] [--rounds N] [--gc full|minor]
//                 [--budget S] [--max-rounds N] [--reload] [--only a,b] [--workloads W1,W2] [--write]
//
// Measures as an outsider would. For each data scale (a deterministic blog, its own PostgreSQL schema
// per scale: `data.ts`) and each point (a workload and its number of root rows, the parents), it makes
// new clients for every implementation (so each has its own connections and prepared-plan history),
// checks every implementation's tree against raw-separate's (normalised, then a sha-256 checksum of
// each; the run fails on any difference), runs a warm-up (excluded), measures the peak heap and RSS of
// one operation, and then times interleaved rounds: each round runs every implementation once, in a
// seeded random order (so nobody always follows the same neighbour), with a full GC before each
// operation (`--gc minor`: a scavenge only). It reports medians, ratios of medians and paired ratios
// (the median of per-round ratios). The full run is the sweep: scales 0.25 / 1 / 4, parents 5 / 50 /
// 500 / 5,000 for W1-W4 (W5 one post per call, the others at their default point), written to
// bench/results.json (machine, load average, PostgreSQL version, commit), bench/RESULTS.md and the chart
// bench/results.svg. `--quick` keeps one point per workload (scale 0.25, the default parents) and writes
// bench/.data/results-quick.json, as does any run restricted by an option (unless `--write`).
//
// Prisma 7 is installed and its client generated on first use, into bench/.data/prisma (bench/prisma.ts);
// where that fails it is skipped and the reason printed.
//
// `npm run bench` bundles this file with src/ (esbuild, to bench/.data/run.mjs) and runs it with node:
// the library runs as compiled JavaScript, as users run the built package. (Under tsx every closure
// the library creates also got a `__name` defineProperty call from tsx's keepNames, a cost only quiver,
// which creates closures per call, paid: about 3 µs of the 50 µs a W5 call spent before the driver.)
import { execSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'
import vm from 'node:vm'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import postgres from 'postgres'
import * as prettier from 'prettier'
import { ddl } from '../src/sql/Ddl.js'
import { assertSame, count, normalise } from './check.js'
import { ensure, namespaceOf, sizes } from './data.js'
import { Bench } from './model.js'
import { drizzle1Db, drizzle1Impl, drizzle1W2 } from './drizzle1.js'
import { drizzleDb, drizzleImpl, drizzleW2, kyselyDb, kyselyImpl, kyselyW2 } from './peers.js'
import { loadPrisma } from './prisma.js'
import { quiverImpl, quiverW2Sql } from './quiver.js'
import { rawHops, rawJson, rawSeparate } from './raw.js'
import { isWriteWorkload, runWrites, type WriteWorkloadId } from './writes.js'
import { chart } from './chart.js'
import {
  defaultParents,
  describe,
  ranges,
  rootTable,
  setParents,
  w5Post,
  workloadIds,
  type Impl,
  type ImplName,
  type WorkloadId,
} from './workloads.js'

// ---------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}
const numbers = (s: string | undefined): ReadonlyArray<number> | undefined =>
  s?.split(',').map(x => {
    const n = Number(x)
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`not a positive number: ${x}`)
      process.exit(2)
    }
    return n
  })
const quick = flag('quick')
const scales = numbers(option('scales') ?? option('scale')) ?? (quick ? [0.25] : [0.25, 1, 4])
/** The parents of W1-W4 at each scale (`undefined`: each workload's default). */
const sweepParents = numbers(option('parents')) ?? (quick ? undefined : [5, 50, 500, 5000])
/** The workloads whose parents are swept; the others run at their default point. */
const swept: ReadonlyArray<WorkloadId> = ['W1', 'W2', 'W3', 'W4']
// Per-round ratios scatter widely on two shared cores, so the medians need many rounds; a sweep point
// gets fewer (the sweep has 50 points) and says so: its ratios are less sure than a single point's.
const rounds = Number(option('rounds') ?? (quick ? 8 : sweepParents === undefined ? 150 : 30))
// A cheap point (a few ms per operation) is the noisiest: its per-round ratios scatter most, yet more
// rounds of it cost little. After `rounds` rounds, a point goes on until its timed rounds have taken
// `--budget` seconds in all (default 4; 0 turns it off), up to `--max-rounds` (default 8x `rounds`).
const budgetMs = Number(option('budget') ?? (quick ? 0 : 4)) * 1000
const maxRounds = Number(option('max-rounds') ?? rounds * 8)
const w5Calls = Number(option('w5-calls') ?? (quick ? 300 : 1000))
const gcMode = option('gc') ?? 'full'
if (gcMode !== 'full' && gcMode !== 'minor') {
  console.error(`--gc must be full or minor, not ${gcMode}`)
  process.exit(2)
}
const compileBlocks = quick ? 10 : 30
const only = option('only')?.split(',')
const workloads = (option('workloads')?.split(',') ?? [...workloadIds, 'W7']) as ReadonlyArray<
  WorkloadId | 'W7' | WriteWorkloadId
>
for (const scale of scales)
  if (sizes(scale).posts < 3500 || sizes(scale).users < 300) {
    console.error(
      `--scale ${scale} is too small: the workloads need 3,500 posts and 300 users (scale >= 0.175)`,
    )
    process.exit(2)
  }

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as (options?: { readonly type: 'minor' | 'major' }) => void
// Before each timed operation, by default a full GC, as an outsider measures: nobody pays for another's
// garbage, old or young. It also collects the hidden classes (maps) of the previous operation's rows,
// which optimized code has in its type feedback and map checks, so hot loops over rows may deoptimize
// on their next call (quiver's decoding loop: 40 deoptimizations in 600 W1 operations with a full GC
// before each, 2 with a scavenge), a cost a server pays less often; `--gc minor` (a scavenge: the young
// generation, where an operation's garbage lives) shows the difference.
const beforeOperation = gcMode === 'full' ? () => gc() : () => gc({ type: 'minor' })

// ---------------------------------------------------------------------------------------------------
// database and implementations
// ---------------------------------------------------------------------------------------------------

let statements = 0
let counting = false

const setup = async () => {
  const url = process.env['DATABASE_URL']
  if (url !== undefined && url !== '') return { url, pool: 4, kind: 'server' as const, stop: async () => {} }
  // Embedded.start's socket server takes one client at a time; every implementation has its own
  // client here, so the bench serves the same PGlite with room for all of them (pool 1 each).
  const pg = await PGlite.create()
  const server = new PGLiteSocketServer({ db: pg, host: '127.0.0.1', port: 0, maxConnections: 32 })
  await server.start()
  const conn = server.getServerConn()
  return {
    url: `postgres://postgres@127.0.0.1:${conn.slice(conn.lastIndexOf(':') + 1)}/postgres`,
    pool: 1,
    kind: 'embedded' as const,
    stop: async () => {
      await server.stop()
      await pg.close()
    },
  }
}

const median = (xs: ReadonlyArray<number>) => percentile(xs, 50)
const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
// The order of round k: a seeded shuffle (the same for every run), so that no implementation always
// runs right after the same other one.
const shuffled = <A>(xs: ReadonlyArray<A>, k: number): ReadonlyArray<A> => {
  const out = [...xs]
  let seed = Math.imul(k + 1, 2654435761) >>> 0
  for (let i = out.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    const j = (seed >>> 8) % (i + 1)
    ;[out[i], out[j]] = [out[j] as A, out[i] as A]
  }
  return out
}
const rotate = <A>(xs: ReadonlyArray<A>, k: number): ReadonlyArray<A> => [
  ...xs.slice(k % xs.length),
  ...xs.slice(0, k % xs.length),
]

const checksum = (tree: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(normalise(tree)))
    .digest('hex')
    .slice(0, 16)

const git = (args: string): string => {
  try {
    return execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return '?'
  }
}

interface Result {
  readonly workload: WorkloadId
  readonly scale: number
  readonly parents: number
  readonly impl: ImplName
  readonly median_ms: number
  readonly p95_ms: number
  readonly statements: number
  /** Peak JS heap growth of one operation (median of 3, after a full GC). */
  readonly heap_mb: number
  /** Peak RSS growth of one operation (median of 3; RSS rarely shrinks, so later ones read low). */
  readonly rss_mb: number
  /** The checksum of the normalised tree (equal for every implementation of a point, else the run fails). */
  readonly checksum: string
  /** Every timed operation, in round order (W5: call order): the same index is the same round. */
  readonly samples: ReadonlyArray<number>
}

/** The points of a workload at one scale: its parents, each with the range it sets. */
const pointsOf = (w: WorkloadId, scale: number): ReadonlyArray<number> => {
  if (w === 'W5') return [1]
  const sz = sizes(scale)
  const rows = rootTable(w) === 'users' ? sz.users : sz.posts
  const ps = sweepParents !== undefined && swept.includes(w) ? sweepParents : [defaultParents(w)]
  return ps.filter(n => n <= rows)
}

/** The points of a workload that a scale's root table is too small for (reported, not run). */
const skippedOf = (w: WorkloadId, scale: number): ReadonlyArray<string> => {
  if (w === 'W5' || sweepParents === undefined || !swept.includes(w)) return []
  const table = rootTable(w)
  const rows = table === 'users' ? sizes(scale).users : sizes(scale).posts
  return sweepParents
    .filter(n => n > rows)
    .map(n => `${w} scale ${scale} x${n}: not run (the ${table} table has ${rows} rows at this scale)`)
}

const main = async () => {
  // the code measured: read before the run (the bundle was built from the working tree just before)
  const commit = git('rev-parse HEAD')
  const dirty = git('status --porcelain --untracked-files=no -- src bench') !== ''
  const db = await setup()
  const startedLoad = os.loadavg()
  const results: Array<Result> = []
  const noted = new Set<string>()
  let version = '?'
  // Prisma 7 is installed and generated on demand (bench/prisma.ts), or skipped with the reason
  const prisma =
    only === undefined || only.includes('prisma') ? await loadPrisma() : { skip: 'not selected (--only)' }
  if ('skip' in prisma) {
    console.log(`\nprisma: skipped: ${prisma.skip}`)
    noted.add(`prisma: skipped: ${prisma.skip}`)
  }
  for (const scale of scales) {
    const namespace = namespaceOf(scale)
    const client = () =>
      postgres(db.url, {
        max: db.pool,
        onnotice: () => undefined,
        connection: { search_path: namespace },
        debug: () => {
          if (counting) statements++
        },
      })
    const admin = postgres(db.url, {
      max: 1,
      onnotice: () => undefined,
      connection: { search_path: namespace },
    })
    version = (await admin.unsafe<Array<{ version: string }>>(`select version()`))[0]?.version ?? '?'
    const statementsOfDdl = ddl(Bench)
    if (statementsOfDdl._tag === 'Left') throw new Error(`ddl(Bench): ${statementsOfDdl.left.message}`)
    const loaded = await ensure(admin, scale, {
      reload: flag('reload'),
      ddl: statementsOfDdl.right,
      copy: db.kind === 'server',
    })
    // PGlite is one session shared by every connection and ignores the startup search_path: set it
    if (db.kind === 'embedded') await admin.unsafe(`set search_path to ${namespace}`)
    // with a timeout: after loading the scale-4 dataset by COPY, a plain `end()` once waited forever
    // (the COPY's connection stayed idle and was never released)
    await admin.end({ timeout: 5 })
    const sz = sizes(scale)
    console.log(
      `\ndataset scale ${scale} (${sz.users} users, ${sz.posts} posts, ${sz.comments} comments, ${sz.postsTags} posts_tags, ${sz.likes} likes): ` +
        `${loaded.status} in ${round(loaded.ms / 1000, 1)} s on ${db.kind} ${version.split(',')[0]}`,
    )

    // Every point gets new clients: each implementation opens what its own calls need, and its
    // prepared statements start with the same (empty) plan history as everyone else's. (postgres.js
    // hands sequential queries round-robin to the pool's open connections, so a client whose earlier
    // workload ran statements concurrently would serve W5's sequential calls from four backends in turn.)
    const makeAll = (): ReadonlyArray<Impl> => [
      rawSeparate(client()),
      rawJson(client()),
      rawHops(client()),
      quiverImpl('quiver-batched', client()),
      quiverImpl('quiver-lateral', client()),
      quiverImpl('quiver-auto', client()),
      quiverImpl('quiver-adhoc', client()),
      drizzleImpl(client()),
      drizzle1Impl(client()),
      kyselyImpl(client()),
      ...('make' in prisma
        ? [
            prisma.make(db.url, db.pool, namespace, () => {
              if (counting) statements++
            }),
          ]
        : []),
    ]
    const keep = (i: Impl) => only === undefined || only.includes(i.name) || i.name === 'raw-separate'

    for (const w of workloads) {
      if (w === 'W7' || isWriteWorkload(w)) continue
      for (const skipped of skippedOf(w, scale)) {
        console.log(`\n${skipped}`)
        noted.add(skipped)
      }
      for (const parents of pointsOf(w, scale)) {
        if (w !== 'W5') setParents(w, parents, rootTable(w) === 'users' ? sz.users : sz.posts)
        const all = makeAll()
        for (const i of all) if (i.note !== undefined) noted.add(`${i.name}: ${i.note}`)
        const impls = all.filter(i => keep(i) && (i.workloads === undefined || i.workloads.includes(w)))
        const t0 = performance.now()
        // correctness (every tree against raw-separate's, and a checksum of each) and statement counts
        const args = w === 'W5' ? [0, 1, 2, 3, 4].map(i => w5Post(i, sz.posts)) : [0]
        const expected = await Promise.all(args.map(a => impls[0]!.run[w](a)))
        const sums = new Map<ImplName, string>()
        const stmts = new Map<ImplName, number>()
        for (const impl of impls) {
          await impl.run[w](args[0]!) // the first run of a prepared statement also describes it
          for (let k = 0; k < args.length; k++) {
            statements = 0
            counting = true
            const got = await impl.run[w](args[k]!)
            counting = false
            if (k === 0) stmts.set(impl.name, statements)
            const tree = impl.adapt === undefined ? got : impl.adapt(w, got)
            assertSame(`${w} scale ${scale} parents ${parents} ${impl.name}`, expected[k], tree)
            if (k === 0) sums.set(impl.name, checksum(tree))
          }
        }
        if (new Set(sums.values()).size !== 1)
          throw new Error(
            `MISMATCH ${w} scale ${scale} parents ${parents}: checksums ${[...sums].join(', ')}`,
          )
        // warm-up, excluded: one more run each (the first run and the checks above were the others)
        for (const impl of impls) await impl.run[w](args[0]!)
        // peak heap and RSS growth of one operation (median of 3), sampled every millisecond and at the end
        const heap = new Map<ImplName, number>()
        const rss = new Map<ImplName, number>()
        for (const impl of impls) {
          const peaks: Array<number> = []
          const rsss: Array<number> = []
          for (let k = 0; k < 3; k++) {
            gc()
            const base = process.memoryUsage()
            let peak = base.heapUsed
            let peakRss = base.rss
            const sample = () => {
              const m = process.memoryUsage()
              peak = Math.max(peak, m.heapUsed)
              peakRss = Math.max(peakRss, m.rss)
            }
            const timer = setInterval(sample, 1)
            const r = await impl.run[w](args[0]!)
            sample()
            clearInterval(timer)
            peaks.push((peak - base.heapUsed) / 2 ** 20)
            rsss.push((peakRss - base.rss) / 2 ** 20)
            if (r === undefined) throw new Error('no result')
          }
          heap.set(impl.name, median(peaks))
          rss.set(impl.name, median(rsss))
        }
        // timing
        const times = new Map<ImplName, Array<number>>(impls.map(i => [i.name, []]))
        if (w === 'W5') {
          const block = 50
          for (let b = 0; b * block < w5Calls; b++) {
            for (const impl of shuffled(impls, b)) {
              beforeOperation()
              const ts = times.get(impl.name)!
              for (let i = b * block; i < Math.min(w5Calls, (b + 1) * block); i++) {
                const id = w5Post(i, sz.posts)
                const s = performance.now()
                await impl.run.W5(id)
                ts.push(performance.now() - s)
              }
            }
          }
        } else {
          const started = performance.now()
          for (let r = 0; r < rounds || (r < maxRounds && performance.now() - started < budgetMs); r++)
            for (const impl of shuffled(impls, r)) {
              beforeOperation()
              const s = performance.now()
              await impl.run[w](0)
              times.get(impl.name)!.push(performance.now() - s)
            }
        }
        const point: Array<Result> = []
        for (const impl of impls) {
          const ts = times.get(impl.name)!
          point.push({
            workload: w,
            scale,
            parents,
            impl: impl.name,
            median_ms: round(median(ts), 3),
            p95_ms: round(percentile(ts, 95), 3),
            statements: stmts.get(impl.name) ?? 0,
            heap_mb: round(heap.get(impl.name) ?? 0, 1),
            rss_mb: round(rss.get(impl.name) ?? 0, 1),
            checksum: sums.get(impl.name) ?? '',
            samples: ts,
          })
        }
        results.push(...point)
        const range = w === 'W5' ? 'one post per call' : `ids ${ranges[w][0]}-${ranges[w][1]}`
        console.log(
          `\n${w} scale ${scale}, ${parents} parents (${range}): ${describe[w]}  (checked ${count(expected[0])} objects, checksum ${sums.get('raw-separate')}; ${point[0]?.samples.length ?? 0} rounds, ${round((performance.now() - t0) / 1000, 1)} s; load ${os.loadavg()[0]?.toFixed(2)})`,
        )
        console.log(table(point))
        for (const i of all) await i.close()
      }
    }
  }

  // W7: compile only
  let compileUs: Record<'quiver' | 'kysely' | 'drizzle' | 'drizzle-1', number> | null = null
  if (workloads.includes('W7')) {
    const dsql = postgres(db.url, { max: 1, onnotice: () => undefined })
    const d = drizzleDb(dsql)
    const d1sql = postgres(db.url, { max: 1, onnotice: () => undefined })
    const d1 = drizzle1Db(d1sql)
    const k = kyselyDb(postgres(db.url, { max: 1, onnotice: () => undefined }))
    const subjects: ReadonlyArray<['quiver' | 'kysely' | 'drizzle' | 'drizzle-1', () => unknown]> = [
      ['quiver', () => quiverW2Sql()],
      ['kysely', () => kyselyW2(k).compile()],
      ['drizzle', () => drizzleW2(d).toSQL()],
      ['drizzle-1', () => drizzle1W2(d1).toSQL()],
    ]
    const per = new Map<string, Array<number>>(subjects.map(([n]) => [n, []]))
    for (const [, f] of subjects) for (let i = 0; i < 500; i++) f()
    for (let b = 0; b < compileBlocks; b++)
      for (const [n, f] of rotate(subjects, b)) {
        const iters = 200
        const s = performance.now()
        for (let i = 0; i < iters; i++) f()
        per.get(n)!.push(((performance.now() - s) * 1000) / iters)
      }
    compileUs = {
      quiver: round(median(per.get('quiver')!), 1),
      kysely: round(median(per.get('kysely')!), 1),
      drizzle: round(median(per.get('drizzle')!), 1),
      'drizzle-1': round(median(per.get('drizzle-1')!), 1),
    }
    console.log(`\nW7 compile W2 only (µs per compile, median of ${compileBlocks} blocks of 200):`, compileUs)
    await k.destroy()
    await dsql.end()
    await d1sql.end()
  }

  // W12, W13: write workloads (bench/writes.ts), only when asked for (--workloads W12,W13), on the
  // dataset of scale 1 when the run has it, else of its first scale
  const writes = workloads.filter(isWriteWorkload)
  if (writes.length > 0) {
    const wsql = postgres(db.url, {
      max: db.pool,
      onnotice: () => undefined,
      connection: { search_path: namespaceOf(scales.includes(1) ? 1 : (scales[0] ?? 1)) },
    })
    await runWrites(wsql, writes, rounds)
    await wsql.end()
  }

  await db.stop()
  const notes = [...noted]

  const load = [...startedLoad, ...os.loadavg()].map(x => round(x, 2))
  const machine = `${os.cpus().length} cores ${os.cpus()[0]?.model ?? '?'} (shared), Node ${process.version}, ${db.kind} ${version.split(' on ')[0]}, pool ${db.pool}`
  const json = {
    date: new Date().toISOString(),
    machine,
    postgres: version,
    commit: dirty ? `${commit} (with uncommitted changes)` : commit,
    load_average: { start: load.slice(0, 3), end: load.slice(3) },
    method: {
      rounds,
      budget_s: budgetMs / 1000,
      max_rounds: maxRounds,
      w5_calls: w5Calls,
      gc: gcMode,
      warmup: 3,
      scales,
      parents: sweepParents ?? 'default',
    },
    results: results.map(r => {
      const q = ratios(results, r)
      return {
        workload: r.workload,
        scale: r.scale,
        parents: r.parents,
        impl: r.impl,
        rounds: r.samples.length,
        median_ms: r.median_ms,
        p95_ms: r.p95_ms,
        statements: r.statements,
        heap_mb: r.heap_mb,
        rss_mb: r.rss_mb,
        checksum: r.checksum,
        x_best_raw_paired: round(q.best, 3),
        x_best_raw_medians: round(q.bestMedians, 3),
      }
    }),
    compile_us: compileUs ?? { quiver: 0, kysely: 0, drizzle: 0, 'drizzle-1': 0 },
  }
  const verdicts = targets(results, compileUs)
  console.log(`\n${verdicts}`)
  if (notes.length > 0) console.log(`\nnotes:\n${notes.join('\n')}`)
  // `--write`: a restricted run (fewer scales, workloads or rounds) written as the full run's results
  const restricted =
    !flag('write') &&
    (quick ||
      only !== undefined ||
      option('workloads') !== undefined ||
      option('scales') !== undefined ||
      option('scale') !== undefined ||
      option('parents') !== undefined)
  if (restricted) {
    mkdirSync('bench/.data', { recursive: true })
    writeFileSync('bench/.data/results-quick.json', JSON.stringify(json, null, 2) + '\n')
    writeFileSync('bench/.data/results-quick.svg', chart(json.results))
    writeFileSync('bench/.data/RESULTS-quick.md', markdown(json, results, verdicts, notes))
  } else {
    // formatted as `npm run lint` (prettier --check .) expects
    const config = (await prettier.resolveConfig('bench/RESULTS.md')) ?? {}
    const write = async (file: string, text: string, parser: string) =>
      writeFileSync(file, await prettier.format(text, { ...config, parser }))
    await write('bench/results.json', JSON.stringify(json, null, 2), 'json')
    await write('bench/RESULTS.md', markdown(json, results, verdicts, notes), 'markdown')
    writeFileSync('bench/results.svg', chart(json.results))
  }
}

// ---------------------------------------------------------------------------------------------------
// reporting
// ---------------------------------------------------------------------------------------------------

// A paired ratio of two implementations is the median of their per-round ratios (both timed in the
// same round, a few milliseconds apart), so that the machine's slow drifts (two shared cores, CPU
// steal) cancel out instead of landing on whoever ran in a slow stretch. The ratio of medians is
// reported beside it: where the two disagree by more than noise, neither is sure.
const paired = (a: Result, b: Result | undefined): number =>
  b === undefined ? NaN : median(a.samples.map((x, k) => x / (b.samples[k] ?? NaN)))

const samePoint = (a: Result) => (b: Result) =>
  b.workload === a.workload && b.scale === a.scale && b.parents === a.parents

const ratios = (all: ReadonlyArray<Result>, r: Result) => {
  const rs = all.filter(samePoint(r))
  const sep = rs.find(x => x.impl === 'raw-separate')
  const json = rs.find(x => x.impl === 'raw-json')
  // the best raw lower bound: the faster of the two by median
  const best = json !== undefined && sep !== undefined && json.median_ms < sep.median_ms ? json : sep
  return {
    sep: paired(r, sep),
    best: paired(r, best),
    bestMedians: best === undefined ? NaN : r.median_ms / best.median_ms,
  }
}

const table = (rs: ReadonlyArray<Result>): string => {
  const head = [
    'impl',
    'median ms',
    'p95 ms',
    'x raw-sep',
    'x best raw',
    'x best (medians)',
    'stmts',
    'heap MB',
    'rss MB',
  ]
  const rows = rs.map(r => {
    const q = ratios(rs, r)
    return [
      r.impl,
      r.median_ms.toFixed(2),
      r.p95_ms.toFixed(2),
      q.sep.toFixed(2),
      q.best.toFixed(2),
      q.bestMedians.toFixed(2),
      String(r.statements),
      r.heap_mb.toFixed(1),
      r.rss_mb.toFixed(1),
    ]
  })
  return grid(head, rows)
}

const grid = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [
    line(head),
    '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.map(line),
  ].join('\n')
}

interface Point {
  readonly workload: WorkloadId
  readonly scale: number
  readonly parents: number
}

const pointsIn = (results: ReadonlyArray<Result>): ReadonlyArray<Point> => {
  const seen = new Map<string, Point>()
  for (const r of results) {
    const k = `${r.workload} ${r.scale} ${r.parents}`
    if (!seen.has(k)) seen.set(k, { workload: r.workload, scale: r.scale, parents: r.parents })
  }
  return [...seen.values()]
}

const label = (p: Point) => `${p.workload} scale ${p.scale} x${p.parents}`

const targets = (results: ReadonlyArray<Result>, compile: Record<string, number> | null): string => {
  const lines: Array<string> = ['targets:']
  const check = (what: string, ok: boolean, detail: string) =>
    lines.push(`  ${ok ? 'PASS' : 'MISS'} ${what}: ${detail}`)
  for (const p of pointsIn(results)) {
    const rs = results.filter(samePoint(p as Result))
    const get = (i: ImplName) => rs.find(r => r.impl === i)
    const auto = get('quiver-auto')
    const bat = get('quiver-batched')
    const lat = get('quiver-lateral')
    const sep = get('raw-separate')
    const js = get('raw-json')
    const w = label(p)
    // W8 and W9 (aggregates, no preload: the strategy does not apply) run as quiver-auto only
    if (auto !== undefined) {
      const q = ratios(rs, auto)
      check(
        `${w} quiver-auto <= 1.10x best raw`,
        q.best <= 1.1,
        `${q.best.toFixed(2)}x paired, ${q.bestMedians.toFixed(2)}x of medians`,
      )
      // the targets name Kysely and Drizzle (both versions); Prisma is reported, not a target
      for (const peer of ['drizzle', 'drizzle-1', 'kysely'] as const) {
        const o = get(peer)
        if (o !== undefined)
          check(
            `${w} quiver-auto faster than ${peer}`,
            paired(auto, o) < 1,
            `${paired(auto, o).toFixed(2)}x (medians ${auto.median_ms} vs ${o.median_ms} ms)`,
          )
      }
      if (sep !== undefined && sep.heap_mb > 0.5)
        check(
          `${w} quiver-auto peak heap <= 1.5x raw-separate`,
          auto.heap_mb <= 1.5 * sep.heap_mb,
          `${auto.heap_mb} vs ${sep.heap_mb} MB`,
        )
    }
    if (bat !== undefined && sep !== undefined)
      check(
        `${w} quiver-batched <= 1.15x raw-separate`,
        paired(bat, sep) <= 1.15,
        `${paired(bat, sep).toFixed(2)}x`,
      )
    if (lat !== undefined && js !== undefined)
      check(
        `${w} quiver-lateral <= 1.15x raw-json`,
        paired(lat, js) <= 1.15,
        `${paired(lat, js).toFixed(2)}x`,
      )
  }
  if (compile !== null)
    check('W7 quiver compile <= 20 µs', (compile['quiver'] ?? Infinity) <= 20, `${compile['quiver']} µs`)
  const missed = lines.filter(l => l.includes(' MISS ')).length
  lines.push(`  ${missed} of ${lines.length - 1} missed`)
  return lines.join('\n')
}

/**
 * The sweep as tables: one row per workload and parents, one column per scale; each cell the paired
 * ratio of `impl` to `to` (the best raw, or a peer), '-' where the point did not run.
 */
const sweepTable = (results: ReadonlyArray<Result>, impl: ImplName, to: 'best' | ImplName): string => {
  const ps = pointsIn(results)
  const scalesRun = [...new Set(ps.map(p => p.scale))].sort((a, b) => a - b)
  const rowsOf = [...new Set(ps.map(p => `${p.workload}\u0000${p.parents}`))]
  const rows = rowsOf.map(k => {
    const [w, n] = k.split('\u0000') as [WorkloadId, string]
    return [
      `${w} x${n}`,
      ...scalesRun.map(sc => {
        const rs = results.filter(r => r.workload === w && r.parents === Number(n) && r.scale === sc)
        const a = rs.find(r => r.impl === impl)
        if (a === undefined) return '-'
        if (to === 'best') {
          const q = ratios(rs, a)
          return `${q.best.toFixed(2)} (${q.bestMedians.toFixed(2)})`
        }
        const b = rs.find(r => r.impl === to)
        return b === undefined
          ? '-'
          : `${paired(a, b).toFixed(2)} (${(a.median_ms / b.median_ms).toFixed(2)})`
      }),
    ]
  })
  return grid(['workload x parents', ...scalesRun.map(sc => `scale ${sc}`)], rows)
}

/** The sweep tables of RESULTS.md: a title, the implementation, and what it is divided by. */
const sweepSections: ReadonlyArray<readonly [string, ImplName, 'best' | ImplName]> = [
  ['quiver-auto ÷ best raw (target: at most 1.10)', 'quiver-auto', 'best'],
  ['quiver-batched ÷ raw-separate (target: at most 1.15)', 'quiver-batched', 'raw-separate'],
  ['quiver-lateral ÷ raw-json (target: at most 1.15)', 'quiver-lateral', 'raw-json'],
  ['quiver-auto ÷ kysely (below 1: Quiver faster)', 'quiver-auto', 'kysely'],
  ['quiver-auto ÷ drizzle (below 1: Quiver faster)', 'quiver-auto', 'drizzle'],
  ['quiver-auto ÷ drizzle-1 (Drizzle 1.0 rc; below 1: Quiver faster)', 'quiver-auto', 'drizzle-1'],
  [
    'quiver-auto ÷ prisma (Prisma 7, query compiler + adapter-pg; below 1: Quiver faster)',
    'quiver-auto',
    'prisma',
  ],
]

const markdown = (
  json: {
    date: string
    machine: string
    commit: string
    load_average: { start: ReadonlyArray<number>; end: ReadonlyArray<number> }
    compile_us: Record<string, number>
  },
  results: ReadonlyArray<Result>,
  verdicts: string,
  notes: ReadonlyArray<string>,
): string =>
  [
    '# Benchmark results',
    '',
    `Latest full run: ${json.date}, commit ${json.commit}; at least ${rounds} interleaved rounds per point, more at cheap points until the timed rounds took ${budgetMs / 1000} s (at most ${maxRounds}; W5: ${w5Calls} calls), a ${gcMode} GC before each operation.`,
    '',
    `Machine: ${json.machine}; load average ${json.load_average.start.join(' / ')} at the start, ${json.load_average.end.join(' / ')} at the end.`,
    '**Two shared cores, other work running: compare ratios within this run, not milliseconds.**',
    '',
    'Each cell: the paired ratio (the median of per-round ratios, both timed in the same round) and, in',
    'parentheses, the ratio of medians. "Best raw" is the faster (by median) of the two hand-written',
    'postgres.js lower bounds: raw-separate (one `= any($1)` statement per level) and raw-json (one',
    'lateral `json_agg` statement). Every implementation of a point returned the same tree (normalised,',
    'checksummed; the run fails otherwise), on its own new connections. Chart: `results.svg`.',
    '',
    ...sweepSections.flatMap(([title, impl, to]) => [`## ${title}`, '', sweepTable(results, impl, to), '']),
    '## W7: compile only (build the W2 query and produce its SQL, no I/O)',
    '',
    '| library | µs per compile |',
    '|---|--:|',
    ...Object.entries(json.compile_us).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Targets',
    '',
    '```',
    verdicts,
    '```',
    '',
    '## Every point',
    '',
    'Columns: median and p95 per operation; paired ratios to raw-separate and to the best raw, and the',
    'ratio of medians to the best raw; statements per operation; peak JS heap and RSS growth of one',
    'operation (after a full GC, sampled every ms; RSS rarely shrinks, so it reads low for whoever runs',
    'after a larger one). W5, W8 and W9 are calls on a hot path, written the way each library suggests',
    'for one: quiver-* and drizzle run a prepared query (W5), quiver-auto a prepared projection (W8,',
    'W9), raw-json its constant SQL, kysely builds the query per call (it has no placeholders);',
    'quiver-adhoc builds the same quiver query per call (auto), so both costs are shown.',
    '',
    ...pointsIn(results).flatMap(p => [
      `### ${label(p)}: ${describe[p.workload]}`,
      '',
      table(results.filter(samePoint(p as Result))),
      '',
    ]),
    ...(notes.length > 0 ? ['## Notes', '', ...notes.map(n => `- ${n}`), ''] : []),
    'Reproduce: `npm run bench` (the sweep) or `npm run bench -- --quick`; `--scales`, `--parents`,',
    '`--workloads`, `--rounds`, `--budget`, `--max-rounds`, `--gc minor`; `DATABASE_URL` selects a server, else an embedded PGlite',
    '(pool 1).',
    '',
  ].join('\n')

main().catch(e => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
})
