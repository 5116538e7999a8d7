// Test database: with DATABASE_URL, a fresh PostgreSQL schema (namespace) on that server for each test
// file, dropped afterwards, so files may run in parallel; without it, an embedded PGlite per file,
// started from a copy of the template data directory of ./global.ts (no initdb per file).
import postgres from 'postgres'
import { inject } from 'vitest'
import { start, type Embedded, type Options } from '../../src/embedded/Embedded.js'
import { awaitTemplate, copyTemplate, startFromTemplate } from './template.js'

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

// The run's template and scratch directories (./global.ts), once the template is there; null outside
// vitest's global setup.
const template = async (): Promise<{ readonly template: string; readonly scratch: string } | null> => {
  const t = inject('embeddedTemplate')
  const scratch = inject('embeddedScratch')
  if (typeof t !== 'string' || t === '' || typeof scratch !== 'string' || scratch === '') return null
  await awaitTemplate(t, scratch)
  return { template: t, scratch }
}

/**
 * An embedded database of this file's own, from a copy of the run's template data directory
 * (./global.ts, ./template.ts); `stop` also removes the copy. Outside vitest's global setup a fresh
 * in-memory one.
 */
export const startEmbedded = async (options: Omit<Options, 'dataDir'> = {}): Promise<Embedded> => {
  const t = await template()
  if (t !== null) return startFromTemplate(t.template, t.scratch, options)
  const e = await start(options)()
  if (e._tag === 'Left') throw new Error(`embedded database did not start: ${e.left.message}`)
  return e.right
}

/**
 * A data directory of this file's own, a copy of the run's template, for a test that starts PGlite
 * itself (the caller removes it); undefined outside vitest's global setup (start in memory then).
 */
export const dataDirCopy = async (): Promise<string | undefined> => {
  const t = await template()
  return t === null ? undefined : copyTemplate(t.template, t.scratch)
}

export const run = async (sql: postgres.Sql, statements: ReadonlyArray<string>): Promise<void> => {
  for (const s of statements) await sql.unsafe(s)
}
