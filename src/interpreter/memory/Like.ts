/**
 * `LIKE` and `ILIKE` as PostgreSQL evaluates them, for both memory evaluators (selects and write
 * filters). No regular expression is built from user text: the matcher walks the pattern and the text
 * code point by code point, following PostgreSQL's own matcher (`MatchText` in `like_match.c`) step by
 * step, so the two agree not only on the answer but on when a pattern is an error.
 *
 * - `%` matches any run of characters, `_` exactly one character (a code point, as in a UTF-8
 *   database), and `\` (the default escape) makes the next character literal.
 * - A pattern ending in `\` is an error (22025) only when the matcher reaches that escape, as in
 *   PostgreSQL: `'x' like 'x\'` is false, `'xy' like 'x\'` is the error.
 * - Cost: PostgreSQL's matcher gives up on a `%` once the rest of the pattern cannot match at any later
 *   position ("abort"), so each `%` scans the text at most once: time is bounded by text length times
 *   pattern length, never exponential. The walk keeps its own stack instead of recursing, so a pattern
 *   with thousands of `%` needs no call stack.
 * - `ILIKE` lowers both sides and matches case-sensitively, as PostgreSQL does in a UTF-8 database
 *   (with `lower`, the C library's `towlower` under `C.UTF-8`): each code point is lowered on its own,
 *   as `Value.lower` lowers it (`İ` -> `i`), so `x ilike p` and `lower(x) like lower(p)` agree.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as DbError from '../../error/DbError.js'
import { lowerCodePoint } from './Value.js'

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

const PERCENT = 0x25
const UNDERSCORE = 0x5f
const BACKSLASH = 0x5c

// A lone surrogate cannot reach PostgreSQL (the driver sends U+FFFD), so it is matched as U+FFFD.
const codePoints = (s: string, lower: boolean): Int32Array => {
  const out = new Int32Array(s.length)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1)
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000
        i++
      } else c = 0xfffd
    }
    out[n++] = lower ? lowerCodePoint(c) : c
  }
  return out.subarray(0, n)
}

const escapeAtEnd = (): DbError.DbError =>
  DbError.make('DataException', 'LIKE pattern must not end with escape character', '22025')

/** What one activation of PostgreSQL's `MatchText` returns; `Abort` means no later start can match. */
const TRUE = 1
const FALSE = 0
const ABORT = -1
type Outcome = typeof TRUE | typeof FALSE | typeof ABORT

/** A `%` being scanned: the pattern position after it, the next text position to try, its literal. */
interface Scan {
  readonly p: number
  t: number
  readonly first: number
}

type Step = Outcome | Scan | DbError.DbError

// One activation of `MatchText` from (t, p) up to its first `%`: an outcome, or a scan to run.
const body = (t: Int32Array, p: Int32Array, ti: number, pi: number): Step => {
  const tn = t.length
  const pn = p.length
  if (pn - pi === 1 && p[pi] === PERCENT) return TRUE
  while (ti < tn && pi < pn) {
    const c = p[pi] as number
    if (c === BACKSLASH) {
      pi++
      if (pi >= pn) return escapeAtEnd()
      if (p[pi] !== t[ti]) return FALSE
    } else if (c === PERCENT) {
      pi++
      // Any run of `%` and `_` after a `%` matches "at least as many characters as there are `_`".
      while (pi < pn) {
        const w = p[pi] as number
        if (w === PERCENT) pi++
        else if (w === UNDERSCORE) {
          if (ti >= tn) return ABORT
          ti++
          pi++
        } else break
      }
      if (pi >= pn) return TRUE
      let first: number
      if (p[pi] === BACKSLASH) {
        if (pn - pi < 2) return escapeAtEnd()
        first = p[pi + 1] as number
      } else first = p[pi] as number
      return { p: pi, t: ti, first }
    } else if (c === UNDERSCORE) {
      ti++
      pi++
      continue
    } else if (c !== t[ti]) return FALSE
    ti++
    pi++
  }
  if (ti < tn) return FALSE
  while (pi < pn && p[pi] === PERCENT) pi++
  return pi >= pn ? TRUE : ABORT
}

// The next text position at or after `from` holding the scan's literal, or -1.
const nextStart = (t: Int32Array, from: number, first: number): number => {
  for (let i = from; i < t.length; i++) if (t[i] === first) return i
  return -1
}

// `MatchText` with its recursion turned into a stack of scans: a child activation that returns false
// lets its scan try the next position; true or abort ends every enclosing activation with that outcome.
const run = (t: Int32Array, p: Int32Array): E.Either<DbError.DbError, boolean> => {
  const scans: Array<Scan> = []
  let step = body(t, p, 0, 0)
  for (;;) {
    if (typeof step === 'object' && '_tag' in step) return E.left(step)
    let outcome: Outcome
    if (typeof step === 'number') outcome = step
    else {
      const at = nextStart(t, step.t, step.first)
      if (at >= 0) {
        step.t = at
        scans.push(step)
        step = body(t, p, at, step.p)
        continue
      }
      outcome = ABORT
    }
    for (;;) {
      const top = scans[scans.length - 1]
      if (top === undefined) return E.right(outcome === TRUE)
      if (outcome !== FALSE) {
        scans.pop()
        continue
      }
      const at = nextStart(t, top.t + 1, top.first)
      if (at < 0) {
        scans.pop()
        outcome = ABORT
        continue
      }
      top.t = at
      break
    }
    const top = scans[scans.length - 1] as Scan
    step = body(t, p, top.t, top.p)
  }
}

const patterns = new Map<string, Int32Array>()

const patternOf = (pattern: string, lower: boolean): Int32Array => {
  const key = `${lower ? 'i' : 'c'}${pattern}`
  const hit = patterns.get(key)
  if (hit !== undefined) return hit
  const out = codePoints(pattern, lower)
  if (patterns.size > 1000) patterns.clear()
  patterns.set(key, out)
  return out
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Whether `text` matches the LIKE `pattern` (ILIKE when `caseInsensitive`), or the error PostgreSQL
 * raises for it (a pattern ending in the escape character, 22025).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { like } from './Like.js'
 * assert.deepStrictEqual(like('2024-01-31', '2024-01-%', false), E.right(true))
 * assert.deepStrictEqual(like('50%', '50\\%', false), E.right(true))
 * assert.deepStrictEqual(like('ADA', 'a_a', true), E.right(true))
 *
 * @category destructors
 * @since 0.1.0
 */
export const like = (
  text: string,
  pattern: string,
  caseInsensitive: boolean,
): E.Either<DbError.DbError, boolean> =>
  run(codePoints(text, caseInsensitive), patternOf(pattern, caseInsensitive))
