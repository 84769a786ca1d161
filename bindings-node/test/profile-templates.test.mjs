// Enrollment profiles as code from Node: drift, plan, apply and export against the simulator's
// fleet tenants (northwind matching, fabrikam drifted, tailspin missing).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  Client,
  Simulator,
  IntuneAppleError,
  ProfileReport,
  profileDrift,
  planProfileApply,
  applyProfileTemplate,
  exportProfileTemplate,
} from '../index.mjs'

const FAB_TOKEN = 'f2000001-0000-4000-8000-000000000001'
const FAB_PROFILE = `${FAB_TOKEN}_b2000001-0000-4000-8000-000000000001`

/** Runs `fn({ northwind, fabrikam, tailspin }, sims)`, each a client of its fleet simulator. */
async function withFleet(fn) {
  const sims = {
    northwind: Simulator.start({ seed: 'fleet_matching' }),
    fabrikam: Simulator.start({ seed: 'fleet_drifted' }),
    tailspin: Simulator.start({ seed: 'fleet_missing' }),
  }
  try {
    const clients = Object.fromEntries(Object.entries(sims).map(([name, sim]) => [name, new Client(sim.clientOptions())]))
    return await fn(clients, sims)
  } finally {
    for (const sim of Object.values(sims)) sim.stop()
  }
}

const template = Simulator.fleetTemplate()
const values = Simulator.fleetValues()

test('drift across a Map of named clients: matching, drifted and missing, with every rendering', () =>
  withFleet(async ({ northwind, fabrikam, tailspin }, sims) => {
    const report = await profileDrift(new Map([['northwind', northwind], ['fabrikam', fabrikam], ['tailspin', tailspin]]), template, { values })
    assert.ok(report instanceof ProfileReport)
    assert.equal(report.kind, 'drift')
    assert.equal(report.exitCode, 1)
    const data = report.toJSON()
    assert.deepEqual(data.tenants.map((t) => t.tenant ?? t.name), ['northwind', 'fabrikam', 'tailspin'])
    const [nw, fab, ts] = data.tenants
    assert.ok(nw.tokens.every((t) => t.status === 'matching'), JSON.stringify(nw))
    const drifted = fab.tokens[0]
    assert.equal(drifted.status, 'drifted')
    assert.deepEqual(drifted.differences.map((d) => d.setting).sort(), ['deviceNameTemplate', 'profileRemovalDisabled', 'supportDepartment'])
    assert.equal(ts.tokens[0].status, 'missing')
    assert.deepEqual(JSON.parse(JSON.stringify(report)), data)
    assert.match(report.toTable(), /supportDepartment: template IT Operations \/ tenant Helpdesk/)
    assert.match(report.toMarkdown(), /fabrikam/)
    assert.match(report.toHtml() ?? '', /<td>tailspin<\/td>/)
    for (const sim of Object.values(sims)) assert.equal(sim.writesApplied, 0)
  }))

test('one client, an object of clients, an array of pairs; template and values as objects', () =>
  withFleet(async ({ northwind, fabrikam }) => {
    const one = await profileDrift(northwind, template, { values: { defaults: { support_phone: '+1 555 0100', name_prefix: 'NW' } } })
    assert.equal(one.exitCode, 0, one.toTable())
    const obj = await profileDrift({ fabrikam }, JSON.parse(template), { values: JSON.parse(values), tokens: 'Fabrikam ABM' })
    assert.equal(obj.exitCode, 1)
    const pairs = await profileDrift([['northwind', northwind]], template, { values, tokens: ['f1000001-0000-4000-8000-000000000001'] })
    assert.equal(pairs.toJSON().tenants[0].tokens.length, 1)
  }))

test('plan, then apply, brings the drifted and the missing tenant to the template', () =>
  withFleet(async ({ northwind, fabrikam, tailspin }, sims) => {
    const tenants = { northwind, fabrikam, tailspin }
    const plan = await planProfileApply(tenants, template, { values })
    assert.equal(plan.kind, 'plan')
    assert.equal(plan.exitCode, 1)
    const kinds = plan.toJSON().writes.map((w) => w.kind)
    assert.ok(kinds.includes('patch') && kinds.includes('create'), kinds.join(','))
    assert.equal(plan.toHtml(), null)
    // Without apply: nothing written.
    const dry = await applyProfileTemplate(tenants, template, { values })
    assert.equal(dry.kind, 'apply')
    assert.equal(sims.fabrikam.writesApplied + sims.tailspin.writesApplied, 0)
    const applied = await applyProfileTemplate(tenants, template, { values, apply: true })
    assert.equal(applied.exitCode, 0, applied.toTable())
    assert.ok(applied.toJSON().writes.length > 0)
    assert.ok(sims.fabrikam.writesApplied > 0 && sims.tailspin.writesApplied > 0)
    assert.equal(sims.northwind.writesApplied, 0)
    const after = await profileDrift(tenants, template, { values })
    assert.equal(after.exitCode, 0, after.toTable())
  }))

test('export a template from a profile; drift of it against its source is none', () =>
  withFleet(async ({ fabrikam }) => {
    const exported = await exportProfileTemplate(fabrikam, FAB_TOKEN, FAB_PROFILE)
    assert.equal(exported.template.displayName, 'Corporate iPhone')
    assert.equal(typeof exported.values, 'object')
    assert.ok(Array.isArray(exported.notes))
    const back = await profileDrift({ fabrikam }, exported.template, { values: { tenants: { fabrikam: exported.values } } })
    assert.equal(back.exitCode, 0, back.toTable())
    const literal = await exportProfileTemplate(fabrikam, FAB_TOKEN, FAB_PROFILE, { placeholders: false })
    assert.deepEqual(literal.values, {})
  }))

test('a wrong template, wrong values or wrong tenants are typed errors before any call', () =>
  withFleet(async ({ northwind }, sims) => {
    const before = sims.northwind.requestLog().length
    await assert.rejects(
      profileDrift(northwind, '{"platform": "ios", "displayName": "x", "settings": {"nope": 1}}'),
      (e) => e instanceof IntuneAppleError && e.code === 'ERR_INVALID_TEMPLATE' && /settings\.nope/.test(e.message),
    )
    await assert.rejects(profileDrift(northwind, template, { values: '{"nope": {}}' }), { code: 'ERR_INVALID_INPUT' })
    await assert.rejects(profileDrift({ x: 'not a client' }, template), { code: 'ERR_INVALID_INPUT' })
    await assert.rejects(profileDrift(42, template), { code: 'ERR_INVALID_INPUT' })
    await assert.rejects(profileDrift(northwind, 7), { code: 'ERR_INVALID_INPUT' })
    await assert.rejects(applyProfileTemplate(northwind, template, { apply: 'yes' }), { code: 'ERR_INVALID_INPUT' })
    await assert.rejects(planProfileApply(northwind, template, { tokens: [1] }), { code: 'ERR_INVALID_INPUT' })
    assert.equal(sims.northwind.requestLog().length, before)
    await assert.rejects(exportProfileTemplate(northwind, 'f1000001-0000-4000-8000-000000000001', 'nope'), (e) => e instanceof IntuneAppleError)
  }))
