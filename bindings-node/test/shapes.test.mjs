// The workflow reports' TypeScript shapes in src/header.d.ts are written by hand: this test
// holds them to what the addon returns. Each report from a real workflow run is walked along
// its declared type (read from index.d.ts with the TypeScript compiler): every key it has is
// declared, every declared key is there (unless optional), and each value has the declared
// kind (string, number, boolean, Date, null, array, object).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { Client, Simulator, inspect } from '../index.mjs'
import { withSim, samples, DEP_MAIN, DEP_RETAIL } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const dts = ts.createSourceFile('index.d.ts', fs.readFileSync(path.join(here, '../index.d.ts'), 'utf8'), ts.ScriptTarget.Latest, true)
const interfaces = new Map()
for (const statement of dts.statements) {
  if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement)
}

function propertyName(member) {
  return ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(dts)
}

/** Checks `value` against the members of an interface or type literal; `where` names the path. */
function checkMembers(value, members, where) {
  assert.equal(typeof value, 'object', `${where} is an object`)
  assert.ok(value !== null && !Array.isArray(value), `${where} is an object`)
  const open = members.some((m) => ts.isIndexSignatureDeclaration(m))
  const declared = new Map()
  for (const m of members) if (ts.isPropertySignature(m)) declared.set(propertyName(m), m)
  for (const key of Object.keys(value)) {
    if (!declared.has(key)) assert.ok(open, `${where}.${key} is returned but not declared`)
  }
  for (const [key, m] of declared) {
    if (!(key in value) || value[key] === undefined) {
      assert.ok(m.questionToken, `${where}.${key} is declared but not returned`)
      continue
    }
    checkType(value[key], m.type, `${where}.${key}`)
  }
}

function checkType(value, type, where) {
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword:
      return assert.equal(typeof value, 'string', where)
    case ts.SyntaxKind.NumberKeyword:
      return assert.equal(typeof value, 'number', where)
    case ts.SyntaxKind.BooleanKeyword:
      return assert.equal(typeof value, 'boolean', where)
    case ts.SyntaxKind.UnknownKeyword:
      return undefined
    case ts.SyntaxKind.LiteralType:
      if (type.literal.kind === ts.SyntaxKind.NullKeyword) return assert.equal(value, null, where)
      return assert.equal(value, type.literal.text, where)
    case ts.SyntaxKind.UnionType: {
      const failures = []
      for (const alternative of type.types) {
        try {
          checkType(value, alternative, where)
          return undefined
        } catch (e) {
          failures.push(e.message)
        }
      }
      return assert.fail(`${where}: ${JSON.stringify(value)} matches none of ${type.getText(dts)} (${failures.join('; ')})`)
    }
    case ts.SyntaxKind.ArrayType:
      assert.ok(Array.isArray(value), `${where} is an array`)
      return value.forEach((v, i) => checkType(v, type.elementType, `${where}[${i}]`))
    case ts.SyntaxKind.TypeLiteral:
      return checkMembers(value, type.members, where)
    case ts.SyntaxKind.TypeReference: {
      const name = type.typeName.getText(dts)
      if (name === 'Array' || name === 'ReadonlyArray') {
        assert.ok(Array.isArray(value), `${where} is an array`)
        return value.forEach((v, i) => checkType(v, type.typeArguments[0], `${where}[${i}]`))
      }
      if (name === 'Date') return assert.ok(value instanceof Date, `${where} is a Date`)
      const declaration = interfaces.get(name)
      if (declaration) return checkMembers(value, declaration.members, where)
      // A type alias (a union of string literals such as Severity): the value is text.
      return assert.equal(typeof value, 'string', `${where} (${name})`)
    }
    default:
      return assert.fail(`${where}: the test does not know the type ${type.getText(dts)}`)
  }
}

function conforms(value, interfaceName) {
  const declaration = interfaces.get(interfaceName)
  assert.ok(declaration, `index.d.ts declares ${interfaceName}`)
  checkMembers(value, declaration.members, interfaceName)
}

test('renewal reports and the CSR download have their declared shapes', async () => {
  const renewedPem = path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem')
  const topic = inspect(renewedPem).pushCertificate.topic
  const seed = {
    pushCertificate: { appleIdentifier: 'admin@contoso.example', topicIdentifier: topic, expiresInDays: 5 },
    vppTokens: [{ id: 'v1', organizationName: 'ORG12345', locationName: 'Main', displayName: 'Main', expiresInDays: 10, state: 'valid' }],
  }
  const sim = Simulator.start({ seed: JSON.stringify(seed) })
  try {
    const client = new Client(sim.clientOptions())
    conforms(await client.renewPushCertificate({ appleId: 'admin@contoso.example', pem: fs.readFileSync(renewedPem, 'utf8') }), 'PushRenewalReport')
    const vpp = fs.readFileSync(path.join(samples, 'vpptoken/apple-doc-example.vpptoken'), 'utf8')
    conforms(await client.renewVppToken({ tokenFile: vpp }), 'VppRenewalReport')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intune-apple-'))
    conforms(await client.downloadPushCsr(path.join(dir, 'push.csr')), 'CsrDownload')
    fs.rmSync(dir, { recursive: true })
  } finally {
    sim.stop()
  }
  await withSim(async (_sim, client) => {
    const p7mName = 'TestServer_Token_2030-07-01T22-18-53Z_smime-aes256.p7m'
    const p7m = fs.readFileSync(path.join(samples, 'synthetic', p7mName), 'utf8')
    const report = await client.renewEnrollmentProgramToken({
      tokenId: DEP_MAIN, appleId: 'abm@contoso.example', p7m, fileName: p7mName, force: true, sync: true,
    })
    assert.ok(report.overridden.length > 0)
    conforms(report, 'DepRenewalReport')
  })
})

test('duplicate repair, profile workflows and the health report JSON have their declared shapes', () =>
  withSim(async (sim, client) => {
    const plan = await client.repairDuplicateApps()
    assert.ok(plan.apps.length > 0 && plan.oldTokens.length > 0)
    conforms(plan, 'DuplicateRepairReport')
    conforms(await client.repairDuplicateApps(true), 'DuplicateRepairReport')
    const created = await client.createProfile(DEP_MAIN, {
      '@odata.type': '#microsoft.graph.depIOSEnrollmentProfile', displayName: 'Shapes', supervisedModeEnabled: true,
      deviceNameTemplate: '{{DEVICETYPE}}-{{SERIAL}}',
    })
    conforms(created, 'ProfileCreated')
    conforms(await client.copyProfile(DEP_MAIN, created.profileId, new Client(sim.clientOptions()), DEP_RETAIL, 'Copy'), 'ProfileCreated')
    const devices = await client.importedDevices(DEP_MAIN).toArray()
    const assigned = await client.assignSerialNumbers(DEP_MAIN, created.profileId, [devices[0].serialNumber, 'NOPE0000001'], 1)
    conforms(assigned, 'SerialAssignmentReport')
    conforms(await client.setDefaultProfile(DEP_MAIN, created.profileId), 'DefaultProfileSet')
    const report = await client.healthReport({ includeApps: true })
    conforms(report.toJSON(), 'HealthReportJson')
    sim.addFault({ method: 'GET', path: '/beta/deviceAppManagement/vppTokens', kind: 'status', status: 403 })
    const partial = (await client.healthReport()).toJSON()
    assert.ok(partial.errors.length > 0)
    conforms(partial, 'HealthReportJson')
  }))

test('the shape checker itself catches an undeclared key, a missing key and a wrong kind', () => {
  const good = { name: 'inspect', outcome: 'done', detail: 'ok' }
  conforms(good, 'WorkflowStep')
  assert.throws(() => conforms({ ...good, extra: 1 }, 'WorkflowStep'), /extra is returned but not declared/)
  assert.throws(() => conforms({ name: 'inspect', outcome: 'done' }, 'WorkflowStep'), /detail is declared but not returned/)
  assert.throws(() => conforms({ ...good, detail: 3 }, 'WorkflowStep'), /WorkflowStep.detail/)
  assert.throws(() => conforms({ tokenId: 't', profileId: 'p', platform: 'ios', previousDefault: 4 }, 'DefaultProfileSet'), /matches none/)
})
