/// The last entry looked up in a table that owns its objects, kept without a reference
/// count: packets and events come in runs per connection, so comparing a key beats hashing
/// it, and a strong reference cost a retain and a release per use on those paths.
///
/// The invariant, stated once for every user: the table that holds the object outlives
/// each use of `object(for:)`, and whoever removes an object from its table calls `forget`
/// (or `forget(ifHolding:)`) before the object can go.
struct RecentEntry<Key: Equatable, Object: AnyObject> {
    private var entry: (key: Key, object: Unmanaged<Object>)?

    init() {}

    /// The remembered object when `key` is its key.
    @inline(__always)
    func object(for key: Key) -> Unmanaged<Object>? {
        guard let entry, entry.key == key else { return nil }
        return entry.object
    }

    @inline(__always)
    mutating func remember(_ key: Key, _ object: Unmanaged<Object>) {
        entry = (key, object)
    }

    @inline(__always)
    mutating func remember(_ key: Key, _ object: Object) {
        entry = (key, Unmanaged.passUnretained(object))
    }

    mutating func forget() {
        entry = nil
    }

    /// Forgets the entry if it is `key`'s.
    mutating func forget(_ key: Key) {
        if entry?.key == key { entry = nil }
    }

    /// Forgets the entry if it holds `object` (under whatever key).
    mutating func forget(ifHolding object: Object) {
        if let entry, entry.object.toOpaque() == Unmanaged.passUnretained(object).toOpaque() { self.entry = nil }
    }
}
