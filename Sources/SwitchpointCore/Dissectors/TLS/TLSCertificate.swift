import Foundation
import X509

extension TLSCertificateSummary {
    /// Subject, issuer and validity of a DER certificate (swift-certificates); nil when it
    /// does not parse. Runs once per decrypted connection, never per record.
    static func parse(_ der: [UInt8]) -> TLSCertificateSummary? {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        return TLSCertificateSummary(
            subject: certificate.subject.description, issuer: certificate.issuer.description,
            notBefore: rfc3339(certificate.notValidBefore), notAfter: rfc3339(certificate.notValidAfter))
    }

    private static func rfc3339(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(value ?? 0).leftPadded(to: 2) }
        return
            "\(String(c.year ?? 0).leftPadded(to: 4))-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}
