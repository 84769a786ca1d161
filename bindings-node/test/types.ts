import { Client, Simulator } from '../index.js'

async function main(): Promise<void> {
  const sim: Simulator = Simulator.start()
  const client = new Client(sim.clientOptions())
  const cert: Record<string, unknown> = await client.pushCertificate()
  const tokens: Array<Record<string, unknown>> = await client.vppTokens()
  void cert
  void tokens
  sim.stop()
}
void main
