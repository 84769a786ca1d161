// Shared by the examples: a client for the real tenant when AZURE_* (or INTUNE_APPLE_*)
// variables are set, else a client of a simulated tenant started on 127.0.0.1.
import { Client, Simulator } from '../../bindings-node/index.mjs'

export function connect() {
  if (process.env.AZURE_TENANT_ID || process.env.INTUNE_APPLE_ACCESS_TOKEN) {
    return { client: Client.fromEnv(), sim: null, now: new Date() }
  }
  const sim = Simulator.start({ seed: 'demo' })
  return { client: new Client(sim.clientOptions()), sim, now: sim.now }
}
