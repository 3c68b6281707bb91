import CPcap

#if canImport(Glibc)
    import Glibc
#endif

/// Reads pcap and pcapng files (libpcap reads both) one after the other as one capture;
/// `-` reads standard input. Packet numbers continue across files.
package final class OfflineCaptureSource: PacketSource {
    package let paths: [String]
    package let filter: String
    /// `-w` with `-r`: the packets that pass the filter are written here.
    private let writePath: String?
    private var writer: PcapDumpWriter?
    private var fileIndex = -1
    private var handle: PcapHandle?
    /// The current file's records read without libpcap when it is a plain pcap file (with
    /// the filter compiled for them); nil for pcapng, stdin, or once libpcap took over.
    private var mapped: MappedPcapRecords? {
        didSet { mappedReference = mapped.map { Unmanaged.passUnretained($0) } }
    }
    /// `mapped` for the per-packet path, borrowed: binding `mapped` and `handle` for every
    /// packet cost two retains and two releases.
    private var mappedReference: Unmanaged<MappedPcapRecords>?
    private var mappedFilter: CompiledFilter?
    /// Off: every record through libpcap (the tests compare the two readings).
    var readsMappedFiles = true
    private var linkType: LinkType = .ethernet
    private var packetNumberInFile: UInt64 = 0
    private var packetNumber: UInt64 = 0
    package private(set) var label: String = ""
    /// The progress line of a long read (`ReadProgress`), told every few thousand packets.
    package var progress: ReadProgress?
    /// Bytes of the files already read to their end.
    private var finishedFileBytes: UInt64 = 0
    /// What every packet read adds up to: `--shard` runs print it for `switchpoint merge`.
    package private(set) var identity = CaptureIdentity()

    /// Checks the filter's syntax up front so a typo is reported before any output.
    package init(paths: [String], filter: String = "", writeTo writePath: String? = nil) throws(CaptureError) {
        self.paths = paths
        self.filter = filter
        self.writePath = writePath
        if !filter.isEmpty {
            try Self.validate(filter: filter)
        }
        try Self.checkOpenable(paths)
    }

    /// Every named file opens as a capture (its header read), so a missing, unreadable or
    /// header-cut file is one error before any output, not an empty run. A file cut later
    /// is an input problem met while reading, after the packets before the cut.
    static func checkOpenable(_ paths: [String]) throws(CaptureError) {
        for path in paths where path != "-" {
            var errorBuffer = [CChar](repeating: 0, count: pcapErrorBufferSize)
            guard let pointer = pcap_open_offline(path, &errorBuffer) else {
                throw .cannotOpenFile(path: path, message: pcapErrorString(errorBuffer))
            }
            pcap_close(pointer)
        }
    }

    /// Compiles `filter` against a dead Ethernet handle (BPF syntax does not depend on the
    /// file, only the link type, which is checked again per file).
    static func validate(filter: String) throws(CaptureError) {
        guard let dead = pcap_open_dead(1, 262_144) else { return }
        let handle = PcapHandle(dead)
        try handle.install(filter: filter, compileOnly: true)
    }

    package func next() -> PacketReadOutcome {
        while true {
            if handle == nil {
                fileIndex += 1
                guard fileIndex < paths.count else { return .end }
                if let problem = openCurrentFile() {
                    return .problem(problem)
                }
            }
            guard handle != nil else { continue }
            if let mappedReference {
                switch mappedReference._withUnsafeGuaranteedRef({ $0.next() }) {
                case .packet(let seconds, let nanoseconds, let captured, let original, let data):
                    if let mappedFilter,
                        !mappedFilter.accepts(
                            seconds: seconds, nanoseconds: nanoseconds, captured: captured,
                            original: original, data: data)
                    {
                        continue
                    }
                    packetNumber += 1
                    packetNumberInFile += 1
                    let packet = RawPacket(
                        bytes: UnsafeRawBufferPointer(start: data, count: captured),
                        originalLength: original,
                        linkType: linkType,
                        capture: CaptureInfo(
                            packetNumber: packetNumber,
                            timestamp: Timestamp(seconds: seconds, nanoseconds: nanoseconds)))
                    writer?.write(packet)
                    identity.add(packet)
                    if let progress, packetNumber & (ReadProgress.reportInterval - 1) == 0 {
                        let offset = mappedReference._withUnsafeGuaranteedRef { $0.offset }
                        progress.report(bytesRead: finishedFileBytes + UInt64(offset), packets: packetNumber)
                    }
                    return .packet(packet)
                case .end:
                    if progress != nil {
                        finishedFileBytes += UInt64(mappedReference._withUnsafeGuaranteedRef { $0.offset })
                    }
                    self.mapped = nil
                    mappedFilter = nil
                    handle = nil
                    if let problem = closeWriterAfterLastFile() { return .problem(problem) }
                    continue
                case .irregular(let offset):
                    // libpcap reads on from this record and says what is wrong with it.
                    self.mapped = nil
                    mappedFilter = nil
                    if let handle, let file = pcap_file(handle.pointer) { fseek(file, offset, SEEK_SET) }
                }
            }
            guard let current = handle else { continue }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = pcap_next_ex(current.pointer, &header, &data)
            if status == 1, let header, let data {
                packetNumber += 1
                packetNumberInFile += 1
                let captured = Int(header.pointee.caplen)
                let ts = Timestamp(
                    seconds: Int64(header.pointee.ts.tv_sec), nanoseconds: Int64(header.pointee.ts.tv_usec))
                let packet = RawPacket(
                    bytes: UnsafeRawBufferPointer(start: data, count: captured),
                    originalLength: Int(header.pointee.len),
                    linkType: linkType,
                    capture: CaptureInfo(packetNumber: packetNumber, timestamp: ts))
                writer?.write(packet)
                identity.add(packet)
                if let progress, packetNumber & (ReadProgress.reportInterval - 1) == 0 {
                    progress.report(bytesRead: finishedFileBytes + Self.position(current), packets: packetNumber)
                }
                return .packet(packet)
            }
            if status == PCAP_ERROR_BREAK || status == 0 {
                if progress != nil { finishedFileBytes += Self.position(current) }
                handle = nil
                if let problem = closeWriterAfterLastFile() { return .problem(problem) }
                continue
            }
            // PCAP_ERROR: offline this means a short read or a corrupt record header.
            let message = current.lastError
            handle = nil
            return .problem(.truncatedFile(path: label, packetNumber: packetNumberInFile + 1, message: message))
        }
    }

    /// How far libpcap has read the file (its stdio position: at most a buffer ahead).
    private static func position(_ handle: PcapHandle) -> UInt64 {
        guard let file = pcap_file(handle.pointer) else { return 0 }
        return UInt64(max(0, ftell(file)))
    }

    private func openCurrentFile() -> CaptureError? {
        let path = paths[fileIndex]
        label = path == "-" ? "(stdin)" : path
        packetNumberInFile = 0
        var errorBuffer = [CChar](repeating: 0, count: pcapErrorBufferSize)
        guard
            let pointer = pcap_open_offline_with_tstamp_precision(
                path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        else {
            return .cannotOpenFile(path: label, message: pcapErrorString(errorBuffer))
        }
        let opened = PcapHandle(pointer)
        let dlt = opened.dlt
        guard let type = LinkType(dlt: dlt) else {
            return .unsupportedLinkType(source: label, dlt: dlt, name: LinkType.name(ofDLT: dlt))
        }
        do {
            try opened.install(filter: filter)
        } catch {
            return error
        }
        if let writePath, writer == nil {
            do {
                writer = try PcapDumpWriter(handle: opened.pointer, path: writePath)
            } catch {
                return error
            }
        }
        linkType = type
        handle = opened
        if readsMappedFiles, path != "-", let records = MappedPcapRecords(path: path) {
            do {
                mappedFilter = filter.isEmpty ? nil : try CompiledFilter(handle: opened, expression: filter)
            } catch {
                return error
            }
            mapped = records
        }
        return nil
    }

    /// After the last file: the `-w` file closed, and its write error if there was one
    /// (reported once, as a problem of the run).
    private func closeWriterAfterLastFile() -> CaptureError? {
        guard fileIndex + 1 >= paths.count, let writer else { return nil }
        writer.close()
        self.writer = nil
        return writer.writeError
    }
}
