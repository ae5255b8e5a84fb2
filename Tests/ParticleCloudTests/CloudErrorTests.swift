import ParticleCore
import Testing
@testable import ParticleCloud

/// Error bodies as the API sends them → message, code and exit status.
@Suite struct CloudErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var status: Int
        var body: String
        var apiMessage: String?
        var code: String?
        var exit: ParticleCore.ExitStatus
        var description: String { "\(status) \(body)" }
    }

    static let cases: [Case] = [
        Case(status: 401, body: #"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#,
             apiMessage: "The access token provided is invalid.", code: "invalid_token", exit: .authentication),
        Case(status: 400, body: #"{"error":"unauthorized","error_description":"API users are not allowed to call this endpoint"}"#,
             apiMessage: "API users are not allowed to call this endpoint", code: "unauthorized", exit: .authentication),
        Case(status: 403, body: #"{"mfa_token":"abc","error":"mfa_required","error_description":"Multi-factor authentication required"}"#,
             apiMessage: "Multi-factor authentication required", code: "mfa_required", exit: .authentication),
        Case(status: 404, body: #"{"ok":false,"error":"Unknown Variable: sensor2"}"#,
             apiMessage: "Unknown Variable: sensor2", code: "Unknown Variable: sensor2", exit: .notFound),
        Case(status: 408, body: #"{"ok":false,"error":"timed out"}"#, apiMessage: "timed out", code: "timed out", exit: .timedOut),
        Case(status: 403, body: #"{"errors":["That belongs to someone else."]}"#,
             apiMessage: "That belongs to someone else.", code: nil, exit: .remoteError),
        Case(status: 403, body: #"{"info":"I didn't recognize that device name or ID, try opening https://api.particle.io/v1/devices?access_token=0123456789abcdef"}"#,
             apiMessage: "I didn't recognize that device name or ID, try opening https://api.particle.io/v1/devices?access_token=…",
             code: nil, exit: .remoteError),
        Case(status: 400, body: #"{"ok":false,"code":400,"errors":["make: error 1\nline two",{"message":"third"}]}"#,
             apiMessage: "make: error 1 / line two; third", code: nil, exit: .remoteError),
        Case(status: 429, body: "Too Many Requests", apiMessage: nil, code: nil, exit: .remoteError),
        Case(status: 429, body: "", apiMessage: nil, code: nil, exit: .remoteError),
        Case(status: 503, body: "<html>Service Unavailable</html>", apiMessage: nil, code: nil, exit: .remoteError),
        Case(status: 401, body: "not json", apiMessage: nil, code: nil, exit: .authentication),
        Case(status: 400, body: #"{"error":"invalid_grant","error_description":"User credentials are invalid"}"#,
             apiMessage: "User credentials are invalid", code: "invalid_grant", exit: .authentication),
    ]

    @Test(arguments: cases)
    func decodesBodyAndMapsExitStatus(_ testCase: Case) {
        let error = CloudError.fromReply(status: testCase.status, body: Array(testCase.body.utf8))
        #expect(error.apiMessage == testCase.apiMessage)
        #expect(error.code == testCase.code)
        #expect(error.exitStatus == testCase.exit)
        #expect(error.status == testCase.status)
        #expect(!error.message.contains("\n"))
    }

    @Test func mfaRequiredCarriesTheMFAToken() {
        let error = CloudError.fromReply(status: 403, body: Array(#"{"mfa_token":"opaque.jwt","error":"mfa_required"}"#.utf8))
        #expect(error.kind == .mfaRequired)
        #expect(error.mfaToken == "opaque.jwt")
    }

    @Test func invalidTokenTellsTheUserToLogIn() {
        let error = CloudError.fromReply(status: 401, body: [])
        #expect(error.message.contains("run `particlectl login`"))
    }

    @Test func rateLimitMentionsRetryAfter() {
        let error = CloudError.fromReply(status: 429, body: [], retryAfter: "120")
        #expect(error.kind == .rateLimited)
        #expect(error.message.contains("120"))
    }

    @Test func decoderSurvivesNonObjects() {
        for body in ["[]", "null", "42", "\"text\"", "{\"error\":42}", "{\"errors\":\"nope\"}", "\u{FF}\u{FE}"] {
            #expect(ErrorBody.decode(Array(body.utf8)).message == nil, "\(body)")
        }
    }

    @Test func longMessagesAreBounded() {
        let body = #"{"error":""# + String(repeating: "x", count: 5000) + #""}"#
        let message = ErrorBody.decode(Array(body.utf8)).message ?? ""
        #expect(message.count <= 301)
    }
}
