// The package test (`npm run test:package`, after `npm run build`): what a user installs.
//  1. `npm pack`: the tarball holds only dist, README.md, LICENSE, CHANGELOG.md and package.json.
//  2. @arethetypeswrong/cli on the tarball: every entry resolves, with its types, under node10, node16
//     (from CJS and from ESM) and bundler.
//  3. Two scratch apps in a temp dir install the tarball with the LOWEST supported versions of the peer
//     dependencies (read from package.json), from the npm registry (the npm cache first):
//     - esm/ loads the package with `import`, has no @electric-sql/pglite (quiver-sql/embedded must
//       answer with an error value naming it), and compiles declarations/index.ts with
//       `declaration: true` under `module: nodenext`;
//     - cjs/ loads it with `require`, has @electric-sql/pglite, runs the scenario on the embedded engine
//       too, and compiles declarations/index.ts under `moduleResolution: node10`.
//     Both run app/scenario.cjs on PostgreSQL: DATABASE_URL, or else an embedded engine this script
//     starts (from the repository's build) and serves on a local port.
// Prints the tarball's size and each step's time. Exits non-zero on any failure.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const started = Date.now()
const seconds = since => `${((Date.now() - since) / 1000).toFixed(1)} s`
const fail = message => {
  console.error(`package: FAIL ${message}`)
  process.exitCode = 1
  throw new Error(message)
}
const exec = async (file, args, options = {}) => {
  try {
    return await promisify(execFile)(file, args, { maxBuffer: 64 * 1024 * 1024, ...options })
  } catch (e) {
    fail(
      `${[file, ...args].join(' ')} (in ${options.cwd ?? root}):\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    )
  }
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const step = async (name, f) => {
  const t0 = Date.now()
  const r = await f()
  console.log(`package: ${name} (${seconds(t0)})`)
  return r
}

if (!existsSync(join(root, 'dist', 'esm', 'index.js')) || !existsSync(join(root, 'dist', 'cjs', 'index.js')))
  fail('no build: run `npm run build` first')

// The apps must not see packages from a node_modules above them (the ESM app checks that the engine is
// missing): the first temp root with none on its path.
const above = dir => {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules')
    if (dirname(d) === d) return null
  }
}
const base = [process.env['QUIVER_PACKAGE_TMP'], tmpdir(), '/var/tmp', join(homedir(), '.cache')].find(
  d => d !== undefined && d !== '' && existsSync(d) && above(d) === null,
)
if (base === undefined)
  fail(`every temp dir has a node_modules on its path (${above(tmpdir())}): set QUIVER_PACKAGE_TMP`)
const work = mkdtempSync(join(base, 'quiver-package-'))
let engine = null
try {
  // A database for the apps, started while the rest is prepared.
  const database = (async () => {
    if (process.env['DATABASE_URL'] !== undefined && process.env['DATABASE_URL'] !== '') {
      console.log(`package: the apps use DATABASE_URL (${new URL(process.env['DATABASE_URL']).host})`)
      return process.env['DATABASE_URL']
    }
    const { start } = await import(join(root, 'dist', 'esm', 'embedded', 'Embedded.js'))
    const e = await start()()
    if (e._tag !== 'Right') fail(`embedded engine: ${e.left.message}`)
    engine = e.right
    console.log(`package: no DATABASE_URL: the apps use an embedded engine at ${engine.url}`)
    return engine.url
  })()
  database.catch(() => undefined)

  // 1. The tarball's contents.
  const tarball = await step('npm pack', async () => {
    const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', work], { cwd: root })
    const [info] = JSON.parse(stdout)
    const files = info.files.map(f => f.path)
    const allowed =
      /^(dist\/(esm|cjs)\/.+\.(js|d\.ts|js\.map)|dist\/cjs\/package\.json|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/
    const stray = files.filter(f => !allowed.test(f))
    if (stray.length > 0) fail(`unexpected files in the tarball: ${stray.join(', ')}`)
    const required = ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/cjs/package.json']
    for (const entry of Object.values(pkg.exports))
      if (typeof entry !== 'string')
        for (const c of [
          entry.import.types,
          entry.import.default,
          entry.require.types,
          entry.require.default,
        ])
          required.push(c.replace(/^\.\//, ''))
    const missing = required.filter(f => !files.includes(f))
    if (missing.length > 0) fail(`missing from the tarball: ${missing.join(', ')}`)
    console.log(
      `package: ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked`,
    )
    return join(work, info.filename)
  })

  // 2. Types and module formats of every entry, as TypeScript and Node resolve them: one run of attw on
  // the tarball covers every entry. It runs while the apps install (3), which mostly waits on the disk
  // and the npm cache, so the two overlap without contending for the CPU.
  const attw = step('attw', async () => {
    const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js')
    const { stdout } = await exec(process.execPath, [attw, tarball, '--format', 'table-flipped'], {
      cwd: root,
    })
    console.log(stdout.trim())
  })
  attw.catch(() => undefined)

  // 3. Scratch apps.
  const lowest = name => pkg.peerDependencies[name].replace(/^[\^~>=]+/, '')
  const peers = { 'fp-ts': lowest('fp-ts'), 'io-ts': lowest('io-ts'), postgres: lowest('postgres') }
  const devTypes = { 'fast-check': lowest('fast-check'), '@types/node': pkg.devDependencies['@types/node'] }
  const apps = {
    esm: { type: 'module', dependencies: { 'quiver-sql': `file:${tarball}`, ...peers, ...devTypes } },
    cjs: {
      type: 'commonjs',
      dependencies: {
        'quiver-sql': `file:${tarball}`,
        ...peers,
        ...devTypes,
        '@electric-sql/pglite': lowest('@electric-sql/pglite'),
      },
    },
  }
  const install = step(
    `install the tarball into a scratch ESM app and a CJS app with ${Object.entries(peers)
      .map(([n, v]) => `${n}@${v}`)
      .join(', ')} (+ @electric-sql/pglite@${lowest('@electric-sql/pglite')} in the CJS app)`,
    () =>
      Promise.all(
        Object.entries(apps).map(async ([name, app]) => {
          const dir = join(work, name)
          cpSync(join(here, 'app'), dir, { recursive: true })
          cpSync(join(here, 'declarations'), join(dir, 'declarations'), { recursive: true })
          writeFileSync(
            join(dir, 'package.json'),
            JSON.stringify({ name: `quiver-package-${name}`, private: true, ...app }, null, 2),
          )
          await exec(
            npm,
            [
              'install',
              '--prefer-offline',
              '--no-audit',
              '--no-fund',
              '--no-package-lock',
              '--loglevel=error',
            ],
            {
              cwd: dir,
            },
          )
        }),
      ),
  )

  install.catch(() => undefined)
  await Promise.all([attw, install])

  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const compile = async (app, module, moduleResolution) => {
    const dir = join(work, app)
    const config = `tsconfig.${module}.json`
    const out = join('out', module + (moduleResolution ?? ''))
    // declarations/tsconfig.json, with the module system and the output of this compilation.
    writeFileSync(
      join(dir, config),
      JSON.stringify({
        extends: './declarations/tsconfig.json',
        compilerOptions: {
          module,
          ...(moduleResolution === undefined ? {} : { moduleResolution }),
          // Every declaration file is checked once (our own included), under nodenext.
          skipLibCheck: module !== 'nodenext',
          outDir: out,
        },
      }),
    )
    await exec(process.execPath, [tsc, '-p', config], { cwd: dir })
    const dts = readFileSync(join(dir, out, 'index.d.ts'), 'utf8')
    const private_ = dts.match(/import\("[^"]*(quiver-sql\/dist|node_modules)[^"]*"\)/g)
    if (private_ !== null)
      fail(`${app} (${module}): declarations name private paths: ${[...new Set(private_)].join(', ')}`)
    return dts
  }
  await step(
    'declarations: tsc --declaration in the ESM app (nodenext) and the CJS app (node10)',
    async () => {
      // (node16 from CommonJS reads the same declaration files as node10; attw checks its resolution.)
      await Promise.all([compile('esm', 'nodenext'), compile('cjs', 'commonjs', 'node10')])
    },
  )

  const url = await step('database', () => database)
  await step('the ESM app and the CJS app run the scenario', async () => {
    const env = { ...process.env, DATABASE_URL: url }
    const runs = await Promise.all([
      exec(process.execPath, ['esm.mjs'], { cwd: join(work, 'esm'), env }),
      exec(process.execPath, ['cjs.cjs'], { cwd: join(work, 'cjs'), env }),
    ])
    for (const r of runs) console.log(r.stdout.trim())
  })
  console.log(`package: ok (${seconds(started)} in all)`)
} catch (e) {
  if (process.exitCode !== 1) console.error(`package: FAIL ${e && e.stack ? e.stack : e}`)
  process.exitCode = 1
} finally {
  if (engine !== null) await engine.stop()
  if (process.env['QUIVER_PACKAGE_KEEP'] === undefined) rmSync(work, { recursive: true, force: true })
  else console.log(`package: kept ${work}`)
}
