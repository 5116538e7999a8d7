// vitest's global setup: the template data directory of the embedded databases (./template.ts, made
// once per PGlite version and kept in .cache/) and a scratch directory, in shared memory when there is
// some, for the copies the files start from (each file still has a database of its own).
// Without DATABASE_URL nearly every file needs the template at once, so the setup waits for it; with
// DATABASE_URL only the files that run on PGlite whatever it says (test/faults/embedded.test.ts, the
// playground's engine) need it: it is made in the background and they wait for it (./db.ts), while the
// other files run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { failedMarker, makeTemplate, templatePath } from './template.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template data directory of the embedded databases (it may still be in the making). */
    readonly embeddedTemplate: string
    /** Where the copies of the template go; removed at the end of the run. */
    readonly embeddedScratch: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = (process.env['DATABASE_URL'] ?? '') !== ''
  // Shared memory when there is some: the copies are written to as the tests run.
  const scratch = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'quiver-test-'))
  const making = makeTemplate()
  // Awaited at the teardown too; a failure is written where the files waiting for it look.
  making.catch((e: unknown) =>
    writeFileSync(failedMarker(scratch), e instanceof Error ? e.message : String(e)),
  )
  project.provide('embeddedTemplate', server ? templatePath() : await making)
  project.provide('embeddedScratch', scratch)
  return async () => {
    try {
      await making
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
