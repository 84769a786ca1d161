// The interfaces tools/gen-types.mjs generates from the core's description of its types
// (bindings-types.json) against what the addon really returns: every own key of a result is
// declared by its interface (or the interface is open), and every field typed `Date` holds a
// Date, every field typed `string` a string, every enum-typed field one of its members. Reads .generated/types.json, which gen-types.mjs
// writes next to the typings (`npm run build`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, Simulator, inspect, findDuplicateApps, planAssignments, supersededTokens } from '../index.mjs'
import { withSim, samples } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const { interfaces, unions, enums } = JSON.parse(fs.readFileSync(path.join(here, '../.generated/types.json'), 'utf8'))

/** Checks `value` against the TypeScript type text `ts` of the generated typings. */
function checkType(value, ts, where) {
  const alternatives = ts.split(' | ').map((a) => a.trim())
  if (value === null) return assert.ok(alternatives.includes('null'), `${where} is null but typed ${ts}`)
  if (typeof value === 'string' && alternatives.some((a) => a.startsWith("'"))) {
    return assert.ok(alternatives.includes(`'${value}'`), `${where}: '${value}' is not one of ${ts}`)
  }
  const type = alternatives.filter((a) => a !== 'null' && a !== '(string & {})')
  assert.ok(type.length >= 1, `${where}: ${ts}`)
  const t = type.length === 1 ? type[0] : null
  if (t === 'Date') return assert.ok(value instanceof Date, `${where} is typed Date: ${String(value)}`)
  if (t === 'string') return assert.equal(typeof value, 'string', `${where} is typed string: ${String(value)}`)
  if (t === 'number') return assert.equal(typeof value, 'number', `${where} is typed number`)
  if (t === 'boolean') return assert.equal(typeof value, 'boolean', `${where} is typed boolean`)
  if (t?.startsWith('Array<')) {
    assert.ok(Array.isArray(value), `${where} is typed ${t}`)
    return value.forEach((v, i) => checkType(v, t.slice(6, -1), `${where}[${i}]`))
  }
  if (t && interfaces[t]) return conforms(value, t, where)
  if (t && enums[t]) {
    assert.equal(typeof value, 'string', `${where} is typed ${t}`)
    // An open enum (typed with `(string & {})`) takes the values a newer Graph adds.
    return assert.ok(alternatives.includes('(string & {})') || enums[t].members.includes(value), `${where}: '${value}' is not a ${t}`)
  }
  if (t && unions[t]) {
    const variant = unions[t][value['@odata.type']] ?? unions[t]['*']
    return conforms(value, variant, `${where} (${variant})`)
  }
  // An enum union, `unknown`, a Record: the value is not a Date unless typed so.
  assert.ok(!(value instanceof Date), `${where} is a Date but typed ${ts}`)
}

function conforms(value, name, where = name) {
  const fields = interfaces[name]
  assert.ok(fields, `the generated typings declare ${name}`)
  assert.equal(typeof value, 'object', `${where} is an object`)
  const open = '[property: string]' in fields
  for (const key of Object.keys(value)) {
    if (key in fields) checkType(value[key], fields[key], `${where}.${key}`)
    else assert.ok(open, `${where}.${key} is returned but not declared by ${name}`)
  }
}

test('a push renewal report has the generated PushRenewalReport shape, its times Dates', async () => {
  const renewedPem = path.join(samples, 'synthetic/synthetic-push-renewed-same-topic.pem')
  const topic = inspect(renewedPem).pushCertificate.topic
  const seed = { pushCertificate: { appleIdentifier: 'admin@contoso.example', topicIdentifier: topic, expiresInDays: 5 } }
  const sim = Simulator.start({ seed: JSON.stringify(seed) })
  try {
    const client = new Client(sim.clientOptions())
    const report = await client.renewPushCertificate({ appleId: 'admin@contoso.example', pem: fs.readFileSync(renewedPem, 'utf8') })
    conforms(report, 'PushRenewalReport')
    assert.ok(report.newExpiry instanceof Date)
    assert.ok(report.steps.length > 0)
  } finally {
    sim.stop()
  }
})

test("a health report's toJSON has the generated HealthReportJson shape, times as text", () =>
  withSim(async (sim, client) => {
    const json = (await client.healthReport({ includeApps: true })).toJSON()
    conforms(json, 'HealthReportJson')
    assert.ok(json.items.length > 0)
    assert.ok(json.items.some((i) => 'sync' in i), 'a token item has its sync facts')
    assert.equal(typeof json.generatedAt, 'string')
  }))

test('the duplicate-app rules answer the generated DuplicateFindings, TokenRoles and AssignmentPlan', () =>
  withSim(async (sim, client) => {
    const tokens = await client.vppTokens().toArray()
    const apps = await client.vppApps().toArray()
    const findings = findDuplicateApps(tokens, apps)
    conforms(findings, 'DuplicateFindings')
    conforms(supersededTokens(tokens), 'TokenRoles')
    const dup = findings.duplicates[0]
    assert.ok(dup, 'the simulator has a duplicate app')
    const old = await client.appAssignments(dup.sources[0].appId).toArray()
    const current = await client.appAssignments(dup.target.appId).toArray()
    const plan = planAssignments(current, old)
    conforms(plan, 'AssignmentPlan')
    assert.ok(plan.toCopy.length > 0 && plan.merged.length > 0)
    for (const a of old) conforms(a, 'MobileAppAssignment')
  }))

test('the Graph models of the pagers have their generated shapes', () =>
  withSim(async (sim, client) => {
    const apps = await client.vppApps().toArray()
    assert.ok(apps.length > 0)
    apps.forEach((a, i) => checkType(a, 'MobileApp', `apps[${i}]`))
    const token = (await client.enrollmentProgramTokens().toArray())[0]
    const profiles = await client.enrollmentProfiles(token.id).toArray()
    assert.ok(profiles.length > 0)
    profiles.forEach((p, i) => checkType(p, 'EnrollmentProfile', `profiles[${i}]`))
  }))

test('the checker catches an undeclared key, a value no enum has and a time that is not a Date', () => {
  const step = { name: 'inspect', outcome: 'done', detail: 'ok' }
  conforms(step, 'WorkflowStep')
  assert.throws(() => conforms({ ...step, extra: 1 }, 'WorkflowStep'), /extra is returned but not declared/)
  assert.throws(() => conforms({ ...step, outcome: 'ok' }, 'WorkflowStep'), /'ok' is not a StepOutcome/)
  const report = { topic: 't', previousTopic: null, topicChanged: false, previousExpiry: null, newExpiry: '2030-01-01T00:00:00Z' }
  assert.throws(() => conforms(report, 'PushRenewalReport'), /newExpiry is typed Date/)
})
