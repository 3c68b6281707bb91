import Foundation

@testable import SwitchpointCore

/// Events through the text printer into a file, as the command line writes them.
enum TextRendering {
    static func render(_ events: [TimelineEvent], colour: Bool = false) throws -> String {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputURL)
        let writer = LineWriter(descriptor: handle.fileDescriptor, flushEachLine: true)
        var options = TextTimelinePrinter.Options()
        options.colour = colour
        let printer = TextTimelinePrinter(writer: writer, options: options)
        for event in events { printer.receive(event) }
        printer.finish(statistics: DecodeStatistics(), problems: [])
        try handle.close()
        return String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
    }
}
