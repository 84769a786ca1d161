// Every synchronous function and method, called with hostile numbers and dates: each either
// answers or throws an IntuneAppleError (ERR_INVALID_INPUT for a refused number); none aborts
// the process. `node --test` runs this file in its own process, so an abort fails it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  Client, Simulator, HealthReport, IntuneAppleError,
  pushCertificateHealth, enrollmentProgramTokenHealth, vppTokenHealth, renewalGuidance,
  decideSync, validateEnrollmentProfile, validateDeviceNameTemplate, inspect,
  checkPushCertificateRenewal, checkVppTokenRenewal, checkEnrollmentProgramTokenFile,
  parseSerialNumbers, scanTenants, scanExitCode,
  vppTokenUsable, supersededTokens, findDuplicateApps,
} from '../index.mjs'
import { withSim, samples } from './helpers.mjs'

const NUMBERS = [-1, -0.5, 0.5, NaN, Infinity, -Infinity, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 1e8, 1e308, -1e308]
const DATES = [new Date(NaN), new Date(8.64e15), new Date(-8.64e15), new Date(0)]

/** Calls `fn`; a throw must be an IntuneAppleError (or napi's own argument error). */
function survives(label, fn) {
  try {
    const out = fn()
    return { ok: true, out }
  } catch (e) {
    assert.ok(e instanceof Error, `${label}: threw a non-error ${e}`)
    return { ok: false, error: e }
  }
}

const invalid = (e) => e instanceof IntuneAppleError && e.code === 'ERR_INVALID_INPUT'

test('the reproduction: a negative warning window is refused, never wrapped', () =>
  withSim(async (sim, client) => {
    await assert.rejects(
      async () => (await client.healthReport({ thresholds: { vppToken: { warningDays: -1 } } })).toICS(),
      invalid,
    )
    await assert.rejects(async () => client.healthReport({ thresholds: { pushCertificate: { warningDays: 1e8 } } }), invalid)
    await assert.rejects(async () => client.healthReport({ thresholds: { vppToken: { warningDays: 5, criticalDays: 10 } } }), invalid)
    const ok = await client.healthReport({ thresholds: { vppToken: { warningDays: 3650, criticalDays: 0 } } })
    assert.match(ok.toICS(), /BEGIN:VCALENDAR/)
  }))

test('every synchronous function survives hostile numbers and dates', () =>
  withSim(async (sim, client) => {
    const cert = await client.getPushCertificate()
    const dep = (await client.enrollmentProgramTokens().toArray())[0]
    const vpp = await client.vppTokens().toArray()
    const report = await client.healthReport()
    const json = JSON.stringify(report)
    const pem = path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem')
    const vppFile = path.join(samples, 'vpptoken/apple-doc-example.vpptoken')
    const p7m = path.join(samples, 'synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m')
    const depCert = (await import('node:fs')).readFileSync(path.join(samples, 'synthetic/test-dep-cert.pem'), 'utf8')
    let refused = 0
    for (const n of NUMBERS) {
      for (const [label, fn] of [
        ['pushCertificateHealth', () => pushCertificateHealth(cert, { pushCertificate: { warningDays: n } })],
        ['enrollmentProgramTokenHealth', () => enrollmentProgramTokenHealth(dep, { enrollmentProgramToken: { criticalDays: n } })],
        ['vppTokenHealth', () => vppTokenHealth(vpp[0], { vppToken: { warningDays: n, criticalDays: n } })],
        ['validateEnrollmentProfile', () => validateEnrollmentProfile({ displayName: 'x' }, { profilesOnToken: n, profileLimit: n })],
        ['Simulator.setPageSize', () => sim.setPageSize(n)],
        ['Simulator.setDepSyncDuration', () => sim.setDepSyncDuration(n)],
        ['Simulator.advance', () => sim.advance(n)],
        ['Simulator.start', () => Simulator.start({ devices: n, pageSize: n }).stop()],
      ]) {
        const r = survives(`${label}(${n})`, fn)
        if (!r.ok) {
          assert.ok(invalid(r.error) || r.error.code === 'InvalidArg' || r.error.code === 'NumberExpected', `${label}(${n}): ${r.error.code} ${r.error.message}`)
          refused++
        }
      }
      await assert.rejects(async () => client.healthReport({ thresholds: { vppToken: { warningDays: n } } }), invalid, `healthReport(${n})`)
      const scanned = survives(`scanTenants(${n})`, () => scanTenants([['a', client]], {}, n))
      if (scanned.ok) await scanned.out
      const assigned = survives(`assignSerialNumbers(${n})`, () => client.assignSerialNumbers('x', 'y', ['C02'], n))
      if (assigned.ok) await assigned.out.catch(() => {})
    }
    assert.ok(refused > 0)
    for (const d of DATES) {
      for (const [label, fn] of [
        ['pushCertificateHealth', () => pushCertificateHealth({ ...cert, expirationDateTime: d }, { now: d })],
        ['enrollmentProgramTokenHealth', () => enrollmentProgramTokenHealth({ ...dep, tokenExpirationDateTime: d, lastSuccessfulSyncDateTime: d }, { now: d })],
        ['vppTokenHealth', () => vppTokenHealth({ ...vpp[0], expirationDateTime: d, lastSyncDateTime: d }, { now: d })],
        ['decideSync', () => decideSync({ lastTriggered: d, lastSuccessful: d, lastFull: d }, { now: d, kind: 'full' })],
        ['validateEnrollmentProfile', () => validateEnrollmentProfile({ displayName: 'x' }, { now: d, vppTokens: [{ ...vpp[0], expirationDateTime: d }] })],
        ['checkPushCertificateRenewal', () => checkPushCertificateRenewal({ ...cert, expirationDateTime: d }, pem, { now: d })],
        ['checkVppTokenRenewal', () => checkVppTokenRenewal(vppFile, [{ ...vpp[0], expirationDateTime: d }], { now: d })],
        ['Simulator.setNow', () => sim.setNow(d)],
        ['HealthReport.toICS', () => {
          const r = HealthReport.fromJSON(json)
          return [r.toICS(), r.toMarkdown(), r.toTable(true), r.exitCode, r.overall, r.items, r.errors]
        }],
      ]) {
        survives(`${label}(${d})`, fn)
      }
    }
    // Far instants inside a saved report.
    const far = JSON.parse(json)
    for (const item of far.items) item.expiresAt = '9999-12-31T23:59:59Z'
    survives('fromJSON far', () => HealthReport.fromJSON(JSON.stringify(far)).toICS())
    for (const item of far.items) item.expiresAt = '0000-01-01T00:00:00Z'
    survives('fromJSON early', () => HealthReport.fromJSON(JSON.stringify(far)).toICS())
    for (const [label, fn] of [
      ['renewalGuidance', () => renewalGuidance('vpp_token', '\u0000'.repeat(10))],
      ['validateDeviceNameTemplate', () => validateDeviceNameTemplate('{{SERIAL}}'.repeat(10_000))],
      ['inspect', () => inspect(p7m)],
      ['checkEnrollmentProgramTokenFile', () => checkEnrollmentProgramTokenFile(p7m, depCert)],
      ['parseSerialNumbers', () => parseSerialNumbers('a,'.repeat(100_000))],
      ['scanExitCode', () => scanExitCode([])],
      ['Client', () => new Client({ ...sim.clientOptions(), timeouts: { attemptMs: 1 } })],
    ]) {
      survives(label, fn)
    }
  }))

test('an invalid Date is refused with ERR_INVALID_INPUT, never read as 1970', () =>
  withSim(async (sim, client) => {
    const cert = await client.getPushCertificate()
    const dep = (await client.enrollmentProgramTokens().toArray())[0]
    const vpp = await client.vppTokens().toArray()
    const pem = path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem')
    const vppFile = path.join(samples, 'vpptoken/apple-doc-example.vpptoken')
    const bad = new Date(NaN)
    for (const [label, fn] of [
      ['pushCertificateHealth now', () => pushCertificateHealth(cert, { now: bad })],
      ['pushCertificateHealth expiry', () => pushCertificateHealth({ ...cert, expirationDateTime: bad })],
      ['enrollmentProgramTokenHealth', () => enrollmentProgramTokenHealth({ ...dep, tokenExpirationDateTime: bad })],
      ['vppTokenHealth', () => vppTokenHealth({ ...vpp[0], expirationDateTime: bad })],
      ['decideSync times', () => decideSync({ lastTriggered: bad })],
      ['decideSync now', () => decideSync({}, { now: bad })],
      ['validateEnrollmentProfile', () => validateEnrollmentProfile({ displayName: 'x' }, { now: bad })],
      ['checkPushCertificateRenewal', () => checkPushCertificateRenewal(cert, pem, { now: bad })],
      ['checkVppTokenRenewal', () => checkVppTokenRenewal(vppFile, [{ ...vpp[0], lastSyncDateTime: bad }])],
      ['vppTokenUsable', () => vppTokenUsable(vpp[0], bad)],
      ['supersededTokens', () => supersededTokens([{ ...vpp[0], expirationDateTime: bad }])],
      ['findDuplicateApps', () => findDuplicateApps(vpp, [], bad)],
      ['Simulator.setNow', () => sim.setNow(bad)],
    ]) {
      assert.throws(fn, (e) => invalid(e) && /not a valid Date/.test(e.message), label)
    }
    await assert.rejects(async () => client.healthReport({ asOf: bad }), invalid, 'healthReport asOf')
    await assert.rejects(async () => client.expiringVppTokenCount(bad), invalid, 'expiringVppTokenCount')
    await assert.rejects(async () => client.syncEnrollmentProgramToken('x', { lastFullSync: bad }), invalid, 'sync lastFullSync')
    // A valid instant still works.
    assert.equal(typeof vppTokenUsable(vpp[0], new Date()), 'boolean')
  }))

test('timeouts and retries are refused when negative, fractional, non-finite or too large, never wrapped', () =>
  withSim(async (sim) => {
    const base = sim.clientOptions()
    for (const n of [-1, 0, NaN, Infinity, -Infinity, 2 ** 32, 1e20, 86_400_001]) {
      for (const key of ['attemptMs', 'connectMs', 'operationMs']) {
        assert.throws(() => new Client({ ...base, timeouts: { [key]: n } }), invalid, `${key}=${n}`)
      }
    }
    for (const n of [-1, 0, 0.5, NaN, Infinity, 101, 2 ** 32 - 1]) {
      assert.throws(() => new Client({ ...base, retries: { maxAttempts: n } }), invalid, `maxAttempts=${n}`)
    }
    for (const n of [-1, NaN, Infinity, 2 ** 53]) {
      assert.throws(() => new Client({ ...base, retries: { baseDelayMs: n } }), invalid, `baseDelayMs=${n}`)
    }
    // In range: accepted, and the client works.
    const ok = new Client({ ...base, timeouts: { attemptMs: 30_000.5 }, retries: { maxAttempts: 1, baseDelayMs: 0 } })
    assert.ok((await ok.getPushCertificate()).topicIdentifier)
  }))

test('inputs that nest without end or claim a huge length are refused, not followed', () =>
  withSim(async (sim, client) => {
    const cyclic = { displayName: 'x' }
    cyclic.self = cyclic
    assert.throws(() => validateEnrollmentProfile(cyclic), invalid)
    let deep = {}
    for (let i = 0; i < 10_000; i++) deep = { inner: deep }
    assert.throws(() => validateEnrollmentProfile({ displayName: 'x', deep }), invalid)
    const sparse = []
    sparse.length = 2 ** 32 - 1
    assert.throws(() => validateEnrollmentProfile({ displayName: 'x', enabledSkipKeys: sparse }), invalid)
    assert.throws(() => validateEnrollmentProfile({ displayName: 'x', when: new Date(NaN) }), invalid)
  }))

test('an abort would be seen: the same calls in a child process end normally', () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const script = `
    const { vppTokenHealth, HealthReport } = require(${JSON.stringify(path.resolve(here, '../index.js'))})
    for (const n of [-1, 2 ** 32 - 1, 1e8, NaN, Infinity]) {
      try { vppTokenHealth({ expirationDateTime: new Date() }, { vppToken: { warningDays: n } }) } catch (e) {}
    }
    const r = HealthReport.fromJSON(JSON.stringify({ generatedAt: '2026-01-01T00:00:00Z', asOf: '2026-01-01T00:00:00Z',
      items: [{ kind: 'vppToken', id: 'a', name: null, appleId: null, expiresAt: '9999-12-31T23:59:59Z', daysLeft: 1,
        severity: 'ok', problems: [], consequence: 'c', renewal: [] }], errors: [] }))
    r.toICS()
    console.log('survived')
  `
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.equal(child.status, 0, child.stderr)
  assert.equal(child.stdout.trim(), 'survived')
})
