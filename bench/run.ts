// npm run bench [-- --quick] [--scale N] [--rounds N] [--reload] [--only a,b] [--workloads W1,W2]
//
// Loads the deterministic blog into the `quiver_bench` schema of DATABASE_URL (else an embedded
// PGlite), checks every implementation's tree against raw-separate's, then times them in one process,
// interleaved (in a seeded random order each round, so that nobody always follows the same
// neighbour), with a young-generation GC before each operation so nobody pays for another's garbage
// (a full GC there would also throw away the hidden classes of the rows, whose code then deoptimizes
// on every next call: see `minorGc`). A full run writes
// bench/results.json and bench/RESULTS.md; a quick run writes bench/.data/results-quick.json.
//
// `npm run bench` bundles this file with src/ (esbuild, to bench/.data/run.mjs) and runs it with node:
// the library runs as compiled JavaScript, as users run the built package. (Under tsx every closure
// the library creates also got a `__name` defineProperty call from tsx's keepNames, a cost only quiver,
// which creates closures per call, paid: about 3 µs of the 50 µs a W5 call spent before the driver.)
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'
import vm from 'node:vm'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import postgres from 'postgres'
import * as prettier from 'prettier'
import { ddl } from '../src/sql/Ddl.js'
import { assertSame, count } from './check.js'
import { ensure, namespace, sizes } from './data.js'
import { Bench } from './model.js'
import { drizzleDb, drizzleImpl, drizzleW2, kyselyDb, kyselyImpl, kyselyW2 } from './peers.js'
import { quiverImpl, quiverW2Sql } from './quiver.js'
import { rawJson, rawSeparate } from './raw.js'
import { describe, w5Post, workloadIds, type Impl, type ImplName, type WorkloadId } from './workloads.js'
import { isWriteWorkload, runWrites, type WriteWorkloadId } from './writes.js'

// ---------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}
const quick = flag('quick')
const scale = Number(option('scale') ?? (quick ? 0.2 : 1))
// Per-round ratios scatter widely on two shared cores (standard deviation about 0.17 on W1 and W2), so
// the median of 60 rounds moved by up to 0.08 between runs of the same code; 150 rounds keep the full
// run near five minutes.
const rounds = Number(option('rounds') ?? (quick ? 8 : 150))
const w5Calls = Number(option('w5-calls') ?? (quick ? 300 : 4000))
const compileBlocks = quick ? 10 : 30
const only = option('only')?.split(',')
const workloads = (option('workloads')?.split(',') ?? [...workloadIds, 'W7']) as ReadonlyArray<
  WorkloadId | 'W7' | WriteWorkloadId
>
if (sizes(scale).posts < 3500 || sizes(scale).users < 300) {
  console.error(
    `--scale ${scale} is too small: the workloads need 3,500 posts and 300 users (scale >= 0.175)`,
  )
  process.exit(2)
}

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as (options?: { readonly type: 'minor' | 'major' }) => void
// Before each timed operation: a scavenge empties the young generation, where an operation's garbage
// lives. Not a full GC: that collects the hidden classes (maps) of the previous operation's rows, which
// optimized code has in its type feedback and map checks; every hot loop over rows then deoptimized on
// its next call and was compiled again (quiver's decoding loop: 40 deoptimizations in 600 W1
// operations with a full GC before each, 2 with a scavenge), a cost no server pays between requests.
// Old-generation collections happen as they would in a server, to whoever is allocating.
const minorGc = () => gc({ type: 'minor' })

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

interface Result {
  readonly workload: WorkloadId
  readonly impl: ImplName
  readonly median_ms: number
  readonly p95_ms: number
  readonly statements: number
  readonly heap_mb: number
  /** Every timed operation, in round order (W5: call order): the same index is the same round. */
  readonly samples: ReadonlyArray<number>
}

const main = async () => {
  const db = await setup()
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
  const { version } = (await admin.unsafe<Array<{ version: string }>>(`select version()`))[0] ?? {
    version: '?',
  }
  const statementsOfDdl = ddl(Bench)
  if (statementsOfDdl._tag === 'Left') throw new Error(`ddl(Bench): ${statementsOfDdl.left.message}`)
  const loaded = await ensure(admin, scale, {
    reload: flag('reload'),
    ddl: statementsOfDdl.right,
    copy: db.kind === 'server',
  })
  // PGlite is one session shared by every connection and ignores the startup search_path: set it once
  if (db.kind === 'embedded') await admin.unsafe(`set search_path to ${namespace}`)
  await admin.end()
  const sz = sizes(scale)
  console.log(
    `dataset scale ${scale} (${sz.users} users, ${sz.posts} posts, ${sz.comments} comments, ${sz.postsTags} posts_tags, ${sz.likes} likes): ` +
      `${loaded.status} in ${round(loaded.ms / 1000, 1)} s on ${db.kind} ${version.split(',')[0]}`,
  )

  // Every workload gets new clients: postgres.js hands sequential queries round-robin to the pool's open
  // connections, so a client whose earlier workload ran statements concurrently (batched sibling levels
  // open all four) would serve W5's sequential calls from four backends in turn, colder than the one
  // connection of a client that never ran two statements at once. With new clients each implementation
  // opens what its own calls need.
  const makeAll = (): ReadonlyArray<Impl> => [
    rawSeparate(client()),
    rawJson(client()),
    quiverImpl('quiver-batched', client()),
    quiverImpl('quiver-lateral', client()),
    quiverImpl('quiver-auto', client()),
    quiverImpl('quiver-adhoc', client()),
    drizzleImpl(client()),
    kyselyImpl(client()),
  ]
  const keep = (i: Impl) => only === undefined || only.includes(i.name) || i.name === 'raw-separate'
  const results: Array<Result> = []
  const noted = new Set<string>()

  for (const w of workloads) {
    if (w === 'W7' || isWriteWorkload(w)) continue
    const all = makeAll()
    for (const i of all) if (i.note !== undefined) noted.add(`${i.name}: ${i.note}`)
    const impls = all.filter(i => keep(i) && (i.workloads === undefined || i.workloads.includes(w)))
    const t0 = performance.now()
    // correctness and statement counts (also the warm-up)
    const args = w === 'W5' ? [0, 1, 2, 3, 4].map(i => w5Post(i, sz.posts)) : [0]
    const expected = await Promise.all(args.map(a => impls[0]!.run[w](a)))
    const stmts = new Map<ImplName, number>()
    for (const impl of impls) {
      await impl.run[w](args[0]!) // warm-up: the first run of a prepared statement also describes it
      for (let k = 0; k < args.length; k++) {
        statements = 0
        counting = true
        const got = await impl.run[w](args[k]!)
        counting = false
        if (k === 0) stmts.set(impl.name, statements)
        assertSame(`${w} ${impl.name}`, expected[k], impl.adapt === undefined ? got : impl.adapt(w, got))
      }
    }
    // peak heap growth of one operation (median of 3), sampled every millisecond and at the end
    const heap = new Map<ImplName, number>()
    for (const impl of impls) {
      const peaks: Array<number> = []
      for (let k = 0; k < 3; k++) {
        gc()
        const base = process.memoryUsage().heapUsed
        let peak = base
        const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1)
        const r = await impl.run[w](args[0]!)
        peak = Math.max(peak, process.memoryUsage().heapUsed)
        clearInterval(timer)
        peaks.push((peak - base) / 2 ** 20)
        if (r === undefined) throw new Error('no result')
      }
      heap.set(impl.name, median(peaks))
    }
    // timing
    const times = new Map<ImplName, Array<number>>(impls.map(i => [i.name, []]))
    gc()
    if (w === 'W5') {
      const block = 50
      for (let b = 0; b * block < w5Calls; b++) {
        for (const impl of shuffled(impls, b)) {
          minorGc()
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
      for (let r = 0; r < rounds; r++)
        for (const impl of shuffled(impls, r)) {
          minorGc()
          const s = performance.now()
          await impl.run[w](0)
          times.get(impl.name)!.push(performance.now() - s)
        }
    }
    for (const impl of impls) {
      const ts = times.get(impl.name)!
      results.push({
        workload: w,
        impl: impl.name,
        median_ms: round(median(ts), 3),
        p95_ms: round(percentile(ts, 95), 3),
        statements: stmts.get(impl.name) ?? 0,
        heap_mb: round(heap.get(impl.name) ?? 0, 1),
        samples: ts,
      })
    }
    console.log(
      `\n${w} ${describe[w]}  (checked ${count(expected[0])} objects; ${round((performance.now() - t0) / 1000, 1)} s)`,
    )
    console.log(table(results.filter(r => r.workload === w)))
    for (const i of all) await i.close()
  }

  // W7: compile only
  let compileUs: Record<'quiver' | 'kysely' | 'drizzle', number> | null = null
  if (workloads.includes('W7')) {
    const dsql = postgres(db.url, { max: 1, onnotice: () => undefined })
    const d = drizzleDb(dsql)
    const k = kyselyDb(postgres(db.url, { max: 1, onnotice: () => undefined }))
    const subjects: ReadonlyArray<['quiver' | 'kysely' | 'drizzle', () => unknown]> = [
      ['quiver', () => quiverW2Sql()],
      ['kysely', () => kyselyW2(k).compile()],
      ['drizzle', () => drizzleW2(d).toSQL()],
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
    }
    console.log(`\nW7 compile W2 only (µs per compile, median of ${compileBlocks} blocks of 200):`, compileUs)
    await k.destroy()
    await dsql.end()
  }

  // W12, W13: write workloads (bench/writes.ts), only when asked for (--workloads W12,W13)
  const writes = workloads.filter(isWriteWorkload)
  if (writes.length > 0) {
    const wsql = client()
    await runWrites(wsql, writes, rounds)
    await wsql.end()
  }

  await db.stop()
  const notes = [...noted]

  const machine = `${os.cpus().length} cores ${os.cpus()[0]?.model ?? '?'} (shared), Node ${process.version}, ${db.kind} ${version.split(' on ')[0]}, pool ${db.pool}`
  const json = {
    date: new Date().toISOString(),
    machine,
    scale,
    rounds,
    results: results.map(({ workload, impl, median_ms, p95_ms, statements }) => ({
      workload,
      impl,
      median_ms,
      p95_ms,
      statements,
    })),
    compile_us: compileUs ?? { quiver: 0, kysely: 0, drizzle: 0 },
  }
  const verdicts = targets(results, compileUs)
  console.log(`\n${verdicts}`)
  if (notes.length > 0) console.log(`\nnotes:\n${notes.join('\n')}`)
  if (quick || only !== undefined || option('workloads') !== undefined) {
    mkdirSync('bench/.data', { recursive: true })
    writeFileSync('bench/.data/results-quick.json', JSON.stringify(json, null, 2) + '\n')
  } else {
    // formatted as `npm run lint` (prettier --check .) expects
    const config = (await prettier.resolveConfig('bench/RESULTS.md')) ?? {}
    const write = async (file: string, text: string, parser: string) =>
      writeFileSync(file, await prettier.format(text, { ...config, parser }))
    await write('bench/results.json', JSON.stringify(json, null, 2), 'json')
    await write('bench/RESULTS.md', markdown(json, results, verdicts, notes), 'markdown')
  }
}

// ---------------------------------------------------------------------------------------------------
// reporting
// ---------------------------------------------------------------------------------------------------

// A ratio of two implementations is the median of their per-round ratios (paired: both timed in the
// same round, a few milliseconds apart), so that the machine's slow drifts (two shared cores, CPU
// steal) cancel out instead of landing on whoever ran in a slow stretch.
const paired = (a: Result, b: Result | undefined): number =>
  b === undefined ? NaN : median(a.samples.map((x, k) => x / (b.samples[k] ?? NaN)))

const ratios = (rs: ReadonlyArray<Result>, r: Result) => {
  const sep = rs.find(x => x.impl === 'raw-separate')
  const json = rs.find(x => x.impl === 'raw-json')
  // the best raw lower bound: the faster of the two by median
  const best = json !== undefined && sep !== undefined && json.median_ms < sep.median_ms ? json : sep
  return { sep: paired(r, sep), best: paired(r, best) }
}

const table = (rs: ReadonlyArray<Result>): string => {
  const head = ['impl', 'median ms', 'p95 ms', 'x raw-sep', 'x best raw', 'stmts', 'heap MB']
  const rows = rs.map(r => {
    const q = ratios(rs, r)
    return [
      r.impl,
      r.median_ms.toFixed(2),
      r.p95_ms.toFixed(2),
      q.sep.toFixed(2),
      q.best.toFixed(2),
      String(r.statements),
      r.heap_mb.toFixed(1),
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [
    line(head),
    '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.map(line),
  ].join('\n')
}

const targets = (results: ReadonlyArray<Result>, compile: Record<string, number> | null): string => {
  const lines: Array<string> = ['targets:']
  const ws = [...new Set(results.map(r => r.workload))]
  const get = (w: WorkloadId, i: ImplName) => results.find(r => r.workload === w && r.impl === i)
  const check = (label: string, ok: boolean, detail: string) =>
    lines.push(`  ${ok ? 'PASS' : 'MISS'} ${label}: ${detail}`)
  for (const w of ws) {
    const rs = results.filter(r => r.workload === w)
    const auto = get(w, 'quiver-auto')
    const bat = get(w, 'quiver-batched')
    const lat = get(w, 'quiver-lateral')
    const sep = get(w, 'raw-separate')
    const js = get(w, 'raw-json')
    // W8 and W9 (aggregates, no preload: the strategy does not apply) run as quiver-auto only
    if (auto === undefined && (w === 'W8' || w === 'W9'))
      lines.push(
        `  SKIP ${w} quiver-auto <= 1.10x best raw, faster than drizzle and kysely: quiver did not run`,
      )
    if (auto !== undefined) {
      const q = ratios(rs, auto)
      check(`${w} quiver-auto <= 1.10x best raw`, q.best <= 1.1, `${q.best.toFixed(2)}x`)
      for (const peer of ['drizzle', 'kysely'] as const) {
        const p = get(w, peer)
        if (p !== undefined)
          check(
            `${w} quiver-auto faster than ${peer}`,
            paired(auto, p) < 1,
            `${paired(auto, p).toFixed(2)}x (medians ${auto.median_ms} vs ${p.median_ms} ms)`,
          )
      }
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
  const w2auto = get('W2', 'quiver-auto')
  const w2sep = get('W2', 'raw-separate')
  if (w2auto !== undefined && w2sep !== undefined)
    check(
      'W2 quiver-auto peak heap <= 1.5x raw-separate',
      w2auto.heap_mb <= 1.5 * w2sep.heap_mb,
      `${w2auto.heap_mb} vs ${w2sep.heap_mb} MB`,
    )
  if (compile !== null)
    check('W7 quiver compile <= 50 µs', (compile['quiver'] ?? Infinity) <= 50, `${compile['quiver']} µs`)
  return lines.join('\n')
}

const markdown = (
  json: { date: string; machine: string; scale: number; rounds: number; compile_us: Record<string, number> },
  results: ReadonlyArray<Result>,
  verdicts: string,
  notes: ReadonlyArray<string>,
): string => {
  const ws = [...new Set(results.map(r => r.workload))]
  return [
    '# Benchmark results',
    '',
    `Latest full run: ${json.date}, scale ${json.scale}, ${json.rounds} rounds (W5: ${w5Calls} calls).`,
    '',
    `Machine: ${json.machine}.`,
    '**Two shared cores, other work running: compare ratios within this run, not milliseconds.**',
    '',
    'Columns: median and p95 per operation; ratio to raw-separate and to the best raw lower bound (the',
    'faster of raw-separate and raw-json by median), each the median of the per-round ratios (paired: both',
    'timed in the same round, so slow stretches of the shared machine cancel out; W5 pairs calls; a',
    'young-generation GC before each operation);',
    'statements per operation; peak JS heap growth during one',
    'operation (after a GC; sampled every ms and at the end; RSS is not separable per implementation in',
    'one process). All implementations run in one process, interleaved (a seeded random order each round), with the same pool',
    "size, after their trees were checked equal to raw-separate's; each workload gets new clients.",
    '',
    'W5 is a call on a hot path, written the way each library suggests for one: quiver-* and drizzle run',
    'a prepared query (built and compiled once; each call sends its argument), raw-json its constant SQL,',
    'kysely builds the query per call (it has no placeholders). quiver-adhoc builds the same quiver query',
    'per call (`Pg.all`, auto strategy).',
    '',
    ...ws.flatMap(w => [`## ${w}: ${describe[w]}`, '', table(results.filter(r => r.workload === w)), '']),
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
    ...(notes.length > 0 ? ['', '## Notes', '', ...notes.map(n => `- ${n}`)] : []),
    '',
    'Reproduce: `npm run bench` (full) or `npm run bench -- --quick`; `DATABASE_URL` selects a server, else',
    'an embedded PGlite is used (pool 1).',
    '',
  ].join('\n')
}

main().catch(e => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
})
