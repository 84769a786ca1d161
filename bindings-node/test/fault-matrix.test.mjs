// The core cases of the fault matrix (intune-apple-core/tests/fault_matrix.rs) from Node: each
// fault once against a read and a write. Nothing is written twice, a success means the write
// happened, a write that may have happened is ERR_OUTCOME_UNKNOWN (never a plain failure, never
// resent), a refusal is ERR_FORBIDDEN, and no error names the client secret.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { IntuneAppleError } from '../index.mjs'
import { withSim, VPP_MAIN } from './helpers.mjs'

const PUSH = '/beta/deviceManagement/applePushNotificationCertificate'
const SYNC = `/beta/deviceAppManagement/vppTokens/${VPP_MAIN}/syncLicenses`
const FAULTS = [
  { kind: 'throttle', retryAfter: '0' },
  { kind: 'throttleWithoutRetryAfter' },
  { kind: 'queryBrokerThrottle' },
  { kind: 'unavailable', retryAfter: '0' },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 503 },
  { kind: 'appliedThenStatus', status: 502 },
  { kind: 'delay', ms: 5 },
  { kind: 'resetBefore' },
  { kind: 'resetAfter' },
  { kind: 'malformed' },
  { kind: 'truncated' },
  { kind: 'endlessBody' },
  { kind: 'expireTokens' },
  { kind: 'missingScope' },
  { kind: 'intuneRefused' },
]
const TRANSIENT_FOR_READS = new Set(['throttle', 'throttleWithoutRetryAfter', 'queryBrokerThrottle', 'unavailable', 'resetBefore', 'resetAfter', 'expireTokens'])
const REFUSALS = new Set(['missingScope', 'intuneRefused'])
const FAST = { retries: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 1000 }, timeouts: { attemptMs: 5000, operationMs: 20000 } }

function check(sim, what, e) {
  assert.ok(e instanceof IntuneAppleError, `${what}: ${e}`)
  assert.ok(e.message.trim().length > 0, what)
  const secret = sim.clientOptions().clientSecret
  assert.ok(!e.message.includes(secret) && !JSON.stringify(e).includes(secret), `${what}: the secret`)
}

for (const fault of FAULTS) {
  const name = `${fault.kind}${fault.status ?? ''}`
  test(`${name} once against a read`, () =>
    withSim(async (sim, client) => {
      sim.addFault({ method: 'GET', path: PUSH, nth: 1, ...fault })
      let error = null
      try {
        assert.ok((await client.getPushCertificate()).topicIdentifier)
      } catch (e) {
        error = e
        check(sim, name, e)
      }
      const transient = TRANSIENT_FOR_READS.has(fault.kind) || fault.status === 503
      assert.ok(error === null || !transient, `${name}: not retried: ${error}`)
      if (REFUSALS.has(fault.kind)) assert.equal(error?.code, 'ERR_FORBIDDEN', name)
      assert.equal(sim.writesApplied, 0)
    }, FAST))

  test(`${name} once against a write`, () =>
    withSim(async (sim, client) => {
      sim.addFault({ method: 'POST', path: SYNC, nth: 1, ...fault })
      let error = null
      try {
        await client.syncVppTokenLicenses(VPP_MAIN)
      } catch (e) {
        error = e
        check(sim, name, e)
      }
      const applied = sim.writesApplied
      const sent = sim.requestLog().filter((r) => r.method === 'POST' && r.path.split('?')[0] === SYNC).length
      assert.ok(applied <= 1, `${name}: written ${applied} times`)
      if (error === null) assert.equal(applied, 1, `${name}: a success that wrote nothing`)
      else if (applied === 1) assert.equal(error.code, 'ERR_OUTCOME_UNKNOWN', `${name}: applied, but ${error.code}`)
      if (error?.code === 'ERR_OUTCOME_UNKNOWN') assert.equal(sent, 1, `${name}: resent blindly`)
      if (['throttle', 'throttleWithoutRetryAfter', 'unavailable', 'expireTokens'].includes(fault.kind)) {
        assert.equal(error, null, `${name}: ${error}`)
      }
      if (['appliedThenStatus', 'resetAfter'].includes(fault.kind)) {
        assert.equal(error?.code, 'ERR_OUTCOME_UNKNOWN', name)
        assert.equal(applied, 1, name)
      }
      if (REFUSALS.has(fault.kind)) assert.equal(error?.code, 'ERR_FORBIDDEN', name)
    }, FAST))
}
