// Client CPU per operation, a measure that load on the machine disturbs less than wall time:
//
//   npx esbuild bench/cpu.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=bench/.data/cpu.mjs && DATABASE_URL=... node --single-threaded-gc bench/.data/cpu.mjs \
//     --workload W3 --scale 4 --parents 200 --rounds 20 --only raw-json,quiver-lateral
//
// Runs the chosen implementations of one point (a workload of `workloads.ts` at a data scale `run.ts`
// loaded) in one process, interleaved (the order alternates every round), a full GC before each
// operation, and reports per implementation the median CPU time of the process (`process.cpuUsage`:
// user + system), the median server CPU time (the run time its backends' `/proc/<pid>/schedstat`
// counts, in nanoseconds: the database on this host; `n/a` elsewhere) and the median wall time, then
// the paired ratios (per round) of each to the first. `--parents 5,20,50` measures several points in
// turn (new clients for each), `--json FILE` appends one line per implementation and point.
// `--single-threaded-gc` keeps V8's collector on the main thread, so the collection of one operation's
// garbage is charged to it and not to whichever operation runs while a helper thread sweeps. Each
// implementation has its own client of one connection (`--pool N` for more). `--workload W7` measures
// the compile of W2's query instead (µs of CPU per compile, blocks of 2,000).
import { appendFileSync, readFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import postgres from 'postgres'
import { namespaceOf, sizes } from './data.js'
import { drizzleImpl, kyselyImpl } from './peers.js'
import { quiverImpl, quiverW2Sql } from './quiver.js'
import { rawHops, rawJson, rawSeparate } from './raw.js'
import { rootTable, setParents, type Impl, type ImplName, type WorkloadId } from './workloads.js'

const argv = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback
}
const workload = option('workload', 'W3') as WorkloadId | 'W7'
const scale = Number(option('scale', '4'))
const parentsList = option('parents', '200').split(',').map(Number)
const jsonOut = option('json', '')
const rounds = Number(option('rounds', '20'))
const pool = Number(option('pool', '1'))
const only = option('only', 'raw-json,quiver-lateral').split(',') as ReadonlyArray<ImplName>

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const median = (xs: ReadonlyArray<number>): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fixed = (x: number) => x.toFixed(2).padStart(9)

const compile = () => {
  const per: Array<number> = []
  for (let i = 0; i < 5000; i++) quiverW2Sql()
  for (let b = 0; b < rounds; b++) {
    const c0 = process.cpuUsage()
    for (let i = 0; i < 2000; i++) quiverW2Sql()
    const c = process.cpuUsage(c0)
    per.push((c.user + c.system) / 2000)
  }
  console.log(`W7 quiver compile: ${fixed(median(per))} µs CPU per compile (median of ${rounds} blocks)`)
}

// The CPU time the kernel has counted for a process, in ms (`undefined` where /proc is not the server's).
const runTime = (pid: number): number | undefined => {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
  } catch {
    return undefined
  }
}
const serverTime = (pids: ReadonlyArray<number>): number | undefined => {
  let t = 0
  for (const p of pids) {
    const x = runTime(p)
    if (x === undefined) return undefined
    t += x
  }
  return t
}

const point = async (w: WorkloadId, parents: number) => {
  const sz = sizes(scale)
  if (w !== 'W5' && !setParents(w, parents, rootTable(w) === 'users' ? sz.users : sz.posts)) {
    console.error(`${w} at scale ${scale} has fewer than ${parents} parents`)
    process.exit(2)
  }
  const clients = new Map<ImplName, postgres.Sql>()
  const client = (n: ImplName) => {
    const sql = postgres(process.env['DATABASE_URL'] ?? '', {
      max: pool,
      onnotice: () => undefined,
      connection: { search_path: namespaceOf(scale), application_name: `quiver_cpu_${n}` },
    })
    clients.set(n, sql)
    return sql
  }
  const make = (n: ImplName): Impl =>
    n === 'raw-json'
      ? rawJson(client(n))
      : n === 'raw-separate'
        ? rawSeparate(client(n))
        : n === 'raw-hops'
          ? rawHops(client(n))
          : n === 'kysely'
            ? kyselyImpl(client(n))
            : n === 'drizzle'
              ? drizzleImpl(client(n))
              : quiverImpl(n, client(n))
  const impls = only.map(make)
  // warm-up, excluded: past the five custom plans of a prepared statement on each connection
  for (const i of impls) for (let k = 0; k < 6 * pool; k++) await i.run[w](1)
  // each implementation's backends, found by the application name its client gives them
  const pids = new Map<ImplName, ReadonlyArray<number>>()
  for (const i of impls) {
    const sql = clients.get(i.name)
    const rows =
      sql === undefined
        ? []
        : await sql`select pid from pg_stat_activity where application_name = ${`quiver_cpu_${i.name}`}`
    pids.set(
      i.name,
      rows.map(r => Number(r['pid'])),
    )
  }
  const server = new Map<ImplName, Array<number>>(impls.map(i => [i.name, []]))
  const cpu = new Map<ImplName, Array<number>>(impls.map(i => [i.name, []]))
  const wall = new Map<ImplName, Array<number>>(impls.map(i => [i.name, []]))
  for (let r = 0; r < rounds; r++)
    for (const i of r % 2 === 0 ? impls : [...impls].reverse()) {
      gc()
      const ps = pids.get(i.name) ?? []
      const s0 = serverTime(ps)
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await i.run[w](1)
      const t = performance.now() - t0
      const c = process.cpuUsage(c0)
      const s1 = serverTime(ps)
      cpu.get(i.name)?.push((c.user + c.system) / 1000)
      if (s0 !== undefined && s1 !== undefined) server.get(i.name)?.push(s1 - s0)
      wall.get(i.name)?.push(t)
    }
  const first = cpu.get(impls[0]?.name ?? 'raw-json') ?? []
  console.log(`${w} scale ${scale} x${parents}, ${rounds} rounds (ms; paired: per-round ratio to ${only[0]})`)
  const firstServer = server.get(impls[0]?.name ?? 'raw-json') ?? []
  for (const i of impls) {
    const cs = cpu.get(i.name) ?? []
    const ss = server.get(i.name) ?? []
    const paired = median(cs.map((x, k) => x / (first[k] ?? NaN)))
    const serverPaired = median(ss.map((x, k) => x / (firstServer[k] ?? NaN)))
    const row = {
      workload: w,
      scale,
      parents,
      impl: i.name,
      cpu_ms: median(cs),
      server_ms: ss.length === 0 ? null : median(ss),
      wall_ms: median(wall.get(i.name) ?? []),
      cpu_paired: paired,
      server_paired: ss.length === 0 ? null : serverPaired,
    }
    console.log(
      `${i.name.padEnd(16)} cpu ${fixed(row.cpu_ms)}  server ${row.server_ms === null ? '      n/a' : fixed(row.server_ms)}  wall ${fixed(row.wall_ms)}  cpu paired ${paired.toFixed(3)}  server paired ${serverPaired.toFixed(3)}`,
    )
    if (jsonOut !== '') appendFileSync(jsonOut, JSON.stringify(row) + '\n')
  }
  for (const i of impls) await i.close()
}

if (workload === 'W7') compile()
else for (const p of parentsList) await point(workload, p)
