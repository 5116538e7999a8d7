// Client CPU of decoding W8's rows (issue 15): `Run.rows` of W8's projection over a stand-in
// interpreter that hands over 500 fresh rows as postgres.js makes them (fields set one by one, int8
// counts as new strings), so that only the run's own work and the decoding are measured:
//
//   npx esbuild bench/decode.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=bench/.data/decode.mjs && node --single-threaded-gc bench/.data/decode.mjs \
//     [--blocks 40] [--block 200] [--base other.mjs]
//
// `same query` runs one query value (its decoders built once, as a prepared query's), `new query` a
// query built before each timed block per call (its decoders built per call, as `Pg.all` of a query
// built per call). The rows are made before each block, outside the timing. `--base` loads another
// bundle of this file (built from another checkout) and runs its operations interleaved with these.
import { pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { Pred, Run } from '../src/index.js'
import type { Interpreter } from '../src/run/Interpreter.js'
import { w8Of } from './quiver.js'

type Row = Record<string, unknown>

const rowsOf = (n: number): Array<Row> => {
  const out: Array<Row> = new Array(n)
  for (let i = 0; i < n; i++) {
    const r: Row = {}
    r['id'] = 1501 + i
    r['title'] = `post ${1501 + i}`
    r['comments'] = String((i * 7) % 23)
    r['likes'] = String((i * 13) % 97)
    out[i] = r
  }
  return out
}

type Op = readonly [
  name: string,
  make: () => unknown,
  run: (rows: Array<Row>, q: unknown) => Promise<unknown>,
]

/** The operations of this checkout: each with the query it runs, made before the timing (queries are
 * recognised by their bundle's private brand, so each side builds its own). */
export const suite = (): ReadonlyArray<Op> => {
  const interpreter = (rows: Array<Row>): Interpreter => ({
    _tag: 'Interpreter',
    name: 'stand-in',
    select: () => TE.right(rows),
    transact: () =>
      TE.left({
        _tag: 'QueryError',
        code: 'InvalidArgument',
        message: 'no',
        schema: null,
        association: null,
      } as never),
  })
  const run = async (rows: Array<Row>, q: unknown) => {
    const r = await Run.rows(q as ReturnType<typeof w8Of>)(interpreter(rows))()
    if (E.isLeft(r)) throw new Error(r.left.message)
    return r.right
  }
  const w8 = () => w8Of(Pred.value(1501), Pred.value(2000))
  const shared = w8()
  return [
    ['W8 decode, same query', () => shared, run],
    ['W8 decode, new query', w8, run],
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
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const median = (xs: ReadonlyArray<number>): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const sides: Array<readonly [string, ReturnType<typeof suite>]> = [['this', suite()]]
  if (base !== '') sides.push(['base', ((await import(base)) as { suite: typeof suite }).suite()])
  const time = async ([, make, op]: Op, n: number) => {
    const rows = Array.from({ length: n }, () => rowsOf(500))
    const qs = Array.from({ length: n }, make)
    gc()
    const c0 = process.cpuUsage()
    for (let k = 0; k < n; k++) await op(rows[k] as Array<Row>, qs[k])
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / n
  }
  const names = (sides[0]?.[1] ?? []).map(([n]) => n)
  for (const name of names)
    for (const [, ops] of sides) {
      const op = ops.find(([n]) => n === name)
      if (op !== undefined) await time(op, 300)
    }
  const cpu = new Map<string, Array<number>>()
  for (let b = 0; b < blocks; b++)
    for (const name of names)
      for (const [side, ops] of b % 2 === 0 ? sides : [...sides].reverse()) {
        const op = ops.find(([n]) => n === name)
        if (op === undefined) continue
        const k = `${side}\u0000${name}`
        cpu.set(k, [...(cpu.get(k) ?? []), await time(op, block)])
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
