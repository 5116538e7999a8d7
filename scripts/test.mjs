// `npm test`: every check of the repository, in phases. A phase's steps run side by side, at most two at
// once (the suite is sized for a 2-core machine: two single-threaded steps use both cores and no more);
// their output is printed whole when each ends, so it does not interleave, except that of a step marked
// `stream` (or alone in its phase), which is printed as it comes. The first phase with a failing step
// ends the run (exit code 1), after its other steps end.
//   1. lint (eslint, prettier, imports) ‖ typecheck (tsc over src, test, demo, bench)
//   2. vitest (FC_RUNS_SCALE=0.5; the full counts are `npm run test:property`), the type tests
//      excepted: phase 1's tsc checks them ‖ build, without a second type check of src/ (phase 1
//      checked it, with the same options). No test of vitest reads dist/; the build fills the time a
//      core of vitest's two waits (its start, a file's timers, its last file).
//   3. the smoke test of the build ‖ the package test (npm pack, attw, scratch apps)
// Prints each step's wall time, and the whole run's.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const phases = [
  [
    { name: 'lint', args: ['run', 'lint'] },
    { name: 'typecheck', args: ['run', 'typecheck'] },
  ],
  // Without vitest's own type check of test/types/*.test-d.ts: the typecheck of phase 1 compiles those
  // files with the same options, and a failed expectTypeOf is a compile error there (`npm run test:unit`
  // keeps it).
  [
    {
      name: 'vitest',
      args: ['run', 'test:unit', '--', '--typecheck.enabled=false'],
      env: { FC_RUNS_SCALE: '0.5' },
      stream: true,
    },
    { name: 'build', args: ['run', 'build', '--', '--no-check'] },
  ],
  [
    { name: 'smoke', command: process.execPath, args: ['test/smoke/smoke.mjs'] },
    { name: 'package', args: ['run', 'test:package'] },
  ],
]

const seconds = since => `${((Date.now() - since) / 1000).toFixed(1)} s`
const run = (step, alone) =>
  new Promise(resolve => {
    const t0 = Date.now()
    const child = spawn(step.command ?? npm, step.args, {
      env: { ...process.env, ...step.env },
      stdio: alone ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32' && step.command === undefined,
    })
    const output = []
    if (!alone) {
      child.stdout.on('data', d => output.push(d))
      child.stderr.on('data', d => output.push(d))
    }
    const done = code => {
      const ok = code === 0
      if (!alone) {
        console.log(`\n── ${step.name} ──`)
        process.stdout.write(Buffer.concat(output))
      }
      console.log(`test: ${step.name} ${ok ? 'ok' : `FAILED (${code})`} in ${seconds(t0)}`)
      resolve(ok)
    }
    child.on('error', e => {
      output.push(Buffer.from(`${e.message}\n`))
      done(-1)
    })
    child.on('close', code => done(code))
  })

const started = Date.now()
for (const phase of phases) {
  const results = await Promise.all(phase.map(step => run(step, phase.length === 1 || step.stream === true)))
  if (results.includes(false)) {
    console.error(`test: FAILED (${seconds(started)})`)
    process.exit(1)
  }
}
console.log(`test: ok in ${seconds(started)}`)
