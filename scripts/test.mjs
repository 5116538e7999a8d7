// `npm test`: every check of the repository, in two phases. A phase's steps run side by side (the suite
// is sized for a 2-core machine); a step may be a chain of steps run one after another. Output is printed
// whole when each step ends, so it does not interleave, except that of a step marked `stream`, which is
// printed as it comes. The first phase with a failing step ends the run (exit code 1), after its other
// steps end.
//   1. lint (eslint, prettier, imports) ‖ typecheck (tsc over src, test, demo, bench)
//   2. vitest (FC_RUNS_SCALE=0.5; the full counts are `npm run test:property`), the type tests
//      excepted: phase 1's tsc checks them ‖ the chain build (without a second type check of src/:
//      phase 1 checked it, with the same options) -> package test (npm pack, attw, scratch apps) ->
//      smoke test of the build. No test of vitest reads dist/. The chain mostly waits (on npm, on the
//      disk, on a database), so beside vitest it fills the time a core of vitest's two waits, instead
//      of a third phase of its own after vitest.
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
    [
      { name: 'build', args: ['run', 'build', '--', '--no-check'] },
      { name: 'package', args: ['run', 'test:package'] },
      { name: 'smoke', command: process.execPath, args: ['test/smoke/smoke.mjs'] },
    ],
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
// A chain stops at its first failing step.
const chain = async steps => {
  for (const step of steps) if (!(await run(step, false))) return false
  return true
}
for (const phase of phases) {
  const results = await Promise.all(
    phase.map(step =>
      Array.isArray(step) ? chain(step) : run(step, phase.length === 1 || step.stream === true),
    ),
  )
  if (results.includes(false)) {
    console.error(`test: FAILED (${seconds(started)})`)
    process.exit(1)
  }
}
console.log(`test: ok in ${seconds(started)}`)
