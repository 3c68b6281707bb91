/// A count with its noun in the right number: "1 gap", "2 gaps", "0 gaps". Every count
/// the text outputs print with a noun goes through here, so none says "1 gaps".
package enum CountedNoun {
    /// `count` and the noun, `singular` for exactly one, `plural` otherwise.
    package static func text(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }

    package static func text(_ count: UInt64, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }
}
