// Builds the playground (docs/playground) into docs/playground/dist: one ES module bundle (the page,
// Quiver from src/, fp-ts, io-ts, fast-check, sucrase, PGlite), the page and its stylesheet, and
// PGlite's WebAssembly and data files next to the bundle, where PGlite looks for them
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
  entryPoints: [join(root, 'src/main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  outfile: join(out, 'playground.js'),
  plugins: [nodeBuiltins],
  logLevel: 'warning',
})
for (const f of ['index.html', 'playground.css']) copyFileSync(join(root, f), join(out, f))
for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) copyFileSync(join(pglite, f), join(out, f))

const kb = f => `${Math.round(statSync(join(out, f)).size / 1024)} kB`
console.log(
  `playground: ${out}/ (playground.js ${kb('playground.js')}; pglite.wasm ${kb('pglite.wasm')}, pglite.data ${kb('pglite.data')}, initdb.wasm ${kb('initdb.wasm')})`,
)
