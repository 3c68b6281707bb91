extension CaptureInterface {
    /// `1.eth0 (description) [Up, Running, Connected]`, numbered as tcpdump numbers them.
    package func listingLine(number: Int) -> String {
        var line = "\(number).\(TerminalText.escape(name))"
        if let description, !description.isEmpty {
            line += " (\(TerminalText.escape(description)))"
        }
        if !flags.isEmpty {
            line += " [\(flags.joined(separator: ", "))]"
        }
        return line
    }
}
