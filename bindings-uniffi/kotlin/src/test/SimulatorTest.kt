// The Kotlin face of intune-apple against the simulator over HTTP: a health report and its
// renderers, listings, a refused renewal, typed errors, and the workflows of WorkflowTest.kt.
// Run by scripts/test-kotlin. `--run-cli ARGS...` runs `intune-apple ARGS...` instead (the
// command-line test starts this program so, in a child process).
package intune.apple.test

import java.io.File
import java.time.Instant
import java.util.Base64
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import uniffi.intune_apple.*

private var passed = 0

internal fun test(name: String, body: suspend () -> Unit) {
    runBlocking { body() }
    passed += 1
    println("ok - $name")
}

internal fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

/// A `.vpptoken` in Apple's format: one line of base64 of {"token","expDate","orgName"}.
private fun vppTokenFile(orgName: String, expDate: String): File {
    val json = """{"token":"c2VjcmV0LXRva2Vu","expDate":"$expDate","orgName":"$orgName"}"""
    val file = File.createTempFile("other-org", ".vpptoken")
    file.deleteOnExit()
    file.writeText(Base64.getEncoder().encodeToString(json.toByteArray()))
    return file
}

fun main(args: Array<String>) {
    if (args.firstOrNull() == "--run-cli") exitProcess(runCli(args.drop(1)))
    val sim = Simulator.start(null)
    try {
        val client = Client(sim.credential(), sim.clientOptions())

        test("a credential never shows its secret") {
            val shown = sim.credential().toString()
            expect(shown == "Credential(clientSecret)") { shown }
        }

        test("health report: typed items and every renderer") {
            val report = client.healthReport(ReportOptions())
            val items = report.items()
            expect(items.isNotEmpty()) { "no items" }
            expect(items.any { it.kind == TokenKind.PUSH_CERTIFICATE }) { "no push certificate in $items" }
            expect(items.all { it.consequence.isNotEmpty() && it.renewal.isNotEmpty() }) { "guidance missing" }
            expect(report.errors().isEmpty()) { "errors: ${report.errors()}" }
            val table = report.render(ReportFormat.TABLE, false)
            expect(table.contains("push", ignoreCase = true)) { table }
            val json = report.render(ReportFormat.JSON, false)
            expect(json.contains("\"generatedAt\"")) { json }
            expect(report.render(ReportFormat.PROMETHEUS, false).contains("# TYPE")) { "prometheus" }
            expect(report.render(ReportFormat.ICS, false).startsWith("BEGIN:VCALENDAR")) { "ics" }
            expect(report.render(ReportFormat.HTML, false).contains("<html", ignoreCase = true)) { "html" }
            expect(report.render(ReportFormat.MARKDOWN, false).contains("|")) { "markdown" }
            val again = HealthReport.fromJson(json)
            expect(again.items() == items) { "JSON round trip" }
            expect(report.exitCode(ReportFormat.TABLE) in 0..2) { "exit code" }
        }

        test("listings: tokens, push certificate, imported devices page by page") {
            val push = client.getPushCertificate()
            expect(push.topicIdentifier?.startsWith("com.apple.mgmt.External.") == true) { "$push" }
            expect(push.expirationDateTime is Instant) { "expiry is an Instant" }
            val vpp = client.vppTokens()
            expect(vpp.size >= 2) { "vpp tokens: $vpp" }
            val dep = client.enrollmentProgramTokens()
            expect(dep.isNotEmpty()) { "no enrollment program tokens" }
            val health = vppTokenHealth(vpp[0], HealthOptions())
            expect(health.kind == TokenKind.VPP_TOKEN) { "$health" }
            var seen = 0
            client.importedDevices(dep[0].id!!).use { pager ->
                while (true) {
                    val page = pager.nextPage(2u)
                    if (page.isEmpty()) break
                    expect(page.size <= 2) { "page of ${page.size}" }
                    seen += page.size
                }
            }
            expect(seen > 0) { "no imported devices" }
        }

        test("a VPP token of another organisation is refused, nothing written") {
            val file = vppTokenFile("Another Organisation Ltd", "2031-01-01T00:00:00+0000")
            val info = inspect(file.path)
            expect(info is AppleFileInfo.VppToken && info.info.organizationName == "Another Organisation Ltd") { "$info" }
            val check = checkVppTokenRenewal(file.path, client.vppTokens(), null, null)
            expect(check.flags.contains(VppRenewalFlag.OtherOrganization)) { "$check" }
            val writesBefore = sim.writesApplied()
            try {
                client.renewVppToken(file.readText(), null, false, false)
                throw AssertionError("the renewal was not refused")
            } catch (e: IntuneAppleException.RenewalRefused) {
                expect(e.details.code == "renewal_refused") { e.details.code }
                expect(e.details.reasons.isNotEmpty()) { "no reasons" }
                expect(!e.details.message.contains("c2VjcmV0LXRva2Vu")) { "the secret is in the message" }
            }
            expect(sim.writesApplied() == writesBefore) { "something was written" }
        }

        test("typed errors carry the core's stable codes") {
            try {
                client.getEnrollmentProgramToken("no-such-token")
                throw AssertionError("no error")
            } catch (e: IntuneAppleException.NotFound) {
                expect(e.details.code == "not_found" && e.details.status == 404.toUShort()) { "${e.details}" }
            }
            val readOnly = Client(sim.readOnlyCredential(), sim.clientOptions())
            try {
                readOnly.syncVppTokenLicenseCounts()
                throw AssertionError("no error")
            } catch (e: IntuneAppleException.Forbidden) {
                expect(e.details.code == "forbidden") { e.details.code }
            }
            try {
                renewalGuidance(TokenKind.VPP_TOKEN, null, "klingon")
                throw AssertionError("no error")
            } catch (e: IntuneAppleException.InvalidInput) {
                expect(e.details.code == "invalid_input") { e.details.code }
            }
            try {
                inspectBytes(ByteArray(0), null)
                throw AssertionError("no error")
            } catch (e: IntuneAppleException.TokenFile) {
                expect(e.details.code == "token_file") { e.details.code }
            }
            // exhaustive: a `when` over the sealed class needs no `else`
            val e: IntuneAppleException = IntuneAppleException.Throttled(
                ErrorDetails("throttled", "m", null, null, null, null, 2.0, null, null, null, emptyList()))
            val retry = when (e) {
                is IntuneAppleException.Throttled -> e.details.retryAfterSeconds
                is IntuneAppleException.Unauthorized, is IntuneAppleException.Forbidden,
                is IntuneAppleException.NotFound, is IntuneAppleException.Conflict,
                is IntuneAppleException.SyncTooSoon, is IntuneAppleException.InvalidInput,
                is IntuneAppleException.OutcomeUnknown, is IntuneAppleException.Transport,
                is IntuneAppleException.Decode, is IntuneAppleException.Server,
                is IntuneAppleException.Configuration, is IntuneAppleException.RenewalRefused,
                is IntuneAppleException.InvalidProfile, is IntuneAppleException.InvalidTemplate,
                is IntuneAppleException.TokenFile, is IntuneAppleException.VerificationFailed,
                is IntuneAppleException.Io -> null
            }
            expect(retry == 2.0) { "$retry" }
        }

        test("the rules run offline") {
            val verdict = decideSync(SyncTimesInput(lastTriggered = Instant.now()), SyncKind.DELTA, null, false)
            expect(!verdict.allowed && verdict.nextAllowedAt != null) { "$verdict" }
            val serials = parseSerialNumbers("serialNumber\nC02XK1ZZJG5H\nC02XK1ZZJG5H\n")
            expect(serials.serialNumbers == listOf("C02XK1ZZJG5H") && serials.duplicates.isNotEmpty()) { "$serials" }
            val tokens = client.vppTokens()
            expect(tokens.any { vppTokenUsable(it, null) }) { "no usable VPP token in $tokens" }
            expect(supersededTokens(tokens, null).contains("\"superseded\"")) { "superseded tokens" }
            val findings = findDuplicateApps(tokens, client.vppApps(), null)
            expect(findings.contains("\"duplicates\"")) { findings }
        }

        workflowTests(sim, client)

        test("a stopped simulator says so") {
            val other = Simulator.start("empty")
            other.stop()
            expect(!other.isRunning()) { "still running" }
            try {
                other.baseUrl()
                throw AssertionError("no error")
            } catch (e: IntuneAppleException.InvalidInput) {
                expect(e.details.message.contains("stopped")) { e.details.message }
            }
        }
    } finally {
        sim.stop()
    }
    println("kotlin: $passed tests passed")
}
