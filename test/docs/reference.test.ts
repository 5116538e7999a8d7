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

/**
 * Known gaps, each a line of this test's report, with the reason it is allowed for now. Both lists only
 * shrink: an entry that is no longer missing fails the test, so it must be removed when fixed.
 *
 * `parallel`: exports of src/query/*.ts, which another change (issue 15, query algebra) is writing at
 * the same time as this check; being written in parallel (issue 15), to be documented with that work.
 */
const parallel: ReadonlyArray<string> = [
  'quiver-sql Fn.abs [src/query/Fn.ts]: @example',
  'quiver-sql Fn.boolOr [src/query/Fn.ts]: @example',
  'quiver-sql Fn.countDistinct [src/query/Fn.ts]: @example',
  'quiver-sql Fn.length [src/query/Fn.ts]: @example',
  'quiver-sql Fn.max [src/query/Fn.ts]: @example',
  'quiver-sql Fn.mod [src/query/Fn.ts]: @example',
  'quiver-sql Fn.mul [src/query/Fn.ts]: @example',
  'quiver-sql Fn.round [src/query/Fn.ts]: @example',
  'quiver-sql Fn.sub [src/query/Fn.ts]: @example',
  'quiver-sql Fn.trim [src/query/Fn.ts]: @example',
  'quiver-sql Fn.upper [src/query/Fn.ts]: @example',
  'quiver-sql Pred.and [src/query/Pred.ts]: @example',
  'quiver-sql Pred.eq [src/query/Pred.ts]: @example',
  'quiver-sql Pred.eq [src/query/Pred.ts]: description',
  'quiver-sql Pred.gt [src/query/Pred.ts]: @example',
  'quiver-sql Pred.gt [src/query/Pred.ts]: description',
  'quiver-sql Pred.gte [src/query/Pred.ts]: @example',
  'quiver-sql Pred.gte [src/query/Pred.ts]: description',
  'quiver-sql Pred.ilike [src/query/Pred.ts]: @example',
  'quiver-sql Pred.ilike [src/query/Pred.ts]: description',
  'quiver-sql Pred.isExpr [src/query/Pred.ts]: @example',
  'quiver-sql Pred.isNotNull [src/query/Pred.ts]: @example',
  'quiver-sql Pred.isNotNull [src/query/Pred.ts]: description',
  'quiver-sql Pred.isNull [src/query/Pred.ts]: @example',
  'quiver-sql Pred.isNull [src/query/Pred.ts]: description',
  'quiver-sql Pred.like [src/query/Pred.ts]: @example',
  'quiver-sql Pred.like [src/query/Pred.ts]: description',
  'quiver-sql Pred.lt [src/query/Pred.ts]: @example',
  'quiver-sql Pred.lt [src/query/Pred.ts]: description',
  'quiver-sql Pred.lte [src/query/Pred.ts]: @example',
  'quiver-sql Pred.lte [src/query/Pred.ts]: description',
  'quiver-sql Pred.neq [src/query/Pred.ts]: @example',
  'quiver-sql Pred.neq [src/query/Pred.ts]: description',
  'quiver-sql Pred.not [src/query/Pred.ts]: @example',
  'quiver-sql Pred.not [src/query/Pred.ts]: description',
  'quiver-sql Pred.or [src/query/Pred.ts]: @example',
  'quiver-sql Pred.value [src/query/Pred.ts]: @example',
  'quiver-sql Prepared.AnyPrepared [src/query/Prepared.ts]: description',
  'quiver-sql Prepared.Prepared [src/query/Prepared.ts]: description',
  'quiver-sql Prepared.bind [src/query/Prepared.ts]: @example',
  'quiver-sql Prepared.isPrepared [src/query/Prepared.ts]: @example',
  'quiver-sql Prepared.unbound [src/query/Prepared.ts]: @example',
  'quiver-sql Query.AnyQuery [src/query/Make.ts]: description',
  'quiver-sql Query.Callback [src/query/Query.ts]: description',
  'quiver-sql Query.Statement [src/query/Statements.ts]: description',
  'quiver-sql Query.StatementsOptions [src/query/Statements.ts]: description',
  'quiver-sql Query.distinct [src/query/Query.ts]: @example',
  'quiver-sql Query.distinct [src/query/Query.ts]: description',
  'quiver-sql Query.isQuery [src/query/Query.ts]: @example',
  'quiver-sql Query.limit [src/query/Query.ts]: @example',
  'quiver-sql Query.limit [src/query/Query.ts]: description',
  'quiver-sql Query.offset [src/query/Query.ts]: @example',
  'quiver-sql Query.offset [src/query/Query.ts]: description',
  'quiver-sql Query.toSql [src/query/Query.ts]: @example',
]

/** `backlog`: the rest of the first pass of issue 18 (Docs), not written yet; empty now, and it stays so. */
const backlog: ReadonlyArray<string> = []

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
  const allowed = new Set([...parallel, ...backlog])

  it('reaches the public modules', () => {
    expect(items.length).toBeGreaterThan(100)
    for (const m of ['Query', 'Schema', 'Memory', 'Sql'])
      expect(items.map(i => i.path)).toContain(`quiver-sql ${m} (module)`)
  })

  it('every public export has a description, @since, @category and (values) @example', () => {
    const missing = lines.filter(l => !allowed.has(l))
    expect(missing.length === 0 ? '' : `${missing.length} missing:\n${missing.join('\n')}`).toBe('')
  })

  it('the allowed gaps are still gaps (remove an entry once it is documented)', () => {
    expect([...parallel, ...backlog].filter(p => !lines.includes(p))).toEqual([])
    expect(parallel.filter(p => !p.includes('[src/query/'))).toEqual([])
    expect(backlog.filter(p => p.includes('[src/query/'))).toEqual([])
  })

  it("checks every entry point of package.json's exports", () => {
    const exports = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports)
    const names = exports.filter(e => e !== './package.json').map(e => e.replace(/^\./, 'quiver-sql'))
    expect(names.sort()).toEqual(entries.map(([n]) => n).sort())
  })
})
