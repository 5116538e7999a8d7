// `npm run demo`: a tour of quiver-sql on a small blog. With DATABASE_URL it uses that server (in a
// schema of its own, dropped at the end); without it, an embedded PostgreSQL (PGlite), so it runs on a
// machine with no database at all. The model is the README's (./model.ts), the tables are the ones
// `Ddl.ddl` derives from it, and everything comes from the package's public entry points, imported by
// name (`quiver-sql`, `quiver-sql/embedded`) as an app does; `paths` in tsconfig.json maps the names to
// the sources, so this runs from a fresh clone with no build. Only the seed rows are shared with the tests.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import postgres from 'postgres'
import * as O from 'fp-ts/lib/Option.js'
import { Ddl, Memory, Pg, Pred, Preload, Query, Write } from 'quiver-sql'
import { start } from 'quiver-sql/embedded'
import { seed } from '../test/support/blog.js'
import { Blog } from './model.js'

// Every statement sent to the database, so the demo can show what each preload strategy runs.
const statements: Array<string> = []
const debug = (_: number, query: string) => {
  statements.push(query.replace(/\s+/g, ' '))
}

const open = async (): Promise<{ sql: postgres.Sql; where: string; close: () => Promise<void> }> => {
  const url = process.env['DATABASE_URL']
  if (url !== undefined && url !== '') {
    const ns = `quiver_demo_${process.pid}`
    const sql = postgres(url, { max: 4, onnotice: () => undefined, debug, connection: { search_path: ns } })
    await sql.unsafe(`create schema "${ns}"`)
    return {
      sql,
      where: `PostgreSQL at DATABASE_URL (schema ${ns})`,
      close: async () => {
        await sql.unsafe(`drop schema "${ns}" cascade`)
        await sql.end()
      },
    }
  }
  const e = await start({ client: { debug } })()
  if (E.isLeft(e)) throw new Error(e.left.message)
  return { sql: e.right.sql, where: `embedded PGlite at ${e.right.url}`, close: e.right.stop }
}

const show = async (
  title: string,
  q: Query.AnyQuery,
  run: () => Promise<E.Either<{ message: string }, unknown>>,
) => {
  console.log(`\n== ${title}`)
  const sql = Query.toSql(q)
  if (E.isRight(sql)) console.log(`SQL:    ${sql.right.text}\nparams: ${JSON.stringify(sql.right.params)}`)
  const r = await run()
  if (E.isLeft(r)) console.log(`error:  ${r.left.message}`)
  else console.log(`rows:   ${JSON.stringify(r.right, null, 0)}`)
}

const main = async () => {
  const db = await open()
  console.log(`quiver-sql demo on ${db.where}`)
  try {
    const ddl = Ddl.ddl(Blog)
    if (E.isLeft(ddl)) throw new Error(ddl.left.message)
    for (const s of [...ddl.right, ...seed]) await db.sql.unsafe(s)

    const posts = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.and(Pred.eq(p.published, true), Pred.isNotNull(p.author_id))),
      Query.orderBy([['desc', 'inserted_at']]),
    )
    await show('published posts with an author, newest first', posts, () => Pg.all(posts)(db.sql)())

    const loaded = await Pg.all(posts)(db.sql)()
    if (E.isLeft(loaded)) throw new Error(loaded.left.message)

    const comments = Query.assoc(Blog, 'post', 'comments')(loaded.right)
    await show('assoc: their comments', comments, () => Pg.all(comments)(db.sql)())

    const authors = Query.assoc(Blog, 'post', 'commentsAuthors')(loaded.right)
    await show('assoc through two hops: who commented on them (distinct)', authors, () =>
      Pg.all(authors)(db.sql)(),
    )

    const onlyPublic = Query.assoc(Blog, 'post', 'publicComments')(loaded.right)
    await show('a where-filtered association: public comments only', onlyPublic, () =>
      Pg.all(onlyPublic)(db.sql)(),
    )

    const archived = Query.assoc(Blog, 'post', 'archivedComments')(loaded.right)
    await show('a custom-source association: comments kept in archived_comments', archived, () =>
      Pg.all(archived)(db.sql)(),
    )

    const tags = Query.assoc(Blog, 'post', 'tags')(loaded.right)
    await show('many-to-many through posts_tags', tags, () => Pg.all(tags)(db.sql)())

    const discussed = pipe(
      Query.from(Blog, 'post'),
      Query.where((_, $) =>
        $.exists('comments', (c, $c) => Pred.and(Pred.eq(c.public, true), $c.exists('children'))),
      ),
    )
    await show('exists over an association: posts with a public comment that has replies', discussed, () =>
      Pg.all(discussed)(db.sql)(),
    )

    const quiet = pipe(
      Query.from(Blog, 'user'),
      Query.where((_, $) => $.every('comments', c => Pred.eq(c.public, true))),
      Query.orderBy(['id']),
    )
    await show('every: users all of whose comments are public', quiet, () => Pg.all(quiet)(db.sql)())

    const widened = pipe(
      Query.assoc(Blog, 'post', 'comments')(loaded.right.slice(0, 1)),
      Query.where(c => Pred.or(Pred.eq(c.public, false), Pred.like(c.body, '%'))),
    )
    await show('a later `or` cannot widen the owner filter of an assoc query', widened, () =>
      Pg.all(widened)(db.sql)(),
    )

    const one = pipe(
      Query.from(Blog, 'user'),
      Query.where(u => Pred.eq(u.name, 'nobody')),
    )
    await show('one: exactly one row, else a typed error', one, () => Pg.one(one)(db.sql)())

    // Preloading: a nested tree, loaded by either strategy; the two give deep-equal results.
    const tree = pipe(
      Query.from(Blog, 'post'),
      Query.where(p => Pred.in(p.id, [1, 3])),
      Query.orderBy(['id']),
      Query.preload({
        comments: { author: true },
        permalink: true,
        tags: true,
        commentsAuthors: Preload.query({ hops: 'hide' }),
      }),
    )
    for (const strategy of ['batched', 'lateral'] as const) {
      statements.length = 0
      const r = await Pg.all(tree, { strategy })(db.sql)()
      console.log(
        `\n== preload { comments: { author }, permalink, tags, commentsAuthors } with strategy '${strategy}'`,
      )
      console.log(`statements (${statements.length}):\n  ${statements.join('\n  ')}`)
      if (E.isLeft(r)) console.log(`error:  ${r.left.message}`)
      else
        for (const p of r.right)
          console.log(
            `post ${p.id} '${p.title}': permalink ${pipe(
              p.permalink,
              O.match(
                () => 'none',
                l => l.url,
              ),
            )}, ` +
              `tags [${p.tags.map(t => t.name).join(', ')}], commenters [${p.commentsAuthors.map(u => u.name).join(', ')}], ` +
              `comments [${p.comments
                .map(
                  c =>
                    `${c.id} by ${pipe(
                      c.author,
                      O.match(
                        () => '?',
                        a => a.name,
                      ),
                    )}`,
                )
                .join('; ')}]`,
          )
    }

    // Top-N per parent: each post with its 2 newest comments (a limit that applies per post, not per batch).
    const top = pipe(
      Query.from(Blog, 'post'),
      Query.orderBy(['id']),
      Query.preload({ comments: Preload.query({ orderBy: [['desc', 'inserted_at']], limit: 2 }) }),
    )
    statements.length = 0
    const tops = await Pg.all(top, { strategy: 'batched' })(db.sql)()
    console.log(
      `\n== top-2 newest comments per post\nstatements (${statements.length}):\n  ${statements.join('\n  ')}`,
    )
    if (E.isRight(tops))
      for (const p of tops.right)
        console.log(`post ${p.id}: comments ${JSON.stringify(p.comments.map(c => c.id))}`)

    // Writes are plans: a value listing its statements, run in one transaction.
    const plan = Write.insert(Blog, 'tag', { name: 'fp-ts' })
    if (E.isRight(plan)) {
      console.log(`\n== a write plan\n${JSON.stringify(Write.toSql(plan.right))}`)
      const stored = await Write.run(plan.right)(Pg.interpreter(db.sql))()
      console.log(`stored: ${JSON.stringify(stored)}`)
    }

    // The same query on the in-memory reference interpreter: no database at all.
    const tables = new Map([
      [
        'posts',
        [
          {
            id: 1,
            author_id: 1,
            title: 'hello',
            body: '',
            published: true,
            inserted_at: new Date('2026-01-01'),
          },
        ],
      ],
      [
        'comments',
        [
          {
            id: 7,
            post_id: 1,
            author_id: 1,
            parent_id: null,
            body: 'hi',
            public: true,
            inserted_at: new Date('2026-01-02'),
          },
        ],
      ],
    ])
    const inMemory = await Memory.all(pipe(Query.from(Blog, 'post'), Query.preload({ comments: true })))(
      tables,
    )()
    console.log(`\n== the memory interpreter on plain tables\n${JSON.stringify(inMemory)}`)
  } finally {
    await db.close()
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
