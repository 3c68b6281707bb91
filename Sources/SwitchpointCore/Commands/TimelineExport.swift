/// An output fed beside the printer (`--html`/`--har`'s recorder, `--pg`, `--metrics`),
/// named by its option: every event must reach it in one analysis.
package struct TimelineExport {
    package var option: String
    package var sink: any TimelineEventSink

    package init(option: String, sink: any TimelineEventSink) {
        self.option = option
        self.sink = sink
    }

    /// What exports named by `options` need of the run.
    static func needs(_ options: [String]) -> RunStrategy.OutputNeeds {
        RunStrategy.OutputNeeds(
            everyEventInOneSink: !options.isEmpty,
            notWithWorkers: options.contains(metricsOption)
                ? "--metrics serves the counters of one capture (its kernel and queue drops)" : nil)
    }

    /// `--metrics`, the export that reads a live capture's own counters.
    package static let metricsOption = "--metrics"
}
