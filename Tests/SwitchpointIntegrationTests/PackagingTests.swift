import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 28's packaging: `make install` (PREFIX, DESTDIR), the man page generated from the
/// argument parser, the completions, `--version`, `make uninstall`, and the release
/// tarball's statically linked binary run far from the Swift toolchain.
///
/// The install tests install this test run's `switchpoint` (`INSTALL_BIN`): what they check
/// is the layout and the generated files, and a release build costs minutes. The tarball
/// test takes the tarball `make release` left in .build/dist (`make test-release` makes a
/// fresh one and runs this suite); without one it is skipped, saying so.
@Suite("packaging: make install, man page, completions, release tarball")
struct PackagingTests {
    static let root = TestEnvironment.projectRoot
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
    static let distDirectory = root.appendingPathComponent(".build/dist")

    /// Runs a tool `make test` installs (make and git are told the project root with -C:
    /// the tests run in parallel, so nothing changes the working directory).
    func run(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 120
    ) throws -> TestEnvironment.ToolResult {
        let executable = try TestEnvironment.requiredTool(tool)
        let inRoot = ["make", "git"].contains(tool) ? ["-C", Self.root.path] + arguments : arguments
        return try TestEnvironment.run(executable, inRoot, timeoutSeconds: timeoutSeconds, environment: environment)
    }

    /// `make install PREFIX=…` of this run's binary into a fresh directory.
    func install(prefix: URL, destdir: String = "") throws {
        let result = try run(
            "make",
            [
                "-s", "--no-print-directory", "install", "PREFIX=\(prefix.path)", "DESTDIR=\(destdir)",
                "INSTALL_BIN=\(TestEnvironment.switchpointBinary.path)",
            ])
        #expect(result.status == 0, "make install: \(result.errorText)")
    }

    static let installedFiles = [
        "bin/switchpoint", "share/man/man1/switchpoint.1", "share/bash-completion/completions/switchpoint",
        "share/zsh/site-functions/_switchpoint", "share/fish/vendor_completions.d/switchpoint.fish",
    ]

    @Test("make install PREFIX: the binary reads a sample, man -M shows the page, completions load; uninstall")
    func installIntoPrefix() throws {
        let prefix = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: prefix) }
        try install(prefix: prefix)
        for file in Self.installedFiles {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
        let installed = prefix.appendingPathComponent("bin/switchpoint")
        let timeline = try TestEnvironment.run(installed, ["-r", Self.sample])
        #expect(timeline.status == 0)
        #expect(timeline.text.contains("conn 1  127.0.0.1:58416 → 127.0.0.1:18080"))
        #expect(timeline.text.contains("== summary"))

        let page = try run(
            "man", ["-M", prefix.appendingPathComponent("share/man").path, "switchpoint"],
            environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "200", "LANG": "C.UTF-8"])
        #expect(page.status == 0, "man -M: \(page.errorText)")
        #expect(page.text.contains("SYNOPSIS"))
        #expect(page.text.contains("switchpoint audit"))

        let bash = try run(
            "bash",
            [
                "-c",
                "source \"$1\" && complete -p switchpoint",
                "bash", prefix.appendingPathComponent("share/bash-completion/completions/switchpoint").path,
            ])
        #expect(bash.status == 0)
        #expect(bash.errorText.isEmpty, "bash: \(bash.errorText)")
        #expect(bash.text.contains("switchpoint"))

        let uninstall = try run(
            "make", ["-s", "--no-print-directory", "uninstall", "PREFIX=\(prefix.path)"])
        #expect(uninstall.status == 0)
        for file in Self.installedFiles {
            #expect(!FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test("DESTDIR stages the PREFIX layout under it")
    func installWithDestdir() throws {
        let stage = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stage) }
        try install(prefix: URL(fileURLWithPath: "/opt/switchpoint-test"), destdir: stage.path)
        for file in Self.installedFiles {
            let path = stage.appendingPathComponent("opt/switchpoint-test").appendingPathComponent(file).path
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
        }
    }

    /// Every option name of a command, from the argument parser's own description.
    func optionNames(_ prefix: [String]) throws -> [String] {
        let dump = try TestEnvironment.run(
            TestEnvironment.switchpointBinary, prefix + ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: dump.output) as? [String: Any])
        let command = try #require(json["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        return arguments.filter { ($0["shouldDisplay"] as? Bool) != false }.flatMap { argument in
            ((argument["names"] as? [[String: Any]]) ?? []).compactMap { name -> String? in
                guard let text = name["name"] as? String else { return nil }
                return (name["kind"] as? String == "long" ? "--" : "-") + text
            }
        }
    }

    @Test("the man page renders with man -l, no groff warning, and names every option of every subcommand")
    func manPageCoversEverySubcommand() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try run(
            "python3",
            [Self.root.appendingPathComponent("scripts/generate-manpage").path, TestEnvironment.switchpointBinary.path])
        #expect(generated.status == 0, "generate-manpage: \(generated.errorText)")
        let page = directory.appendingPathComponent("switchpoint.1")
        try generated.output.write(to: page)
        let rendered = try run(
            "man", ["--warnings", "--no-hyphenation", "--no-justification", "-l", page.path],
            environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "250", "LANG": "C.UTF-8"])
        #expect(rendered.status == 0)
        #expect(rendered.errorText.isEmpty, "groff: \(rendered.errorText)")
        let text = rendered.text
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "SEE ALSO"] {
            #expect(text.contains("\n\(heading)\n"), "\(heading)")
        }
        for subcommand in [[], ["audit"], ["merge"]] {
            if let name = subcommand.first { #expect(text.contains("switchpoint \(name)")) }
            for option in try optionNames(subcommand) {
                #expect(text.contains(option), "\(subcommand) \(option) not in the page")
            }
        }
    }

    @Test("completion scripts: bash loads its own; zsh and fish parse theirs when those shells are installed")
    func completionScriptsLoad() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try TestEnvironment.run(
                TestEnvironment.switchpointBinary, ["--generate-completion-script", shell])
            #expect(script.status == 0)
            #expect(script.text.contains("switchpoint"))
            #expect(script.text.contains("--time"), "\(shell) script knows the options")
        }
        let bash = try TestEnvironment.run(
            TestEnvironment.switchpointBinary, ["--generate-completion-script", "bash"])
        let file = try TestEnvironment.temporaryDirectory().appendingPathComponent("switchpoint.bash")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try bash.output.write(to: file)
        let loaded = try run("bash", ["-c", "source \"$1\" && complete -p switchpoint", "bash", file.path])
        #expect(loaded.status == 0 && loaded.errorText.isEmpty, "bash: \(loaded.errorText)")
        // The subcommands complete too: `switchpoint au<TAB>`, `switchpoint audit --front-f<TAB>`.
        for (words, expected) in [
            (["switchpoint", "au"], "audit"), (["switchpoint", "audit", "--front-f"], "--front-file"),
        ] {
            let line = words.joined(separator: " ")
            let complete = try run(
                "bash",
                [
                    "-c",
                    "source \"$1\"; COMP_WORDS=(\(line)); COMP_CWORD=\(words.count - 1); COMP_LINE='\(line)'; "
                        + "COMP_POINT=${#COMP_LINE}; _switchpoint switchpoint \(words.last ?? "") \(words[words.count - 2]); "
                        + "printf '%s\\n' \"${COMPREPLY[@]}\"",
                    "bash", file.path,
                ])
            #expect(complete.text.split(separator: "\n").contains { $0 == expected }, "\(line): \(complete.text)")
        }
        if TestEnvironment.tool("zsh") != nil {
            let zsh = try TestEnvironment.run(
                TestEnvironment.switchpointBinary, ["--generate-completion-script", "zsh"])
            try zsh.output.write(to: file)
            #expect(try run("zsh", ["-n", file.path]).status == 0)
        }
    }

    @Test("--version says the git version the Makefile baked in (unknown without it)")
    func versionIsGitDescribe() throws {
        let described = try run("git", ["describe", "--always", "--dirty"])
        let fromMake = try run("make", ["-s", "--no-print-directory", "print-version"])
        #expect(fromMake.status == 0)
        if described.status == 0 {
            #expect(fromMake.text == described.text)
        } else {
            #expect(fromMake.text == "unknown\n")
        }
        let header = Self.root.appendingPathComponent("Sources/CBuildInfo/git-version.h")
        var baked = "unknown"
        if let text = try? String(contentsOf: header, encoding: .utf8) {
            let parts = text.split(separator: "\"")
            baked = parts.count >= 2 ? String(parts[1]) : "malformed header"
        }
        let version = try TestEnvironment.run(TestEnvironment.switchpointBinary, ["--version"])
        #expect(version.status == 0)
        #expect(version.text.hasPrefix("switchpoint \(baked)\n"))
        #expect(VersionReport.switchpoint == baked)
    }

    // MARK: The release tarball

    /// The newest `switchpoint-*-linux-*.tar.gz` of .build/dist.
    static var releaseTarball: URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: distDirectory.path)) ?? []
        return
            names
            .filter { $0.hasPrefix("switchpoint-") && $0.hasSuffix(".tar.gz") }
            .map { distDirectory.appendingPathComponent($0) }
            .max { modified($0) < modified($1) }
    }

    static func modified(_ url: URL) -> Date {
        (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
    }

    /// Where the binary is run: a fresh Debian with libpcap only (`scripts/debian-test-root`,
    /// made by `make test-release`), else the libraries ldd names copied into an empty root.
    static let debianRoot = URL(fileURLWithPath: "/var/tmp/switchpoint-debian-root")

    @Test(
        "the release tarball's binary: no Swift library in ldd, and it runs in a root with only libc and libpcap",
        .enabled(if: releaseTarball != nil, "no release tarball in .build/dist: make release (or make test-release)"),
        .enabled(if: getuid() == 0, "chroot needs root")
    )
    func releaseBinaryRunsWithoutSwift() throws {
        let tarball = try #require(Self.releaseTarball)
        let work = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(try run("tar", ["-C", work.path, "-xzf", tarball.path]).status == 0)
        let name = String(tarball.lastPathComponent.dropLast(".tar.gz".count))
        let unpacked = work.appendingPathComponent(name)
        for file in Self.installedFiles + ["README.md"] {
            #expect(FileManager.default.fileExists(atPath: unpacked.appendingPathComponent(file).path), "\(file)")
        }
        let binary = unpacked.appendingPathComponent("bin/switchpoint")
        let ldd = try run("ldd", [binary.path])
        #expect(ldd.status == 0)
        for runtime in ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime"] {
            #expect(!ldd.text.contains(runtime), "\(runtime) in ldd:\n\(ldd.text)")
        }
        #expect(ldd.text.contains("libpcap"))
        let dynamic = try run("readelf", ["-d", binary.path])
        #expect(!dynamic.text.contains("/opt/swift") && !dynamic.text.contains("swift/linux"), "\(dynamic.text)")

        let root = try chrootDirectory(work: work, binary: binary, ldd: ldd.text)
        let guest = root.appendingPathComponent("switchpoint-test")
        try? FileManager.default.removeItem(at: guest)  // an interrupted run's
        try FileManager.default.createDirectory(at: guest, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: guest) }
        try FileManager.default.copyItem(at: binary, to: guest.appendingPathComponent("switchpoint"))
        try FileManager.default.copyItem(
            at: URL(fileURLWithPath: Self.sample), to: guest.appendingPathComponent("sample.pcap"))
        // The control: this test run's binary, linked to the toolchain's Swift libraries,
        // cannot start there.
        let toolchainLinked = guest.appendingPathComponent("switchpoint-dynamic")
        try FileManager.default.copyItem(at: TestEnvironment.switchpointBinary, to: toolchainLinked)
        let control = try runInRoot(root, ["--version"], binary: "/switchpoint-test/switchpoint-dynamic")
        #expect(control.status != 0 && control.errorText.contains("libswift"), "\(control.errorText)")

        let inside = try runInRoot(root, ["-r", "/switchpoint-test/sample.pcap"])
        #expect(inside.status == 0, "in \(root.path): \(inside.errorText)")
        #expect(inside.text.contains("conn 1  127.0.0.1:58416 → 127.0.0.1:18080"))
        let version = try runInRoot(root, ["--version"])
        let tarballVersion = name.dropFirst("switchpoint-".count).split(separator: "-linux-").first.map(String.init)
        #expect(version.text.hasPrefix("switchpoint \(tarballVersion ?? "?")\n"), "\(version.text)")
    }

    /// `/switchpoint-test/switchpoint ARGUMENTS` chrooted into `root`, with /proc mounted
    /// there (the Swift runtime reads the arguments from /proc/self/cmdline, as any Linux
    /// system has it) in a private mount namespace, so the mount goes with the process.
    func runInRoot(
        _ root: URL, _ arguments: [String], binary: String = "/switchpoint-test/switchpoint"
    ) throws -> TestEnvironment.ToolResult {
        try run(
            "unshare",
            [
                "--mount", "--propagation", "private", "--fork", "--", "sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"", root.path, binary,
            ] + arguments, environment: ["LD_LIBRARY_PATH": ""])
    }

    /// The Debian root when it was made, else a root of just the libraries ldd lists (the
    /// binary's own needs: libc, libpcap and theirs), under `work`.
    func chrootDirectory(work: URL, binary: URL, ldd: String) throws -> URL {
        if FileManager.default.fileExists(atPath: Self.debianRoot.appendingPathComponent(".switchpoint-complete").path)
        {
            return Self.debianRoot
        }
        let root = work.appendingPathComponent("root")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("proc"), withIntermediateDirectories: true)
        for line in ldd.split(separator: "\n") {
            // "libpcap.so.0.8 => /lib/x86_64-linux-gnu/libpcap.so.0.8 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            guard let path = line.split(separator: " ").first(where: { $0.hasPrefix("/") }) else { continue }
            let target = root.appendingPathComponent(String(path))
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: String(path)).resolvingSymlinksInPath(), to: target)
        }
        return root
    }
}
