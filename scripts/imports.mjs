// The shape of src/: imports point down the layers. Fails (exit 1) on a file cycle (type-only imports
// included: a cycle of types is still a cycle a reader must untangle) or an import from a folder into
// one above it in LAYERS. A folder missing from LAYERS is an error too, so a new folder takes a place.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'

// Bottom first: a folder may import only folders before it (and itself).
const LAYERS = [
  'ast',
  'error',
  'schema',
  'plan',
  'sql',
  'query',
  'decode',
  'run',
  'interpreter',
  'write',
  'embedded',
  'testing',
  '.',
]
// The tree to check: `src` of the working directory, or the first argument (the test gives a fixture).
const SRC = process.argv[2] ?? 'src'
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gs

const walk = d =>
  readdirSync(d).flatMap(f => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
const files = walk(SRC).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
const known = new Set(files)
const folder = f => (relative(SRC, f).split(sep).length > 1 ? relative(SRC, f).split(sep)[0] : '.')
const edges = new Map(files.map(f => [f, new Set()]))
const problems = []
for (const f of files)
  for (const [, spec] of readFileSync(f, 'utf8').matchAll(IMPORT)) {
    const to = normalize(join(dirname(f), spec)).replace(/\.js$/, '.ts')
    if (!known.has(to)) problems.push(`unresolved: ${f} imports ${spec}`)
    else if (to !== f) edges.get(f).add(to)
  }
for (const f of files) {
  if (!LAYERS.includes(folder(f)))
    problems.push(`folder without a layer: ${folder(f)} (${f}); add it to LAYERS`)
  for (const t of edges.get(f))
    if (LAYERS.indexOf(folder(t)) > LAYERS.indexOf(folder(f)))
      problems.push(`upward import: ${f} (${folder(f)}) imports ${t} (${folder(t)})`)
}
// Tarjan's strongly connected components, iterative.
const index = new Map(),
  low = new Map(),
  onStack = new Set(),
  stack = []
let next = 0
for (const root of files) {
  if (index.has(root)) continue
  const visit = v => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    return [v, [...edges.get(v)]]
  }
  const work = [visit(root)]
  while (work.length > 0) {
    const [v, todo] = work[work.length - 1]
    const w = todo.shift()
    if (w !== undefined) {
      if (!index.has(w)) work.push(visit(w))
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
      continue
    }
    work.pop()
    if (work.length > 0) {
      const u = work[work.length - 1][0]
      low.set(u, Math.min(low.get(u), low.get(v)))
    }
    if (low.get(v) === index.get(v)) {
      const scc = []
      let x
      do {
        x = stack.pop()
        onStack.delete(x)
        scc.push(x)
      } while (x !== v)
      if (scc.length > 1) problems.push(`file cycle: ${scc.sort().join(' <-> ')}`)
    }
  }
}
const count = [...edges.values()].reduce((n, s) => n + s.size, 0)
for (const p of problems) console.error(p)
console.log(
  `imports: ${files.length} files, ${count} imports, ${problems.length} problems (layers: ${LAYERS.join(' < ')})`,
)
process.exit(problems.length === 0 ? 0 : 1)
