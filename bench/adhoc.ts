// Client CPU of a query built per call (issues 15 and 17): W8 and W9 as quiver-adhoc builds them, and
// W1 over 5 parents under the lateral and auto strategies, split into the steps of a call, with no I/O:
//
//   npx esbuild bench/adhoc.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=bench/.data/adhoc.mjs && DATABASE_URL=... node --single-threaded-gc bench/.data/adhoc.mjs \
//     [--blocks 40] [--block 200] [--base other.mjs]
//
// Each operation's statements are run once on the scale-1 dataset (loaded by `npm run bench`) and
// recorded; then `all` runs the whole call (`Pg.all`) against a client that answers from the recording
// (a copy of the rows), so the figure is quiver's client work alone: build, check, lower, plan,
// compile, decode. `build`, `lower`, `plan` and `compile` time the steps before the statement. Blocks
// of `--block` operations run interleaved (a full GC before each block), the median µs of CPU
// (`process.cpuUsage`) per operation reported. `--base` loads another bundle of this file (built from
// another checkout) and runs its operations interleaved with these (A/B in one process, paired ratios).
import { pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import postgres from 'postgres'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Pred, Query } from '../src/index.js'
import * as Lower from '../src/query/Lower.js'
import * as Plan from '../src/plan/Preload.js'
import * as Spec from '../src/plan/Spec.js'
import * as Lateral from '../src/sql/Lateral.js'
import * as Sql from '../src/sql/Compile.js'
import { namespaceOf } from './data.js'
import { Bench } from './model.js'
import { quiverImpl, w8Of, w9Of } from './quiver.js'
import { rawJson, rawSeparate } from './raw.js'
import { ranges, setParents, type ImplName } from './workloads.js'

type Row = Record<string, unknown>
type Op = () => unknown

// A deep copy of a recorded row (the implementation may complete rows in place), cheaper than
// `structuredClone`, so that the copy is a small part of what is measured.
const copy = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null || v instanceof Date) return v
  if (Array.isArray(v)) return v.map(copy)
  const o: Row = {}
  for (const k in v) o[k] = copy((v as Row)[k])
  return o
}

const record = (sql: postgres.Sql) => {
  const rows = new Map<string, ReadonlyArray<Row>>()
  const key = (text: string, params: ReadonlyArray<unknown>) => `${text}\u0000${JSON.stringify(params)}`
  const stub = (answer: (text: string, params: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Row>>) =>
    Object.assign(() => undefined, {
      unsafe: (text: string, params: ReadonlyArray<unknown> = []) => answer(text, params),
      typed: sql.typed.bind(sql),
      json: sql.json.bind(sql),
      array: sql.array.bind(sql),
      end: () => Promise.resolve(),
    }) as unknown as postgres.Sql
  const recording = stub(async (text, params) => {
    const r = await sql.unsafe<Array<Row>>(text, params as Array<postgres.ParameterOrJSON<never>>)
    rows.set(
      key(text, params),
      r.map(x => copy({ ...x }) as Row),
    )
    return r
  })
  const replaying = stub((text, params) => {
    const r = rows.get(key(text, params))
    return r === undefined
      ? Promise.reject(new Error(`not recorded: ${text.slice(0, 80)}`))
      : Promise.resolve(r.map(x => copy(x) as Row))
  })
  return { recording, replaying }
}

const w1 = () =>
  pipe(
    Query.from(Bench, 'post'),
    Query.where(p => Pred.and(Pred.gte(p.id, ranges.W1[0]), Pred.lte(p.id, ranges.W1[1]))),
    Query.orderBy(['id']),
    Query.preload({ comments: true }),
  )

/** The operations of this checkout, by name; the calls' statements recorded on `sql` first. */
export const suite = async (sql: postgres.Sql): Promise<ReadonlyArray<readonly [string, Op]>> => {
  setParents('W1', 5, 20_000)
  const { recording, replaying } = record(sql)
  const impl = (n: ImplName, s: postgres.Sql) =>
    n === 'raw-json' ? rawJson(s) : n === 'raw-separate' ? rawSeparate(s) : quiverImpl(n, s)
  for (const n of ['quiver-adhoc', 'raw-json', 'quiver-lateral', 'quiver-auto', 'raw-separate'] as const) {
    const i = impl(n, recording)
    if (n === 'quiver-adhoc' || n === 'raw-json' || n === 'quiver-auto') {
      await i.run.W8(0)
      await i.run.W9(0)
    }
    if (n !== 'quiver-adhoc') await i.run.W1(0)
  }
  const raw = impl('raw-json', replaying)
  const separate = impl('raw-separate', replaying)
  const adhoc = impl('quiver-adhoc', replaying)
  const lateral = impl('quiver-lateral', replaying)
  const auto = impl('quiver-auto', replaying)
  const w8 = () => w8Of(Pred.value(ranges.W8[0]), Pred.value(ranges.W8[1]))
  const w9 = () => w9Of(Pred.value(ranges.W9[0]), Pred.value(ranges.W9[1]))
  const tree = () => {
    const q = w1()
    const nodes = Spec.normalize(q.model, q.schema, q.preload)
    if (E.isLeft(nodes)) throw new Error(nodes.left.message)
    const t = Plan.treeOfQuery(q.model, q.select, nodes.right)
    if (E.isLeft(t)) throw new Error(t.left.message)
    return t.right
  }
  return [
    ['W8 build', w8],
    ['W8 build+lower', () => Lower.select(w8().select)],
    ['W8 build+lower+compile', () => Sql.toSql(Lower.select(w8().select))],
    ['W8 build+toSql', () => Query.toSql(w8())],
    ['W8 all', () => adhoc.run.W8(0)],
    ['W8 prepared all', () => auto.run.W8(0)],
    ['W8 raw-json', () => raw.run.W8(0)],
    ['W9 build', w9],
    ['W9 build+lower', () => Lower.select(w9().select)],
    ['W9 build+lower+compile', () => Sql.toSql(Lower.select(w9().select))],
    ['W9 build+toSql', () => Query.toSql(w9())],
    ['W9 all', () => adhoc.run.W9(0)],
    ['W9 prepared all', () => auto.run.W9(0)],
    ['W9 raw-json', () => raw.run.W9(0)],
    ['W1x5 build', w1],
    ['W1x5 build+plan', tree],
    ['W1x5 build+plan+compile', () => Lateral.toSql(tree())],
    ['W1x5 lateral all', () => lateral.run.W1(0)],
    ['W1x5 auto all', () => auto.run.W1(0)],
    ['W1x5 raw-json', () => raw.run.W1(0)],
    ['W1x5 raw-separate', () => separate.run.W1(0)],
  ]
}

const main = async () => {
  const argv = process.argv.slice(2)
  const option = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? (argv[i + 1] ?? fallback) : fallback
  }
  const blocks = Number(option('blocks', '40'))
  const block = Number(option('block', '200'))
  const base = option('base', '')
  const only = option('only', '')
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const median = (xs: ReadonlyArray<number>): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const sql = postgres(process.env['DATABASE_URL'] ?? '', {
    max: 1,
    onnotice: () => undefined,
    connection: { search_path: namespaceOf(1) },
  })
  const sides: Array<readonly [string, ReadonlyArray<readonly [string, Op]>]> = [['this', await suite(sql)]]
  if (base !== '') {
    const other = (await import(base)) as { suite: typeof suite }
    sides.push(['base', await other.suite(sql)])
  }
  await sql.end({ timeout: 5 })
  const names = (sides[0]?.[1] ?? []).map(([n]) => n).filter(n => only === '' || n.includes(only))
  const cpu = new Map<string, Array<number>>()
  const time = async (op: Op, n: number): Promise<number> => {
    gc()
    const c0 = process.cpuUsage()
    for (let k = 0; k < n; k++) {
      const r = op()
      if (r instanceof Promise) await r
    }
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / n
  }
  // warm-up, then blocks, the sides' order alternating
  for (const name of names)
    for (const [, ops] of sides) {
      const op = ops.find(([n]) => n === name)?.[1]
      if (op !== undefined) await time(op, 500)
    }
  for (let b = 0; b < blocks; b++)
    for (const name of names)
      for (const [side, ops] of b % 2 === 0 ? sides : [...sides].reverse()) {
        const op = ops.find(([n]) => n === name)?.[1]
        if (op === undefined) continue
        const k = `${side}\u0000${name}`
        const xs = cpu.get(k) ?? []
        xs.push(await time(op, block))
        cpu.set(k, xs)
      }
  console.log(`µs of CPU per operation, median of ${blocks} blocks of ${block}`)
  console.log(
    `${'operation'.padEnd(26)}${sides.map(([s]) => s.padStart(10)).join('')}${base === '' ? '' : '  paired this/base'}`,
  )
  for (const name of names) {
    const xs = sides.map(([s]) => cpu.get(`${s}\u0000${name}`) ?? [])
    const first = xs[0] ?? []
    const paired =
      xs[1] === undefined ? '' : `  ${median(first.map((x, k) => x / (xs[1]?.[k] ?? NaN))).toFixed(3)}`
    console.log(`${name.padEnd(26)}${xs.map(x => median(x).toFixed(1).padStart(10)).join('')}${paired}`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
