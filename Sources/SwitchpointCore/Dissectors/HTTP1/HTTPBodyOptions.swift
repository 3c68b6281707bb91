/// How much of each HTTP message body the dissectors keep (HTTP/1 bodies, HTTP/2 DATA per
/// stream and direction), for the HAR export's `postData`/`content` text. Only the body's
/// first bytes are kept; the length is always counted in full.
package struct HTTPBodyOptions: Sendable {
    /// Keep up to `maxFullBytes` (`--payload full`) instead of `previewBytes`.
    package var keepFull = false
    /// Bytes of each body kept by default: enough for an error page or a JSON refusal
    /// (the 400/403/426 answers to an upgrade are the evidence users look for).
    package var previewBytes = 4 * 1024
    /// Bytes of each body kept with `--payload full`; past it the body is counted, not
    /// kept, so one large download cannot take the memory.
    package var maxFullBytes = 16 << 20
    /// Whether HTTP/2 streams keep their bodies' first bytes. Only the HAR and HTML
    /// exports and the text timeline's hexdumps show them; for the other outputs keeping
    /// them copied every response's first 4 KB (most of an h2c capture's bytes) into a
    /// buffer of its own, to be dropped unread.
    package var keepsStreamBodies = true

    package init() {}

    /// The bytes of one body kept under these options.
    package var keptBytes: Int { keepFull ? maxFullBytes : previewBytes }
}
