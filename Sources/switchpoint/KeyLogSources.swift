import Foundation
import SwitchpointCore

/// Where TLS secrets come from, for the timeline and the audit alike: `--keylog` files,
/// `SSLKEYLOGFILE`, and the Decryption Secrets Blocks of pcapng inputs.
struct KeyLogSources {
    struct KeyLogError: Error, CustomStringConvertible {
        var description: String
    }

    var files: [String]
    /// The capture files read (their pcapng secrets count).
    var inputs: [String]
    /// Live: the files are followed as they grow (browsers append as they connect).
    var live: Bool
    var commandName = "switchpoint"

    /// The key log, nil when there is none to use (TLS stays encrypted). A named file that
    /// cannot be read throws; lines that are not key log lines are reported once.
    func load(errors: LineWriter) throws -> TLSKeyLog? {
        var keyLog = TLSKeyLog()
        var given = false
        var followed: [(path: String, offset: UInt64)] = []
        for path in files {
            do {
                followed.append((path, try keyLog.add(contentsOf: path)))
            } catch {
                throw KeyLogError(description: "cannot read key log \(path): \(error.localizedDescription)")
            }
            given = true
        }
        if let path = ProcessInfo.processInfo.environment["SSLKEYLOGFILE"], !path.isEmpty {
            // The variable is often set for other programs: a missing file is only noted.
            do {
                followed.append((path, try keyLog.add(contentsOf: path)))
                given = true
            } catch {
                errors.write(
                    line: commandName + ": SSLKEYLOGFILE=" + TerminalText.escape(path)
                        + " could not be read; TLS is not decrypted with it")
            }
        }
        for path in inputs where path != "-" && PcapngSecretsScanner.isPcapng(path: path) {
            let found = PcapngSecretsScanner.scan(path: path)
            for text in found.keyLogs {
                keyLog.add(text: text, source: "\(path) (decryption secrets block)", from: .embedded)
                given = true
            }
        }
        // The first line not understood is quoted from the file: escaped.
        if let summary = keyLog.malformedSummary {
            errors.write(line: commandName + ": " + TerminalText.escape(summary))
        }
        if let conflicts = keyLog.conflictSummary { errors.write(line: commandName + ": " + conflicts) }
        if live && !followed.isEmpty { keyLog.follower = TLSKeyLogFollower(paths: followed) }
        return given ? keyLog : nil
    }
}
