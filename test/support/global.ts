// vitest's global setup. Without DATABASE_URL every test file starts an embedded PGlite of its own
// (./db.ts), and PGlite's start-up is mostly initdb: about 3.5 s of CPU per file, the largest single
// cost of `npm test` on the embedded default. Here initdb runs once, into a template data directory;
// each file then starts from a copy of it (`Embedded.start({ dataDir })`, well under 1 s of CPU) and
// still has a database of its own. With DATABASE_URL nothing is prepared (the files use schemas on
// the server).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template data directory of the embedded databases; '' with DATABASE_URL (or none made). */
    readonly embeddedTemplate: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const url = process.env['DATABASE_URL']
  if (url !== undefined && url !== '') {
    project.provide('embeddedTemplate', '')
    return () => undefined
  }
  // Shared memory when there is some: the copies are written to as the tests run.
  const base = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'quiver-test-'))
  const template = join(base, 'template')
  const db = await PGlite.create(template)
  await db.query('select 1')
  await db.close()
  project.provide('embeddedTemplate', template)
  return () => rmSync(base, { recursive: true, force: true })
}
