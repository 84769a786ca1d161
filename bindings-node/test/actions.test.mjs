// The remaining Graph actions of these resources, from Node, against the simulator: each
// reaches its route with its verb and answers as the core's client does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { IntuneAppleError } from '../index.mjs'
import { withSim, DEP_MAIN, VPP_MAIN, APP_OUTLOOK } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const P7M = path.resolve(here, '../../intune-apple-cli/data/ContosoABM_Token_2026-11-23T11-30-00Z_smime.p7m')
const posts = (sim, fragment) => sim.requestLog().filter((e) => e.method === 'POST' && e.path.includes(fragment)).map((e) => e.status)

test('expiringVppTokenCount matches the tokens', () =>
  withSim(async (sim, client) => {
    const before = new Date(Date.now() + 60 * 86_400_000)
    const tokens = await client.vppTokens().toArray()
    const expected = tokens.filter((t) => t.expirationDateTime && t.expirationDateTime < before).length
    assert.equal(await client.expiringVppTokenCount(before), expected)
    assert.ok(expected >= 2)
  }))

test('the licence actions reach their routes', () =>
  withSim(async (sim, client) => {
    await client.syncVppTokenLicenseCounts()
    assert.deepEqual(posts(sim, '/vppTokens/syncLicenseCounts'), [204])
    await client.revokeVppTokenLicensesWithUntracked(VPP_MAIN, false, true)
    assert.deepEqual(posts(sim, `/vppTokens/${VPP_MAIN}/revokeLicenses`), [204])
    await client.revokeAllAppLicenses(APP_OUTLOOK)
    await client.revokeAppDeviceLicense(APP_OUTLOOK, 'c0ffee00-0000-4000-8000-000000000001')
    await client.revokeAppUserLicense(APP_OUTLOOK, '0a1b2c3d-0000-4000-8000-000000000001', true)
    for (const action of ['revokeAllLicenses', 'revokeDeviceLicense', 'revokeUserLicense']) {
      assert.deepEqual(posts(sim, `/mobileApps/${APP_OUTLOOK}/microsoft.graph.iosVppApp/${action}`), [204], action)
    }
    await assert.rejects(client.revokeAllAppLicenses('00000000-0000-4000-8000-000000000000'),
      (e) => e instanceof IntuneAppleError && e.code === 'ERR_NOT_FOUND')
  }))

test('releaseAppleDevices sends the token file', () =>
  withSim(async (sim, client) => {
    await client.releaseAppleDevices(DEP_MAIN, fs.readFileSync(P7M, 'utf8'), ['C02XK0AAJG5H'])
    assert.equal(posts(sim, `/depOnboardingSettings/${DEP_MAIN}/releaseAppleDevices`).length, 1)
  }))

test('a first push set-up generates the signing request; a tenant with a certificate is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-csr-'))
  await withSim({ seed: JSON.stringify({ pushCertificate: null }) }, async (sim, client) => {
    const out = path.join(dir, 'first.csr')
    const done = await client.generatePushCsr(out)
    assert.equal(done.bytes, fs.readFileSync(out).length)
    assert.match(done.nextStep, /Create a Certificate/)
  })
  await withSim(async (sim, client) => {
    const out = path.join(dir, 'renewal.csr')
    await assert.rejects(client.generatePushCsr(out), (e) => e.code === 'ERR_RENEWAL_REFUSED' && /already has a push certificate/.test(e.message))
    assert.equal(fs.existsSync(out), false)
  })
})
