// The package exposes exactly the operations of bindings-manifest.json (written from the
// core's manifest), each under its camelCase name, and raises only the manifest's error codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as pkg from '../index.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const manifest = JSON.parse(fs.readFileSync(path.join(here, '../../bindings-manifest.json'), 'utf8'))
const present = (op) => !op.missingIn.includes('node')

// Exports that are classes or helpers rather than core operations.
const NOT_OPERATIONS = new Set([
  'Client', 'Simulator', 'AppleBusinessSimulator', 'IntuneAppleError', 'HealthReport', 'ImportedDevicePager',
  'EnrollmentProgramTokenPager', 'VppTokenPager', 'EnrollmentProfilePager', 'MobileAppPager',
  'AssignmentPager', 'ManagedIdentityCredential', 'WorkloadIdentityCredential', 'GitHubActionsCredential',
  'AzureCliCredential', 'DeviceCodeCredential', 'DefaultAzureCredential', 'ProfileReport', 'TokenProfilesCheck', 'default',
])
// Client members that are not core operations: construction and a read-only property.
const CLIENT_NOT_OPERATIONS = new Set(['constructor', 'graphRoot'])

test('the names are derived from the canonical name by rule', () => {
  for (const op of manifest.operations) {
    const camel = op.name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
    assert.equal(op.node, camel, op.name)
  }
})

test('Client has every client operation of the manifest and no other', () => {
  const listed = manifest.operations.filter((op) => op.surface === 'client')
  const members = Object.getOwnPropertyNames(pkg.Client.prototype).filter((n) => !CLIENT_NOT_OPERATIONS.has(n))
  for (const op of listed) {
    const has = typeof pkg.Client.prototype[op.node] === 'function'
    assert.equal(has, present(op), `${op.node}: ${present(op) ? 'missing' : 'now exposed: remove "node" from missingIn in manifest.rs'}`)
  }
  const expected = new Set(listed.filter(present).map((op) => op.node))
  const extra = members.filter((n) => !expected.has(n))
  assert.deepEqual(extra, [], 'Client members not in the manifest')
})

test('the package exports every module-level operation of the manifest and no other', () => {
  const listed = manifest.operations.filter((op) => op.surface === 'function')
  for (const op of listed) {
    assert.equal(typeof pkg[op.node] === 'function', present(op), op.node)
  }
  const expected = new Set(listed.filter(present).map((op) => op.node))
  const extra = Object.keys(pkg).filter((n) => !NOT_OPERATIONS.has(n) && !expected.has(n))
  assert.deepEqual(extra, [], 'exports not in the manifest')
})

test('every error code is the core code in the one Node form', () => {
  const header = fs.readFileSync(path.join(here, '../src/header.d.ts'), 'utf8')
  const union = header.match(/export type ErrorCode =([^;]*?)\n\n/s)[1]
  const declared = [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]).sort()
  const fromCore = manifest.errorCodes.map((e) => {
    assert.equal(e.node, 'ERR_' + e.code.toUpperCase())
    return e.node
  }).sort()
  assert.deepEqual(declared, fromCore)
})

test('an unknown locale is refused with ERR_INVALID_INPUT, as in Python', () => {
  assert.throws(() => pkg.renewalGuidance('vpp_token', null, 'german'), { code: 'ERR_INVALID_INPUT' })
  assert.throws(() => pkg.renewalGuidance('vpp_token', null, 'frx'), { code: 'ERR_INVALID_INPUT' })
  assert.equal(pkg.renewalGuidance('vpp_token', null, 'fr-CA').kind, 'vpp_token')
})

test('inspectBytes reads a file from its content', () => {
  const file = fs.readFileSync(path.join(here, '../../intune-apple-core/tests/fixtures/apple-samples/vpptoken/apple-doc-example.vpptoken'))
  const info = pkg.inspectBytes(file)
  assert.equal(info.kind, 'vppToken')
  assert.equal(info.vppToken.organizationName, 'ORG12345')
  assert.throws(() => pkg.inspectBytes(Buffer.from('')), { code: 'ERR_TOKEN_FILE' })
})

test('the enum unions of index.d.ts are the model\'s members, from the manifest', () => {
  const dts = fs.readFileSync(path.join(here, '../index.d.ts'), 'utf8')
  let checked = 0
  for (const [name, members] of Object.entries(manifest.enums)) {
    const m = dts.match(new RegExp(`^export type ${name} =(.*)$`, 'm'))
    if (!m) continue // not every model enum has a union of its own in Node
    const union = [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1])
    assert.deepEqual(union, members, `${name}: src/header.d.ts differs from the core's model`)
    checked++
  }
  assert.ok(checked >= 9, `only ${checked} unions found`)
})
