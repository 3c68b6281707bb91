extension TLSCertificateSummary {
    /// Subject, issuer and validity of a DER certificate; nil when it does not parse.
    static func parse(_ der: [UInt8]) -> TLSCertificateSummary? {
        nil
    }
}
