// Which values of a result become a `Date` and which are left out as secrets is read from the
// core's description of the result's type (bindings-types.json), not from property names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { planAssignments } from '../index.mjs'
import { withSim, VPP_MAIN } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const described = JSON.parse(fs.readFileSync(path.join(here, '../../bindings-types.json'), 'utf8')).types

const group = (id) => ({ '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: id })

test('an object of a type the model does not know keeps its time-named text as text, and no secret', () => {
  const unknownSettings = {
    '@odata.type': '#microsoft.graph.futureAppAssignmentSettings',
    startDateTime: '2027-01-02T03:04:05Z',
    deadlineAt: '2027-01-03T00:00:00Z',
    adminAccountPassword: 'hunter2',
    nested: { certificate: 'MIIB-secret', when: '2027-01-02T03:04:05Z' },
  }
  const plan = planAssignments([], [{ intent: 'required', target: group('g1'), settings: unknownSettings }])
  const [merged] = plan.merged
  // The model describes `settings` as polymorphic; an unknown `@odata.type` is kept as JSON.
  assert.equal(merged.settings['@odata.type'], '#microsoft.graph.futureAppAssignmentSettings')
  assert.equal(merged.settings.startDateTime, '2027-01-02T03:04:05Z')
  assert.equal(merged.settings.deadlineAt, '2027-01-03T00:00:00Z')
  assert.equal(merged.settings.nested.when, '2027-01-02T03:04:05Z')
  // Names the model types as secrets (an enrollment profile's password, a certificate) are
  // withheld from undescribed objects too.
  assert.ok(!('adminAccountPassword' in merged.settings))
  assert.ok(!('certificate' in merged.settings.nested))
  assert.ok(!JSON.stringify(plan).includes('hunter2'))
  assert.ok(!JSON.stringify(plan).includes('MIIB-secret'))
})

test('a result field is a Date exactly when the description types it as a time', () =>
  withSim(async (sim, client) => {
    const token = (await client.vppTokens().toArray()).find((t) => t.id === VPP_MAIN)
    assert.ok(token)
    const apps = await client.vppApps().toArray()
    assert.ok(apps.length > 0)
    const timeFields = (name) => {
      const t = described[name]
      const base = (s) => (s.kind === 'optional' ? base(s.of) : s)
      return new Set(t.fields.filter((f) => base(f.type).kind === 'time').map((f) => f.wire))
    }
    for (const app of apps) {
      const kind = app['@odata.type'] === '#microsoft.graph.macOsVppApp' ? 'MacOsVppApp' : 'IosVppApp'
      const times = timeFields(kind)
      assert.ok(times.size > 0)
      for (const [key, value] of Object.entries(app)) {
        if (times.has(key)) assert.ok(value === null || value instanceof Date, `${kind}.${key} is a Date`)
        else assert.ok(!(value instanceof Date), `${kind}.${key} is not a Date`)
      }
    }
    // A secret the model types as one never reaches JavaScript.
    const secrets = described.VppToken.fields.filter((f) => f.type.kind === 'secret' || f.type.of?.kind === 'secret')
    assert.ok(secrets.length > 0)
    for (const f of secrets) assert.ok(!(f.wire in token))
  }))
