import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (proxy audit, issue 26): every fix the audit prints for nginx and HAProxy
/// loads when applied to the sample's own configuration: `nginx -t` and `haproxy -c`; and
/// Apache's, with `apache2 -t` (all installed by `make deps-test`; a missing binary fails
/// the test).
@Suite("Proxy audit fixes load into the proxies' configurations")
struct ProxyFixConfigTests {
    static let nginx = URL(fileURLWithPath: "/usr/sbin/nginx")
    static let haproxy = URL(fileURLWithPath: "/usr/sbin/haproxy")
    static let unshare = URL(fileURLWithPath: "/usr/bin/unshare")
    static let apache = URL(fileURLWithPath: "/usr/sbin/apache2")

    /// The samples listen on their namespaces' addresses: moved to 127.0.0.1, same port.
    static func loopbackListen(_ text: String) -> String {
        text.replacingOccurrences(
            of: #"listen\s+[0-9.]+:([0-9]+)"#, with: "listen 127.0.0.1:$1", options: .regularExpression)
    }

    static func sample(_ name: String) -> URL {
        TestEnvironment.samplesDirectory.appendingPathComponent("proxy/\(name)")
    }

    /// The configuration with its work directory (pid, logs, temp paths) moved to `directory`.
    static func relocated(_ text: String, pidLine: String, into directory: URL) -> String {
        guard
            let line = text.components(separatedBy: "\n").first(where: {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix(pidLine)
            }),
            let path = line.split(separator: " ").last.map({
                String($0).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
            })
        else { return text }
        let workDirectory = (path as NSString).deletingLastPathComponent
        return text.replacingOccurrences(of: workDirectory, with: directory.path)
    }

    static func nginxCheck(_ text: String) throws -> TestEnvironment.ToolResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sp-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("nginx.conf")
        try loopbackListen(relocated(text, pidLine: "pid ", into: directory)).write(
            to: config, atomically: true, encoding: .utf8)
        // nginx -t binds its listen addresses: in a network namespace of its own, on its lo.
        return try TestEnvironment.run(
            unshare,
            // Without root, a user namespace maps us to root inside.
            (getuid() == 0 ? [] : ["--map-root-user"]) + [
                "--net", nginx.path, "-t", "-q", "-p", directory.path + "/", "-c", config.path, "-e",
                directory.appendingPathComponent("e.log").path,
            ],
            timeoutSeconds: 30)
    }

    static func haproxyCheck(_ text: String) throws -> TestEnvironment.ToolResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sp-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("haproxy.cfg")
        try relocated(text, pidLine: "pidfile ", into: directory).write(to: config, atomically: true, encoding: .utf8)
        return try TestEnvironment.run(haproxy, ["-c", "-q", "-f", config.path], timeoutSeconds: 30)
    }

    static func apacheCheck(_ text: String) throws -> TestEnvironment.ToolResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sp-apache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("apache.conf")
        try relocated(text, pidLine: "PidFile ", into: directory).write(to: config, atomically: true, encoding: .utf8)
        return try TestEnvironment.run(apache, ["-t", "-f", config.path], timeoutSeconds: 30)
    }

    static func fixes(_ name: String, proxy: ProxyKind? = nil) throws -> [ProxyConfigFix] {
        var options = ProxyAuditor.Options()
        options.proxy = proxy
        let (report, _) = try ProxyAudit.run(
            paths: [sample("\(name)-front.pcap").path, sample("\(name)-back.pcap").path], options: options)
        return report.findings.compactMap(\.configFix)
    }

    @Test(
        "the nginx fixes the audit prints for the nginx samples pass nginx -t in each sample's configuration",
        arguments: [
            "ws-proxy-nginx-default", "ws-proxy-no-upgrade-headers", "ws-proxy-http10", "ws-proxy-idle-timeout",
        ])
    func nginxSampleFixes(_ name: String) throws {
        let original = try String(contentsOf: Self.sample("\(name).nginx.conf"), encoding: .utf8)
        let fixes = try Self.fixes(name)
        #expect(!fixes.isEmpty, "the \(name) audit gives no fix")
        #expect(fixes.allSatisfy { $0.proxy == .nginx && !$0.assumed })
        #expect(fixes.contains { !$0.snippets.isEmpty })
        var config = original
        for fix in fixes { config = ProxyConfigEditor.applyNginx(fix, to: config) }
        #expect(config != original)
        let result = try Self.nginxCheck(config)
        #expect(result.status == 0, "nginx -t: \(result.errorText)\n\(config)")
    }

    @Test("every nginx fix of the catalog loads into a sample configuration")
    func nginxCatalog() throws {
        let original = try String(contentsOf: Self.sample("ws-proxy-ok.nginx.conf"), encoding: .utf8)
        for topic in Self.topics {
            let config = ProxyConfigEditor.applyNginx(ProxyFixCatalog.fix(topic, for: nil), to: original)
            let result = try Self.nginxCheck(config)
            #expect(result.status == 0, "\(topic): nginx -t: \(result.errorText)")
        }
    }

    @Test("the check is live: the upgrade fix without its map block fails nginx -t, as the old printed fix did")
    func nginxWithoutMapFails() throws {
        let original = try String(contentsOf: Self.sample("ws-proxy-nginx-default.nginx.conf"), encoding: .utf8)
        var fix = ProxyFixCatalog.fix(.forwardUpgrade(path: "/", upstream: "127.0.0.1:9001"), for: nil)
        fix.snippets.removeAll { $0.context == .nginxHTTP }
        let result = try Self.nginxCheck(ProxyConfigEditor.applyNginx(fix, to: original))
        #expect(result.status != 0)
        #expect(result.errorText.contains("connection_upgrade"))
    }

    @Test("the HAProxy idle-kill fix the audit prints passes haproxy -c in the sample's configuration")
    func haproxySampleFix() throws {
        let original = try String(contentsOf: Self.sample("haproxy-tunnel-timeout.haproxy.cfg"), encoding: .utf8)
        let fixes = try Self.fixes("haproxy-tunnel-timeout")
        #expect(fixes.count == 1)
        #expect(fixes.allSatisfy { $0.proxy == .haproxy && !$0.assumed })
        var config = original
        for fix in fixes { config = ProxyConfigEditor.applyHAProxy(fix, to: config) }
        #expect(config.contains("timeout tunnel 1h") && !config.contains("timeout tunnel 2s"))
        let result = try Self.haproxyCheck(config)
        #expect(result.status == 0, "haproxy -c: \(result.errorText)\n\(config)")
    }

    @Test("every HAProxy fix of the catalog loads into the samples' configurations")
    func haproxyCatalog() throws {
        for name in ["haproxy-tunnel-timeout", "haproxy-keepalive-attempts", "haproxy-rfc8441"] {
            let original = try String(contentsOf: Self.sample("\(name).haproxy.cfg"), encoding: .utf8)
            for topic in Self.topics {
                let fix = ProxyFixCatalog.fix(topic, for: ProxyIdentity(kind: .haproxy, evidence: "test"))
                let result = try Self.haproxyCheck(ProxyConfigEditor.applyHAProxy(fix, to: original))
                #expect(result.status == 0, "\(name) \(topic): haproxy -c: \(result.errorText)")
            }
        }
    }

    @Test("the check is live: a bad HAProxy line fails haproxy -c")
    func haproxyBadLineFails() throws {
        let original = try String(contentsOf: Self.sample("haproxy-tunnel-timeout.haproxy.cfg"), encoding: .utf8)
        let fix = ProxyConfigFix(
            proxy: .haproxy, assumed: false, advice: "",
            snippets: [.init(context: .haproxyBackend, lines: ["timeout tunnel forever"])])
        let result = try Self.haproxyCheck(ProxyConfigEditor.applyHAProxy(fix, to: original))
        #expect(result.status != 0)
    }

    @Test(
        "the Apache fixes the audit prints for the Apache samples pass apache2 -t in each sample's configuration",
        arguments: ["apache-no-upgrade", "apache-http10"])
    func apacheSampleFixes(_ name: String) throws {
        let original = try String(contentsOf: Self.sample("\(name).apache.conf"), encoding: .utf8)
        let fixes = try Self.fixes(name)
        #expect(fixes.contains { !$0.snippets.isEmpty } && fixes.allSatisfy { $0.proxy == .apache })
        var config = original
        for fix in fixes { config = ProxyConfigEditor.applyApache(fix, to: config) }
        #expect(config.contains("upgrade=websocket"))
        let result = try Self.apacheCheck(config)
        #expect(result.status == 0, "apache2 -t: \(result.errorText)\n\(config)")
    }

    @Test("every Apache fix of the catalog loads (mod_headers enabled, as the h2c fix says)")
    func apacheCatalog() throws {
        let original =
            try String(contentsOf: Self.sample("apache-upgrade-websocket.apache.conf"), encoding: .utf8)
            + "\nLoadModule headers_module /usr/lib/apache2/modules/mod_headers.so"
        for topic in Self.topics {
            let fix = ProxyFixCatalog.fix(topic, for: ProxyIdentity(kind: .apache, evidence: "test"))
            let result = try Self.apacheCheck(ProxyConfigEditor.applyApache(fix, to: original))
            #expect(result.status == 0, "\(topic): apache2 -t: \(result.errorText)")
        }
    }

    static let topics: [ProxyFixTopic] = [
        .forwardUpgrade(path: "/echo", upstream: "127.0.0.1:9001"), .upstreamHTTP11, .tunnelTimeout(idleSeconds: 2),
        .stripH2CUpgrade, .passUpstream101, .forwardExtensions,
    ]
}
