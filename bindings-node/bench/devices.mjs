// Iterates N imported devices of a simulated tenant with `for await` and prints the time and
// the peak resident memory. Build the addon in release mode first (npm run build:release).
//   node bench/devices.mjs [N=100000] [pageSize=1000]
const entry = process.env.INTUNE_APPLE_ENTRY ?? '../index.mjs'
const { Client, Simulator } = await import(entry)

const n = Number(process.argv[2] ?? 100_000)
const pageSize = Number(process.argv[3] ?? 1000)
const sim = Simulator.start({ devices: n, pageSize })
const client = new Client(sim.clientOptions())
const [token] = await client.enrollmentProgramTokens().toArray()
await client.getPushCertificate().catch(() => {}) // token obtained before timing
const startRss = process.memoryUsage().rss
let peak = startRss
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
const started = performance.now()
let count = 0
let check = 0
for await (const d of client.importedDevices(token.id)) {
  count++
  check += d.serialNumber.length
}
const seconds = (performance.now() - started) / 1000
clearInterval(timer)
peak = Math.max(peak, process.memoryUsage().rss)
sim.stop()
console.log(JSON.stringify({ devices: count, pageSize, seconds: Number(seconds.toFixed(3)),
  startRssMiB: Number((startRss / 1048576).toFixed(1)), peakRssMiB: Number((peak / 1048576).toFixed(1)), check }))
