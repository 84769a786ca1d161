import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AppleBusinessSimulator, IntuneAppleError } from '../index.mjs'
import { withSim, DEP_MAIN, DEP_RETAIL } from './helpers.mjs'

const codes = (result, tokenId) =>
  Object.fromEntries(result.tokens.find((t) => t.tokenId === tokenId).findings.map((f) => [f.code, f.serials]))

test('reconcile: every case of the demo organisation, and a refused key', () =>
  withSim(async (_sim, client) => {
    const apple = AppleBusinessSimulator.start()
    const other = AppleBusinessSimulator.start()
    try {
      const options = apple.reconcileOptions()
      const result = await client.reconcile(options)
      const main = result.tokens.find((t) => t.tokenId === DEP_MAIN)
      assert.equal(main.server.evidence, 'serialOverlap')
      assert.equal(main.server.confidence, 'high')
      const found = codes(result, DEP_MAIN)
      assert.deepEqual(found['abm.missing_in_intune'], ['C02Z00000003', 'DMQX00000001', 'DMQX00000002'])
      assert.deepEqual(found['abm.unassigned'], ['D10000000240', 'D10000000241'])
      assert.equal(found['abm.assigned_elsewhere'].length, 5)
      assert.deepEqual(found['abm.migration_without_await'], ['D10000000003', 'D10000000007'])
      assert.ok('abm.default_family_without_profile' in found)
      const retail = codes(result, DEP_RETAIL)
      assert.equal(retail['abm.no_profile'].length, 12)
      assert.ok('abm.sync_clock_mismatch' in retail)
      assert.equal(apple.tokensIssued, 1)
      // another account's key: refused, typed, and the key is not in the error
      const wrongKey = other.reconcileOptions().applePrivateKey
      await assert.rejects(client.reconcile({ ...options, applePrivateKey: wrongKey }), (e) => {
        assert.ok(e instanceof IntuneAppleError)
        assert.equal(e.code, 'ERR_UNAUTHORIZED')
        const text = `${e.message} ${JSON.stringify(e)}`
        for (const line of wrongKey.split('\n').filter((l) => l && !l.startsWith('-----'))) {
          assert.ok(!text.includes(line))
        }
        return true
      })
      assert.throws(() => client.reconcile({ ...options, applePrivateKey: 'not a key' }), { code: 'ERR_CONFIGURATION' })
      // a budget of 0 is refused by the core, naming Node's option
      assert.throws(() => client.reconcile({ ...options, requestsPerMinute: 0 }), (e) => e.code === 'ERR_CONFIGURATION' && e.message.includes('requestsPerMinute is 0'))
    } finally {
      apple.stop()
      other.stop()
    }
  }))
