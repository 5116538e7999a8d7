// Builds the playground (docs/playground) into docs/playground/dist: two ES module bundles (the page's
// script, and its worker with Quiver from src/, fp-ts, io-ts, fast-check, sucrase and PGlite), the page
// and its stylesheet, and PGlite's WebAssembly and data files next to the worker, where PGlite looks for them
// (`new URL('./pglite.wasm', import.meta.url)`). The result works from any static file server.
//
// It also writes pgdata.tar.gz: a PGlite data directory initialised here, in Node, by the same PGlite
// version the page bundles. Without it the page's PGlite runs initdb in the browser (a second
// WebAssembly instance, the cluster created file by file), most of its start-up time; with it the
// worker loads the snapshot (`loadDataDir`) and starts PostgreSQL on it directly.
import { Buffer } from 'node:buffer'
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
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

// The snapshot: a fresh cluster (no tables: the page creates its dataset's, per seed and model),
// gzipped (PGlite reads a gzipped tarball back by its magic bytes). PLAYGROUND_DATA_DIR: a fresh
// data directory of the same PGlite to take it from (the test gives a copy of its template), instead
// of an initdb here.
const dataDir = process.env['PLAYGROUND_DATA_DIR'] ?? ''
const db = dataDir === '' ? await PGlite.create() : await PGlite.create(dataDir)
try {
  await db.query('select 1')
  const dump = await db.dumpDataDir('gzip')
  writeFileSync(join(out, 'pgdata.tar.gz'), Buffer.from(await dump.arrayBuffer()))
} finally {
  await db.close()
}

const kb = f => `${Math.round(statSync(join(out, f)).size / 1024)} kB`
console.log(
  `playground: ${out}/ (playground.js ${kb('playground.js')}, worker.js ${kb('worker.js')}; pglite.wasm ${kb('pglite.wasm')}, pglite.data ${kb('pglite.data')}, initdb.wasm ${kb('initdb.wasm')}, pgdata.tar.gz ${kb('pgdata.tar.gz')})`,
)
