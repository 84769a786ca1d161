// Health of every Apple credential of the tenant, as a Teams-style Adaptive Card (JSON on
// stdout; POST it to an incoming webhook to post it in a channel). Exits with the report's
// exit code (0 fine, 1 attention needed, 2 expired or unreadable), for a scheduled job.
//   node examples/node/health-card.mjs            (simulated tenant)
//   AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... node examples/node/health-card.mjs
import { connect } from './connect.mjs'

const COLOR = { ok: 'Good', unknown: 'Default', warning: 'Warning', critical: 'Attention', expired: 'Attention' }
const KIND = { pushCertificate: 'Push certificate', enrollmentProgramToken: 'Enrollment program token', vppToken: 'VPP token' }

const { client, sim, now } = connect()
let exitCode = 0
try {
  const report = await client.healthReport({ asOf: now })
  exitCode = report.exitCode
  const card = {
    type: 'message',
    attachments: [{
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', size: 'Large', weight: 'Bolder', text: 'Intune Apple credentials', color: COLOR[report.overall] },
          { type: 'TextBlock', isSubtle: true, text: `Checked ${report.asOf.toISOString()}` },
          ...report.items.map((item) => ({
            type: 'Container',
            items: [
              { type: 'TextBlock', weight: 'Bolder', color: COLOR[item.severity],
                text: `${item.severity.toUpperCase()}: ${item.name ?? item.id}` },
              { type: 'FactSet', facts: [
                { title: 'Kind', value: KIND[item.kind] },
                { title: 'Expires', value: item.expiresAt ? item.expiresAt.toISOString().slice(0, 10) : 'unknown' },
                { title: 'Days left', value: String(item.daysLeft ?? '?') },
                ...(item.appleId ? [{ title: 'Apple ID', value: item.appleId }] : []),
              ] },
              ...item.problems.map((p) => ({ type: 'TextBlock', wrap: true, text: `• ${p.message}` })),
            ],
          })),
          ...report.errors.map((e) => ({ type: 'TextBlock', wrap: true, color: 'Attention', text: `${e.section}: ${e.message}` })),
        ],
      },
    }],
  }
  console.log(JSON.stringify(card, null, 2))
} finally {
  sim?.stop()
}
process.exitCode = exitCode
