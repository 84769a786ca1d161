// The types of the installed package resolve (tsc --noEmit --strict, see tsconfig.json).
import { Client, Simulator, IntuneAppleError, type HealthReport, type ReportItem } from 'intune-apple'

async function main(): Promise<number> {
  const sim: Simulator = Simulator.start()
  try {
    const report: HealthReport = await new Client(sim.clientOptions()).healthReport()
    const first: ReportItem | undefined = report.items[0]
    const days: number | null | undefined = first?.daysLeft
    console.log(days, report.toMarkdown())
    return report.exitCode
  } catch (e) {
    if (e instanceof IntuneAppleError) console.error(e.code, e.status)
    throw e
  } finally {
    sim.stop()
  }
}

void main()
