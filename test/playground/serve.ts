// A static file server for the built playground on 127.0.0.1 (a free port): what a visitor's static
// host does, with the content types a browser needs (application/wasm for WebAssembly streaming).
import { createReadStream, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const types: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
}

export interface Served {
  readonly url: string
  /** Every path asked for, in order (the test checks that nothing else was fetched). */
  readonly requests: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export const serve = async (dir: string): Promise<Served> => {
  const requests: Array<string> = []
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    requests.push(path)
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(normalize(dir) + sep)) {
      res.writeHead(403).end()
      return
    }
    try {
      const st = statSync(file)
      if (!st.isFile()) throw new Error('not a file')
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
      })
      createReadStream(file).pipe(res)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  }
}
