import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Client, IntuneAppleError } from '../index.mjs'
import { withSim, samples, DEP_MAIN, DEP_RETAIL, VPP_MAIN, APP_OUTLOOK, GROUP_ALL } from './helpers.mjs'

test('push certificate: read, CSR, upload, data-sharing consent', () =>
  withSim(async (sim, client) => {
    const cert = await client.getPushCertificate()
    assert.match(cert.topicIdentifier, /^com\.apple\.mgmt\.External\./)
    assert.ok(cert.expirationDateTime instanceof Date)
    assert.equal(cert.appleIdentifier, 'admin@contoso.example')
    assert.equal('certificate' in cert, false)
    const csr = await client.downloadPushCertificateCsr()
    assert.ok(csr.length > 20)
    const pem = fs.readFileSync(path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem'), 'utf8')
    const before = sim.writesApplied
    const uploaded = await client.uploadPushCertificate('admin@contoso.example', pem)
    assert.ok(uploaded.expirationDateTime instanceof Date)
    assert.equal(sim.writesApplied, before + 1)
    const consent = await client.getDataSharingConsent()
    assert.equal(typeof consent.granted, 'boolean')
    const granted = await client.grantDataSharingConsent()
    assert.equal(granted.granted, true)
  }))

test('enrollment program tokens: list, get, keys, create, upload, share, sync, delete', () =>
  withSim(async (sim, client) => {
    const tokens = await client.enrollmentProgramTokens().toArray()
    assert.deepEqual(tokens.map((t) => t.id).sort(), [DEP_MAIN, DEP_RETAIL])
    const main = await client.getEnrollmentProgramToken(DEP_MAIN)
    assert.equal(main.tokenName, 'Contoso ABM')
    assert.ok(main.tokenExpirationDateTime instanceof Date)
    assert.equal(main.lastSyncErrorCode, 0)
    const key = await client.getEncryptionPublicKey(DEP_MAIN)
    assert.match(key, /BEGIN CERTIFICATE/)
    const created = await client.createEnrollmentProgramToken('New ABM token')
    assert.equal(created.tokenName, 'New ABM token')
    const newKey = await client.generateEncryptionPublicKey(created.id)
    assert.match(newKey, /BEGIN CERTIFICATE/)
    const p7m = fs.readFileSync(path.join(samples, 'synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m'), 'utf8')
    await client.uploadEnrollmentProgramToken(created.id, 'abm@contoso.example', p7m)
    const uploaded = await client.getEnrollmentProgramToken(created.id)
    assert.ok(uploaded.tokenExpirationDateTime > sim.now)
    await client.shareForSchoolDataSync(DEP_MAIN)
    await client.unshareForSchoolDataSync(DEP_MAIN)
    await client.syncEnrollmentProgramToken(DEP_MAIN)
    const synced = await client.getEnrollmentProgramToken(DEP_MAIN)
    assert.equal(synced.lastSyncTriggeredDateTime.getTime(), sim.now.getTime())
    await client.deleteEnrollmentProgramToken(created.id)
    await assert.rejects(client.getEnrollmentProgramToken(created.id), { code: 'ERR_NOT_FOUND' })
  }))

test('enrollment profiles: list, get, create, update, default, assign, export, delete', () =>
  withSim(async (sim, client) => {
    const profiles = await client.enrollmentProfiles(DEP_MAIN).toArray()
    assert.equal(profiles.length, 2)
    const iphone = profiles.find((p) => p.displayName === 'Corporate iPhone')
    assert.ok(iphone)
    assert.equal(iphone['@odata.type'], '#microsoft.graph.depIOSEnrollmentProfile')
    const one = await client.getEnrollmentProfile(DEP_MAIN, iphone.id)
    assert.equal(one.id, iphone.id)
    const created = await client.createEnrollmentProfile(DEP_MAIN, {
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile',
      displayName: 'Kiosk iPad',
      supervisedModeEnabled: true,
    })
    assert.equal(created.displayName, 'Kiosk iPad')
    await client.updateEnrollmentProfile(DEP_MAIN, created.id, {
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile',
      description: 'front desk',
    })
    const patch = sim.requestLog().at(-1)
    assert.equal(patch.method, 'PATCH')
    assert.ok(patch.status >= 200 && patch.status < 300)
    await client.setDefaultEnrollmentProfile(DEP_MAIN, created.id)
    const serials = (await client.importedDevices(DEP_MAIN).toArray()).slice(0, 3).map((d) => d.serialNumber)
    const batches = await client.assignEnrollmentProfile(DEP_MAIN, created.id, serials)
    assert.equal(batches.length, 1)
    assert.equal(batches[0].ok, true)
    assert.deepEqual(batches[0].serialNumbers, serials)
    const [device] = await client.findImportedDevices(DEP_MAIN, serials[0]).toArray()
    assert.equal(device.requestedEnrollmentProfileId, created.id)
    const mobileconfig = await client.exportMobileConfig(DEP_MAIN, created.id)
    assert.ok(mobileconfig.length > 0)
    await client.deleteEnrollmentProfile(DEP_MAIN, created.id)
    await assert.rejects(client.getEnrollmentProfile(DEP_MAIN, created.id), IntuneAppleError)
  }))

test('a failed assignment batch carries an IntuneAppleError, the others still apply', () =>
  withSim(async (sim, client) => {
    const profiles = await client.enrollmentProfiles(DEP_MAIN).toArray()
    const serials = Array.from({ length: 1500 }, (_, i) => `S${i}`)
    sim.addFault({ method: 'POST', path: '/beta/deviceManagement/depOnboardingSettings/*', nth: 1, kind: 'status', status: 400 })
    const batches = await client.assignEnrollmentProfile(DEP_MAIN, profiles[0].id, serials)
    assert.equal(batches.length, 2)
    assert.equal(batches[0].ok, false)
    assert.ok(batches[0].error instanceof IntuneAppleError)
    assert.equal(batches[0].error.code, 'ERR_INVALID_INPUT')
    assert.equal(batches[1].ok, true)
    assert.equal(batches[1].error, undefined)
  }))

test('imported devices: for await with progress, find, import, delete', () =>
  withSim(async (sim, client) => {
    const seen = []
    let n = 0
    for await (const d of client.importedDevices(DEP_MAIN, { onProgress: (p) => seen.push(p) })) {
      assert.equal(typeof d.serialNumber, 'string')
      n++
    }
    assert.equal(n, 250)
    assert.deepEqual(seen.at(-1), { items: 250, pages: 3 })
    const results = await client.importDevices(DEP_RETAIL, [
      { serialNumber: 'NEWSERIAL001', platform: 'ios', description: 'spare' },
      { serialNumber: 'D20000000001' },
    ])
    assert.equal(results.length, 2)
    assert.equal(results[0].status, true)
    assert.equal(results[0].platform, 'ios')
    const [first] = await client.importedDevices(DEP_RETAIL).toArray()
    const [found] = await client.findImportedDevices(DEP_RETAIL, first.serialNumber).toArray()
    assert.equal(found.id, first.id)
    await client.deleteImportedDevice(DEP_RETAIL, found.id)
    assert.deepEqual(await client.findImportedDevices(DEP_RETAIL, first.serialNumber).toArray(), [])
  }))

const DEVICE_FIELDS = [
  'id',
  'serialNumber',
  'requestedEnrollmentProfileId',
  'requestedEnrollmentProfileAssignmentDateTime',
  'isSupervised',
  'discoverySource',
  'isDeleted',
  'createdDateTime',
  'lastContactedDateTime',
  'description',
  'enrollmentState',
  'platform',
]

test('imported devices are plain objects: fields in order, absent ones left out, Dates for times', () =>
  withSim(async (sim, client) => {
    const devices = await client.importedDevices(DEP_MAIN).toArray()
    assert.equal(devices.length, 250)
    for (const d of devices) {
      assert.equal(Object.getPrototypeOf(d), Object.prototype)
      const keys = Object.keys(d)
      assert.deepEqual(keys, DEVICE_FIELDS.filter((k) => keys.includes(k)))
      assert.ok(d.createdDateTime instanceof Date && !Number.isNaN(d.createdDateTime.getTime()))
      assert.ok(d.lastContactedDateTime instanceof Date)
      assert.equal(typeof d.isSupervised, 'boolean')
      assert.equal(typeof d.isDeleted, 'boolean')
    }
    // the never-assigned sentinel time (0001-01-01) is left out, not an odd Date
    assert.ok(devices.some((d) => !('requestedEnrollmentProfileAssignmentDateTime' in d)))
    const unicode = 'caf\u00e9 \u2603 "quoted" \\ \u{1F600}'
    await client.importDevices(DEP_RETAIL, [{ serialNumber: 'ROWSERIAL001', platform: 'macOS', description: unicode }])
    const [found] = await client.findImportedDevices(DEP_RETAIL, 'ROWSERIAL001').toArray()
    assert.equal(found.serialNumber, 'ROWSERIAL001')
    assert.equal(found.description, unicode)
    assert.equal(found.platform, 'macOS')
    assert.ok(found.createdDateTime instanceof Date)
    const profiles = await client.enrollmentProfiles(DEP_MAIN).toArray()
    await client.assignEnrollmentProfile(DEP_MAIN, profiles[0].id, [devices[0].serialNumber])
    const [assigned] = await client.findImportedDevices(DEP_MAIN, devices[0].serialNumber).toArray()
    assert.equal(assigned.requestedEnrollmentProfileId, profiles[0].id)
    assert.ok(assigned.requestedEnrollmentProfileAssignmentDateTime instanceof Date)
    assert.equal(assigned.requestedEnrollmentProfileAssignmentDateTime.getTime(), sim.now.getTime())
  }))

test('imported devices built from rows equal the ones N-API builds field by field', () =>
  withSim(async (sim, client) => {
    const fromRows = [
      ...(await client.importedDevices(DEP_MAIN).toArray()),
      ...(await client.importedDevices(DEP_RETAIL).toArray()),
    ]
    // native.js on its own (no index.js in that environment) has no row builder registered
    const native = fileURLToPath(new URL('../native.js', import.meta.url))
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads')
      const { Client } = require(workerData.native)
      async function all(pager) {
        const out = []
        for (;;) {
          const page = await pager.nextPage()
          if (page === null) return out
          out.push(...page)
        }
      }
      ;(async () => {
        const client = new Client(workerData.options)
        const out = []
        for (const id of workerData.tokens) out.push(...(await all(client.importedDevices(id))))
        parentPort.postMessage(out)
      })()`,
      { eval: true, workerData: { native, options: sim.clientOptions(), tokens: [DEP_MAIN, DEP_RETAIL] } },
    )
    try {
      const typed = await new Promise((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      assert.equal(typed.length, fromRows.length)
      assert.deepEqual(fromRows, typed)
      for (let i = 0; i < typed.length; i++) assert.deepEqual(Object.keys(fromRows[i]), Object.keys(typed[i]))
    } finally {
      await worker.terminate()
    }
  }))

test('for await over a pager: calls queue in order, return ends it, a failed page ends the loop', () =>
  withSim(async (sim, client) => {
    const all = await client.importedDevices(DEP_MAIN).toArray()
    const it = client.importedDevices(DEP_MAIN)[Symbol.asyncIterator]()
    const firstThree = await Promise.all([it.next(), it.next(), it.next()])
    assert.deepEqual(
      firstThree.map((r) => r.value.serialNumber),
      all.slice(0, 3).map((d) => d.serialNumber),
    )
    assert.deepEqual(await it.return(), { value: undefined, done: true })
    assert.deepEqual(await it.next(), { value: undefined, done: true })
    let n = 0
    for await (const d of client.importedDevices(DEP_MAIN)) {
      assert.equal(d.serialNumber, all[n].serialNumber)
      if (++n === 150) break
    }
    assert.equal(n, 150)
    // A fresh tenant for the failing listing: the listings left above may still have a page
    // request in flight (pages are fetched ahead), which would count as a call of the route.
    await withSim(async (failingSim, failingClient) => {
      failingSim.addFault({
        method: 'GET',
        path: `/beta/deviceManagement/depOnboardingSettings/${DEP_MAIN}/importedAppleDeviceIdentities`,
        nth: 2,
        kind: 'status',
        status: 400,
      })
      const failing = failingClient.importedDevices(DEP_MAIN)[Symbol.asyncIterator]()
      let seen = 0
      await assert.rejects(async () => {
        for (;;) {
          const r = await failing.next()
          if (r.done) break
          seen++
        }
      }, IntuneAppleError)
      assert.ok(seen > 0 && seen < all.length)
      assert.deepEqual(await failing.next(), { value: undefined, done: true })
    })
  }))

test('VPP tokens: list, get, create, renew, sync, revoke, licenses, delete', () =>
  withSim(async (sim, client) => {
    const tokens = await client.vppTokens().toArray()
    assert.equal(tokens.length, 4)
    for (const t of tokens) assert.equal('token' in t, false)
    const main = await client.getVppToken(VPP_MAIN)
    assert.equal(main.locationName, 'Headquarters')
    assert.equal(main.state, 'valid')
    const file = fs.readFileSync(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), 'utf8')
    const created = await client.createVppToken({ token: file, displayName: 'New location', countryOrRegion: 'us' })
    assert.equal(typeof created.id, 'string')
    await client.uploadVppToken(created.id, file)
    const synced = await client.syncVppTokenLicenses(VPP_MAIN)
    assert.ok(synced.lastSyncDateTime instanceof Date)
    await client.revokeVppTokenLicenses(VPP_MAIN, false)
    const licenses = await client.vppLicensesForApp('com.readdle.Scanner')
    assert.ok(Array.isArray(licenses))
    await client.deleteVppToken(created.id)
    await assert.rejects(client.getVppToken(created.id), { code: 'ERR_NOT_FOUND' })
  }))

test('VPP apps: list, by token, get, assignments, assign', () =>
  withSim(async (sim, client) => {
    const apps = await client.vppApps().toArray()
    assert.equal(apps.length, 5)
    const byToken = await client.vppAppsForToken(VPP_MAIN).toArray()
    assert.deepEqual(byToken.map((a) => a.id), [APP_OUTLOOK])
    const outlook = await client.getVppApp(APP_OUTLOOK)
    assert.equal(outlook.bundleId, 'com.microsoft.Office.Outlook')
    const assignments = await client.appAssignments(APP_OUTLOOK).toArray()
    assert.equal(assignments.length, 1)
    assert.equal(assignments[0].target.groupId, GROUP_ALL)
    await client.assignApp(APP_OUTLOOK, [
      { '@odata.type': '#microsoft.graph.mobileAppAssignment', intent: 'required',
        target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: GROUP_ALL } },
      { '@odata.type': '#microsoft.graph.mobileAppAssignment', intent: 'available',
        target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } },
    ])
    assert.equal((await client.appAssignments(APP_OUTLOOK).toArray()).length, 2)
  }))

test('for await over 10,000 imported devices, one page of objects per step', (t) =>
  withSim({ devices: 10000, pageSize: 1000 }, async (sim, client) => {
    const [token] = await client.enrollmentProgramTokens().toArray()
    const started = performance.now()
    let n = 0
    let pages = 0
    const serials = new Set()
    for await (const d of client.importedDevices(token.id, { onProgress: (p) => (pages = p.pages) })) {
      serials.add(d.serialNumber)
      n++
    }
    assert.equal(n, 10000)
    assert.equal(serials.size, 10000)
    assert.equal(pages, 10)
    t.diagnostic(`10,000 devices in ${Math.round(performance.now() - started)} ms`)
  }))

test('20 calls overlap: each delayed 200 ms, all done well under 4 s', (t) =>
  withSim(async (sim, client) => {
    await client.getPushCertificate() // token fetched once
    sim.addFault({ method: 'GET', path: '/beta/deviceManagement/applePushNotificationCertificate', kind: 'delay', ms: 200 })
    const started = performance.now()
    const all = await Promise.all(Array.from({ length: 20 }, () => client.getPushCertificate()))
    const elapsed = performance.now() - started
    assert.equal(all.length, 20)
    assert.ok(elapsed < 2000, `20 delayed calls took ${elapsed} ms`)
    t.diagnostic(`20 calls delayed 200 ms each: ${Math.round(elapsed)} ms in all`)
  }))

test('Client.fromEnv reads the Azure SDK variables', () =>
  withSim(async (sim) => {
    const keep = { ...process.env }
    try {
      const o = sim.clientOptions()
      process.env.AZURE_TENANT_ID = o.tenantId
      process.env.AZURE_CLIENT_ID = o.clientId
      process.env.AZURE_CLIENT_SECRET = o.clientSecret
      process.env.AZURE_AUTHORITY_HOST = o.authorityHost
      process.env.INTUNE_APPLE_GRAPH_URL = o.baseUrl
      const client = Client.fromEnv()
      assert.equal(client.graphRoot, `${o.baseUrl}/`)
      const cert = await client.getPushCertificate()
      assert.ok(cert.topicIdentifier)
      delete process.env.AZURE_TENANT_ID
      delete process.env.INTUNE_APPLE_GRAPH_URL
      assert.throws(() => Client.fromEnv(), (e) => e instanceof IntuneAppleError && e.code === 'ERR_CONFIGURATION' && /AZURE_TENANT_ID/.test(e.message))
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in keep)) delete process.env[k]
      Object.assign(process.env, keep)
    }
  }))

test('a client with a certificate, an access token, options for cloud, timeouts and retries', () =>
  withSim(async (sim) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-'))
    const pemPath = path.join(dir, 'app.pem')
    fs.writeFileSync(pemPath, sim.certificateClientPem())
    const o = sim.clientOptions()
    const client = new Client({
      tenantId: o.tenantId,
      clientId: sim.certificateClientId,
      certificatePath: pemPath,
      baseUrl: o.baseUrl,
      authorityHost: o.authorityHost,
      cloud: 'global',
      timeouts: { attemptMs: 5000, connectMs: 1000, operationMs: 10000 },
      retries: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, totalBudgetMs: 1000 },
      userAgent: 'tests/1.0',
    })
    assert.ok((await client.getPushCertificate()).topicIdentifier)
    const usGov = new Client({ accessToken: 'x', cloud: 'usgov' })
    assert.equal(usGov.graphRoot, 'https://graph.microsoft.us/')
    const bad = new Client({ accessToken: 'not-a-token', baseUrl: o.baseUrl })
    await assert.rejects(bad.getPushCertificate(), { code: 'ERR_UNAUTHORIZED' })
    fs.rmSync(dir, { recursive: true })
  }))

test('a certificate in a PKCS#12 file or with an encrypted key, with its password', () =>
  withSim(async (sim) => {
    const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../intune-apple-sim/fixtures')
    const o = sim.clientOptions()
    const base = { tenantId: o.tenantId, clientId: sim.certificateClientId, baseUrl: o.baseUrl, authorityHost: o.authorityHost }
    for (const [file, certificatePassword] of [
      ['client-aes.pfx', 'sim-test-password'],
      ['client-3des.pfx', 'sim-test-password'],
      ['client-rc2.pfx', 'sim-test-password'],
      ['client-nopassword.pfx', undefined],
      ['client-encrypted-key.pem', 'sim-test-password'],
    ]) {
      const client = new Client({ ...base, certificatePath: path.join(fixtures, file), certificatePassword })
      assert.ok((await client.getPushCertificate()).topicIdentifier, file)
    }
    const pfx = path.join(fixtures, 'client-aes.pfx')
    // The contents instead of the path: PFX bytes (a secret store's value), or PEM text.
    const fromBuffer = new Client({ ...base, certificate: fs.readFileSync(pfx), certificatePassword: 'sim-test-password' })
    assert.ok((await fromBuffer.getPushCertificate()).topicIdentifier)
    const fromText = new Client({ ...base, certificate: sim.certificateClientPem() })
    assert.ok((await fromText.getPushCertificate()).topicIdentifier)
    assert.throws(() => new Client({ ...base, certificate: Buffer.from('not a certificate') }), { code: 'ERR_CONFIGURATION' })
    assert.throws(() => new Client({ ...base, certificatePath: pfx, certificatePassword: 'hunter2-wrong' }), (e) => {
      assert.equal(e.code, 'ERR_CONFIGURATION')
      assert.ok(e.message.includes(pfx) && e.message.includes('password does not open'), e.message)
      assert.ok(!e.message.includes('hunter2-wrong'))
      return true
    })
  }))

test('the ESM and CommonJS entry points export the same names', async () => {
  const { createRequire } = await import('node:module')
  const cjs = createRequire(import.meta.url)('../index.js')
  const esm = await import('../index.mjs')
  const names = Object.keys(cjs).filter((k) => !k.startsWith('__')).sort()
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), names)
  assert.equal(esm.default, cjs)
})

test('a macOS token syncs under the macOS rules, and a second sync is still too soon', () =>
  withSim(async (sim, client) => {
    await client.syncEnrollmentProgramToken(DEP_MAIN, { macos: true })
    await assert.rejects(client.syncEnrollmentProgramToken(DEP_MAIN, { macos: true }), { code: 'ERR_SYNC_TOO_SOON' })
  }))
