// Test database: with DATABASE_URL, a fresh PostgreSQL schema (namespace) on that server for each test
// file, dropped afterwards, so files may run in parallel; without it, an embedded PGlite per file.
import postgres from 'postgres'
import { start } from '../../src/embedded/Embedded.js'

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
  const e = await start()()
  if (e._tag === 'Left') throw new Error(`embedded database did not start: ${e.left.message}`)
  return { sql: e.right.sql, kind: 'embedded', close: e.right.stop }
}

export const run = async (sql: postgres.Sql, statements: ReadonlyArray<string>): Promise<void> => {
  for (const s of statements) await sql.unsafe(s)
}
