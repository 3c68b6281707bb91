import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Timestamps of a nanosecond copy that editcap makes of a microsecond sample.
@Suite("Timeline command on nanosecond files")
struct TimelineNanosecondTests {
    static let sample = CommandLineTests.sample

    @Test("nanosecond and microsecond files give the same timestamps")
    func nanosecondFiles() throws {
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nano = directory.appendingPathComponent("nano.pcap")
        #expect(try TestEnvironment.run(editcap, ["-F", "nsecpcap", Self.sample, nano.path]).status == 0)
        let micro = try InProcessCommand.timeline([Self.sample]) { $0.json = true }
        let converted = try InProcessCommand.timeline([nano.path]) { $0.json = true }
        #expect(micro.text == converted.text)
        #expect(micro.text.contains("\"ts\":"))
    }
}
