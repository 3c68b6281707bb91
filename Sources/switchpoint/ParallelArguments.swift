import ArgumentParser
import Foundation
import SwitchpointCore

/// How the reading is spread over cores, workers and machines.
/// The timeline's `--help` section "Scale-out (docs/postgres.sql, README: Scaling out)".
struct ParallelArguments: ParsableArguments {

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Reading files, use every core (2, the default with more than one CPU: one thread reads and reassembles, two workers dissect and format their share of the connections, the main thread merges in order; with a key log, one thread dissects), or do all on one (1). The output is the same.",
            valueName: "1|2"))
    var threads: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "N workers, each with its own reassembly and analysis of a share of the flows: live (Linux), each its own socket in one PACKET_FANOUT group (flows hashed to workers by the kernel); reading files, the packets split by the same kind of flow hash. Their events are merged into one output, in the order one analysis would print them. Not with -i any, -c, --connections or --metrics.",
            valueName: "N"))
    var workers: Int = 1

    @Option(
        name: .customLong("fanout-group"),
        help: ArgumentHelp(
            "Live (Linux): join PACKET_FANOUT group ID (1-65535) so several switchpoint invocations (or other PACKET_FANOUT hash readers) share the interface's flows.",
            valueName: "ID"))
    var fanoutGroup: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Reading files, analyse only shard I of N: the connections whose symmetric 5-tuple hash falls in it (every file is still read, in order). switchpoint merge joins the shards' --json output.",
            valueName: "I/N"))
    var shard: String?
}
