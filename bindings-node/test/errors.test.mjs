// Every error code, each raised by a real fault of the simulator (or a real bad file).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, IntuneAppleError, inspect, checkPushCertificateRenewal } from '../index.mjs'
import { withSim, samples, DEP_MAIN, VPP_MAIN } from './helpers.mjs'

const PUSH = '/beta/deviceManagement/applePushNotificationCertificate'
const NO_RETRY = { retries: { maxAttempts: 1 } }

function isError(code, more = () => {}) {
  return (e) => {
    assert.ok(e instanceof IntuneAppleError, `not an IntuneAppleError: ${e}`)
    assert.ok(e instanceof Error)
    assert.equal(e.name, 'IntuneAppleError')
    assert.equal(e.code, code, e.message)
    more(e)
    return true
  }
}

test('ERR_UNAUTHORIZED: a wrong client secret', () =>
  withSim(async (sim) => {
    const client = new Client({ ...sim.clientOptions(), clientSecret: 'wrong-secret-value' })
    await assert.rejects(client.getPushCertificate(), isError('ERR_UNAUTHORIZED', (e) => {
      assert.ok(!e.message.includes('wrong-secret-value'))
    }))
  }))

test('ERR_UNAUTHORIZED: tokens that keep expiring', () =>
  withSim(async (sim, client) => {
    sim.addFault({ path: PUSH, kind: 'expireTokens' })
    await assert.rejects(client.getPushCertificate(), isError('ERR_UNAUTHORIZED', (e) => assert.equal(e.status, 401)))
  }))

test('ERR_FORBIDDEN: a write by the read-only application names the permission', () =>
  withSim(async (sim) => {
    const client = new Client(sim.readOnlyClientOptions())
    await assert.rejects(client.syncVppTokenLicenses(VPP_MAIN), isError('ERR_FORBIDDEN', (e) => {
      assert.equal(e.status, 403)
      assert.match(e.requiredPermission, /DeviceManagementServiceConfig\.ReadWrite\.All/)
    }))
  }))

test('ERR_NOT_FOUND: an unknown id, with request ids', () =>
  withSim(async (sim, client) => {
    await assert.rejects(client.getVppToken('no-such-token'), isError('ERR_NOT_FOUND', (e) => {
      assert.equal(e.status, 404)
      assert.equal(typeof e.requestId, 'string')
      assert.equal(typeof e.clientRequestId, 'string')
      assert.match(e.operation, /^GET \/beta\/deviceAppManagement\/vppTokens/)
    }))
  }))

test('ERR_THROTTLED: 429 with Retry-After past the retry budget', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'throttle', retryAfter: '0.05' })
    await assert.rejects(client.getPushCertificate(), isError('ERR_THROTTLED', (e) => {
      assert.equal(e.status, 429)
      assert.equal(e.retryAfter, 0.05)
    }))
  }, { retries: { maxAttempts: 2 } }))

test('a throttled call that recovers within the retry budget succeeds', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, nth: 1, kind: 'throttle', retryAfter: '0.05' })
    assert.ok((await client.getPushCertificate()).topicIdentifier)
  }))

test('ERR_SYNC_TOO_SOON: checked before asking, and when Intune refuses', () =>
  withSim(async (sim, client) => {
    await client.syncEnrollmentProgramToken(DEP_MAIN)
    await assert.rejects(client.syncEnrollmentProgramToken(DEP_MAIN), isError('ERR_SYNC_TOO_SOON', (e) => {
      assert.ok(e.nextAllowedAt instanceof Date)
    }))
    await assert.rejects(client.syncEnrollmentProgramToken(DEP_MAIN, { force: true }), isError('ERR_SYNC_TOO_SOON', (e) => {
      assert.equal(e.status, 409)
      assert.ok(e.nextAllowedAt instanceof Date)
    }))
  }))

test('ERR_OUTCOME_UNKNOWN: a write applied, then the connection dropped', () =>
  withSim(async (sim, client) => {
    const before = sim.writesApplied
    sim.addFault({ method: 'POST', path: `/beta/deviceAppManagement/vppTokens/${VPP_MAIN}/syncLicenses`, kind: 'resetAfter' })
    await assert.rejects(client.syncVppTokenLicenses(VPP_MAIN), isError('ERR_OUTCOME_UNKNOWN'))
    assert.equal(sim.writesApplied, before + 1)
  }))

test('ERR_INVALID_INPUT: a 400 from Graph, a bad profile; ERR_CONFIGURATION: no credential, an unknown cloud', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'status', status: 400 })
    await assert.rejects(client.getPushCertificate(), isError('ERR_INVALID_INPUT', (e) => assert.equal(e.status, 400)))
    assert.throws(() => new Client({}), isError('ERR_CONFIGURATION'))
    assert.throws(() => new Client({ accessToken: 'x', cloud: 'mars' }), isError('ERR_CONFIGURATION'))
    assert.throws(() => client.createEnrollmentProfile(DEP_MAIN, { '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile', supervisedModeEnabled: 'yes' }), isError('ERR_INVALID_INPUT'))
  }))

test('ERR_TOKEN_FILE: a damaged Apple file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-'))
  const bad = path.join(dir, 'broken.vpptoken')
  fs.writeFileSync(bad, 'bm90IGEgdG9rZW4=')
  assert.throws(() => inspect(bad), isError('ERR_TOKEN_FILE'))
  assert.throws(() => inspect(path.join(dir, 'missing.pem')), isError('ERR_TOKEN_FILE'))
  fs.rmSync(dir, { recursive: true })
})

test('ERR_RENEWAL_REFUSED: a push certificate with another topic', () =>
  withSim(async (sim, client) => {
    const current = await client.getPushCertificate()
    const other = path.join(samples, 'synthetic/synthetic-push-new-cert-different-topic.pem')
    assert.throws(() => checkPushCertificateRenewal(current, other), isError('ERR_RENEWAL_REFUSED', (e) => {
      assert.match(e.message, /re-enrol/)
    }))
  }))

test('ERR_TRANSPORT: the connection dropped before an answer', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'resetBefore' })
    await assert.rejects(client.getPushCertificate(), isError('ERR_TRANSPORT'))
  }, NO_RETRY))

test('ERR_SERVER: a 500', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'status', status: 500 })
    await assert.rejects(client.getPushCertificate(), isError('ERR_SERVER', (e) => assert.equal(e.status, 500)))
  }, NO_RETRY))

test('ERR_CONFLICT: a 409 outside the sync', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'status', status: 409 })
    await assert.rejects(client.getPushCertificate(), isError('ERR_CONFLICT'))
  }))

test('ERR_DECODE: a body that is not JSON', () =>
  withSim(async (sim, client) => {
    sim.addFault({ method: 'GET', path: PUSH, kind: 'malformed' })
    await assert.rejects(client.getPushCertificate(), isError('ERR_DECODE'))
  }))

test('ERR_CONFIGURATION: a nextLink to another host is refused, mid-iteration', () =>
  withSim(async (sim, client) => {
    sim.setPageSize(100)
    sim.addFault({ path: `/beta/deviceManagement/depOnboardingSettings/${DEP_MAIN}/importedAppleDeviceIdentities`, kind: 'foreignNextLink' })
    let n = 0
    await assert.rejects(async () => {
      for await (const _ of client.importedDevices(DEP_MAIN)) n++
    }, isError('ERR_CONFIGURATION', (e) => assert.match(e.message, /another host/)))
    // the items of the page that carried the link arrive before the refusal
    assert.equal(n, 100)
  }))
