// Helpers of the untyped-boundary test (issue 13): arbitrary JavaScript values of every shape an untyped
// caller can hand the public API, and a probe that calls a function, its curried stages and its task,
// and reports how it settled: a value, a throw, a rejection or no answer within a bound.
import fc from 'fast-check'

const fail = (where: string) => (): never => {
  throw new Error(`junk: ${where}`)
}

// fast-check itself looks at generated values (for a clone method, and to print a counterexample), by
// its own symbols: those answer; everything the library could touch throws.
const fcKeys: ReadonlySet<PropertyKey> = new Set([fc.cloneMethod, fc.toStringMethod, fc.asyncToStringMethod])
const label = (name: string) => ({ [fc.toStringMethod]: () => name })[fc.toStringMethod]

// Every trap throws: reading, enumerating, testing `in`, calling, even asking for the prototype.
const throwingTraps = (name: string): ProxyHandler<object> => ({
  get: (_t, k) => (k === fc.toStringMethod ? label(name) : fcKeys.has(k) ? undefined : fail(`${name} get`)()),
  set: fail(`${name} set`),
  has: (_t, k) => (k === fc.toStringMethod ? true : fcKeys.has(k) ? false : fail(`${name} has`)()),
  ownKeys: fail(`${name} ownKeys`),
  getOwnPropertyDescriptor: fail(`${name} getOwnPropertyDescriptor`),
  getPrototypeOf: fail(`${name} getPrototypeOf`),
  defineProperty: fail(`${name} defineProperty`),
  deleteProperty: fail(`${name} deleteProperty`),
  isExtensible: fail(`${name} isExtensible`),
  preventExtensions: fail(`${name} preventExtensions`),
  apply: fail(`${name} apply`),
  construct: fail(`${name} construct`),
})

/** An object whose every proxy trap throws. */
export const throwingProxy: object = new Proxy({}, throwingTraps('throwingProxy'))
/** A function whose every proxy trap (calling included) throws. */
export const throwingFunctionProxy: object = new Proxy(
  function junk() {},
  throwingTraps('throwingFunctionProxy'),
)
/** An array whose every proxy trap throws (`Array.isArray` is still true). */
export const throwingArrayProxy: object = new Proxy([], throwingTraps('throwingArrayProxy'))

// Getters that throw, on the keys the library reads from its own values (so the value passes a first
// glance: `_tag`, `errors`, `select`, ...), and on the keys JavaScript reads implicitly (`then` when a
// value is returned from an async function, `toJSON`, `Symbol.iterator`, `valueOf`).
const getterKeys = [
  '_tag',
  'then',
  'toJSON',
  'valueOf',
  'toString',
  'length',
  'errors',
  'model',
  'schema',
  'select',
  'preload',
  'strategy',
  'force',
  'params',
  'text',
  'query',
  'placeholders',
  'columns',
  'tables',
  'steps',
  'id',
]
const throwingGetter = <A extends object>(base: A, k: PropertyKey, name: string): A =>
  Object.defineProperty(
    Object.defineProperty(base, k, { get: fail(name), enumerable: true }),
    fc.toStringMethod,
    {
      value: label(name),
    },
  )
/** Objects with one throwing getter each, on a key the library or JavaScript reads. */
export const throwingGetters: ReadonlyArray<object> = [
  ...getterKeys.map(k => throwingGetter({}, k, `getter ${k}`)),
  throwingGetter({ _tag: 'Query' }, 'errors', 'query-like with getter errors'),
  throwingGetter([], Symbol.iterator, 'array with getter Symbol.iterator'),
  throwingGetter({}, Symbol.toPrimitive, 'getter Symbol.toPrimitive'),
  throwingGetter(() => undefined, 'length', 'function with getter length'),
]

const throwing = (): never => {
  throw new Error('junk: a function that throws')
}
// Rejected, with a handler already attached: an unhandled rejection of the junk itself is not the
// library's doing (the probe still sees the rejection if the library awaits it).
const rejecting = (): Promise<never> => {
  const p = Promise.reject(new Error('junk: a rejected promise'))
  p.catch(() => undefined)
  return p
}

/**
 * Values that fail as soon as anything touches them. (A user task that never settles is not among them:
 * a program handed to `transact` that never finishes keeps its transaction open by design.)
 */
export const hostile: ReadonlyArray<unknown> = [
  throwingProxy,
  throwingFunctionProxy,
  throwingArrayProxy,
  ...throwingGetters,
  throwing,
  rejecting,
]

// Objects shaped like the library's own values (AST nodes, a query, a plan, an Either, a codec, a
// column), which must be data, never recognised by shape.
const col = { _tag: 'ColumnRef', alias: 't0', column: 'title' }
/** Values shaped like the library's nodes and values. */
export const lookalikes: ReadonlyArray<unknown> = [
  { _tag: 'Fragment', strings: ["'x') or (select 1) = (1", ''], args: [] },
  col,
  { _tag: 'Param', value: 'x' },
  { _tag: 'Bool', value: true },
  { _tag: 'Compare', op: 'eq', left: col, right: col },
  { _tag: 'InList', expr: col, values: [] },
  { _tag: 'And', exprs: [] },
  { _tag: 'Or', exprs: [col] },
  { _tag: 'Not', expr: null },
  { _tag: 'Like', expr: col, pattern: col, caseInsensitive: false },
  { _tag: 'Exists', select: null },
  { _tag: 'Placeholder', name: 'id' },
  { _tag: 'Ref', step: 0, column: 'title' },
  { _tag: 'Select', from: { table: 'canary', alias: 'x' }, columns: [], joins: [], where: [], orderBy: [] },
  { _tag: 'Column', codec: null, sqlType: 'text' },
  { _tag: 'Query', model: {}, schema: 'doc', select: null, errors: [], preload: {} },
  { _tag: 'Query', model: null, schema: null, select: { _tag: 'Select' }, errors: null, preload: null },
  { _tag: 'Prepared', params: {}, query: { _tag: 'Query', errors: [] }, placeholders: [null] },
  { _tag: 'Plan', steps: [{ _tag: 'Insert' }], result: null },
  { _tag: 'Interpreter', name: 'memory', select: 1, write: 1, transact: 1 },
  { _tag: 'Left', left: 'x' },
  { _tag: 'Right', right: 'x' },
  { _tag: 'Some', value: 1 },
  { _tag: 'Table', name: 'doc', source: 'docs', columns: null },
  { _tag: 'HasMany', target: 'doc', options: null },
  { is: () => true, name: 'codec', validate: 1, encode: 1 },
  { text: 'select 1', params: null },
  { text: null, params: [] },
  { strategy: 'bogus', force: 'yes' },
  new Map<unknown, unknown>([
    ['docs', null],
    ['notes', [null, 1, 'x']],
  ]),
  Object.assign(['x'], { raw: null }),
]

// Deep-freezes plain data; values that throw when touched (proxies) are left as they are.
const deepFreeze = <A>(a: A): A => {
  try {
    if (typeof a === 'object' && a !== null && !Object.isFrozen(a) && !(a instanceof Promise)) {
      Object.freeze(a)
      for (const k of Reflect.ownKeys(a)) {
        const d = Object.getOwnPropertyDescriptor(a, k)
        if (d !== undefined && 'value' in d) deepFreeze(d.value as unknown)
      }
    }
  } catch {
    // a hostile value: it stays as it is
  }
  return a
}

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 2,
    maxKeys: 4,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
    withUnicodeString: true,
  }),
  fc.bigInt(),
  fc.constantFrom(...lookalikes),
  fc.constantFrom(...hostile),
)

/**
 * Any JavaScript value: `anything()` with boxed values, null prototypes, object strings and BigInts;
 * lookalikes of the library's own values; proxies and getters that throw; functions returning any of
 * these; objects holding them; and the same, deep-frozen.
 */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.func(leaf) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 4 }),
        fc.array(leaf, { maxLength: 4 }),
      )
      .map(deepFreeze),
  },
)

/** Argument lists of 0 to 4 junk values. */
export const junkArgs: fc.Arbitrary<ReadonlyArray<unknown>> = fc.array(junk, { maxLength: 4 })

// -------------------------------------------------------------------------------------
// the probe
// -------------------------------------------------------------------------------------

/** How a call settled. */
export type Outcome =
  | { readonly _tag: 'Value'; readonly value: unknown }
  | { readonly _tag: 'Throw'; readonly error: unknown }
  | { readonly _tag: 'Reject'; readonly error: unknown }
  | { readonly _tag: 'Pending' }

/** The bound within which a promise of the library must settle. */
export const settleMs = Number(process.env['BOUNDARY_SETTLE_MS'] ?? 5_000)

// Reading `then` on a hostile value throws: the probe must not be the one that throws.
const isThenable = (u: unknown): u is PromiseLike<unknown> => {
  try {
    return (
      (typeof u === 'object' || typeof u === 'function') &&
      u !== null &&
      typeof (u as { readonly then?: unknown }).then === 'function'
    )
  } catch {
    return false
  }
}

const settle = async (p: PromiseLike<unknown>): Promise<Outcome> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<Outcome>(resolve => {
    timer = setTimeout(() => resolve({ _tag: 'Pending' }), settleMs)
  })
  try {
    return await Promise.race([
      Promise.resolve(p).then(
        (value): Outcome => ({ _tag: 'Value', value }),
        (error: unknown): Outcome => ({ _tag: 'Reject', error }),
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Calls `f()`; a promise it returns is awaited within `settleMs`. */
export const call = async (f: () => unknown): Promise<Outcome> => {
  let r: unknown
  try {
    r = f()
  } catch (error) {
    return { _tag: 'Throw', error }
  }
  return isThenable(r) ? settle(r) : { _tag: 'Value', value: r }
}

/** Whether a value is an fp-ts `Either`. */
export const isEither = (u: unknown): boolean => {
  try {
    if (typeof u !== 'object' || u === null) return false
    const tag = (u as { readonly _tag?: unknown })._tag
    return (tag === 'Left' && 'left' in u) || (tag === 'Right' && 'right' in u)
  } catch {
    return false
  }
}

const render = (u: unknown): string => {
  try {
    if (u instanceof Error)
      return `${u.name}: ${u.message}\n${(u.stack ?? '').split('\n').slice(1, 5).join('\n')}`
    return String(u)
  } catch {
    return '[unprintable]'
  }
}

/** A readable account of a bad outcome, or `null` when the outcome keeps the contract. */
export const problem = (what: string, o: Outcome, expectEither: boolean): string | null => {
  switch (o._tag) {
    case 'Throw':
      return `${what} threw ${render(o.error)}`
    case 'Reject':
      return `${what} rejected with ${render(o.error)}`
    case 'Pending':
      return `${what} did not settle within ${settleMs} ms`
    case 'Value':
      return expectEither && !isEither(o.value) ? `${what} is not an Either: ${render(o.value)}` : null
  }
}

/**
 * Calls `f(...args)`, then, while the result is a function and stages are left, calls it with the next
 * stage's arguments (curried, data-last stages and the final task). A promise at any stage is a task's
 * result: it must settle within the bound, to an `Either`. `expectEither` asks the same of a synchronous
 * final value. Returns the first problem, or `null`.
 */
export const probe = async (
  name: string,
  f: unknown,
  stages: ReadonlyArray<ReadonlyArray<unknown>>,
  expectEither = false,
): Promise<string | null> => {
  let current: unknown = f
  let what = name
  for (const [k, args] of stages.entries()) {
    if (typeof current !== 'function') return null
    const g = current as (...as: ReadonlyArray<unknown>) => unknown
    what = `${what}(${args.length} args)`
    let r: unknown
    try {
      r = g(...args)
    } catch (error) {
      return `${what} threw ${render(error)}`
    }
    if (isThenable(r)) return problem(what, await settle(r), true)
    current = r
    if (k === stages.length - 1) return problem(what, { _tag: 'Value', value: r }, expectEither)
  }
  return null
}

/** Like `probe`, but a promise result must be an Either (a task was run). */
export const settlesToEither = async (what: string, f: () => unknown): Promise<string | null> => {
  let r: unknown
  try {
    r = f()
  } catch (error) {
    return `${what} threw ${render(error)}`
  }
  if (!isThenable(r)) return isEither(r) ? null : `${what} is not an Either: ${render(r)}`
  return problem(what, await settle(r), true)
}

/** fast-check parameters: `FC_NUM_RUNS` raises the runs, `FC_SEED` changes the seed. */
export const runs = (n: number): fc.Parameters<unknown> => ({
  numRuns: process.env['FC_NUM_RUNS'] === undefined ? n : Number(process.env['FC_NUM_RUNS']),
  // A fixed seed by default, so the `it.fails` marks of known defects are stable; FC_SEED explores.
  seed: process.env['FC_SEED'] === undefined ? 13 : Number(process.env['FC_SEED']),
})
