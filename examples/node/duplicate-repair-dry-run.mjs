// Dry run of the duplicate VPP app repair: for each app present under two VPP tokens (an
// expired location uploaded again as a new token), the assignments that would be copied to the
// copy on the current token, the conflicts, and the old tokens that could then be deleted.
// Changes nothing; `client.repairDuplicateApps(true)` applies the plan.
//   node examples/node/duplicate-repair-dry-run.mjs
import { connect } from './connect.mjs'

const { client, sim } = connect()
try {
  const plan = await client.repairDuplicateApps(false)
  console.log(JSON.stringify({
    dryRun: plan.dryRun,
    apps: plan.apps.map((a) => ({
      bundleId: a.bundleId,
      name: a.displayName,
      keep: `${a.targetAppId} (token ${a.targetTokenId})`,
      from: a.sourceAppIds,
      toCopy: a.toCopy.map((c) => `${c.intent ?? '?'} → ${c.key.targetType} ${c.key.targetId ?? ''}`.trim()),
      conflicts: a.conflicts.length,
      outcome: a.outcome,
    })),
    oldTokens: plan.oldTokens.map((t) => ({ tokenId: t.tokenId, location: t.location, canDelete: t.canDelete, nextStep: t.nextStep })),
    unresolved: plan.unresolved,
  }, null, 2))
} finally {
  sim?.stop()
}
