// The monitoring renderings and the notifiers through Node (docs/alerts.md): Prometheus text
// parsed (and checked with promtool when INTUNE_APPLE_PROMTOOL names it), the Nagios exit code
// of each state, and notify against real HTTP receivers on loopback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Client, HealthReport, Simulator, notify, renderScan, scanTenants } from '../index.mjs'
import { withSim } from './helpers.mjs'

/** Prometheus 0.0.4 text as { families: name -> type, samples: [{ name, labels, value, rest }] }. */
function parsePrometheus(text) {
  const families = new Map()
  const samples = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = line.match(/^# TYPE (\S+) (\S+)$/)
    if (type) {
      families.set(type[1], type[2])
      continue
    }
    if (line.startsWith('#')) continue
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(.*)$/)
    assert.ok(m, `not a sample line: ${line}`)
    const labels = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    samples.push({ name: m[1], labels, value: Number(m[3]), rest: m[4] })
  }
  return { families, samples }
}

/** Runs `promtool check metrics` on `text` when INTUNE_APPLE_PROMTOOL is set (scripts/test sets it). */
function promtoolCheck(t, text) {
  const tool = process.env.INTUNE_APPLE_PROMTOOL
  if (!tool) {
    assert.notEqual(process.env.CI, 'true', 'promtool not found: scripts/test installs it')
    t.diagnostic('SKIPPED promtool check: set INTUNE_APPLE_PROMTOOL or run scripts/test')
    return
  }
  const out = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  assert.equal(out.status, 0, `promtool check metrics failed:\n${out.stdout}${out.stderr}`)
}

test('Prometheus text parses, is one-hot per credential and passes promtool', (t) =>
  withSim(async (_sim, client) => {
    const report = await client.healthReport()
    const text = report.toPrometheus()
    const { families, samples } = parsePrometheus(text)
    assert.equal(families.get('intune_apple_credential_expiry_timestamp_seconds'), 'gauge')
    const of = (name) => samples.filter((s) => s.name === name)
    assert.equal(of('intune_apple_credential_expiry_timestamp_seconds').length, report.items.length)
    const state = of('intune_apple_credential_state')
    assert.equal(state.reduce((n, s) => n + s.value, 0), report.items.length)
    const expired = state.filter((s) => s.labels.state === 'expired' && s.value === 1)
    assert.ok(expired.length > 0 && expired.every((s) => s.labels.kind === 'vpp_token'))
    assert.deepEqual(
      Object.fromEntries(of('intune_apple_section_read_success').map((s) => [s.labels.section, s.value])),
      { pushCertificate: 1, enrollmentProgramTokens: 1, vppTokens: 1 },
    )
    for (const s of samples) {
      assert.equal(s.rest, '', `no timestamp (the textfile collector rejects them): ${s.name}`)
      assert.ok(!Object.values(s.labels).some((v) => v.includes('@')), 'no e-mail address as a label')
    }
    promtoolCheck(t, text)
    assert.equal(report.render('prometheus'), text)
    assert.equal(report.render('prom'), text)
  }))

test('OpenMetrics, Checkmk, HTML and render by name', () =>
  withSim(async (_sim, client) => {
    const report = await client.healthReport()
    const om = report.toOpenMetrics()
    assert.ok(om.endsWith('# EOF\n'))
    assert.match(om, /^# TYPE intune_apple_credential info$/m)
    assert.match(om, /^# UNIT intune_apple_credential_expiry_timestamp_seconds seconds$/m)
    assert.equal(report.render('openmetrics'), om)
    assert.ok(report.toCheckmk().split('\n')[0].startsWith('0 "Apple credentials read"'))
    assert.equal(report.render('checkmk'), report.toCheckmk())
    assert.equal(report.toHtml().split('<tr class="credential"').length - 1, report.items.length)
    assert.ok(!report.toHtmlEmail().includes('<svg'))
    assert.equal(report.render('html'), report.toHtml())
    assert.deepEqual(JSON.parse(report.render('json')), report.toJSON())
    assert.throws(() => report.render('yaml'), (e) => e.code === 'ERR_INVALID_INPUT' && /unknown format/.test(e.message))
  }))

test('the Nagios exit code of each state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN', async () => {
  const base = await withSim(async (_sim, client) => (await client.healthReport()).toJSON())
  const only = (severity, errors = []) =>
    HealthReport.fromJSON(JSON.stringify({ ...base, items: [{ ...base.items[0], severity, problems: [] }], errors }))
  const cases = [
    ['ok', 0, 'OK'],
    ['warning', 1, 'WARNING'],
    ['unknown', 1, 'WARNING'],
    ['critical', 2, 'CRITICAL'],
    ['expired', 2, 'CRITICAL'],
  ]
  for (const [severity, code, word] of cases) {
    const r = only(severity)
    assert.equal(r.nagiosExitCode, code, severity)
    assert.ok(r.toNagios().startsWith(`APPLE CREDENTIALS ${word} - `), `${severity}: ${r.toNagios()}`)
  }
  // A section could not be read and nothing read is critical: the check could not be made.
  const unread = only('ok', [{ section: 'vppTokens', code: 'forbidden', message: 'no permission' }])
  assert.equal(unread.nagiosExitCode, 3)
  assert.ok(unread.toNagios().startsWith('APPLE CREDENTIALS UNKNOWN - '))
  // The demo tenant has expired tokens; with the push certificate unreadable too it stays critical.
  await withSim(async (sim, client) => {
    assert.equal((await client.healthReport()).nagiosExitCode, 2)
    sim.addFault({ method: 'GET', path: '/beta/deviceManagement/applePushNotificationCertificate', kind: 'status', status: 403 })
    const r = await client.healthReport()
    assert.equal(r.errors.length, 1)
    assert.equal(r.nagiosExitCode, 2)
  })
})

/** An HTTP receiver on 127.0.0.1 answering `status`; `seen` holds every request. */
async function receiver(status = 204) {
  const seen = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status === 200 ? 'ok' : '')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    seen,
    url: `http://127.0.0.1:${port}/hooks/abc?sig=SECRET-SIG-123`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** A loopback URL with nothing listening. */
async function refusedUrl() {
  const server = http.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return { url: `http://127.0.0.1:${port}/hook?sig=SECRET-SIG-123`, port }
}

/** Whether the Standard Webhooks signature of a request verifies with `secret` (whsec_...). */
function verifies(secret, { headers, body }) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`
  const expected = crypto.createHmac('sha256', key).update(signed).digest()
  return headers['webhook-signature'].split(' ').some((sig) => {
    if (!sig.startsWith('v1,')) return false
    const given = Buffer.from(sig.slice(3), 'base64')
    return given.length === expected.length && crypto.timingSafeEqual(given, expected)
  })
}

function tempState(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `intune-apple-node-${name}-`))
  return path.join(dir, 'state.json')
}

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`

test('notify: a signed webhook and Slack on change, then nothing with the same state', () =>
  withSim(async (_sim, client) => {
    const report = await client.healthReport()
    const hook = await receiver(204)
    const slack = await receiver(200)
    const statePath = tempState('notify')
    try {
      const options = {
        channels: [`webhook=${hook.url}`, `slack=${slack.url}`],
        statePath,
        webhookSecret: SECRET,
      }
      const run = await notify(report, options)
      assert.equal(run.due, true)
      assert.equal(run.sent, true)
      assert.equal(run.succeeded, true)
      assert.equal(run.stateSaved, true)
      assert.equal(run.notice, null)
      assert.deepEqual(run.outcomes, [
        { channel: 'webhook (signed)', delivered: true, error: null },
        { channel: 'slack', delivered: true, error: null },
      ])
      assert.ok(run.changes.length > 0)
      const expiredChange = run.changes.find((c) => c.what.type === 'expired')
      assert.ok(expiredChange.credential.expiresAt instanceof Date)
      assert.ok(fs.existsSync(statePath))

      // The webhook: a Standard Webhooks event, signed.
      assert.equal(hook.seen.length, 1)
      const w = hook.seen[0]
      assert.match(w.headers['content-type'], /^application\/json/)
      assert.match(w.headers['webhook-id'], /^msg_[0-9a-f]{32}$/)
      assert.match(w.headers['webhook-timestamp'], /^\d+$/)
      assert.ok(verifies(SECRET, w), 'the signature verifies')
      assert.ok(!verifies(SECRET, { ...w, body: w.body.replace('changed', 'digest') }), 'a tampered body does not')
      const event = JSON.parse(w.body)
      assert.equal(event.type, 'apple_credentials.changed')
      assert.equal(event.data.severity, 'expired')
      assert.match(event.data.title, /^Apple credentials: /)
      assert.equal(event.data.changes.length, run.changes.length)
      assert.equal(event.data.reports[0].report.items.length, report.items.length)

      // Slack: the text fallback and Block Kit blocks.
      assert.equal(slack.seen.length, 1)
      const s = JSON.parse(slack.seen[0].body)
      assert.match(s.text, /^Apple credentials: /)
      assert.equal(s.blocks[0].type, 'header')
      assert.ok(s.blocks.length <= 50)

      // Same report, same state: nothing due, nothing sent, the state unchanged.
      const before = fs.readFileSync(statePath, 'utf8')
      const again = await notify(report, options)
      assert.equal(again.due, false)
      assert.equal(again.sent, false)
      assert.equal(again.succeeded, true)
      assert.deepEqual(again.outcomes, [])
      assert.equal(hook.seen.length, 1)
      assert.equal(slack.seen.length, 1)
      assert.equal(fs.readFileSync(statePath, 'utf8'), before)

      // always: a digest on every run.
      const digest = await notify(report, { ...options, always: true })
      assert.equal(digest.due, true)
      assert.equal(JSON.parse(hook.seen[1].body).type, 'apple_credentials.digest')
    } finally {
      await hook.close()
      await slack.close()
    }
  }))

test('notify: a refused URL is reported without the URL, and the state is kept for the next run', () =>
  withSim(async (_sim, client) => {
    const report = await client.healthReport()
    const refused = await refusedUrl()
    const hook = await receiver(204)
    const statePath = tempState('refused')
    try {
      const run = await notify(report, {
        channels: [`webhook=${hook.url}`, `teams=${refused.url}`],
        statePath,
        maxAttempts: 1,
      })
      assert.equal(run.due, true)
      assert.equal(run.sent, true)
      assert.equal(run.delivered, false)
      assert.equal(run.succeeded, false)
      assert.equal(run.stateSaved, false)
      assert.equal(run.outcomes[1].channel, 'teams')
      assert.equal(run.outcomes[1].delivered, false)
      assert.match(run.outcomes[1].error, /could not be reached/)
      const text = JSON.stringify(run)
      assert.ok(!text.includes('SECRET-SIG-123') && !text.includes(String(refused.port)), text)
      assert.ok(!fs.existsSync(statePath), 'the state is kept as it was (none)')

      // Fixed: the next run sends the same alert again, with the same webhook-id.
      const next = await notify(report, { channels: [`webhook=${hook.url}`], statePath })
      assert.equal(next.succeeded, true)
      assert.equal(next.stateSaved, true)
      assert.equal(hook.seen.length, 2)
      assert.equal(hook.seen[0].headers['webhook-id'], hook.seen[1].headers['webhook-id'])
      assert.equal(hook.seen[1].headers['webhook-signature'], undefined, 'unsigned without a secret')
    } finally {
      await hook.close()
    }
  }))

test('notify: the reports of scanTenants, and a damaged state rebuilt', async () => {
  const demo = Simulator.start()
  const hook = await receiver(204)
  const statePath = tempState('scan')
  try {
    const reports = await scanTenants([['contoso', new Client(demo.clientOptions())]])
    fs.writeFileSync(statePath, '{"version": 1, "credentials": [tru')
    const run = await notify(reports, { channels: [`webhook=${hook.url}`], statePath, thresholdsDays: [60, 30, 7] })
    assert.match(run.notice, /rebuilt/)
    assert.equal(run.succeeded, true)
    assert.ok(run.changes.every((c) => c.tenant === 'contoso'))
    const event = JSON.parse(hook.seen[0].body)
    assert.equal(event.data.reports[0].tenant, 'contoso')
    assert.match(event.data.title, /\(contoso\)/)
    // Pairs work too.
    const pairs = await notify([['contoso', reports[0].report]], { channels: [], always: true })
    assert.equal(pairs.due, true)
  } finally {
    await hook.close()
    demo.stop()
  }
})

test('notify refuses bad input with ERR_INVALID_INPUT and never shows a URL or a secret', () =>
  withSim(async (_sim, client) => {
    const report = await client.healthReport()
    const refuses = async (promise, pattern) => {
      await assert.rejects(promise, (e) => {
        assert.equal(e.code, 'ERR_INVALID_INPUT')
        assert.match(e.message, pattern)
        assert.ok(!e.message.includes('SECRET-SIG-123') && !e.message.includes('whsec_'), e.message)
        return true
      })
    }
    await refuses(notify(report, { channels: ['teams=http://example.com/x?sig=SECRET-SIG-123'] }), /must use https/)
    await refuses(notify(report, { channels: ['pager=SECRET-SIG-123'] }), /unknown notification channel/)
    await refuses(notify(report, { channels: ['teams'] }), /teams=URL/)
    await refuses(notify(report, { thresholdsDays: [] }), /at least one threshold/)
    await refuses(notify(report, { thresholdsDays: [7.5] }), /whole number/)
    await refuses(notify(report, { thresholdsDays: [0] }), /from 1 to 3650/)
    await refuses(notify(report, { maxAttempts: 0 }), /attempts per channel must be from 1 to 10/)
    await refuses(notify(report, { timeoutSeconds: 1.5 }), /timeoutSeconds/)
    await refuses(notify({ items: [] }), /HealthReport/)
    await refuses(notify([['contoso', {}]]), /not a HealthReport/)
    await refuses(notify(report, { client: {} }), /client must be a Client/)
    // An e-mail channel without a client is a failed channel, not a thrown error.
    const run = await notify(report, { channels: ['email=admins@contoso.com'], mailFrom: 'alerts@contoso.com', webhookSecret: SECRET })
    assert.equal(run.outcomes[0].delivered, false)
    assert.ok(!JSON.stringify(run).includes('whsec_'))
  }))

test('notify sends e-mail through the client (Graph sendMail on the simulator)', () =>
  withSim(async (sim, client) => {
    const report = await client.healthReport()
    const run = await notify(report, { channels: ['email=mdm-admins@contoso.com'], mailFrom: 'alerts@contoso.com', client })
    assert.equal(run.succeeded, true, JSON.stringify(run.outcomes))
    assert.deepEqual(run.outcomes, [{ channel: 'email to mdm-admins@contoso.com', delivered: true, error: null }])
    const mail = await (await fetch(`${sim.baseUrl.replace(/\/$/, '')}/_sim/mail`)).json()
    assert.equal(mail.length, 1)
  }))

test('a scan renders as one document, checked by promtool', (t) =>
  withSim(async (sim, client) => {
    const empty = Simulator.start({ seed: 'empty' })
    try {
      const scans = await scanTenants([['contoso', client], ['fabrikam', new Client(empty.clientOptions())]])
      const metrics = renderScan('prometheus', scans)
      assert.match(metrics, /tenant="contoso"/)
      assert.match(metrics, /tenant="fabrikam"/)
      promtoolCheck(t, metrics)
      const page = renderScan('html', scans.map(({ tenant, report }) => [tenant, report]))
      assert.equal(page.split('<html').length - 1, 1)
      assert.throws(() => renderScan('xml', scans), { code: 'ERR_INVALID_INPUT' })
      assert.throws(() => renderScan('json', [{ tenant: 'x', report: {} }]), { code: 'ERR_INVALID_INPUT' })
    } finally {
      empty.stop()
    }
  }))
