import { test } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import fs from 'node:fs'
import path from 'node:path'
import { Client, Simulator, IntuneAppleError } from '../index.mjs'
import { withSim, samples, VPP_MAIN } from './helpers.mjs'

test('the simulator: seeds, request log, writes, clock, page size, throttle, stop', async () => {
  const empty = Simulator.start({ seed: 'empty' })
  const client = new Client(empty.clientOptions())
  assert.deepEqual(await client.vppTokens().toArray(), [])
  await assert.rejects(client.getPushCertificate(), { code: 'ERR_NOT_FOUND' })
  empty.stop()
  assert.equal(empty.isRunning, false)
  assert.throws(() => empty.baseUrl, IntuneAppleError)

  const seeded = Simulator.start({ seed: JSON.stringify({ vppTokens: [{ id: 'v1', organizationName: 'Fabrikam', expiresInDays: 3 }] }) })
  const c2 = new Client(seeded.clientOptions())
  const [only] = await c2.vppTokens().toArray()
  assert.equal(only.organizationName, 'Fabrikam')
  seeded.stop()
  assert.throws(() => Simulator.start({ seed: '{"vppTokens": 3}' }), { code: 'ERR_INVALID_INPUT' })

  await withSim({ devices: 30, pageSize: 10 }, async (sim, c) => {
    assert.match(sim.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(sim.authorityHost, sim.baseUrl)
    assert.equal(typeof sim.tenantId, 'string')
    assert.equal(typeof sim.clientId, 'string')
    const [token] = await c.enrollmentProgramTokens().toArray()
    assert.equal((await c.importedDevices(token.id).toArray()).length, 30)
    const log = sim.requestLog()
    assert.ok(log.some((r) => r.method === 'POST' && r.path.includes('oauth2')))
    assert.equal(log.filter((r) => r.path.includes('importedAppleDeviceIdentities')).length, 3)
    assert.ok(log.every((r) => typeof r.status === 'number' && typeof r.bodySize === 'number' && typeof r.bearer === 'boolean'))
    sim.setPageSize(30)
    await c.importedDevices(token.id).toArray()
    assert.equal(sim.requestLog().filter((r) => r.path.includes('importedAppleDeviceIdentities')).length, 4)
    const t0 = sim.now
    sim.advance(60_000)
    assert.equal(sim.now.getTime(), t0.getTime() + 60_000)
    sim.setNow(new Date('2030-01-01T00:00:00Z'))
    assert.equal(sim.now.toISOString(), '2030-01-01T00:00:00.000Z')
    sim.addFault({ path: '/beta/*', kind: 'status', status: 500 })
    sim.clearFaults()
    sim.expireTokens()
    sim.setThrottle(false)
    sim.setAppThrottle(false)
    sim.setDepSyncDuration(0)
    assert.ok(sim.requestLog().some((r) => typeof r.clientRequestId === 'string'))
    assert.ok(sim.requestLog().every((r) => typeof r.applied === 'boolean'))
    assert.equal(sim.writesApplied, 0)
  })
})

test('no secret in util.inspect or JSON.stringify of any object or error', () =>
  withSim(async (sim) => {
    const options = sim.clientOptions()
    const secret = options.clientSecret
    const vppFile = fs.readFileSync(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), 'utf8').trim()
    const client = new Client(options)
    const tokenClient = new Client({ accessToken: 'bearer-token-value-123', baseUrl: options.baseUrl })
    const objects = [client, tokenClient, sim, client.importedDevices('x'), client.vppTokens()]
    objects.push(await client.getPushCertificate(), await client.vppTokens().toArray(), await client.vppApps().toArray())
    const created = await client.createVppToken({ token: vppFile, displayName: 'Secret test' })
    objects.push(created, await client.getVppToken(created.id))
    sim.addFault({ method: 'PATCH', path: '/beta/deviceAppManagement/vppTokens/*', kind: 'status', status: 400 })
    const errors = []
    await client.uploadVppToken(VPP_MAIN, vppFile).catch((e) => errors.push(e))
    await new Client({ ...options, clientSecret: 'another-secret-xyz' }).getPushCertificate().catch((e) => errors.push(e))
    await tokenClient.getPushCertificate().catch((e) => errors.push(e))
    await client.renewVppToken({ tokenFile: vppFile }).catch((e) => errors.push(e))
    const pem = fs.readFileSync(path.join(samples, 'synthetic/synthetic-push-new-cert-different-topic.pem'), 'utf8')
    await client.renewPushCertificate({ appleId: 'admin@contoso.example', pem }).catch((e) => errors.push(e))
    objects.push(await client.healthReport(), await client.repairDuplicateApps())
    assert.equal(errors.length, 5)
    for (const e of errors) assert.ok(e instanceof IntuneAppleError)
    for (const value of [...objects, ...errors]) {
      const shown = util.inspect(value, { depth: 10, showHidden: true }) + JSON.stringify(value) + String(value?.stack ?? '')
      const pemBody = pem.split('\n')[3]
      for (const s of [secret, 'another-secret-xyz', 'bearer-token-value-123', vppFile, vppFile.slice(20, 60), pemBody]) {
        assert.ok(!shown.includes(s), `a secret shows in ${shown.slice(0, 200)}`)
      }
    }
  }))
