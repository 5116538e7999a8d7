// Builds the playground (docs/playground) into docs/playground/dist: two ES module bundles (the page's
// script, and its worker with Quiver from src/, fp-ts, io-ts, fast-check, sucrase and PGlite), the page
// and its stylesheet, and PGlite's WebAssembly and data files next to the worker, where PGlite looks for them
// (`new URL('./pglite.wasm', import.meta.url)`). The result works from any static file server.
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const root = 'docs/playground'
const out = join(root, 'dist')
const pglite = 'node_modules/@electric-sql/pglite/dist'

// PGlite's Node paths (taken only under Node: its NodeFS, `import('node:module')`) name Node's
// modules; in the browser bundle they are empty modules, never loaded.
const nodeBuiltins = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve(
      { filter: /^(node:.*|fs|fs\/promises|path|url|crypto|module|worker_threads|child_process|os)$/ },
      a => ({
        path: a.path,
        namespace: 'empty',
      }),
    )
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {}', loader: 'js' }))
  },
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
await build({
  // The page, and the worker that runs the visitor's code, Quiver and PGlite.
  entryPoints: { playground: join(root, 'src/main.ts'), worker: join(root, 'src/worker.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  outdir: out,
  plugins: [nodeBuiltins],
  logLevel: 'warning',
})
for (const f of ['index.html', 'playground.css']) copyFileSync(join(root, f), join(out, f))
for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) copyFileSync(join(pglite, f), join(out, f))

const kb = f => `${Math.round(statSync(join(out, f)).size / 1024)} kB`
console.log(
  `playground: ${out}/ (playground.js ${kb('playground.js')}, worker.js ${kb('worker.js')}; pglite.wasm ${kb('pglite.wasm')}, pglite.data ${kb('pglite.data')}, initdb.wasm ${kb('initdb.wasm')})`,
)
