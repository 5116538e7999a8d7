import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// The layer check of `npm run lint` (scripts/imports.mjs), run on small trees: it must pass on the
// real source and fail, naming the files, on each kind of problem it exists to catch.
const script = join(process.cwd(), 'scripts', 'imports.mjs')
const scratch = mkdtempSync(join(tmpdir(), 'quiver-imports-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const check = (files: Readonly<Record<string, string>>): { readonly code: number; readonly out: string } => {
  const root = mkdtempSync(join(scratch, 'src-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  try {
    return { code: 0, out: execFileSync('node', [script, root], { encoding: 'utf8', stdio: 'pipe' }) }
  } catch (e) {
    const err = e as { readonly status: number; readonly stdout: string; readonly stderr: string }
    return { code: err.status, out: err.stdout + err.stderr }
  }
}

describe('scripts/imports.mjs', () => {
  it('passes on src/', () => {
    expect(check({}).code).toBe(0)
    const real = execFileSync('node', [script], { encoding: 'utf8' })
    expect(real).toMatch(/0 problems/)
  })

  it('passes on downward imports', () => {
    const r = check({
      'ast/Expr.ts': 'export const x = 1\n',
      'schema/Model.ts': "import { x } from '../ast/Expr.js'\nexport const y = x\n",
      'index.ts': "export * from './schema/Model.js'\n",
    })
    expect(r).toMatchObject({ code: 0 })
  })

  it('fails on an upward import between folders', () => {
    const r = check({
      'ast/Expr.ts': "import type { Y } from '../schema/Model.js'\nexport type X = Y\n",
      'schema/Model.ts': 'export type Y = number\n',
    })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/upward import: .*ast\/Expr\.ts \(ast\) imports .*schema\/Model\.ts \(schema\)/)
  })

  it('fails on a file cycle, type-only imports included', () => {
    const r = check({
      'ast/A.ts': "import type { B } from './B.js'\nexport type A = { b?: B }\n",
      'ast/B.ts': "import type { A } from './A.js'\nexport type B = { a?: A }\n",
    })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/file cycle: .*ast\/A\.ts <-> .*ast\/B\.ts/)
  })

  it('fails on a folder that has no layer and on an import it cannot resolve', () => {
    const r = check({
      'misc/Thing.ts': "import { z } from './Missing.js'\nexport const t = z\n",
    })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/folder without a layer: misc/)
    expect(r.out).toMatch(/unresolved: .*misc\/Thing\.ts imports \.\/Missing\.js/)
  })
})
