// The workflows of the Kotlin face against the simulators: the Apple Business reconciliation,
// the notifiers (to HTTP receivers on loopback), enrollment profiles as code across the fleet
// tenants, and the command line. Called from SimulatorTest.kt's main.
package intune.apple.test

import com.sun.net.httpserver.HttpServer
import java.io.File
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.Base64
import java.util.Collections
import java.util.concurrent.TimeUnit
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import uniffi.intune_apple.*

private const val DEP_MAIN = "d1111111-0000-4000-8000-000000000001"
private const val DEP_RETAIL = "d2222222-0000-4000-8000-000000000002"
private const val FAB_TOKEN = "f2000001-0000-4000-8000-000000000001"
private const val FAB_PROFILE = "${FAB_TOKEN}_b2000001-0000-4000-8000-000000000001"
private val SECRET = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".toByteArray())

/// An HTTP receiver on 127.0.0.1 answering `status`; `seen` holds every request.
private class Receiver(status: Int) : AutoCloseable {
    class Seen(val headers: Map<String, String>, val body: String)

    val seen: MutableList<Seen> = Collections.synchronizedList(mutableListOf())
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)

    init {
        server.createContext("/") { ex ->
            val body = ex.requestBody.readBytes().toString(Charsets.UTF_8)
            seen.add(Seen(ex.requestHeaders.entries.associate { it.key.lowercase() to it.value.joinToString(",") }, body))
            val answer = if (status == 200) "ok".toByteArray() else ByteArray(0)
            ex.sendResponseHeaders(status, if (answer.isEmpty()) -1 else answer.size.toLong())
            if (answer.isNotEmpty()) ex.responseBody.write(answer)
            ex.close()
        }
        server.start()
    }

    val url: String get() = "http://127.0.0.1:${server.address.port}/hooks/abc?sig=SECRET-SIG-123"

    override fun close() = server.stop(0)
}

/// Whether the Standard Webhooks signature of a request verifies with `secret` (whsec_...).
private fun verifies(secret: String, headers: Map<String, String>, body: String): Boolean {
    val key = Base64.getDecoder().decode(secret.removePrefix("whsec_"))
    val mac = Mac.getInstance("HmacSHA256")
    mac.init(SecretKeySpec(key, "HmacSHA256"))
    val expected = Base64.getEncoder().encodeToString(
        mac.doFinal("${headers["webhook-id"]}.${headers["webhook-timestamp"]}.$body".toByteArray()))
    return headers["webhook-signature"]!!.split(" ").any { it == "v1,$expected" }
}

/// The findings of one token of a reconciliation: code -> serial numbers.
private fun findings(result: Any?, tokenId: String): Map<String, List<String>> {
    val token = result["tokens"].arr().first { it["tokenId"] == tokenId }
    return token["findings"].arr().associate { f -> f["code"] as String to f["serials"].arr().map { it as String } }
}

private suspend fun expectError(what: String, check: (IntuneAppleException) -> Boolean, body: suspend () -> Unit) {
    try {
        body()
    } catch (e: IntuneAppleException) {
        expect(check(e)) { "$what: ${e::class.simpleName} $e" }
        return
    }
    throw AssertionError("$what: no error")
}

/// Runs `body(clients, sims)` over the three fleet tenants (northwind matching, fabrikam
/// drifted, tailspin missing), each with its own simulator.
private suspend fun <T> withFleet(body: suspend (List<Tenant>, Map<String, Simulator>) -> T): T {
    val sims = linkedMapOf(
        "northwind" to Simulator.start("fleet_matching"),
        "fabrikam" to Simulator.start("fleet_drifted"),
        "tailspin" to Simulator.start("fleet_missing"),
    )
    try {
        val tenants = sims.map { (name, sim) -> Tenant(name, sim.client()) }
        return body(tenants, sims)
    } finally {
        sims.values.forEach { it.stop() }
    }
}

/// Runs this test program again as `intune-apple ARGS...` (its `--run-cli` mode) in a child
/// JVM with `env` as its only credentials: exit code, stdout, stderr.
private fun cliProcess(args: List<String>, env: Map<String, String> = emptyMap()): Triple<Int, String, String> {
    val java = File(System.getProperty("java.home"), "bin/java").path
    val command = listOf(java, "-cp", System.getProperty("java.class.path"), "intune.apple.test.SimulatorTestKt", "--run-cli") + args
    val out = Files.createTempFile("cli", ".out").toFile()
    val err = Files.createTempFile("cli", ".err").toFile()
    try {
        val pb = ProcessBuilder(command).redirectOutput(out).redirectError(err)
        pb.environment().keys.removeIf { it.startsWith("AZURE_") || it.startsWith("INTUNE_APPLE_") || it == "NO_COLOR" }
        pb.environment().putAll(env)
        val p = pb.start()
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw AssertionError("intune-apple ${args.joinToString(" ")} did not end")
        }
        return Triple(p.exitValue(), out.readText(), err.readText())
    } finally {
        out.delete()
        err.delete()
    }
}

internal fun workflowTests(sim: Simulator, client: Client) {
    test("validateTokenProfiles: classic profiles and settings-catalog policies, read only") {
        val seed = File("intune-apple-core/tests/fixtures/seeds/profile-check.json").readText()
        val checked = Simulator.start(seed)
        try {
            checked.addFault(SimulatorFault(method = "GET", path = "/beta/deviceManagement/configurationPolicies/f9999999-0000-4000-8000-000000000005/settings", kind = "intuneRefused"))
            val writes = checked.writesApplied()
            val check = checked.client().validateTokenProfiles("d9999999-0000-4000-8000-000000000009")
            val byName = check.profiles().associateBy { it.displayName }
            expect(byName.size == 5) { "$byName" }
            expect(byName.getValue("Classic iPhone").violations.any { it.code == "I14" }) { "${byName["Classic iPhone"]}" }
            val default = byName.getValue("Default iPad policy")
            expect(default.settingsCatalog && default.platform == "iOS" && default.violations.isEmpty() && default.error == null) { "$default" }
            val kiosk = byName.getValue("Kiosk iPad policy")
            expect(kiosk.violations.any { it.code == "I14" && !it.isError && it.path == "ade_setupassistant_passcode" }) { "$kiosk" }
            expect(kiosk.uncheckedSettings == listOf("ade_setupassistant_somethingnew")) { "$kiosk" }
            expect(byName.getValue("Mac policy").violations.any { it.code == "M4" }) { "${byName["Mac policy"]}" }
            val unreadable = byName.getValue("Unreadable policy")
            expect(unreadable.error?.contains("could not be read") == true && unreadable.error?.contains("\\\"") == false) { "$unreadable" }
            expect(check.hasErrors() && check.exitCode() == 1) { check.toText() }
            expect(check.toText().contains("ade_setupassistant_passcode")) { check.toText() }
            expect(parseJson(check.toJson())["tokenId"] == check.tokenId()) { check.toJson() }
            expect(checked.writesApplied() == writes) { "the check wrote" }
        } finally {
            checked.stop()
        }
    }

    test("reconcile: every case of the demo organisation, and refused keys") {
        val apple = AppleBusinessSimulator.start(null)
        val other = AppleBusinessSimulator.start(null)
        try {
            val json = client.reconcile(apple.clientId(), apple.keyId(), apple.privateKeyPem(), apple.options())
            val result = parseJson(json)
            val main = result["tokens"].arr().first { it["tokenId"] == DEP_MAIN }
            expect(main["server"]["evidence"] == "serialOverlap" && main["server"]["confidence"] == "high") { "${main["server"]}" }
            val found = findings(result, DEP_MAIN)
            expect(found["abm.missing_in_intune"] == listOf("C02Z00000003", "DMQX00000001", "DMQX00000002")) { "$found" }
            expect(found["abm.unassigned"] == listOf("D10000000240", "D10000000241")) { "$found" }
            expect(found["abm.assigned_elsewhere"]?.size == 5) { "$found" }
            expect(found["abm.migration_without_await"] == listOf("D10000000003", "D10000000007")) { "$found" }
            val retail = findings(result, DEP_RETAIL)
            expect(retail["abm.no_profile"]?.size == 12 && "abm.sync_clock_mismatch" in retail) { "$retail" }
            expect(apple.tokensIssued() == 1uL) { "tokens issued: ${apple.tokensIssued()}" }
            // another account's key: refused, typed, and the key is in no message
            val wrongKey = other.privateKeyPem()
            expectError("another account's key", { e ->
                e is IntuneAppleException.Unauthorized && e.details.code == "unauthorized" &&
                    wrongKey.lines().filter { it.isNotEmpty() && !it.startsWith("-----") }
                        .none { "${e.details} $e".contains(it) }
            }) { client.reconcile(apple.clientId(), apple.keyId(), wrongKey, apple.options()) }
            expectError("not a key", { it is IntuneAppleException.Configuration }) {
                client.reconcile(apple.clientId(), apple.keyId(), "not a key", apple.options())
            }
            other.stop()
            expect(!other.isRunning()) { "still running" }
            expectError("stopped", { it is IntuneAppleException.InvalidInput }) { other.baseUrl() }
        } finally {
            apple.stop()
            other.stop()
        }
    }

    test("notify: a signed webhook and Slack on change, then nothing with the same state") {
        val report = client.healthReport(ReportOptions())
        val reports = listOf(TenantReport("", report))
        val dir = Files.createTempDirectory("intune-apple-kotlin-notify").toFile()
        val statePath = File(dir, "state.json")
        Receiver(204).use { hook ->
            Receiver(200).use { slack ->
                val channels = listOf("webhook=${hook.url}", "slack=${slack.url}")
                val options = NotifyOptions(statePath = statePath.path)
                val run = notify(reports, channels, SECRET, options, null)
                expect(run.due && run.sent && run.delivered && run.succeeded && run.stateSaved) { "$run" }
                expect(run.notice == null && run.stateError == null) { "$run" }
                expect(run.outcomes == listOf(ChannelOutcome("webhook (signed)", true, null), ChannelOutcome("slack", true, null))) { "${run.outcomes}" }
                expect(run.changes.isNotEmpty()) { "no changes" }
                val expired = run.changes.map(::parseJson).first { it["what"]["type"] == "expired" }
                expect(expired["credential"]["expiresAt"] is String) { "$expired" }
                expect(statePath.exists()) { "no state file" }
                val shown = run.toString()
                expect(!shown.contains("SECRET-SIG-123") && !shown.contains("127.0.0.1") && !shown.contains(SECRET)) { shown }

                // the webhook: a Standard Webhooks event, signed
                expect(hook.seen.size == 1) { "webhook calls: ${hook.seen.size}" }
                val w = hook.seen[0]
                expect(w.headers["content-type"]!!.startsWith("application/json")) { "${w.headers}" }
                expect(Regex("^msg_[0-9a-f]{32}$").matches(w.headers["webhook-id"]!!)) { "${w.headers}" }
                expect(verifies(SECRET, w.headers, w.body)) { "the signature does not verify" }
                expect(!verifies(SECRET, w.headers, w.body.replace("changed", "digest"))) { "a tampered body verifies" }
                val event = parseJson(w.body)
                expect(event["type"] == "apple_credentials.changed") { "${event["type"]}" }
                expect(event["data"]["severity"] == "expired") { "${event["data"]["severity"]}" }
                expect(event["data"]["changes"].arr().size == run.changes.size) { "changes" }
                // Slack: the text fallback and Block Kit blocks
                expect(slack.seen.size == 1) { "slack calls: ${slack.seen.size}" }
                val s = parseJson(slack.seen[0].body)
                expect((s["text"] as String).startsWith("Apple credentials: ")) { "${s["text"]}" }
                expect(s["blocks"].arr()[0]["type"] == "header") { "${s["blocks"]}" }

                // the same report and state: nothing due, nothing sent, the state unchanged
                val before = statePath.readText()
                val again = notify(reports, channels, SECRET, options, null)
                expect(!again.due && !again.sent && again.succeeded && again.outcomes.isEmpty()) { "$again" }
                expect(hook.seen.size == 1 && slack.seen.size == 1) { "sent again" }
                expect(statePath.readText() == before) { "the state changed" }

                // always: a digest on every run
                val digest = notify(reports, channels, SECRET, options.copy(always = true), null)
                expect(digest.due && digest.succeeded) { "$digest" }
                expect(parseJson(hook.seen[1].body)["type"] == "apple_credentials.digest") { hook.seen[1].body }
            }
        }
        dir.deleteRecursively()
    }

    test("notify: a refused URL is an outcome without the URL; the state is kept; bad options are typed") {
        val report = client.healthReport(ReportOptions())
        val port = ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1")).use { it.localPort }
        val refused = "http://127.0.0.1:$port/hook?sig=SECRET-SIG-123"
        val dir = Files.createTempDirectory("intune-apple-kotlin-refused").toFile()
        val statePath = File(dir, "state.json")
        Receiver(204).use { hook ->
            val run = notify(listOf(TenantReport("", report)), listOf("webhook=${hook.url}", "teams=$refused"), null,
                NotifyOptions(statePath = statePath.path, maxAttempts = 1u), null)
            expect(run.due && run.sent && !run.delivered && !run.succeeded && !run.stateSaved) { "$run" }
            expect(run.outcomes[1].channel == "teams" && !run.outcomes[1].delivered) { "${run.outcomes}" }
            expect(run.outcomes[1].error!!.contains("could not be reached")) { "${run.outcomes[1]}" }
            expect(!run.toString().contains("SECRET-SIG-123") && !run.toString().contains("$port")) { "$run" }
            expect(!statePath.exists()) { "the state was written" }
        }
        dir.deleteRecursively()
        expectError("unknown channel", { it is IntuneAppleException.InvalidInput }) {
            notify(listOf(TenantReport("", report)), listOf("pager=https://example.com"), null, NotifyOptions(), null)
        }
        expectError("attempts", { it is IntuneAppleException.InvalidInput && it.details.message.contains("attempts") }) {
            notify(listOf(TenantReport("", report)), emptyList(), null, NotifyOptions(maxAttempts = 0u), null)
        }
        expectError("thresholds", { it is IntuneAppleException.InvalidInput }) {
            notify(listOf(TenantReport("", report)), emptyList(), null, NotifyOptions(thresholdsDays = listOf(0u)), null)
        }
    }

    test("profile drift across the fleet: matching, drifted and missing, with every rendering") {
        withFleet { tenants, sims ->
            val template = sims.getValue("northwind").fleetTemplate()
            val values = sims.getValue("northwind").fleetValues()
            val report = profileDrift(tenants, template, ProfileTemplateOptions(values = values))
            expect(report.kind() == ProfileReportKind.DRIFT && report.exitCode() == 1) { report.toTable() }
            val data = parseJson(report.toJson())
            val byTenant = data["tenants"].arr().associateBy { it["tenant"] as String }
            expect(byTenant.keys.toList() == listOf("northwind", "fabrikam", "tailspin")) { "${byTenant.keys}" }
            expect(byTenant.getValue("northwind")["tokens"].arr().all { it["status"] == "matching" }) { "${byTenant["northwind"]}" }
            val drifted = byTenant.getValue("fabrikam")["tokens"].arr()[0]
            expect(drifted["status"] == "drifted") { "$drifted" }
            val settings = drifted["differences"].arr().map { it["setting"] as String }.sorted()
            expect(settings == listOf("deviceNameTemplate", "profileRemovalDisabled", "supportDepartment")) { "$settings" }
            expect(byTenant.getValue("tailspin")["tokens"].arr()[0]["status"] == "missing") { "${byTenant["tailspin"]}" }
            expect(report.toTable().contains("supportDepartment: template IT Operations / tenant Helpdesk")) { report.toTable() }
            expect(report.toMarkdown().contains("fabrikam")) { report.toMarkdown() }
            expect(report.toHtml()?.contains("<td>tailspin</td>") == true) { "${report.toHtml()}" }
            // one token, by id
            val one = profileDrift(tenants.take(1), template,
                ProfileTemplateOptions(values = values, tokens = listOf("f1000001-0000-4000-8000-000000000001")))
            expect(parseJson(one.toJson())["tenants"].arr()[0]["tokens"].arr().size == 1) { one.toJson() }
            expect(sims.values.all { it.writesApplied() == 0uL }) { "drift wrote" }
        }
    }

    test("plan, then apply, brings the drifted and the missing tenant to the template") {
        withFleet { tenants, sims ->
            val template = sims.getValue("northwind").fleetTemplate()
            val options = ProfileTemplateOptions(values = sims.getValue("northwind").fleetValues())
            val plan = planProfileApply(tenants, template, options)
            expect(plan.kind() == ProfileReportKind.PLAN && plan.exitCode() == 1) { plan.toTable() }
            val kinds = parseJson(plan.toJson())["writes"].arr().map { it["kind"] as String }
            expect("patch" in kinds && "create" in kinds) { "$kinds" }
            expect(plan.toHtml() == null) { "a plan has no HTML" }
            val dry = applyProfileTemplate(tenants, template, options, false)
            expect(dry.kind() == ProfileReportKind.APPLY) { "${dry.kind()}" }
            expect(sims.values.all { it.writesApplied() == 0uL }) { "a dry apply wrote" }
            val applied = applyProfileTemplate(tenants, template, options, true)
            expect(applied.exitCode() == 0) { applied.toTable() }
            expect(parseJson(applied.toJson())["writes"].arr().isNotEmpty()) { applied.toJson() }
            expect(sims.getValue("fabrikam").writesApplied() > 0uL && sims.getValue("tailspin").writesApplied() > 0uL) { "not written" }
            expect(sims.getValue("northwind").writesApplied() == 0uL) { "the matching tenant was written" }
            val after = profileDrift(tenants, template, options)
            expect(after.exitCode() == 0) { after.toTable() }
        }
    }

    test("export a template; no drift against its source; an edit is planned, applied, then no drift") {
        val fab = Simulator.start("fleet_drifted")
        try {
            val fabrikam = listOf(Tenant("fabrikam", fab.client()))
            val exported = exportProfileTemplate(fab.client(), FAB_TOKEN, FAB_PROFILE, true)
            expect(parseJson(exported.template)["displayName"] == "Corporate iPhone") { exported.template }
            expect(exported.values.isNotEmpty()) { "no placeholder values: $exported" }
            val values = "{\"tenants\": {\"fabrikam\": {" +
                exported.values.entries.joinToString(", ") { "${jsonString(it.key)}: ${jsonString(it.value)}" } + "}}}"
            val options = ProfileTemplateOptions(values = values, tokens = listOf(FAB_TOKEN))
            val none = profileDrift(fabrikam, exported.template, options)
            expect(none.exitCode() == 0) { none.toTable() }
            expect(fab.writesApplied() == 0uL) { "export or drift wrote" }

            // the literal export (no placeholders) carries no values; edit one of its settings
            val literal = exportProfileTemplate(fab.client(), FAB_TOKEN, FAB_PROFILE, false)
            expect(literal.values.isEmpty()) { "${literal.values}" }
            val edited = literal.template.replace("\"Helpdesk\"", "\"Service Desk\"")
            expect(edited != literal.template) { "no supportDepartment to edit in ${literal.template}" }
            val only = ProfileTemplateOptions(tokens = listOf(FAB_TOKEN))
            val plan = planProfileApply(fabrikam, edited, only)
            expect(plan.exitCode() == 1) { plan.toTable() }
            val writes = parseJson(plan.toJson())["writes"].arr()
            expect(writes.size == 1 && writes[0]["kind"] == "patch" && writes[0]["settings"] == listOf("supportDepartment")) { plan.toJson() }
            expect(fab.writesApplied() == 0uL) { "the plan wrote" }
            val applied = applyProfileTemplate(fabrikam, edited, only, true)
            expect(applied.exitCode() == 0 && fab.writesApplied() > 0uL) { applied.toTable() }
            expect(parseJson(fab.client().getEnrollmentProfile(FAB_TOKEN, FAB_PROFILE))["supportDepartment"] == "Service Desk") { "not applied" }
            val again = profileDrift(fabrikam, edited, only)
            expect(again.exitCode() == 0) { again.toTable() }
        } finally {
            fab.stop()
        }
    }

    test("a wrong template or wrong values are typed errors before any call") {
        val template = sim.fleetTemplate()
        val tenants = listOf(Tenant("demo", client))
        val writes = sim.writesApplied()
        expectError("unknown setting", { it is IntuneAppleException.InvalidTemplate && it.details.message.contains("settings.nope") }) {
            profileDrift(tenants, "{\"platform\": \"ios\", \"displayName\": \"x\", \"settings\": {\"nope\": 1}}", ProfileTemplateOptions())
        }
        expectError("not JSON", { it is IntuneAppleException.InvalidTemplate || it is IntuneAppleException.InvalidInput }) {
            planProfileApply(tenants, "not json", ProfileTemplateOptions())
        }
        expectError("values", { it is IntuneAppleException.InvalidInput }) {
            applyProfileTemplate(tenants, template, ProfileTemplateOptions(values = "{\"nope\": {}}"), true)
        }
        expectError("no such profile", { it is IntuneAppleException.NotFound }) {
            exportProfileTemplate(client, DEP_MAIN, "nope", true)
        }
        expect(sim.writesApplied() == writes) { "something was written" }
    }

    test("runCli: the intune-apple command, its exit codes and its output") {
        // in this process (it prints the version on this program's stdout)
        expect(runCli(listOf("--version")) == 0) { "--version" }
        val help = cliProcess(listOf("health", "--help"))
        expect(help.first == 0 && help.second.contains("--no-apps") && help.second.contains("Exit codes")) { "$help" }
        val bad = cliProcess(listOf("health", "--format", "xml"))
        expect(bad.first == 64 && bad.third.contains("Usage: intune-apple") && bad.second.isEmpty()) { "$bad" }
        // with the simulator's credentials in its environment: the report of that tenant
        val env = mapOf("INTUNE_APPLE_GRAPH_URL" to sim.baseUrl(), "INTUNE_APPLE_ACCESS_TOKEN" to sim.issueToken())
        val health = cliProcess(listOf("health", "--format", "json", "--no-apps"), env)
        expect(health.first == 2) { "exit ${health.first}: ${health.third}" }   // the demo tenant has an expired VPP token
        expect(!health.third.contains("No credentials set")) { health.third }
        val report = parseJson(health.second)
        expect(report["errors"].arr().isEmpty() && report["items"].arr().size == 7) { health.second }
    }
}
