// quiver-sql/embedded serves several clients (issue 13, item 16): a second client on db.url and db.sql
// both get answers, whoever connected first; a client inside a transaction holds the session and the
// others wait for it, boundedly (55P03 after busyTimeout); a client that leaves mid-transaction is
// rolled back; stop() twice resolves. These run on PGlite whatever DATABASE_URL says.
import { rmSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import postgres from 'postgres'
import { afterEach, describe, expect, it } from 'vitest'
import { start, type Embedded } from '../../src/embedded/Embedded.js'
import { Pg, Query } from '../../src/index.js'
import { Blog, ddl, seed } from '../support/blog.js'
import { dataDirCopy, startEmbedded } from '../support/db.js'

const within = async <A>(ms: number, p: Promise<A>): Promise<A | 'pending'> => {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([
    p,
    new Promise<'pending'>(resolve => {
      timer = setTimeout(resolve, ms, 'pending')
    }),
  ])
  clearTimeout(timer)
  return r
}

const open: Array<Embedded> = []
const opened: Array<postgres.Sql> = []
// From a copy of the run's template data directory (../support/db.ts): no initdb per test.
const embedded = async (busyTimeout?: number): Promise<Embedded> => {
  const e = await startEmbedded(busyTimeout === undefined ? {} : { busyTimeout })
  open.push(e)
  for (const s of [...ddl, ...seed]) await e.sql.unsafe(s)
  return e
}
const client = (db: Embedded) => {
  const c = postgres(db.url, { max: 1, onnotice: () => undefined })
  opened.push(c)
  return c
}
const dirs: Array<string | undefined> = []
afterEach(async () => {
  for (const c of opened.splice(0)) await c.end({ timeout: 1 }).catch(() => undefined)
  for (const e of open.splice(0)) await e.stop()
  for (const d of dirs.splice(0)) if (d !== undefined) rmSync(d, { recursive: true, force: true })
})

const names = async (sql: postgres.Sql) =>
  (await sql.unsafe('select name from users order by id')).map(r => r['name'])

describe('embedded: several clients', () => {
  it('a second client and db.sql both get answers, interleaved, in either order of connecting', async () => {
    const db = await embedded()
    const other = client(db)
    // The other client connects first, then db.sql, then both at once many times.
    expect(await within(5_000, names(other))).toEqual(['ada', 'bob', 'cy'])
    const r = await within(5_000, Pg.all(Query.from(Blog, 'user'))(db.sql)())
    expect(r !== 'pending' && E.isRight(r) && r.right.length).toBe(3)
    const both = await within(
      10_000,
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? other.unsafe('select $1::int + 1 as n', [i], { prepare: true }).then(x => x[0]?.['n'])
            : db.sql.unsafe('select $1::int * 2 as n', [i], { prepare: true }).then(x => x[0]?.['n']),
        ),
      ),
    )
    expect(both).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? i + 1 : i * 2)))
  })

  it('a transaction holds the session: the other client waits for its commit and sees its rows after', async () => {
    const db = await embedded()
    const other = client(db)
    await names(other)
    let release: () => void = () => undefined
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    const tx = db.sql.begin(async t => {
      await t.unsafe(`insert into users (id, name) values (10, 'in tx')`)
      await held
    })
    await new Promise(resolve => setTimeout(resolve, 100))
    const waiting = names(other)
    expect(await within(300, waiting)).toBe('pending')
    release()
    await tx
    expect(await within(5_000, waiting)).toEqual(['ada', 'bob', 'cy', 'in tx'])
  })

  it('a client waiting longer than busyTimeout gets 55P03 instead of waiting forever, and can go on', async () => {
    const db = await embedded(300)
    const other = client(db)
    await names(other)
    let release: () => void = () => undefined
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    const tx = db.sql.begin(async t => {
      await t.unsafe('select 1')
      await held
    })
    await new Promise(resolve => setTimeout(resolve, 50))
    const r = await within(
      5_000,
      other.unsafe('select 1').then(
        () => 'ran',
        (e: { readonly code?: string; readonly message?: string }) => `${e.code}: ${e.message}`,
      ),
    )
    expect(r).toMatch(/^55P03: the embedded database is held by another client's open transaction/)
    release()
    await tx
    expect(await within(5_000, names(other))).toEqual(['ada', 'bob', 'cy'])
  })

  it('a client that disconnects inside a transaction is rolled back, and the session is free', async () => {
    const db = await embedded()
    const other = client(db)
    const tx = other.begin(async t => {
      await t.unsafe(`insert into users (id, name) values (11, 'never')`)
      await new Promise(() => undefined)
    })
    tx.catch(() => undefined)
    await new Promise(resolve => setTimeout(resolve, 100))
    await other.end({ timeout: 0 })
    expect(await within(5_000, names(db.sql))).toEqual(['ada', 'bob', 'cy'])
  })

  it('stop() twice resolves, and a client left connected is closed', async () => {
    // Embedded.start itself (startEmbedded's stop would answer the second call on its own).
    const dataDir = await dataDirCopy()
    dirs.push(dataDir)
    const e = await start(dataDir === undefined ? {} : { dataDir })()
    if (E.isLeft(e)) throw new Error(e.left.message)
    const other = client(e.right)
    expect((await other.unsafe('select 1 as x'))[0]).toEqual({ x: 1 })
    const first = e.right.stop()
    const second = e.right.stop()
    expect(await within(10_000, Promise.all([first, second]))).toEqual([undefined, undefined])
    expect(await within(5_000, e.right.stop())).toBeUndefined()
    const after = await within(
      5_000,
      other.unsafe('select 1').then(
        () => 'ran',
        () => 'refused',
      ),
    )
    expect(after).toBe('refused')
  })
})

// A protocol 3.0 startup packet with these parameters.
const startupPacket = (params: Record<string, string>): Buffer => {
  const body = Buffer.from(
    `${Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join('')}\0`,
    'utf8',
  )
  const head = Buffer.alloc(8)
  head.writeInt32BE(body.length + 8, 0)
  head.writeInt32BE(196608, 4)
  return Buffer.concat([head, body])
}

describe('embedded: malformed input', () => {
  it('a client sending a bad startup or a bad message length is dropped; the others go on', async () => {
    const db = await embedded()
    const { createConnection } = await import('node:net')
    const port = Number(new URL(db.url).port)
    const cases: ReadonlyArray<Buffer> = [
      Buffer.from([0, 0, 0, 2, 0, 3, 0, 0]), // a startup length below its header
      Buffer.from([0, 0, 0, 8, 0, 3, 0, 0]), // a startup without parameters (PGlite's session does not survive it)
      startupPacket({ user: 'postgres', database: 'postgres' }).subarray(0, 20), // cut short, then closed
      Buffer.concat([startupPacket({ user: 'postgres' }), Buffer.from([0x51, 0xff, 0xff, 0xff, 0xf0])]), // negative length
    ]
    for (const [i, bytes] of cases.entries()) {
      const closed = await within(
        5_000,
        new Promise<boolean>(resolve => {
          const s = createConnection(port, '127.0.0.1')
          s.on('connect', () => {
            s.write(bytes)
            if (i === 2) s.end()
          })
          s.on('data', () => undefined)
          s.on('error', () => undefined)
          s.on('close', () => resolve(true))
        }),
      )
      expect(closed, `case ${i}`).toBe(true)
      expect(await within(5_000, names(db.sql)), `after case ${i}`).toEqual(['ada', 'bob', 'cy'])
    }
  })
})
