import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import {
  pushCertificateHealth, enrollmentProgramTokenHealth, vppTokenHealth, renewalGuidance,
  decideSync, validateEnrollmentProfile, validateDeviceNameTemplate, inspect,
  checkPushCertificateRenewal, checkVppTokenRenewal, checkEnrollmentProgramTokenFile,
  vppTokenUsable, supersededTokens, findDuplicateApps, assignmentKey, planAssignments,
  IntuneAppleError,
} from '../index.mjs'
import { withSim, samples, DEP_RETAIL, VPP_MAIN } from './helpers.mjs'

const VPP_EXPIRED = 'a3333333-0000-4000-8000-000000000003'

const DAY = 86_400_000

test('health of the push certificate, enrollment program and VPP tokens from the simulator', () =>
  withSim(async (sim, client) => {
    const now = sim.now
    const push = pushCertificateHealth(await client.getPushCertificate(), { now })
    assert.equal(push.kind, 'push_certificate')
    assert.equal(push.severity, 'warning')
    assert.equal(push.daysLeft, 20)
    assert.ok(push.expiresAt instanceof Date)
    assert.ok(push.problems.length > 0)
    const retail = enrollmentProgramTokenHealth(await client.getEnrollmentProgramToken(DEP_RETAIL), { now })
    assert.ok(retail.problems.some((p) => p.code === 'dep.sync_error_terms'))
    const vpp = await client.vppTokens().toArray()
    const severities = vpp.map((t) => vppTokenHealth(t, { now }).severity)
    assert.ok(severities.includes('expired'))
    const strict = pushCertificateHealth(await client.getPushCertificate(), { now, pushCertificate: { warningDays: 10, criticalDays: 5 }, locale: 'fr' })
    assert.equal(strict.severity, 'ok')
  }))

test('renewal guidance in English and French', () => {
  const en = renewalGuidance('push_certificate', 'admin@contoso.example')
  assert.equal(en.kind, 'push_certificate')
  assert.ok(en.renewalSteps.length > 0)
  const fr = renewalGuidance('vpp_token', null, 'fr')
  assert.notEqual(fr.consequence, renewalGuidance('vpp_token').consequence)
  assert.throws(() => renewalGuidance('passport'), (e) => e instanceof IntuneAppleError && e.code === 'ERR_INVALID_INPUT')
})

test('sync rules: too soon, then allowed 15 minutes later', () => {
  const now = new Date('2026-11-23T10:00:00Z')
  const times = { lastTriggered: new Date(now.getTime() - 5 * 60_000), lastSuccessful: new Date(now.getTime() - 5 * 60_000) }
  const denied = decideSync(times, { now })
  assert.equal(denied.allowed, false)
  assert.equal(denied.reason, 'sync.too_soon')
  assert.equal(denied.nextAllowedAt.getTime(), now.getTime() + 10 * 60_000)
  assert.deepEqual(decideSync(times, { now: denied.nextAllowedAt }), { allowed: true })
  const full = decideSync({ ...times, lastFull: new Date(now.getTime() - DAY) }, { now: denied.nextAllowedAt, kind: 'full' })
  assert.equal(full.reason, 'sync.full_sync_too_soon')
  assert.equal(decideSync({}, { macos: true }).allowed, true)
})

test('profile validation returns every violation, with paths', () =>
  withSim(async (sim, client) => {
    const violations = validateEnrollmentProfile({
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile',
      displayName: 'Broken',
      profileRemovalDisabled: true,
      supervisedModeEnabled: false,
      deviceNameTemplate: '{{NOPE}}',
    }, { vppTokens: await client.vppTokens().toArray(), now: sim.now })
    assert.ok(violations.length >= 2)
    for (const v of violations) {
      assert.match(v.severity, /^(warning|error)$/)
      assert.equal(typeof v.path, 'string')
    }
    assert.ok(violations.some((v) => v.path === 'profileRemovalDisabled'))
    const [profile] = await client.enrollmentProfiles(DEP_RETAIL).toArray()
    assert.ok(Array.isArray(validateEnrollmentProfile(profile, { profilesOnToken: 1, profileLimit: 1000 })))
    assert.ok(validateDeviceNameTemplate('{{NOPE}}').length > 0)
    assert.deepEqual(validateDeviceNameTemplate('iPhone-{{SERIAL}}'), [])
  }))

test('inspect recognises the three Apple files by content', () => {
  const vpp = inspect(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'))
  assert.equal(vpp.kind, 'vppToken')
  assert.equal(vpp.vppToken.organizationName, 'ORG12345')
  assert.equal(vpp.vppToken.expires.toISOString(), '2030-11-08T22:33:22.000Z')
  const push = inspect(path.join(samples, 'synthetic/synthetic-push-original.pem'))
  assert.equal(push.kind, 'pushCertificate')
  assert.match(push.pushCertificate.topic, /^com\.apple\.mgmt\.External\./)
  assert.ok(push.pushCertificate.notAfter instanceof Date)
  const dep = inspect(path.join(samples, 'synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m'))
  assert.equal(dep.kind, 'depToken')
  assert.equal(dep.depToken.serverNameFromFileName, 'TestServer')
  assert.ok(dep.depToken.recipients.length > 0)
})

test('renewal checks: push certificate, .vpptoken, .p7m recipient', () =>
  withSim(async (sim, client) => {
    const current = {
      topicIdentifier: inspect(path.join(samples, 'synthetic/synthetic-push-original.pem')).pushCertificate.topic,
      appleIdentifier: 'admin@contoso.example',
      expirationDateTime: new Date('2026-12-01T00:00:00Z'),
    }
    const warnings = checkPushCertificateRenewal(current, path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem'), {
      now: new Date('2026-11-23T00:00:00Z'), appleId: 'someone.else@contoso.example',
    })
    assert.ok(warnings.includes('appleIdDiffers'))
    const tokens = await client.vppTokens().toArray()
    const check = checkVppTokenRenewal(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), tokens, { now: sim.now })
    assert.equal(check.ok, false)
    assert.ok(check.flags.some((f) => f.kind === 'otherOrganization'))
    const renewable = checkVppTokenRenewal(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'),
      [{ id: VPP_MAIN, organizationName: 'ORG12345', expirationDateTime: new Date('2027-01-01T00:00:00Z') }], { now: sim.now })
    assert.equal(renewable.renewsTokenId, VPP_MAIN)
    assert.equal(renewable.ok, true)
    const fs = await import('node:fs')
    const depCert = fs.readFileSync(path.join(samples, 'synthetic/test-dep-cert.pem'), 'utf8')
    const p7m = path.join(samples, 'synthetic/TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m')
    assert.equal(checkEnrollmentProgramTokenFile(p7m, depCert), true)
    const other = await client.getEncryptionPublicKey(DEP_RETAIL)
    assert.equal(checkEnrollmentProgramTokenFile(p7m, other), false)
  }))

test('duplicate-app rules: usable tokens, superseded tokens, duplicates and the assignment plan', () =>
  withSim(async (sim, client) => {
    const tokens = await client.vppTokens().toArray()
    const apps = await client.vppApps().toArray()
    assert.equal(vppTokenUsable(await client.getVppToken(VPP_MAIN)), true)
    assert.equal(vppTokenUsable(await client.getVppToken(VPP_EXPIRED)), false)
    const roles = supersededTokens(tokens)
    assert.deepEqual(roles.superseded.map((s) => [s.tokenId, s.location]), [[VPP_EXPIRED, 'Warehouse']])
    const findings = findDuplicateApps(tokens, apps)
    assert.deepEqual(findings.duplicates.map((d) => d.bundleId), ['com.readdle.Scanner'])
    assert.deepEqual(findings.tokens, roles)
    const dup = findings.duplicates[0]
    assert.notEqual(dup.target.vppTokenId, VPP_EXPIRED)
    assert.deepEqual(dup.sources.map((a) => a.vppTokenId), [VPP_EXPIRED])
    const old = await client.appAssignments(dup.sources[0].appId).toArray()
    const current = await client.appAssignments(dup.target.appId).toArray()
    const key = assignmentKey(old[0])
    assert.equal(key.targetType, 'group')
    assert.equal(assignmentKey({ intent: 'required' }), null)
    const plan = planAssignments(current, old)
    assert.equal(plan.toCopy.length, 1)
    assert.deepEqual(assignmentKey(plan.toCopy[0]), key)
    assert.equal(plan.merged.length, current.length + 1)
    // The same rules the repair workflow follows: its dry run plans the same copy.
    const repair = await client.repairDuplicateApps(false)
    assert.deepEqual(repair.apps.map((a) => a.bundleId), ['com.readdle.Scanner'])
    assert.throws(() => planAssignments([{ target: 'not an object' }], []), IntuneAppleError)
  }))
