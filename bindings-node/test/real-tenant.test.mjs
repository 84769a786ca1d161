// Answers of real Intune tenants, reproduced by the simulator: no push certificate (a finding,
// not a failed read), the query broker's throttling as HTTP 500, and the two kinds of 403.
import { test } from 'node:test'
import assert from 'node:assert/strict'
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
