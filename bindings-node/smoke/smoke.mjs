// The ES module face of the installed package (see smoke.cjs). Usage: node smoke.mjs
import assert from 'node:assert/strict'
import addon, { Client, Simulator, IntuneAppleError, inspect } from 'intune-apple'

assert.equal(addon.Client, Client)
assert.equal(typeof inspect, 'function')
assert.equal(typeof IntuneAppleError, 'function')
const sim = Simulator.start()
try {
  const report = await new Client(sim.clientOptions()).healthReport()
  assert.equal(report.items.length, 7)
} finally {
  sim.stop()
}
console.log('smoke test (ES module) of the installed intune-apple passed')
