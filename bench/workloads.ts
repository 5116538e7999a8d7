// Workloads and the implementation interface shared by every contender.

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6' | 'W8' | 'W9'
export const workloadIds: ReadonlyArray<WorkloadId> = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W8', 'W9']

export type ImplName =
  | 'quiver-auto'
  | 'quiver-batched'
  | 'quiver-lateral'
  | 'quiver-adhoc'
  | 'raw-separate'
  | 'raw-json'
  | 'raw-hops'
  | 'drizzle'
  | 'drizzle-1'
  | 'prisma'
  | 'kysely'

export const describe: Readonly<Record<WorkloadId, string>> = {
  W1: 'has_many: posts (default 1001-1500), each with its comments ordered by (inserted_at, id)',
  W2: 'nested: posts (default 2001-2500) with author, comments (inserted_at, id) each with its author, permalink, tags',
  W3: 'through two hops: users (default 101-300), each with the distinct users who commented on their posts',
  W4: 'filtered association: posts (default 3001-3500) with only public comments, newest first',
  W5: 'small tree latency: one post with its comments and their authors (per call)',
  W6: 'top-N per parent: posts 1001-1500, each with its 3 newest comments',
  W8: 'relation aggregates: posts 1501-2000, each id and title with its number of comments and of likes',
  W9: 'grouped report: authors 101-300, per author and month of posting, posts and their comments, groups of more than 2 posts',
}

/** The default inclusive id ranges of the roots (500 posts, 200 users). */
const defaults: Readonly<Record<Exclude<WorkloadId, 'W5'>, readonly [number, number]>> = {
  W1: [1001, 1500],
  W2: [2001, 2500],
  W3: [101, 300],
  W4: [3001, 3500],
  W6: [1001, 1500],
  W8: [1501, 2000],
  /** authors (users.id) */
  W9: [101, 300],
}

/**
 * The inclusive id ranges of the roots of the point being measured: every implementation reads them
 * when called (the runner sets them with `setParents` before a point's clients are made, so all see
 * the same range).
 */
export const ranges: Record<Exclude<WorkloadId, 'W5'>, readonly [number, number]> = { ...defaults }

/** The table a workload's roots come from. */
export const rootTable = (w: Exclude<WorkloadId, 'W5'>): 'posts' | 'users' =>
  w === 'W3' || w === 'W9' ? 'users' : 'posts'

/** The default number of parents of a workload (its default range). */
export const defaultParents = (w: Exclude<WorkloadId, 'W5'>): number => defaults[w][1] - defaults[w][0] + 1

/**
 * Sets a workload's range to `parents` roots: the default start, moved down when the table (of `rows`
 * rows) ends before; `false` (range unchanged) when the table has fewer rows than that.
 */
export const setParents = (w: Exclude<WorkloadId, 'W5'>, parents: number, rows: number): boolean => {
  if (parents > rows || parents < 1) return false
  const lo = Math.max(1, Math.min(defaults[w][0], rows - parents + 1))
  ranges[w] = [lo, lo + parents - 1]
  return true
}

/** W9 keeps the (author, month) groups with more than this many posts. */
export const w9MinPosts = 2

/** The post of the i-th W5 call (the same sequence for everyone), within the first `posts` posts. */
export const w5Post = (i: number, posts: number): number => 1 + ((i * 7919) % posts)

/** An implementation: one function per workload; W5 takes the post id, the others ignore the argument. */
export interface Impl {
  readonly name: ImplName
  /** The workloads it runs, when not all (its other functions are never called). */
  readonly workloads?: ReadonlyArray<WorkloadId>
  /** What stands in for the real thing, if anything (shown in the report). */
  readonly note?: string
  readonly run: Readonly<Record<WorkloadId, (arg: number) => Promise<unknown>>>
  /** Untimed reshaping before the equality check (e.g. a library's own key names). */
  readonly adapt?: (w: WorkloadId, tree: unknown) => unknown
  readonly close: () => Promise<void>
}
