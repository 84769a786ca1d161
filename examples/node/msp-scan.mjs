// The health of many tenants at once, for a managed service provider's nightly job: one line
// per tenant, the worst first, then the exit code of the worst tenant (0, 1 or 2).
//   node examples/node/msp-scan.mjs          (three simulated tenants)
//   INTUNE_APPLE_TENANTS=contoso=<tenant id>,fabrikam=<tenant id> \
//     AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... node examples/node/msp-scan.mjs
// (one multi-tenant app registration, consented in every customer tenant)
import { Client, Simulator, scanExitCode, scanTenants } from '../../bindings-node/index.mjs'

const RANK = { expired: 0, unknown: 1, critical: 2, warning: 3, ok: 4 }

const sims = []
const tenants = new Map()
if (process.env.INTUNE_APPLE_TENANTS) {
  for (const pair of process.env.INTUNE_APPLE_TENANTS.split(',')) {
    const [name, tenantId] = pair.split('=')
    tenants.set(name, new Client({
      tenantId,
      clientId: process.env.AZURE_CLIENT_ID,
      clientSecret: process.env.AZURE_CLIENT_SECRET,
    }))
  }
} else {
  for (const [name, seed] of [['contoso', 'demo'], ['fabrikam', 'empty'], ['northwind', 'demo']]) {
    const sim = Simulator.start({ seed })
    sims.push(sim)
    tenants.set(name, new Client(sim.clientOptions()))
  }
}

try {
  const reports = await scanTenants(tenants, { concurrency: 8 })
  reports.sort((a, b) => RANK[a.report.overall] - RANK[b.report.overall])
  for (const { tenant, report } of reports) {
    const worst = report.items[0]
    const next = worst?.expiresAt ? `${worst.name ?? worst.kind} ${worst.expiresAt.toISOString().slice(0, 10)}` : ''
    const errors = report.errors.map((e) => `${e.section}: ${e.code}`).join(', ')
    console.log([tenant.padEnd(12), report.overall.padEnd(8), next, errors].filter(Boolean).join('  '))
  }
  process.exitCode = scanExitCode(reports)
} finally {
  for (const sim of sims) sim.stop()
}
