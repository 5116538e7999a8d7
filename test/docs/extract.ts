// The documentation's code, checked like code (docs-ts style, our own small version). Two sources:
//
// - `@example` blocks of the JSDoc in src/: each is a file of its own; it must type-check and run.
// - ```ts blocks of README.md and of the guides (docs/*.md): each must type-check (never run: they may
//   talk to a database).
//
// Each block is written as a .ts file into a scratch directory (test/docs/.out/<pid>/, gitignored),
// with a tsconfig that extends the repository's strict one and maps `quiver-sql`, `quiver-sql/embedded`
// and `quiver-sql/testing` to the sources. All files are type-checked in one TypeScript program; the
// examples are then bundled with esbuild (the same mapping) and imported one after the other by a plain
// Node process, so they run under Node's own ESM rules.
//
// Rules for the blocks (keep them few):
//
// 1. An @example runs from `@example` to the next JSDoc tag or the end of the comment. It imports what
//    it uses, from `quiver-sql` (or `quiver-sql/embedded`, `quiver-sql/testing`); an example of a module
//    that no entry point exports imports it relatively (`./Like.js`), as a test next to it would.
//    `assert` is in scope as `node:assert` (as docs-ts provides it): an assertion makes the example a
//    check. An example may use top-level `await`; one that throws, rejects (a rejection left unhandled
//    included) or does not settle within EXAMPLE_TIMEOUT fails. Examples must not need a database:
//    use the memory interpreter, or show the database call in a comment.
// 2. Markdown blocks tagged ```ts (or ```typescript) are type-checked; other languages (sh, sql, text)
//    are prose. ```ts skip leaves out a block that is deliberately partial; keep it rare.
// 3. A markdown block may build on another: an HTML comment on the line right above its fence,
//      <!-- prelude: NAME -->     names the block NAME (it is still checked on its own),
//      <!-- continues: NAME -->   checks the block after the text of block NAME (and of what NAME
//                                 continues, first), in one file;
//    both may stand above one block, one comment per line. So the README's model is written once and
//    each later block sees `Blog`; a block must not declare or import again a name its preludes do.
//    Names are looked up in the block's own file first, then in README.md: a guide may continue the
//    README's `model`, and two guides may each name a prelude `setup`.
//    In a guide, `<!-- runs -->` above a block also runs it (with its preludes), as an @example runs:
//    for a block that needs no database server (the memory interpreter, or the embedded PGlite that
//    the block starts and stops itself); `assert` is in scope as in an @example.
// 4. Unused locals and parameters are allowed (an example often shows a value it does not use); every
//    other option of tsconfig.json holds.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as esbuild from 'esbuild'
import ts from 'typescript'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Milliseconds an example may take to settle. */
export const EXAMPLE_TIMEOUT = 20_000

/**
 * Milliseconds a guide block marked `runs` may take: it may start the embedded PGlite (about 5 s of CPU,
 * 25 s on this shared 2-core machine under load).
 */
export const GUIDE_TIMEOUT = 90_000

/** The package's entry points, as the sources the tests check. */
const entries: Readonly<Record<string, string>> = {
  'quiver-sql': 'src/index.ts',
  'quiver-sql/embedded': 'src/embedded/Embedded.ts',
  'quiver-sql/testing': 'src/testing/index.ts',
}

export interface Block {
  readonly kind: 'readme' | 'guide' | 'example'
  /** A file name for the block, unique among the blocks. */
  readonly id: string
  /** Where the block is written: `README.md:57`, `src/sql/Ddl.ts:254 (ddl)`. */
  readonly origin: string
  /** The file the block comes from, relative to the root, and the line of each code line (1-based). */
  readonly source: string
  readonly lines: ReadonlyArray<{ readonly text: string; readonly line: number }>
  /** README only: the preludes this block continues, nearest last. */
  readonly continues: ReadonlyArray<string>
  readonly prelude: string | undefined
  /** Guides only: the block runs (`<!-- runs -->`), not only type-checks. */
  readonly runs: boolean
}

// ---------------------------------------------------------------------------------------------------------
// extraction

const exported =
  /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:const|let|function\*?|type|interface|class|enum|namespace)\s+([\w$]+)/
const property = /^\s*(?:readonly\s+)?([\w$]+)\s*[?]?\s*[:(=<]/

/** The `@example` blocks of one source file, with the name of what each documents. */
export const examples = (source: string, text: string): ReadonlyArray<Block> => {
  const lines = text.split('\n')
  const out: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i]!)) continue
    let end = i
    while (end < lines.length && !lines[end]!.includes('*/')) end++
    const next = lines.slice(end + 1).find(l => l.trim() !== '') ?? ''
    const name = (exported.exec(next) ?? property.exec(next) ?? [])[1] ?? '(module)'
    let current: Array<{ text: string; line: number }> | undefined
    let start = 0
    const flush = () => {
      if (current === undefined) return
      while (current.length > 0 && current[current.length - 1]!.text.trim() === '') current.pop()
      out.push({
        kind: 'example',
        id: `${source
          .replace(/^src\//, '')
          .replace(/\.ts$/, '')
          .replace(/[^\w]+/g, '_')}_${name}_${start}`,
        origin: `${source}:${start} (@example of ${name})`,
        source,
        lines: current,
        continues: [],
        prelude: undefined,
        runs: true,
      })
      current = undefined
    }
    for (let j = i; j <= end; j++) {
      // The comment's margin: `/**`, ` * `, ` */`.
      const body = lines[j]!.replace(/^\s*\/\*\*\s?/, '')
        .replace(/\s*\*\/.*$/, '')
        .replace(/^\s*\* ?/, '')
      if (/^@example\b/.test(body)) {
        flush()
        current = []
        start = j + 1
      } else if (/^@\w+/.test(body)) flush()
      else if (current !== undefined) current.push({ text: body, line: j + 1 })
    }
    flush()
    i = end
  }
  return out
}

/** The TypeScript blocks of a markdown file, with their prelude links (rule 3). */
export const readme = (source: string, text: string): ReadonlyArray<Block> => {
  const lines = text.split('\n')
  const out: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!)
    if (open === null) continue
    let end = i + 1
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++
    const [, lang = '', flags = ''] = open
    const markers: Array<string> = []
    for (let k = i - 1; k >= 0 && /^<!--.*-->\s*$/.test(lines[k]!); k--) markers.unshift(lines[k]!)
    const marker = (word: string) =>
      markers.flatMap(m => {
        const hit = new RegExp(`^<!--\\s*${word}:\\s*([\\w-]+)\\s*-->`).exec(m)
        return hit === null ? [] : [hit[1]!]
      })
    if ((lang === 'ts' || lang === 'typescript') && !/\bskip\b/.test(flags))
      out.push({
        kind: source === 'README.md' ? 'readme' : 'guide',
        id:
          source === 'README.md'
            ? `readme_${i + 1}`
            : `${source.replace(/\.md$/, '').replace(/[^\w]+/g, '_')}_${i + 1}`,
        origin: `${source}:${i + 1}`,
        source,
        lines: lines.slice(i + 1, end).map((t, k) => ({ text: t, line: i + 2 + k })),
        continues: marker('continues'),
        prelude: marker('prelude')[0],
        runs: source !== 'README.md' && markers.some(m => /^<!--\s*runs\s*-->/.test(m)),
      })
    i = end
  }
  return out
}

const walk = (d: string): ReadonlyArray<string> =>
  readdirSync(d).flatMap(f => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))

/** Every `@example` under src/ (all files: examples of internal modules run too). */
export const allExamples = (): ReadonlyArray<Block> =>
  walk(join(root, 'src'))
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .flatMap(f => examples(relative(root, f).split(sep).join('/'), readFileSync(f, 'utf8')))

export const readmeBlocks = (): ReadonlyArray<Block> =>
  readme('README.md', readFileSync(join(root, 'README.md'), 'utf8'))

/** The guides: every docs/*.md (not its subdirectories: docs/api is generated, docs/playground an app). */
export const guideBlocks = (): ReadonlyArray<Block> =>
  readdirSync(join(root, 'docs'))
    .filter(f => f.endsWith('.md') && statSync(join(root, 'docs', f)).isFile())
    .sort()
    .flatMap(f => readme(`docs/${f}`, readFileSync(join(root, 'docs', f), 'utf8')))

// ---------------------------------------------------------------------------------------------------------
// files

/** One generated file: its text and, for each of its lines, the origin to report. */
export interface Generated {
  readonly block: Block
  readonly path: string
  readonly origins: ReadonlyArray<string>
}

const importsAssert = /^\s*import\s+(?:\*\s+as\s+)?assert\b|^\s*import\s*\{[^}]*\bassert\b/m

/** A prelude's key: its file and its name (rule 3). */
const key = (source: string, name: string) => `${source}#${name}`

/** The preludes of a markdown block, in the order they are written into its file; a cycle is an error. */
const chain = (
  block: Block,
  named: ReadonlyMap<string, Block>,
  seen: ReadonlyArray<string> = [],
): ReadonlyArray<Block> =>
  block.continues.flatMap(name => {
    const p = named.get(key(block.source, name)) ?? named.get(key('README.md', name))
    if (p === undefined) throw new Error(`${block.origin}: continues '${name}', which no block is named`)
    const k = key(p.source, name)
    if (seen.includes(k)) throw new Error(`${block.origin}: prelude cycle through '${name}'`)
    return [...chain(p, named, [...seen, k]), p]
  })

/** Writes each block as a .ts file into `dir` (relative imports of examples resolved to src/). */
export const generate = (dir: string, blocks: ReadonlyArray<Block>): ReadonlyArray<Generated> => {
  mkdirSync(dir, { recursive: true })
  const named = new Map<string, Block>()
  for (const b of blocks) {
    if (b.prelude === undefined) continue
    const k = key(b.source, b.prelude)
    if (named.has(k)) throw new Error(`${b.origin}: a second block named '${b.prelude}' in ${b.source}`)
    named.set(k, b)
  }
  return blocks.map(block => {
    const parts = [...chain(block, named).filter((p, k, all) => all.indexOf(p) === k), block]
    const text: Array<string> = []
    const origins: Array<string> = []
    const head = `${block.source}:${(block.lines[0]?.line ?? 2) - 1}`
    const body = parts.flatMap(p => p.lines.map(l => ({ ...l, source: p.source })))
    if (block.runs && /\bassert\./.test(body.map(l => l.text).join('\n'))) {
      if (!importsAssert.test(body.map(l => l.text).join('\n'))) {
        text.push(`import assert from 'node:assert'`)
        origins.push(head)
      }
    }
    for (const l of body) {
      text.push(
        block.kind === 'example'
          ? l.text.replace(
              /(from\s+|import\s+)(['"])(\.{1,2}\/[^'"]+)\2/g,
              (_, kw: string, q: string, spec: string) => {
                const target = relative(dir, resolve(root, dirname(block.source), spec))
                  .split(sep)
                  .join('/')
                return `${kw}${q}${target.startsWith('.') ? target : `./${target}`}${q}`
              },
            )
          : l.text,
      )
      origins.push(`${l.source}:${l.line}`)
    }
    text.push('export {}')
    origins.push(head)
    const path = join(dir, `${block.id}.ts`)
    writeFileSync(path, text.join('\n') + '\n')
    return { block, path, origins }
  })
}

/** The scratch tsconfig: the repository's, with the entry points mapped to src/ (rule 4). */
export const writeTsconfig = (dir: string, files: ReadonlyArray<Generated>): string => {
  const path = join(dir, 'tsconfig.json')
  const rel = (p: string) => relative(dir, join(root, p)).split(sep).join('/')
  const config = {
    extends: rel('tsconfig.json'),
    compilerOptions: {
      noUnusedLocals: false,
      noUnusedParameters: false,
      paths: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [rel(v)]])),
    },
    files: files.map(f => relative(dir, f.path)),
    include: [],
    exclude: [],
  }
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n')
  return path
}

// ---------------------------------------------------------------------------------------------------------
// checks

export interface Failure {
  readonly block: Block
  readonly message: string
}

/** Type-checks every generated file in one program; a diagnostic is reported at its block's origin. */
export const typecheck = (dir: string, files: ReadonlyArray<Generated>): ReadonlyArray<Failure> => {
  const configPath = writeTsconfig(dir, files)
  const read = ts.readConfigFile(configPath, p => ts.sys.readFile(p))
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'))
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configPath)
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options })
  const byPath = new Map(files.map(f => [resolve(f.path), f]))
  const seen = new Set<string>()
  const out: Array<Failure> = []
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()])
    out.push({ block: files[0]!.block, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') })
  for (const sf of program.getSourceFiles()) {
    const f = byPath.get(resolve(sf.fileName))
    if (f === undefined) continue
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line
      const at = f.origins[line] ?? f.block.origin
      const diagnostic = `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`
      // A prelude's own problem is reported once, at its own line, not by every block continuing it.
      if (seen.has(`${at} ${diagnostic}`)) continue
      seen.add(`${at} ${diagnostic}`)
      out.push({ block: f.block, message: `${at} [${f.block.origin}]: ${diagnostic}` })
    }
  }
  return out
}

export interface Ran {
  readonly block: Block
  readonly ms: number
  readonly error: string | undefined
}

// The runner: imports each bundled example in turn, in one Node process, and writes the results as JSON
// to a file (a block may print: a guide's program shows its output).
const runner = `
import { writeFileSync } from 'node:fs'
const [files, timeout, out] = [JSON.parse(process.argv[2]), Number(process.argv[3]), process.argv[4]]
let current
const late = new Map()
const note = e => { if (current !== undefined && !late.has(current)) late.set(current, e) }
process.on('unhandledRejection', note)
process.on('uncaughtException', note)
const text = e => (e instanceof Error ? (e.stack ?? e.message) : String(e)).split('\\n').slice(0, 8).join('\\n')
const results = []
for (const f of files) {
  current = f
  const t0 = performance.now()
  let timer
  try {
    await Promise.race([
      import(new URL('file://' + f).href),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('did not settle within ' + timeout + ' ms')), timeout) }),
    ])
    // Lets a then-chain the example started finish (and an unhandled rejection be reported) in its turn.
    await new Promise(r => setTimeout(r, 10))
    results.push({ f, ms: performance.now() - t0, error: late.has(f) ? 'unhandled: ' + text(late.get(f)) : undefined })
  } catch (e) {
    results.push({ f, ms: performance.now() - t0, error: text(e) })
  } finally { clearTimeout(timer) }
}
writeFileSync(out, JSON.stringify(results))
process.exit(0)
`

/** Bundles the examples (entry points mapped to src/, packages external) and runs them in one process. */
export const run = async (
  dir: string,
  files: ReadonlyArray<Generated>,
  timeout: number = EXAMPLE_TIMEOUT,
): Promise<ReadonlyArray<Ran>> => {
  const outdir = join(dir, 'bundle')
  const mapped: esbuild.Plugin = {
    name: 'quiver-sql-entries',
    setup: build => {
      build.onResolve({ filter: /^quiver-sql(\/embedded|\/testing)?$/ }, args => ({
        path: join(root, entries[args.path]!),
      }))
    },
  }
  await esbuild.build({
    entryPoints: files.map(f => f.path),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [mapped],
    entryNames: '[name]',
    logLevel: 'silent',
  })
  const runnerPath = join(dir, 'runner.mjs')
  writeFileSync(runnerPath, runner)
  const bundled = files.map(f => join(outdir, `${f.block.id}.js`))
  const resultsPath = join(dir, `results-${Date.now()}.json`)
  await promisify(execFile)(
    process.execPath,
    [runnerPath, JSON.stringify(bundled), String(timeout), resultsPath],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: timeout * 4 + files.length * 2_000 },
  )
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as ReadonlyArray<{
    f: string
    ms: number
    error?: string
  }>
  return files.map((g, k) => {
    const r = results.find(x => x.f === bundled[k])
    return { block: g.block, ms: r?.ms ?? 0, error: r === undefined ? 'not run' : r.error }
  })
}

/**
 * Code with what formatting and packaging change taken out: imports, comments, `export`, whitespace and
 * trailing commas. Two texts with the same `code` declare the same things.
 */
export const code = (text: string): string =>
  text
    .split('\n')
    .filter(l => !/^\s*import\s/.test(l))
    .join('\n')
    .replace(/\/\/.*$/gm, '')
    .replace(/\bexport\s+/g, '')
    .replace(/\s+/g, '')
    .replace(/,([)\]}])/g, '$1')

/** A fresh scratch directory for this process (helpers may run the suite at the same time). */
export const scratch = (): string => {
  const dir = join(root, 'test', 'docs', '.out', String(process.pid))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}
