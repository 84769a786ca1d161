// Answers of real Intune tenants, reproduced by the simulator: no push certificate (a finding,
// not a failed read), the query broker's throttling as HTTP 500, and the two kinds of 403.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { withSim } from './helpers.mjs'

const VPP = '/beta/deviceAppManagement/vppTokens'
const seed = JSON.stringify({
  pushCertificate: null,
  depTokens: [{ id: 'd9999999-0000-4000-8000-000000000009', tokenName: 'ABM' }],
})

test('real tenant answers: no push certificate, 500 throttling, the two 403s', () =>
  withSim({ seed }, async (sim, client) => {
    const report = await client.healthReport()
    assert.deepEqual(report.errors, [])
    const push = report.items.find((i) => i.id === 'applePushNotificationCertificate')
    assert.equal(push.severity, 'critical')
    assert.equal(push.problems[0].code, 'push.missing')
    assert.match(push.problems[0].message, /^no push certificate: no Apple device can be managed/)

    // clearFaults restarts the per-route call counts, so nth 1 is the next call.
    sim.clearFaults()
    sim.addFault({ method: 'GET', path: VPP, kind: 'queryBrokerThrottle', nth: 1 })
    assert.deepEqual(await client.vppTokens().toArray(), [])
    const statuses = sim.requestLog().filter((e) => e.path.startsWith(VPP)).map((e) => e.status)
    assert.deepEqual(statuses.slice(-2), [500, 200])

    sim.clearFaults()
    sim.addFault({ method: 'GET', path: VPP, kind: 'intuneRefused' })
    await assert.rejects(client.vppTokens().toArray(), (e) => {
      assert.equal(e.code, 'ERR_FORBIDDEN')
      assert.match(e.message, /Intune refused it/)
      assert.match(e.message, /scope tags/)
      assert.ok(!e.message.includes('\\"') && !e.message.includes('{"'), e.message)
      return true
    })
    sim.clearFaults()
    sim.addFault({ method: 'GET', path: VPP, kind: 'missingScope' })
    await assert.rejects(client.vppTokens().toArray(), (e) => {
      assert.equal(e.code, 'ERR_FORBIDDEN')
      assert.match(e.message, /Grant this permission/)
      assert.match(e.message, /DeviceManagementServiceConfiguration\.Read\.All/)
      return true
    })
  }))

test('the demo reports licences running out and a profile on a lapsed token', () =>
  withSim(async (sim, client) => {
    const report = await client.healthReport({ includeApps: true })
    const codes = report.items.flatMap((i) => i.problems.map((p) => p.code))
    assert.ok(codes.includes('vpp.company_portal_licences'), codes.join())
    assert.ok(codes.includes('dep.company_portal_token'), codes.join())
    const retail = report.items.find((i) => i.name === 'Contoso Retail ABM')
    assert.equal(retail.severity, 'critical')
  }))

// The Rust test's seed: a classic profile that breaks I14, a default settings-catalog policy,
// a kiosk policy that breaks I14 through its settings, a macOS policy that breaks M4, and one
// whose settings cannot be read.
const TOKEN = 'd9999999-0000-4000-8000-000000000009'
const checkSeed = readFileSync(
  new URL('../../intune-apple-core/tests/fixtures/seeds/profile-check.json', import.meta.url),
  'utf8',
)

test('validateTokenProfiles checks classic profiles and settings-catalog policies', () =>
  withSim({ seed: checkSeed }, async (sim, client) => {
    sim.addFault({
      method: 'GET',
      path: '/beta/deviceManagement/configurationPolicies/f9999999-0000-4000-8000-000000000005/settings',
      kind: 'intuneRefused',
    })
    const writes = sim.writesApplied
    const check = await client.validateTokenProfiles(TOKEN)
    assert.equal(check.tokenId, TOKEN)
    const byName = Object.fromEntries(check.profiles.map((p) => [p.displayName, p]))
    assert.equal(check.profiles.length, 5)
    assert.equal(byName['Classic iPhone'].settingsCatalog, false)
    assert.ok(byName['Classic iPhone'].violations.some((v) => v.code === 'I14'))
    const def = byName['Default iPad policy']
    assert.equal(def.platform, 'iOS')
    assert.deepEqual([def.violations, def.uncheckedSettings, def.error], [[], [], null])
    const kiosk = byName['Kiosk iPad policy']
    assert.ok(kiosk.violations.some((v) => v.code === 'I14' && v.path === 'ade_setupassistant_passcode'))
    assert.deepEqual(kiosk.uncheckedSettings, ['ade_setupassistant_somethingnew'])
    assert.ok(byName['Mac policy'].violations.some((v) => v.code === 'M4' && v.path === 'ade_accountsettings_restrictediting'))
    const unreadable = byName['Unreadable policy']
    assert.match(unreadable.error, /could not be read/)
    assert.ok(!unreadable.error.includes('\\"'), unreadable.error)
    assert.equal(check.hasErrors(), true)
    assert.equal(check.exitCode, 1)
    assert.match(check.toText(), /ade_setupassistant_passcode/)
    assert.deepEqual(JSON.parse(JSON.stringify(check)).profiles.length, 5)
    assert.equal(sim.writesApplied, writes)
  }))
