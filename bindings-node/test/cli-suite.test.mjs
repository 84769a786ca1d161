// The one CLI suite (intune-apple-cli/tests/suite/cases.json) against the npm package's bin
// (cli.js, what `npx intune-apple` runs): the same cases as the Cargo binary.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Simulator } from '../index.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const pkg = JSON.parse(fs.readFileSync(path.join(here, '../package.json'), 'utf8'))
const bin = path.resolve(here, '..', pkg.bin['intune-apple'])
const { cases } = JSON.parse(fs.readFileSync(path.join(root, 'intune-apple-cli/tests/suite/cases.json'), 'utf8'))

for (const c of cases) {
  test(c.args.join(' ') || '(none)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-cli-'))
    const args = c.args.map((a) => a.replaceAll('{data}', path.join(root, 'intune-apple-cli/data')).replaceAll('{tmp}', tmp))
    const sim = Simulator.start()
    try {
      const o = sim.clientOptions()
      const env = {
        PATH: process.env.PATH, AZURE_TENANT_ID: sim.tenantId, AZURE_CLIENT_ID: sim.clientId,
        AZURE_CLIENT_SECRET: o.clientSecret, AZURE_AUTHORITY_HOST: sim.authorityHost, INTUNE_APPLE_GRAPH_URL: sim.baseUrl,
      }
      const done = spawnSync(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120000 })
      assert.equal(done.status, c.code, done.stdout + done.stderr)
      for (const s of c.stdout ?? []) assert.ok(done.stdout.includes(s), `stdout lacks ${s}: ${done.stdout}`)
      for (const s of c.stderr ?? []) assert.ok(done.stderr.includes(s), `stderr lacks ${s}: ${done.stderr}`)
      if (c.requests === 0) assert.deepEqual(sim.requestLog(), [])
      if (c.writes === 0) assert.equal(sim.writesApplied, 0)
      if (c.writes === 'some') assert.ok(sim.writesApplied > 0)
    } finally {
      sim.stop()
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
}
