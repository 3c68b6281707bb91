import ArgumentParser

/// What the shell completion scripts are generated from: the timeline's options at the top
/// level and `audit` and `merge` as subcommands. The program itself dispatches the
/// subcommands before parsing (`Entry`: the timeline's trailing words are a filter, so
/// ArgumentParser could not tell `audit` from a filter word); this type only describes
/// them to the generator and never runs.
struct CompletionRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchpoint", subcommands: [Audit.self, Merge.self])

    @OptionGroup var input: InputArguments
    @OptionGroup var decoding: DecodingArguments
    @OptionGroup var output: OutputArguments
    @OptionGroup var display: DisplayArguments
    @OptionGroup var terminal: TerminalArguments
    @OptionGroup var outputFiles: OutputFileArguments
    @OptionGroup var parallel: ParallelArguments
    @OptionGroup var export: ExportArguments
    @OptionGroup var metrics: MetricsArguments
}
