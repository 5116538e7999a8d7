// 1,000 concurrent nested preloads on a pool of 10 (issue 13, generic test): results equal to a
// sequential run, never more than 10 connections, no timers, sockets or listeners left behind, and the
// heap back near its baseline after GC (measured in a child process with --expose-gc).
import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { promisify } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dataDirCopy, run, type TestDb } from '../support/db.js'
import { data, key, load, sequential } from './load.js'

const url = process.env['DATABASE_URL'] ?? ''
const server = url !== ''

let db: TestDb
let path = ''
beforeAll(async () => {
  db = await connect()
  path = String((await db.sql.unsafe('show search_path'))[0]?.['search_path'])
  await run(db.sql, data)
})
afterAll(async () => db.close())

const resources = (): Map<string, number> => {
  const m = new Map<string, number>()
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1)
  return m
}

const listeners = (): number => process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0)

describe('1,000 concurrent nested preloads', () => {
  it('equal a sequential run, on at most 10 connections, leaving nothing behind', async () => {
    const sql = server
      ? postgres(url, {
          max: 10,
          onnotice: () => undefined,
          connection: { search_path: path, application_name: 'quiver_concurrency' },
        })
      : db.sql
    const expected = await sequential(sql, 1000)
    expect(expected.size).toBe(150)
    // On a server, a first concurrent round opens the pool's connections (each with postgres.js's
    // lifetime timer), so the second one is measured against a warm pool. The embedded client has one
    // connection, which the sequential run has opened and warmed (every statement of the workload
    // prepared on it): a round more would only repeat the measured one.
    if (server) await Promise.all(Array.from({ length: 1000 }, (_, i) => load(sql, i)))
    await new Promise(resolve => setTimeout(resolve, 100))
    const before = { resources: resources(), listeners: listeners() }

    let sampling = true
    let most = 0
    const sampler = (async () => {
      while (sampling && server) {
        const r = await db.sql.unsafe(
          `select count(*)::int as n from pg_stat_activity where application_name = 'quiver_concurrency'`,
        )
        most = Math.max(most, r[0]?.['n'] as number)
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    })()
    const started = Date.now()
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => load(sql, i)))
    const took = Date.now() - started
    sampling = false
    await sampler

    let compared = 0
    for (const [i, r] of results.entries()) {
      expect(E.isRight(r), `load ${i}`).toBe(true)
      if (E.isRight(r)) {
        expect(r.right, `load ${i}`).toEqual(expected.get(key(i)))
        compared++
      }
    }
    expect(compared).toBe(1000)
    // Some loads return many posts with comments, threads and authors.
    expect(results.some(r => E.isRight(r) && r.right.length === 50)).toBe(true)
    if (server) {
      expect(most).toBeGreaterThan(1)
      expect(most).toBeLessThanOrEqual(10)
      // This client's 10 sockets and the test database's pool of 4, no more.
      expect(before.resources.get('TCPSocketWrap') ?? 0).toBeLessThanOrEqual(14)
    }

    await new Promise(resolve => setTimeout(resolve, 100))
    const after = { resources: resources(), listeners: listeners() }
    expect(after.listeners).toBe(before.listeners)
    expect(after.resources.get('Timeout') ?? 0).toBeLessThanOrEqual(before.resources.get('Timeout') ?? 0)
    expect(after.resources.get('Immediate') ?? 0).toBe(0)
    expect(after.resources.get('TCPSocketWrap') ?? 0).toBeLessThanOrEqual(
      before.resources.get('TCPSocketWrap') ?? 0,
    )
    console.log(
      `1,000 concurrent nested preloads: ${took} ms; most connections seen: ${server ? most : '1 (embedded)'}; resources before ${JSON.stringify([...before.resources])} after ${JSON.stringify([...after.resources])}`,
    )
    if (sql !== db.sql) await sql.end({ timeout: 1 })
  }, 120_000)

  it('the heap comes back near its baseline after GC (child process, --expose-gc)', async () => {
    // Embedded: the child starts from a copy of the run's template data directory, not from initdb.
    const dataDir = server ? undefined : await dataDirCopy()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/faults/heap-child.ts'],
      {
        env: { ...process.env, ...(dataDir === undefined ? {} : { QUIVER_TEST_DATA_DIR: dataDir }) },
        timeout: 180_000,
        maxBuffer: 1 << 20,
      },
    ).finally(() => {
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
    })
    const m = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      readonly baseline: number
      readonly peak: number
      readonly after: ReadonlyArray<number>
    }
    const mb = (n: number) => Math.round((n / 1048576) * 10) / 10
    console.log(
      `heap: baseline ${mb(m.baseline)} MB, peak during a round ${mb(m.peak)} MB, after GC per round ${m.after.map(mb).join(', ')} MB`,
    )
    expect(m.after).toHaveLength(server ? 5 : 3)
    expect(m.peak).toBeGreaterThan(m.baseline)
    const last = m.after[m.after.length - 1] as number
    // Near baseline: within 5 MB, and no growth over the rounds after the first beyond 2 MB (a leak of even a few
    // hundred bytes per load would add ~1 MB per round).
    expect(last - m.baseline).toBeLessThan(5 * 1048576)
    expect(last - (m.after[1] as number)).toBeLessThan(2 * 1048576)
  }, 200_000)
})
