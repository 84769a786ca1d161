// Health of every Apple credential of the tenant, as a Teams-style Adaptive Card (JSON on
// stdout; POST it to an incoming webhook to post it in a channel).
//   node examples/node/health-card.mjs            (simulated tenant)
//   AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... node examples/node/health-card.mjs
import {
  pushCertificateHealth, enrollmentProgramTokenHealth, vppTokenHealth, IntuneAppleError,
} from '../../bindings-node/index.mjs'
import { connect } from './connect.mjs'

const COLOR = { ok: 'Good', unknown: 'Default', warning: 'Warning', critical: 'Attention', expired: 'Attention' }
const RANK = { ok: 0, unknown: 1, warning: 2, critical: 3, expired: 4 }

const { client, sim, now } = connect()
try {
  const health = []
  try {
    health.push(pushCertificateHealth(await client.pushCertificate(), { now }))
  } catch (e) {
    if (!(e instanceof IntuneAppleError && e.code === 'ERR_NOT_FOUND')) throw e
  }
  for await (const token of client.enrollmentProgramTokens()) {
    health.push(enrollmentProgramTokenHealth(token, { now }))
  }
  for await (const token of client.vppTokens()) {
    health.push(vppTokenHealth(token, { now }))
  }
  health.sort((a, b) => RANK[b.severity] - RANK[a.severity])
  const worst = health[0]?.severity ?? 'ok'
  const card = {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', size: 'Large', weight: 'Bolder', text: 'Intune Apple credentials', color: COLOR[worst] },
          { type: 'TextBlock', isSubtle: true, text: `Checked ${now.toISOString()}` },
          ...health.map((h) => ({
            type: 'Container',
            items: [
              { type: 'TextBlock', weight: 'Bolder', color: COLOR[h.severity],
                text: `${h.severity.toUpperCase()}: ${h.displayName ?? h.kind}` },
              { type: 'FactSet', facts: [
                { title: 'Kind', value: h.kind },
                { title: 'Expires', value: h.expiresAt ? h.expiresAt.toISOString().slice(0, 10) : 'unknown' },
                { title: 'Days left', value: String(h.daysLeft ?? '?') },
                ...(h.appleId ? [{ title: 'Apple ID', value: h.appleId }] : []),
              ] },
              ...h.problems.map((p) => ({ type: 'TextBlock', wrap: true, text: `• ${p.message}` })),
            ],
          })),
        ],
      },
    }],
  }
  console.log(JSON.stringify(card, null, 2))
} finally {
  sim?.stop()
}
