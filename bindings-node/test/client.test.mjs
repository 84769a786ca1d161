import { test } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { Client, Simulator } from '../index.mjs'

test('client calls answer over HTTP from the simulator', async () => {
  const sim = Simulator.start()
  try {
    const options = sim.clientOptions()
    const client = new Client(options)
    const cert = await client.pushCertificate()
    assert.equal(typeof cert.topicIdentifier, 'string')
    const dep = await client.enrollmentProgramTokens()
    assert.ok(dep.length > 0)
    const all = await Promise.all(Array.from({ length: 20 }, () => client.pushCertificate()))
    assert.equal(all.length, 20)
    assert.ok(!util.inspect(client).includes(options.clientSecret))
  } finally {
    sim.stop()
  }
})

test('a wrong secret rejects with ERR_UNAUTHORIZED', async () => {
  const sim = Simulator.start()
  try {
    const client = new Client({ ...sim.clientOptions(), clientSecret: 'wrong' })
    await assert.rejects(client.pushCertificate(), (e) => {
      assert.match(e.message, /^ERR_UNAUTHORIZED/)
      assert.ok(!e.message.includes('wrong'))
      return true
    })
  } finally {
    sim.stop()
  }
})

test('missing credentials fail with ERR_CONFIGURATION', () => {
  assert.throws(() => new Client({}), /ERR_CONFIGURATION/)
})
