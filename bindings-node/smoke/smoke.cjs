'use strict'
// Smoke test of the installed `intune-apple` npm package, run in a fresh project that installed
// it (and its platform package) from the packed tarballs: scripts/test-packages and the
// release workflow. Usage: node smoke.cjs VERSION. Uses only Node and the installed packages.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const version = process.argv[2]
const project = process.cwd()
const modules = path.join(project, 'node_modules')

function cleanEnv() {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AZURE_') && !k.startsWith('INTUNE_APPLE_') && !k.startsWith('NAPI_RS_')) env[k] = v
  }
  return env
}

async function main() {
  // The package and the binary come from this project's node_modules, nowhere else.
  const entry = require.resolve('intune-apple')
  assert.equal(path.dirname(entry), path.join(modules, 'intune-apple'))
  const installed = JSON.parse(fs.readFileSync(path.join(modules, 'intune-apple/package.json'), 'utf8'))
  assert.equal(installed.version, version)
  const platform = `intune-apple-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : process.platform === 'win32' ? '-msvc' : ''}`
  assert.equal(installed.optionalDependencies[platform], version, `optionalDependencies of ${platform}`)
  const platformDir = path.join(modules, platform)
  assert.equal(JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8')).version, version)
  const shipped = fs.readdirSync(path.join(modules, 'intune-apple'))
  assert.ok(!shipped.some((f) => f.endsWith('.node')), `no addon in the main package: ${shipped}`)
  for (const f of ['index.d.ts', 'index.mjs', 'native.js', 'binding.js', 'cli.js', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.ok(shipped.includes(f), `${f} is in the package`)
  }

  const lib = require('intune-apple')
  const loaded = Object.keys(require.cache).filter((f) => f.endsWith('.node'))
  assert.deepEqual(loaded.map((f) => path.dirname(f)), [platformDir], 'the addon of the platform package')

  const sim = lib.Simulator.start()
  try {
    const client = new lib.Client(sim.clientOptions())
    const report = await client.healthReport()
    assert.equal(report.items.length, 7)
    assert.deepEqual(report.errors, [])
    assert.equal(report.exitCode, 2) // the demo tenant's expired VPP token
    assert.match(report.toMarkdown(), /^# /)
    const push = '/beta/deviceManagement/applePushNotificationCertificate'
    sim.addFault({ method: 'GET', path: push, kind: 'status', status: 403 })
    await assert.rejects(client.getPushCertificate(), (e) => e instanceof lib.IntuneAppleError && e.status === 403 && typeof e.code === 'string')
  } finally {
    sim.stop()
  }

  // The bin.
  const bin = path.join(modules, '.bin', process.platform === 'win32' ? 'intune-apple.cmd' : 'intune-apple')
  const run = (...args) => spawnSync(bin, args, { env: cleanEnv(), encoding: 'utf8', timeout: 120000, shell: process.platform === 'win32' })
  let done = run('--help')
  assert.equal(done.status, 0, done.stderr)
  assert.match(done.stdout, /health/)
  done = run('health', '--format', 'json', '--no-apps')
  assert.equal(done.status, 2, done.stderr)
  assert.match(done.stderr, /^No credentials set/)
  assert.equal(JSON.parse(done.stdout).items.length, 7)
  assert.equal(run('health', '--format', 'xml').status, 64)

  // A platform without a prebuilt addon gets an error that says so.
  const probe = (platform) => spawnSync(process.execPath, ['-e', `
    Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} })
    try { require('intune-apple'); console.log('loaded') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`],
  { cwd: project, env: cleanEnv(), encoding: 'utf8' })
  const unsupported = JSON.parse(probe('freebsd').stdout)
  assert.equal(unsupported.code, 'ERR_INTUNE_APPLE_NATIVE_ADDON')
  assert.match(unsupported.message, /no prebuilt native addon for this platform \(freebsd-/)
  assert.match(unsupported.message, /linux-x64-gnu, linux-arm64-gnu, darwin-x64, darwin-arm64, win32-x64-msvc/)

  console.log(`smoke test (CommonJS, bin, unsupported platform) of the installed intune-apple ${version} passed`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
