// The names say which calls are checked: `renew*` is the checked workflow, `upload*` the raw
// Graph upload. A user who renews a VPP token the obvious way gets every guard.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { Client, IntuneAppleError } from '../index.mjs'
import { withSim, samples, VPP_MAIN } from './helpers.mjs'

/** A `.vpptoken` as Apple hands it out: one line of base64 of `{token, expDate, orgName}`. */
function vppTokenFile(orgName, expDate) {
  const body = JSON.stringify({ token: 'dGVzdC10b2tlbi1ub3QtZnJvbS1hcHBsZQ==', expDate, orgName })
  return Buffer.from(body).toString('base64')
}

const refused = (code) => (e) => {
  assert.ok(e instanceof IntuneAppleError)
  assert.equal(e.code, 'ERR_RENEWAL_REFUSED')
  assert.ok(e.reasons.some((r) => r.code === code), JSON.stringify(e.reasons))
  return true
}

test('renewVppToken refuses a .vpptoken of another organisation and writes nothing', () =>
  withSim(async (sim, client) => {
    const foreign = fs.readFileSync(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), 'utf8')
    const before = sim.writesApplied
    await assert.rejects(client.renewVppToken({ tokenFile: foreign }), refused('noTokenForOrganization'))
    assert.equal(sim.writesApplied, before)
    // The raw upload has no such guard: it is named upload*, and it does write.
    await client.uploadVppToken(VPP_MAIN, foreign)
    assert.equal(sim.writesApplied, before + 1)
  }))

test('renewVppToken refuses an expired .vpptoken of the right organisation and writes nothing', () =>
  withSim(async (sim, client) => {
    const expired = vppTokenFile('Contoso', '2024-02-29T23:59:59+0000')
    const before = sim.writesApplied
    await assert.rejects(
      client.renewVppToken({ tokenFile: expired, location: 'Headquarters' }),
      refused('alreadyExpired'))
    assert.equal(sim.writesApplied, before)
  }))

test('renewVppToken with a good file renews the token in place', () =>
  withSim(async (sim, client) => {
    const good = vppTokenFile('Contoso', '2030-11-08T22:33:22+0000')
    const before = sim.writesApplied
    const report = await client.renewVppToken({ tokenFile: good, location: 'Headquarters' })
    assert.equal(report.tokenId, VPP_MAIN)
    assert.equal(report.created, false)
    assert.ok(sim.writesApplied > before)
  }))

test('each kind has a checked renew* and a raw upload*, and no other renew name', () => {
  const names = Object.getOwnPropertyNames(Client.prototype)
  for (const kind of ['PushCertificate', 'EnrollmentProgramToken', 'VppToken']) {
    assert.ok(names.includes('renew' + kind), 'renew' + kind)
    assert.ok(names.includes('upload' + kind), 'upload' + kind)
  }
  assert.deepEqual(names.filter((n) => n.startsWith('renew')).sort(),
    ['renewEnrollmentProgramToken', 'renewPushCertificate', 'renewVppToken'])
})
