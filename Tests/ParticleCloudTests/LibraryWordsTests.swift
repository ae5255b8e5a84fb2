import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// Issue 10 item 3: the library's messages name no CLI flag; what is missing or what to check is a typed value the
/// caller says in its own words.
@Suite struct LibraryWordsTests {
    @Test func cloudErrorAdviceIsTypedAndSaidInTheCallersWords() {
        let reply = CloudError.badReply("GET /v1/devices did not return the documented JSON")
        #expect(reply.advice == .checkAPIURL)
        #expect(reply.message == "unexpected reply from the cloud: GET /v1/devices did not return the documented JSON; check the API URL")
        let said = reply.advised { $0 == .checkAPIURL ? "check --api-url" : "?" }
        #expect(said.message == "unexpected reply from the cloud: GET /v1/devices did not return the documented JSON; check --api-url")
        let mfa = CloudError.fromReply(status: 403, body: Array(#"{"error":"mfa_required","mfa_token":"m"}"#.utf8))
        #expect(mfa.advice == .oneTimePassword)
        #expect(mfa.message == "this account needs a one-time password (MFA); give the one-time password")
        // An error without advice is left as it is.
        let notFound = CloudError.fromReply(status: 404, body: [])
        #expect(notFound.advised { _ in "x" } == notFound)
    }

    @Test func noLibraryMessageNamesAFlag() {
        let messages = [
            CloudError.badReply("x").message,
            CloudError.fromReply(status: 403, body: Array(#"{"error":"mfa_required"}"#.utf8)).message,
            CloudError.fromReply(status: 401, body: []).attributed(to: .stdin).message,
            MissingCloudInput(.accessToken).message, MissingCloudInput(.product).message, MissingCloudInput(.scope).message,
            EventWaitTimeout(seconds: 3).message, EventWaitTimeout(seconds: 3, deviceID: "0e").message,
        ] + CloudError.Advice.allCases.map(\.text)
        for message in messages {
            #expect(!message.contains(" --"), "\(message)")
        }
    }

    @Test func missingInputNamesWhatIsMissingAndTakesTheCallersOption() throws {
        #expect(throws: MissingCloudInput(.scope)) { try TeamAPI.validate(scopes: []) }
        #expect(MissingCloudInput(.scope, advice: "--scope").message == "give at least one --scope (for example devices:list)")
        #expect(MissingCloudInput(.product, advice: "--product").message == "importing devices needs a product (--product)")
        #expect(MissingCloudInput(.product).exitStatus == .usage)
        #expect(MissingCloudInput(.accessToken).exitStatus == .authentication)
    }

    @Test func unreachableCloudIsClassifiedFromTypedErrorsAndAdvisesTheURL() async throws {
        // A port nothing listens on: NIO's typed "connection refused", never parsed from text.
        let configuration = CloudConfiguration(baseURL: "http://127.0.0.1:1", token: "t", retry: .none, requestTimeout: 5)
        do {
            _ = try await CloudClient.with(configuration) { client in try await client.devices().list() }
            Issue.record("port 1 answered")
        } catch let error as CloudError {
            #expect(error.kind == .unreachable)
            #expect(error.advice == .checkAPIURLAndNetwork)
            #expect(error.message == "cannot reach http://127.0.0.1:1 (connection refused); check the API URL and the network")
        }
    }
}
