// The embedded databases of the tests start from a copy of one template data directory instead of
// running initdb each (PGlite's initdb costs about 3.5 s of CPU; a start from a copy about 0.7 s). The
// template is made once per PGlite version and kept in .cache/ (git-ignored), so a run pays initdb only
// when there is none yet: it is written to a temporary directory and renamed into place whole, so a
// directory at the template's path is always complete (two runs that both make it keep the first).
// No vitest import here: the heap child of test/faults/concurrency.test.ts uses it too.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { start, type Embedded, type Options } from '../../src/embedded/Embedded.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Where the template of the installed PGlite lives (it may not exist yet). */
export const templatePath = (): string => {
  const pkg = JSON.parse(
    readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { readonly version: string }
  return join(root, '.cache', 'pglite-template', pkg.version)
}

const initdb = `
const { PGlite } = await import('@electric-sql/pglite')
const db = await PGlite.create(process.argv[1])
await db.query('select 1')
await db.close()
`

/** Makes the template unless it is there; answers its path. */
export const makeTemplate = async (): Promise<string> => {
  const template = templatePath()
  if (existsSync(template)) return template
  mkdirSync(dirname(template), { recursive: true })
  const temp = mkdtempSync(`${template}.tmp-`)
  try {
    // In a child process: initdb is seconds of synchronous WebAssembly, which would stall vitest's
    // main process (and the workers waiting on it) in the global setup.
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', initdb, temp], {
      cwd: root,
      timeout: 300_000,
    })
    try {
      renameSync(temp, template)
    } catch (e) {
      // Another run renamed its template into place first: keep that one.
      if (!existsSync(template)) throw e
    }
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
  return template
}

/** The file a run's global setup writes in its scratch directory when it could not make the template. */
export const failedMarker = (scratch: string): string => join(scratch, 'template-failed')

/**
 * Waits for the template that the global setup makes in the background (with DATABASE_URL); throws
 * when the setup could not make it (its error), or after `ms`.
 */
export const awaitTemplate = async (template: string, scratch: string, ms = 110_000): Promise<void> => {
  const until = Date.now() + ms
  while (!existsSync(template)) {
    if (existsSync(failedMarker(scratch)))
      throw new Error(`no template data directory: ${readFileSync(failedMarker(scratch), 'utf8')}`)
    if (Date.now() > until) throw new Error(`no template data directory at ${template} after ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** A fresh copy of `template` under `scratch`: a data directory for `Embedded.start`. */
export const copyTemplate = (template: string, scratch: string): string => {
  const dir = mkdtempSync(join(scratch, 'db-'))
  cpSync(template, dir, { recursive: true })
  return dir
}

/**
 * An embedded database started from a copy of `template` made under `scratch`; `stop` also removes the
 * copy.
 */
export const startFromTemplate = async (
  template: string,
  scratch: string,
  options: Omit<Options, 'dataDir'> = {},
): Promise<Embedded> => {
  const dir = copyTemplate(template, scratch)
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
