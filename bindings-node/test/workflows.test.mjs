import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, HealthReport, IntuneAppleError, Simulator, parseSerialNumbers, scanExitCode, scanTenants } from '../index.mjs'
import { withSim, samples, DEP_MAIN, DEP_RETAIL } from './helpers.mjs'

test('health report: items, toJSON, toMarkdown, toICS, toTable, fromJSON', () =>
  withSim(async (sim, client) => {
    const report = await client.healthReport({ includeApps: true, locale: 'en', thresholds: { vppToken: { warningDays: 60 } } })
    assert.ok(report instanceof HealthReport)
    assert.equal(report.items.length, 7)
    assert.ok(report.generatedAt instanceof Date)
    assert.ok(report.asOf instanceof Date)
    assert.equal(report.overall, 'expired')
    assert.equal(report.exitCode, 2)
    assert.deepEqual(report.errors, [])
    const push = report.items.find((i) => i.kind === 'pushCertificate')
    assert.equal(push.daysLeft, 20)
    assert.ok(push.expiresAt instanceof Date)
    assert.ok(push.renewal.length > 0)
    const json = report.toJSON()
    assert.equal(typeof json.generatedAt, 'string')
    assert.equal(json.items.length, 7)
    const text = JSON.stringify(report)
    assert.deepEqual(JSON.parse(text), json)
    assert.equal(HealthReport.fromJSON(text).items.length, 7)
    assert.throws(() => HealthReport.fromJSON('{}'), { code: 'ERR_INVALID_INPUT' })
    assert.match(report.toMarkdown(), /\|/)
    assert.match(report.toICS(), /BEGIN:VCALENDAR/)
    assert.ok(report.toTable(false).length > 0)
    const later = await client.healthReport({ asOf: new Date(sim.now.getTime() + 400 * 86_400_000) })
    assert.ok(later.items.every((i) => i.severity === 'expired' || i.severity === 'unknown'))
  }))

test('scanTenants: a report per tenant in the order given, from a Map, an object or pairs', async () => {
  const demo = Simulator.start()
  const empty = Simulator.start({ seed: 'empty' })
  try {
    // The demo tenant answers slowly: its report ends last but still comes first.
    demo.addFault({ method: 'GET', path: '/beta/deviceManagement/applePushNotificationCertificate', kind: 'delay', ms: 150 })
    const contoso = new Client(demo.clientOptions())
    const fabrikam = new Client(empty.clientOptions())
    const wrongSecret = new Client({ ...demo.clientOptions(), clientSecret: 'not-the-secret' })
    const forms = [
      new Map([['contoso', contoso], ['fabrikam', fabrikam]]),
      { contoso, fabrikam },
      [['contoso', contoso], ['fabrikam', fabrikam]],
    ]
    for (const tenants of forms) {
      const reports = await scanTenants(tenants, { concurrency: 2, includeApps: true })
      assert.deepEqual(reports.map((r) => r.tenant), ['contoso', 'fabrikam'])
      assert.ok(reports[0].report instanceof HealthReport)
      assert.equal(reports[0].report.items.length, 7)
      assert.equal(reports[0].report.exitCode, 2)
      // The empty tenant has no push certificate: a finding of its report, not a failed read.
      assert.deepEqual(reports[1].report.errors, [])
      assert.ok(reports[1].report.items.some((i) => i.problems.some((p) => p.code === 'push.missing')))
      assert.equal(scanExitCode(reports), 2)
    }
    const asOf = new Date('2020-01-01T00:00:00Z')
    const one = await scanTenants({ fabrikam, denied: wrongSecret }, { concurrency: 0, asOf })
    assert.equal((await scanTenants([['fabrikam', fabrikam]], { concurrency: 2 ** 40 })).length, 1)
    assert.deepEqual(one.map((r) => r.tenant), ['fabrikam', 'denied'])
    assert.equal(one[0].report.asOf.getTime(), asOf.getTime())
    // A tenant that cannot be read gets a report of errors; the others are not affected.
    assert.ok(one[1].report.errors.length > 0)
    assert.ok(one[1].report.errors.every((e) => e.code.length > 0 && !e.message.includes('not-the-secret')))
    assert.equal(one[1].report.exitCode, 2)
    assert.equal(scanExitCode([one[0]]), one[0].report.exitCode)
    assert.deepEqual(await scanTenants([]), [])
    assert.equal(scanExitCode([]), 0)
  } finally {
    demo.stop()
    empty.stop()
  }
})

test('scanTenants: what is not a tenant list is refused before any call', () =>
  withSim(async (sim, client) => {
    const before = sim.requestLog.length
    const refused = (tenants, options, pattern) =>
      assert.rejects(scanTenants(tenants, options), (e) => {
        assert.ok(e instanceof IntuneAppleError)
        assert.equal(e.code, 'ERR_INVALID_INPUT')
        assert.match(e.message, pattern)
        return true
      })
    await refused(null, undefined, /Map, an object/)
    await refused('contoso', undefined, /Map, an object/)
    await refused([['contoso']], undefined, /tenant 0 is not a \[name, client\] pair/)
    await refused([[1, client]], undefined, /tenant 0/)
    await refused({ contoso: client, fabrikam: {} }, undefined, /client of tenant "fabrikam" is not a Client/)
    await refused({ contoso: client }, { concurrency: -1 }, /concurrency/)
    await refused({ contoso: client }, { concurrency: 1.5 }, /concurrency/)
    assert.equal(sim.requestLog.length, before)
  }))

test('push certificate renewal: same topic renews, another topic is refused with reasons', () =>
  withSim(async (sim, client) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-'))
    const csr = await client.downloadPushCsr(path.join(dir, 'push.csr'))
    assert.ok(csr.bytes > 0)
    assert.ok(fs.existsSync(csr.path))
    fs.rmSync(dir, { recursive: true })
    const current = await client.getPushCertificate()
    const other = fs.readFileSync(path.join(samples, 'synthetic/synthetic-push-new-cert-different-topic.pem'), 'utf8')
    const before = sim.writesApplied
    await assert.rejects(client.renewPushCertificate({ appleId: 'admin@contoso.example', pem: other }), (e) => {
      assert.ok(e instanceof IntuneAppleError)
      assert.equal(e.code, 'ERR_RENEWAL_REFUSED')
      assert.ok(e.reasons.some((r) => r.code === 'topicChanged'))
      return true
    })
    assert.equal(sim.writesApplied, before)
    assert.ok(current.topicIdentifier)
  }))

test('enrollment program token and VPP renewals refuse a file that does not match', () =>
  withSim(async (sim, client) => {
    const p7mName = 'TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m'
    const p7m = fs.readFileSync(path.join(samples, 'synthetic', p7mName), 'utf8')
    await assert.rejects(
      client.renewEnrollmentProgramToken({ tokenId: DEP_MAIN, appleId: 'abm@contoso.example', p7m, fileName: p7mName }),
      (e) => e instanceof IntuneAppleError && e.code === 'ERR_RENEWAL_REFUSED' && e.reasons.length > 0)
    const vpp = fs.readFileSync(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), 'utf8')
    await assert.rejects(client.renewVppToken({ tokenFile: vpp }),
      (e) => e instanceof IntuneAppleError && e.code === 'ERR_RENEWAL_REFUSED')
    const created = await client.renewVppToken({ tokenFile: vpp, createIfMissing: true })
    assert.equal(created.created, true)
    assert.equal(created.organizationName, 'ORG12345')
    assert.ok(created.fileExpiry instanceof Date)
    assert.ok(created.steps.length > 0)
  }))

test('duplicate-app repair: plan, then apply', () =>
  withSim(async (sim, client) => {
    const plan = await client.repairDuplicateApps()
    assert.equal(plan.dryRun, true)
    const scanner = plan.apps.find((a) => a.bundleId === 'com.readdle.Scanner')
    assert.ok(scanner)
    assert.equal(scanner.outcome, 'planned')
    assert.ok(scanner.toCopy.length > 0)
    const before = sim.writesApplied
    const applied = await client.repairDuplicateApps(true)
    assert.equal(applied.dryRun, false)
    assert.equal(applied.apps.find((a) => a.bundleId === 'com.readdle.Scanner').outcome, 'copied')
    assert.ok(sim.writesApplied > before)
  }))

test('profile workflows: create, copy, assign serial numbers, set default, parse a list', () =>
  withSim(async (sim, client) => {
    const created = await client.createProfile(DEP_MAIN, {
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile',
      displayName: 'Kiosk iPad',
      supervisedModeEnabled: true,
      deviceNameTemplate: 'KIOSK-{{SERIAL}}',
    })
    assert.equal(created.tokenId, DEP_MAIN)
    assert.equal(typeof created.profileId, 'string')
    await assert.rejects(client.createProfile(DEP_MAIN, {
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile',
      displayName: 'Broken', profileRemovalDisabled: true, supervisedModeEnabled: false,
    }), { code: 'ERR_INVALID_PROFILE' })
    const other = new Client(sim.clientOptions())
    const copy = await client.copyProfile(DEP_MAIN, created.profileId, other, DEP_RETAIL, 'Kiosk copy')
    assert.equal(copy.copiedFrom, created.profileId)
    const devices = await client.importedDevices(DEP_MAIN).toArray()
    const list = parseSerialNumbers(`serialNumber\n${devices[0].serialNumber}\n${devices[1].serialNumber}\nNOPE0000001\n`)
    assert.equal(list.serialNumbers.length, 3)
    const assigned = await client.assignSerialNumbers(DEP_MAIN, created.profileId, list.serialNumbers, 2)
    assert.equal(assigned.assigned, 2)
    assert.equal(assigned.devices.length, 3)
    const set = await client.setDefaultProfile(DEP_MAIN, created.profileId)
    assert.equal(set.profileId, created.profileId)
    assert.throws(() => parseSerialNumbers(''), { code: 'ERR_INVALID_INPUT' })
  }))
