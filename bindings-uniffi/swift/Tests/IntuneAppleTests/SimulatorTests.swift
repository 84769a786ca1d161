// The Swift face of intune-apple against the simulator over HTTP (macOS CI: .github/workflows/swift.yml).
import Foundation
import XCTest
@testable import IntuneApple

final class SimulatorTests: XCTestCase {
    var sim: Simulator!

    override func setUpWithError() throws {
        sim = try Simulator.start(seed: nil)
    }

    override func tearDown() {
        sim.stop()
    }

    func testHealthReportAndRenderers() async throws {
        let client = try Client(credential: try sim.credential(), options: try sim.clientOptions())
        let report = try await client.healthReport(options: ReportOptions())
        XCTAssertFalse(report.items().isEmpty)
        XCTAssertTrue(report.items().contains { $0.kind == .pushCertificate })
        XCTAssertTrue(report.render(format: .json, color: false).contains("\"generatedAt\""))
        XCTAssertTrue(report.render(format: .ics, color: false).hasPrefix("BEGIN:VCALENDAR"))
    }

    func testListingsAndTypedRecords() async throws {
        let client = try sim.client()
        let push = try await client.getPushCertificate()
        XCTAssertTrue(push.topicIdentifier?.hasPrefix("com.apple.mgmt.External.") ?? false)
        XCTAssertNotNil(push.expirationDateTime)
        let tokens = try await client.vppTokens()
        XCTAssertGreaterThanOrEqual(tokens.count, 2)
    }

    func testAVppTokenOfAnotherOrganisationIsRefused() async throws {
        let client = try sim.client()
        let json = #"{"token":"c2VjcmV0","expDate":"2031-01-01T00:00:00+0000","orgName":"Another Organisation Ltd"}"#
        let file = Data(json.utf8).base64EncodedString()
        do {
            _ = try await client.renewVppToken(tokenFile: file, location: nil, createIfMissing: false, force: false)
            XCTFail("not refused")
        } catch IntuneAppleError.RenewalRefused(let details) {
            XCTAssertEqual(details.code, "renewal_refused")
            XCTAssertFalse(details.reasons.isEmpty)
        }
    }

    func testTypedErrors() async throws {
        let client = try sim.client()
        do {
            _ = try await client.getEnrollmentProgramToken(id: "no-such-token")
            XCTFail("no error")
        } catch IntuneAppleError.NotFound(let details) {
            XCTAssertEqual(details.code, "not_found")
            XCTAssertEqual(details.status, 404)
        }
        XCTAssertEqual("\(try sim.credential())", "Credential(clientSecret)")
    }
}
