// Dry run of a duplicate VPP token repair: finds VPP locations uploaded twice (an expired token
// and a `duplicateLocationId` copy), and the apps licensed through the expired one that would
// have to move. Changes nothing.
//   node examples/node/duplicate-repair-dry-run.mjs
import { connect } from './connect.mjs'

const { client, sim } = connect()
try {
  const tokens = await client.vppTokens().toArray()
  const byLocation = new Map()
  for (const t of tokens) {
    const key = `${t.organizationName ?? ''}/${t.locationName ?? t.displayName ?? t.id}`.toLowerCase()
    byLocation.set(key, [...(byLocation.get(key) ?? []), t])
  }
  const plan = []
  for (const group of byLocation.values()) {
    const duplicates = group.filter((t) => t.state === 'duplicateLocationId')
    const stale = group.filter((t) => t.state === 'expired')
    if (duplicates.length === 0 && group.length < 2) continue
    for (const old of stale) {
      const keep = duplicates[0] ?? group.find((t) => t !== old)
      if (!keep) continue
      const apps = await client.vppAppsByToken(old.id).toArray()
      plan.push({
        location: old.locationName ?? old.displayName,
        expiredToken: old.id,
        keepToken: keep.id,
        apps: await Promise.all(apps.map(async (a) => ({
          id: a.id,
          name: a.displayName,
          bundleId: a.bundleId,
          assignments: (await client.appAssignments(a.id).toArray()).length,
        }))),
      })
    }
  }
  console.log(JSON.stringify({ dryRun: true, steps: plan }, null, 2))
} finally {
  sim?.stop()
}
