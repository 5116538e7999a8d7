// Takes docs/playground/screenshot.png: the built playground (npm run playground first) served from
// 127.0.0.1 and shot in the system Chromium (`apt-get install chromium`) through playwright-core.
import { execFileSync } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join } from 'node:path'
import { chromium } from 'playwright-core'

const dir = 'docs/playground/dist'
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
}
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
  const file = join(dir, path === '/' ? 'index.html' : path.replace(/\.\./g, ''))
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream')
  createReadStream(file)
    .on('error', () => res.writeHead(404).end())
    .pipe(res)
})
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } })
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 120_000 })
  await page.screenshot({ path: 'docs/playground/screenshot.png' })
  console.log('docs/playground/screenshot.png')
} finally {
  await browser.close()
  server.close()
}
