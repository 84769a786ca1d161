// Shared test helpers: a simulator per test, and the repository's Apple sample files.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, Simulator } from '../index.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
export const samples = path.resolve(here, '../../intune-apple-core/tests/fixtures/apple-samples')

export const DEP_MAIN = 'd1111111-0000-4000-8000-000000000001'
export const DEP_RETAIL = 'd2222222-0000-4000-8000-000000000002'
export const VPP_MAIN = 'a1111111-0000-4000-8000-000000000001'
export const APP_OUTLOOK = 'b1111111-0000-4000-8000-000000000001'
export const GROUP_ALL = '0b8f4c1a-6a3e-4d2b-9c1f-2e3d4c5b6a70'

/** Runs `fn(sim, client)` against a fresh simulator, stopped afterwards. */
export async function withSim(options, fn, clientExtra = {}) {
  if (typeof options === 'function') {
    fn = options
    options = undefined
  }
  const sim = Simulator.start(options)
  try {
    const client = new Client({ ...sim.clientOptions(), ...clientExtra })
    return await fn(sim, client)
  } finally {
    sim.stop()
  }
}
