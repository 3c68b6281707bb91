import CPcap

/// A BPF program compiled for one handle, kept to test packets that libpcap does not read
/// itself (`MappedPcapRecords`) with `pcap_offline_filter`, as `pcap_next_ex` would.
final class CompiledFilter {
    private var program = bpf_program()

    init(handle: PcapHandle, expression: String) throws(CaptureError) {
        guard pcap_compile(handle.pointer, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .invalidFilter(expression: expression, message: handle.lastError)
        }
    }

    deinit {
        pcap_freecode(&program)
    }

    func accepts(seconds: Int64, nanoseconds: Int64, captured: Int, original: Int, data: UnsafeRawPointer) -> Bool {
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(seconds)
        header.ts.tv_usec = Int(nanoseconds)
        header.caplen = bpf_u_int32(captured)
        header.len = bpf_u_int32(original)
        return pcap_offline_filter(&program, &header, data.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
