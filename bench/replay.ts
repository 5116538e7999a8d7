// The fixed cost per call, split: what an implementation spends in the client with no database work
// at all, and what its statements cost the driver.
//
//   npx esbuild bench/replay.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=bench/.data/replay.mjs && DATABASE_URL=... node --single-threaded-gc bench/.data/replay.mjs \
//     --workload W1 --scale 4 --parents 5 --ops 3000 --only raw-separate,quiver-batched [--driver]
//
// Each implementation runs one operation on a client that records every statement it hands to
// postgres.js (text, parameters, options) and the rows that come back. Then, in one process, blocks of
// operations interleaved (the order alternates every block, a full GC before each), the median CPU
// time per operation (`process.cpuUsage`) of:
//
// - without `--driver`: the implementation against a client that answers each statement from the
//   recording (a deep copy of its rows: the implementation may complete them in place), so no byte
//   is sent; the copy is counted too, about the same for everyone with the same rows;
// - with `--driver`: the recorded statements alone, sent again with `sql.unsafe` (the driver's and
//   the socket's share of the operation, nothing of the implementation's).
import v8 from 'node:v8'
import vm from 'node:vm'
import postgres from 'postgres'
import { namespaceOf, sizes } from './data.js'
import { quiverImpl } from './quiver.js'
import { rawJson, rawSeparate } from './raw.js'
import { rootTable, setParents, type Impl, type ImplName, type WorkloadId } from './workloads.js'

const argv = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback
}
const workload = option('workload', 'W1') as WorkloadId
const scale = Number(option('scale', '4'))
const parents = Number(option('parents', '5'))
const ops = Number(option('ops', '3000'))
const driver = argv.includes('--driver')
const only = option('only', 'raw-separate,quiver-batched').split(',') as ReadonlyArray<ImplName>

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const median = (xs: ReadonlyArray<number>): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

type Row = Record<string, unknown>
interface Call {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
  readonly options: postgres.UnsafeQueryOptions | undefined
  readonly key: string
}

const sizesNow = sizes(scale)
if (
  workload !== 'W5' &&
  !setParents(workload, parents, rootTable(workload) === 'users' ? sizesNow.users : sizesNow.posts)
) {
  console.error(`${workload} at scale ${scale} has fewer than ${parents} parents`)
  process.exit(2)
}

const sql = postgres(process.env['DATABASE_URL'] ?? '', {
  max: 1,
  onnotice: () => undefined,
  connection: { search_path: namespaceOf(scale) },
})

// A stand-in for the client: postgres.js's `unsafe` recorded (or answered from the recording), its
// helpers passed through. Only what the implementations here call.
const client = (unsafe: (c: Call) => Promise<ReadonlyArray<Row>>): postgres.Sql =>
  Object.assign(() => undefined, {
    unsafe: (text: string, params: ReadonlyArray<unknown> = [], options?: postgres.UnsafeQueryOptions) =>
      unsafe({ text, params, options, key: `${text}\u0000${JSON.stringify(params)}` }),
    typed: sql.typed.bind(sql),
    json: sql.json.bind(sql),
    array: sql.array.bind(sql),
  }) as unknown as postgres.Sql

const send = (c: Call): Promise<ReadonlyArray<Row>> =>
  sql.unsafe<Array<Row>>(c.text, c.params as Array<postgres.ParameterOrJSON<never>>, c.options)

const make = (n: ImplName, s: postgres.Sql): Impl =>
  n === 'raw-separate' ? rawSeparate(s) : n === 'raw-json' ? rawJson(s) : quiverImpl(n, s)

const rows = new Map<string, ReadonlyArray<Row>>()
const calls = new Map<ImplName, Array<Call>>()
for (const n of only) {
  const log: Array<Call> = []
  const impl = make(
    n,
    client(async c => {
      log.push(c)
      const r = await send(c)
      rows.set(
        c.key,
        r.map(x => structuredClone({ ...x })),
      )
      return r
    }),
  )
  await impl.run[workload](1)
  calls.set(n, log)
}

const replayed = (n: ImplName): (() => Promise<unknown>) => {
  if (driver) {
    const log = calls.get(n) ?? []
    return async () => {
      for (const c of log) await send(c)
    }
  }
  const impl = make(
    n,
    client(c => {
      const r = rows.get(c.key)
      if (r === undefined) return Promise.reject(new Error(`not recorded: ${c.text.slice(0, 80)}`))
      return Promise.resolve(r.map(x => structuredClone(x)))
    }),
  )
  return () => impl.run[workload](1)
}

const runs = only.map(n => [n, replayed(n)] as const)
for (const [, run] of runs) for (let k = 0; k < 100; k++) await run()
const block = 50
const cpu = new Map<ImplName, Array<number>>(only.map(n => [n, []]))
for (let b = 0; b * block < ops; b++)
  for (const [n, run] of b % 2 === 0 ? runs : [...runs].reverse()) {
    gc()
    const c0 = process.cpuUsage()
    for (let k = 0; k < block; k++) await run()
    const c = process.cpuUsage(c0)
    cpu.get(n)?.push((c.user + c.system) / block)
  }
const first = cpu.get(only[0] ?? 'raw-separate') ?? []
console.log(
  `${workload} scale ${scale} x${parents}, ${driver ? 'the recorded statements sent again' : 'answered from the recording (no I/O)'}: µs of CPU per operation (median of ${first.length} blocks of ${block}; paired: per-block ratio to ${only[0]})`,
)
for (const n of only) {
  const xs = cpu.get(n) ?? []
  const paired = median(xs.map((x, k) => x / (first[k] ?? NaN)))
  console.log(`${n.padEnd(16)} ${median(xs).toFixed(1).padStart(9)}  paired ${paired.toFixed(2)}`)
}
await sql.end({ timeout: 5 })
