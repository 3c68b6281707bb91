import CPcap

/// Owns one `pcap_t` and closes it once.
final class PcapHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        pcap_close(pointer)
    }

    var lastError: String {
        guard let message = pcap_geterr(pointer) else { return "unknown libpcap error" }
        return String(cString: message)
    }

    var dlt: Int32 { pcap_datalink(pointer) }

    /// Compiles and installs a BPF filter. An empty expression installs nothing;
    /// `compileOnly` checks the syntax (a handle from `pcap_open_dead` takes no filter).
    func install(
        filter expression: String, netmask: bpf_u_int32 = PCAP_NETMASK_UNKNOWN, compileOnly: Bool = false
    ) throws(CaptureError) {
        guard !expression.isEmpty else { return }
        var program = bpf_program()
        guard pcap_compile(pointer, &program, expression, 1, netmask) == 0 else {
            throw .invalidFilter(expression: expression, message: lastError)
        }
        defer { pcap_freecode(&program) }
        guard compileOnly || pcap_setfilter(pointer, &program) == 0 else {
            throw .invalidFilter(expression: expression, message: lastError)
        }
    }
}

/// Copies libpcap's error buffer into a String.
func pcapErrorString(_ buffer: [CChar]) -> String {
    let message = buffer.withUnsafeBufferPointer { pointer -> String in
        guard let base = pointer.baseAddress else { return "" }
        return String(cString: base)
    }
    return message.isEmpty ? "unknown libpcap error" : message
}

/// PCAP_ERRBUF_SIZE from pcap.h (a macro Swift does not import).
let pcapErrorBufferSize = 256
