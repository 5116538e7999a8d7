// The guides' runnable blocks (docs/*.md blocks marked `<!-- runs -->`, rule 3 of ./extract.ts), run with
// their preludes; apart from ./examples.test.ts, which type-checks them, so that the two run in parallel
// (the getting-started and testing guides each start the embedded PGlite).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generate, GUIDE_TIMEOUT, guideBlocks, readmeBlocks, root, run } from './extract.js'

const guides = guideBlocks()
const dir = join(root, 'test', 'docs', '.out', `guides-${process.pid}`)
let failed = false

afterAll(() => {
  if (!failed) rmSync(dir, { recursive: true, force: true })
})

describe('guides', () => {
  it('blocks marked <!-- runs --> run', async () => {
    rmSync(dir, { recursive: true, force: true })
    // README blocks are generated too: a guide block may continue one (the README's model).
    const files = generate(dir, [...readmeBlocks(), ...guides]).filter(f => f.block.runs)
    const ran = await run(dir, files, GUIDE_TIMEOUT)
    const failures = ran.flatMap(r => (r.error === undefined ? [] : [`${r.block.origin}: ${r.error}`]))
    failed ||= failures.length > 0
    expect(ran.length).toBe(guides.filter(b => b.runs).length)
    expect(ran.length).toBeGreaterThan(5)
    expect(
      failures.length === 0
        ? ''
        : `${failures.length} guide blocks failed (files in ${dir}):\n\n${failures.join('\n\n')}`,
    ).toBe('')
  }, 400_000)
})
