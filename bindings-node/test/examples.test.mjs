// The examples in examples/node run against the simulator and print what they promise.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/node')
const env = { ...process.env }
for (const k of ['AZURE_TENANT_ID', 'INTUNE_APPLE_ACCESS_TOKEN']) delete env[k]
function run(name) {
  try {
    return execFileSync(process.execPath, [path.join(dir, name)], { env, encoding: 'utf8' })
  } catch (e) {
    // the health card and the scan exit 2 on the demo tenant (an expired VPP token)
    if ((name === 'health-card.mjs' || name === 'msp-scan.mjs') && e.status === 2) return e.stdout
    throw e
  }
}

test('health-card.mjs prints an Adaptive Card with every credential', () => {
  const card = JSON.parse(run('health-card.mjs'))
  const content = card.attachments[0].content
  assert.equal(content.type, 'AdaptiveCard')
  assert.equal(content.body.filter((b) => b.type === 'Container').length, 7)
})

test('msp-scan.mjs prints a line per tenant, the worst first', () => {
  const lines = run('msp-scan.mjs').trim().split('\n')
  assert.equal(lines.length, 3)
  assert.match(lines[0], /^(contoso|northwind) +expired +Warehouse 20\d\d-\d\d-\d\d$/)
  // The empty tenant never set up a push certificate: a finding, and nothing else to report.
  assert.match(lines[2], /^fabrikam +ok/)
})

test('throttle-aware-sync.mjs starts a sync of each token', () => {
  const out = run('throttle-aware-sync.mjs')
  assert.match(out, /Contoso ABM: sync started/)
})

test('duplicate-repair-dry-run.mjs plans the Scanner Pro repair', () => {
  const plan = JSON.parse(run('duplicate-repair-dry-run.mjs'))
  assert.equal(plan.dryRun, true)
  assert.equal(plan.apps[0].bundleId, 'com.readdle.Scanner')
  assert.equal(plan.apps[0].outcome, 'planned')
})
