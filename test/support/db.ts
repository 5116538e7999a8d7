// Test database: with DATABASE_URL, a fresh PostgreSQL schema (namespace) on that server for each test
// file, dropped afterwards, so files may run in parallel; without it, an embedded PGlite per file,
// started from a copy of the data directory ./global.ts initialised once for the run (no initdb per
// file).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import postgres from 'postgres'
import { inject } from 'vitest'
import { start, type Embedded, type Options } from '../../src/embedded/Embedded.js'

export interface TestDb {
  readonly sql: postgres.Sql
  readonly kind: 'server' | 'embedded'
  readonly close: () => Promise<void>
}

export const connect = async (): Promise<TestDb> => {
  const url = process.env['DATABASE_URL']
  if (url !== undefined && url !== '') {
    const ns = `quiver_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = postgres(url, { max: 1, onnotice: () => undefined })
    await admin.unsafe(`create schema "${ns}"`)
    await admin.end()
    const sql = postgres(url, { max: 4, onnotice: () => undefined, connection: { search_path: ns } })
    return {
      sql,
      kind: 'server',
      close: async () => {
        await sql.unsafe(`drop schema "${ns}" cascade`)
        await sql.end({ timeout: 5 })
      },
    }
  }
  const e = await startEmbedded()
  return { sql: e.sql, kind: 'embedded', close: e.stop }
}

/**
 * An embedded database of this file's own: from a copy of the run's template data directory when
 * ./global.ts made one, else (a file run outside vitest's global setup) a fresh in-memory one. `stop`
 * also removes the copy.
 */
export const startEmbedded = async (options: Omit<Options, 'dataDir'> = {}): Promise<Embedded> => {
  const template = inject('embeddedTemplate')
  if (typeof template !== 'string' || template === '' || !existsSync(template)) {
    const e = await start(options)()
    if (e._tag === 'Left') throw new Error(`embedded database did not start: ${e.left.message}`)
    return e.right
  }
  const dir = mkdtempSync(join(dirname(template), 'db-'))
  cpSync(template, dir, { recursive: true })
  const e = await start({ ...options, dataDir: dir })()
  if (e._tag === 'Left') {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`embedded database did not start: ${e.left.message}`)
  }
  const stop = e.right.stop
  let stopping: Promise<void> | null = null
  return {
    ...e.right,
    stop: () => (stopping ??= stop().finally(() => rmSync(dir, { recursive: true, force: true }))),
  }
}

export const run = async (sql: postgres.Sql, statements: ReadonlyArray<string>): Promise<void> => {
  for (const s of statements) await sql.unsafe(s)
}
