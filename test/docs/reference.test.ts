// The API reference's completeness, checked (issue 18). `npm run docs` renders the JSDoc of the public
// modules with TypeDoc (typedoc.json); this test says the JSDoc is there to render.
//
// What counts as public: every export reachable from the package's entry points (src/index.ts,
// src/embedded/Embedded.ts, src/testing/index.ts), following `export * as X` into module X and
// `export *` / `export { a }` / `export type { T }` to the declaration they name. An export that no entry
// point reaches is internal, and is not checked here (its examples, if any, still run in
// ./examples.test.ts).
//
// The rules, per export (one line per missing item, `module: export: what is missing`):
//
// - a description (the comment's text before its tags), `@since` and `@category`;
// - `@example` for a value (function or constant). A type-only export (interface, type alias) has no
//   `@example`: a type has nothing to run, and the values that carry it show it in their examples;
// - a module reached through `export * as X` has a module doc comment (the first comment of its file)
//   with a description and `@since`.
//
// A symbol reached twice (a module re-exported under two names, a type exported flat and in its module)
// is reported once, under the first path that reaches it.
import { readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { root } from './extract.js'

/** The package's entry points, by the name a user imports. */
const entries: ReadonlyArray<readonly [string, string]> = [
  ['quiver-sql', 'src/index.ts'],
  ['quiver-sql/embedded', 'src/embedded/Embedded.ts'],
  ['quiver-sql/testing', 'src/testing/index.ts'],
]

export interface Item {
  /** How a user reaches it: `quiver-sql Query.where`, `quiver-sql/testing model`. */
  readonly path: string
  /** The declaring source file, relative to the root. */
  readonly file: string
  readonly missing: ReadonlyArray<string>
}

const rel = (f: string) => relative(root, f).split(sep).join('/')

const tagNames = (symbol: ts.Symbol, checker: ts.TypeChecker): ReadonlySet<string> =>
  new Set(symbol.getJsDocTags(checker).map(t => t.name))

const description = (symbol: ts.Symbol, checker: ts.TypeChecker): string =>
  ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim()

/** A type-only symbol: an interface or a type alias and nothing else under that name. */
const typeOnly = (symbol: ts.Symbol): boolean =>
  (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) !== 0 &&
  (symbol.flags & ts.SymbolFlags.Value) === 0

/** The module doc comment of a file: its first `/** ... *\/` comment, if it comes before any code. */
const moduleDoc = (file: ts.SourceFile): { readonly text: string; readonly since: boolean } | undefined => {
  const ranges = ts.getLeadingCommentRanges(file.text, 0) ?? []
  const first = ranges.find(r => file.text.startsWith('/**', r.pos))
  if (first === undefined) return undefined
  const raw = file.text.slice(first.pos, first.end)
  const body = raw
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map(l => l.replace(/^\s*\* ?/, ''))
  const tag = body.findIndex(l => /^@\w+/.test(l))
  return {
    text: (tag === -1 ? body : body.slice(0, tag)).join('\n').trim(),
    since: body.some(l => /^@since\s+\S/.test(l)),
  }
}

/** Every export reachable from the entry points, with what its documentation lacks. */
export const reference = (): ReadonlyArray<Item> => {
  const program = ts.createProgram(
    entries.map(([, f]) => join(root, f)),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
  )
  const checker = program.getTypeChecker()
  const seen = new Set<ts.Symbol>()
  const out: Array<Item> = []

  const visitModule = (module: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const path = `${prefix}${exported.name}`
      if (seen.has(target)) continue
      seen.add(target)
      const declaration = target.declarations?.[0]
      if (declaration === undefined) continue
      const file = declaration.getSourceFile()
      if (file.isDeclarationFile) continue // fp-ts, postgres.js: not ours to document
      if (ts.isSourceFile(declaration)) {
        // `export * as X from './X.js'`: a module of the reference.
        const doc = moduleDoc(file)
        const missing = [
          ...(doc === undefined || doc.text === '' ? ['module description'] : []),
          ...(doc?.since === true ? [] : ['module @since']),
        ]
        out.push({ path: `${path} (module)`, file: rel(file.fileName), missing })
        visitModule(target, `${path}.`)
        continue
      }
      const tags = tagNames(target, checker)
      const missing = [
        ...(description(target, checker) === '' ? ['description'] : []),
        ...(tags.has('since') ? [] : ['@since']),
        ...(tags.has('category') ? [] : ['@category']),
        ...(typeOnly(target) || tags.has('example') ? [] : ['@example']),
      ]
      out.push({ path, file: rel(file.fileName), missing })
    }
  }

  for (const [name, f] of entries) {
    const file = program.getSourceFile(join(root, f))
    const module = file === undefined ? undefined : checker.getSymbolAtLocation(file)
    if (file === undefined || module === undefined) throw new Error(`entry point ${f} not found`)
    const doc = moduleDoc(file)
    out.push({
      path: `${name} (entry point)`,
      file: f,
      missing: [
        ...(doc === undefined || doc.text === '' ? ['module description'] : []),
        ...(doc?.since === true ? [] : ['module @since']),
      ],
    })
    visitModule(module, `${name} `)
  }
  return out
}

const line = (i: Item, what: string) => `${i.path} [${i.file}]: ${what}`

describe('API reference', () => {
  const items = reference()
  const lines = items.flatMap(i => i.missing.map(m => line(i, m)))

  it('reaches the public modules', () => {
    expect(items.length).toBeGreaterThan(100)
    for (const m of ['Query', 'Schema', 'Memory', 'Sql'])
      expect(items.map(i => i.path)).toContain(`quiver-sql ${m} (module)`)
  })

  it('every public export has a description, @since, @category and (values) @example', () => {
    expect(lines.length === 0 ? '' : `${lines.length} missing:\n${lines.join('\n')}`).toBe('')
  })

  it("checks every entry point of package.json's exports", () => {
    const exports = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports)
    const names = exports.filter(e => e !== './package.json').map(e => e.replace(/^\./, 'quiver-sql'))
    expect(names.sort()).toEqual(entries.map(([n]) => n).sort())
  })
})
