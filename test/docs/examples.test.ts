// The documentation's code is code: every @example in src/ type-checks and runs, every ```ts block of
// README.md and of the guides (docs/*.md) type-checks (rules in ./extract.ts). A failure names the block (README line, or source file,
// line and export) and the diagnostic or the error.
import { readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allExamples,
  code,
  generate,
  guideBlocks,
  readmeBlocks,
  root,
  run,
  scratch,
  typecheck,
  type Failure,
  type Generated,
  type Ran,
} from './extract.js'

const examples = allExamples()
const readme = readmeBlocks()
const guides = guideBlocks()
let dir = ''
let files: ReadonlyArray<Generated> = []
let diagnostics: ReadonlyArray<Failure> = []
let failed = false

const report = (what: string, failures: ReadonlyArray<string>) =>
  failures.length === 0 ? '' : `${failures.length} ${what} (files in ${dir}):\n\n${failures.join('\n\n')}`

beforeAll(() => {
  dir = scratch()
  files = generate(dir, [...examples, ...readme, ...guides])
  diagnostics = typecheck(dir, files)
}, 120_000)

afterAll(() => {
  // The scratch files stay for inspection when something failed.
  if (!failed) rmSync(dir, { recursive: true, force: true })
})

describe('documentation', () => {
  it('finds the blocks', () => {
    expect(examples.length).toBeGreaterThan(40)
    expect(readme.length).toBeGreaterThan(10)
    expect(new Set(guides.map(b => b.source)).size).toBeGreaterThan(8)
  })

  it('README ```ts blocks type-check', () => {
    const failures = diagnostics.filter(d => d.block.kind === 'readme').map(d => d.message)
    failed ||= failures.length > 0
    expect(report('README type errors', failures)).toBe('')
  })

  it('guide (docs/*.md) ```ts blocks type-check', () => {
    const failures = diagnostics.filter(d => d.block.kind === 'guide').map(d => d.message)
    failed ||= failures.length > 0
    expect(report('guide type errors', failures)).toBe('')
  })

  it('@example blocks type-check', () => {
    const failures = diagnostics.filter(d => d.block.kind === 'example').map(d => d.message)
    failed ||= failures.length > 0
    expect(report('@example type errors', failures)).toBe('')
  })

  it('@example blocks run', async () => {
    const ran: ReadonlyArray<Ran> = await run(
      dir,
      files.filter(f => f.block.kind === 'example'),
    )
    const failures = ran.flatMap(r => (r.error === undefined ? [] : [`${r.block.origin}: ${r.error}`]))
    failed ||= failures.length > 0
    expect(ran.length).toBe(examples.length)
    expect(report('@examples failed', failures)).toBe('')
  }, 180_000)

  it('every guide is linked from the README and rendered by TypeDoc (typedoc.json projectDocuments)', () => {
    const files = readdirSync(join(root, 'docs'))
      .filter(f => f.endsWith('.md'))
      .map(f => `docs/${f}`)
      .sort()
    const readmeText = readFileSync(join(root, 'README.md'), 'utf8')
    const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as {
      readonly projectDocuments?: ReadonlyArray<string>
    }
    expect(files.length).toBeGreaterThan(8)
    expect(files.filter(f => !readmeText.includes(`](${f})`))).toEqual([])
    expect([...(typedoc.projectDocuments ?? [])].sort()).toEqual(files)
  })

  it("the demo runs on the README's model", () => {
    const model = readme.find(b => b.prelude === 'model')
    expect(model).toBeDefined()
    const demo = readFileSync(join(root, 'demo', 'model.ts'), 'utf8')
    expect(code(demo)).toBe(code((model?.lines ?? []).map(l => l.text).join('\n')))
  })
})
