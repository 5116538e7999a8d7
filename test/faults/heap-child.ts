// Run by concurrency.test.ts as `node --expose-gc --import tsx`: loads the workload, then measures the
// heap after a full GC before and after rounds of 1,000 concurrent nested preloads on a pool of 10,
// and prints the figures as one JSON line.
import postgres from 'postgres'
import { start } from '../../src/embedded/Embedded.js'
import { data, load } from './load.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

const url = process.env['DATABASE_URL'] ?? ''
const ns = `quiver_heap_${process.pid}`
const main = async () => {
  let sql: postgres.Sql
  let stop: () => Promise<void>
  if (url !== '') {
    const admin = postgres(url, { max: 1, onnotice: () => undefined })
    await admin.unsafe(`create schema "${ns}"`)
    sql = postgres(url, { max: 10, onnotice: () => undefined, connection: { search_path: ns } })
    stop = async () => {
      await sql.end({ timeout: 5 })
      await admin.unsafe(`drop schema "${ns}" cascade`)
      await admin.end()
    }
  } else {
    // A copy of the test run's template data directory when the test gives one (no initdb here).
    const dataDir = process.env['QUIVER_TEST_DATA_DIR'] ?? ''
    const e = await start(dataDir === '' ? {} : { dataDir })()
    if (e._tag === 'Left') throw new Error(e.left.message)
    sql = e.right.sql
    stop = e.right.stop
  }
  for (const s of data) await sql.unsafe(s)
  const settle = async () => {
    await new Promise(resolve => setTimeout(resolve, 50))
    for (let i = 0; i < 4; i++) gc()
    return process.memoryUsage().heapUsed
  }
  const round = async () => {
    const rs = await Promise.all(Array.from({ length: 1000 }, (_, i) => load(sql, i)))
    if (rs.some(r => r._tag === 'Left')) throw new Error('a load failed')
  }
  await round() // warm-up: compiled statements, hidden classes, the pool's connections
  const baseline = await settle()
  let peak = 0
  const after: Array<number> = []
  // Fewer rounds on PGlite, whose 1,000 loads take several times longer than a server's.
  for (let r = 0; r < (url === '' ? 3 : 5); r++) {
    await round()
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    after.push(await settle())
  }
  await stop()
  process.stdout.write(`${JSON.stringify({ baseline, peak, after })}\n`)
}
main().catch((u: unknown) => {
  process.stderr.write(`${String(u)}\n`)
  process.exit(1)
})
