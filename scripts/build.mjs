// Builds the package: `dist/esm` (tsc: ES modules and declarations) and `dist/cjs` (the same modules as
// CommonJS, transpiled file by file by esbuild, with copies of the declarations, which read the same in
// a CommonJS context). A `package.json` marks `dist/cjs` as CommonJS. See `exports` in the package.json.
// `--no-check`: tsc emits without type-checking src/ (`noCheck`), for `npm test`, which has just checked
// it (`npm run typecheck`, the same compiler options); the output is the same.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const files = (dir, suffix) =>
  readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? files(join(dir, e.name), suffix) : e.name.endsWith(suffix) ? [join(dir, e.name)] : [],
  )

rmSync(dist, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(root, 'tsconfig.build.json'),
    ...(process.argv.includes('--no-check') ? ['--noCheck'] : []),
  ],
  {
    stdio: 'inherit',
  },
)
await build({
  entryPoints: files(join(root, 'src'), '.ts'),
  outdir: join(dist, 'cjs'),
  outbase: join(root, 'src'),
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.build.json'),
  logLevel: 'warning',
})
for (const f of files(join(dist, 'esm'), '.d.ts')) {
  const to = join(dist, 'cjs', relative(join(dist, 'esm'), f))
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(f, to)
}
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n')
