// Syncs every enrollment program token with Apple, respecting Intune's sync rules (one manual
// sync per 15 minutes) and Graph's throttling. The client already retries a 429 within its
// retry budget, honouring Retry-After; past the budget it rejects with ERR_THROTTLED and
// `retryAfter`, which this loop waits out once.
//   node examples/node/throttle-aware-sync.mjs
import { decideSync, IntuneAppleError } from '../../bindings-node/index.mjs'
import { connect } from './connect.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const { client, sim, now } = connect()
try {
  if (sim) {
    // show the throttling path: the first sync call of the demo's first token gets a 429
    sim.addFault({ method: 'POST', path: '/beta/deviceManagement/depOnboardingSettings/*', nth: 1,
      kind: 'throttle', retryAfter: '1' })
  }
  for await (const token of client.enrollmentProgramTokens()) {
    const verdict = decideSync({ lastTriggered: token.lastSyncTriggeredDateTime,
      lastSuccessful: token.lastSuccessfulSyncDateTime }, { now })
    if (!verdict.allowed) {
      console.log(`${token.tokenName}: not now (${verdict.reason}), next at ${verdict.nextAllowedAt.toISOString()}`)
      continue
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await client.syncEnrollmentProgramToken(token.id)
        console.log(`${token.tokenName}: sync started`)
        break
      } catch (e) {
        if (!(e instanceof IntuneAppleError)) throw e
        if (e.code === 'ERR_THROTTLED' && attempt === 1) {
          console.log(`${token.tokenName}: throttled, waiting ${e.retryAfter} s`)
          await sleep((e.retryAfter ?? 1) * 1000)
          continue
        }
        if (e.code === 'ERR_SYNC_TOO_SOON') {
          console.log(`${token.tokenName}: Intune refused, next at ${e.nextAllowedAt?.toISOString()}`)
          break
        }
        throw e
      }
    }
  }
} finally {
  sim?.stop()
}
