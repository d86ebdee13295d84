import ArgumentParser

/// The `workbench` command line: data preparation, training, evaluation, sweeps and analysis
/// for scaling-law studies on CPUs. Each subcommand lives in its own file.
@main
struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Train generative models on CPUs and measure how their loss scales.",
        subcommands: [
            // Subcommands, one file each, in workflow order.
            DataCommand.self,
            TrainCommand.self,
            FinetuneCommand.self,
            SweepCommand.self,
            RunsCommand.self,
            StudyCommand.self,
            EvalCommand.self,
            SampleCommand.self,
            TokenizeCommand.self,
            FitCommand.self,
            ReportCommand.self,
            SynthRunsCommand.self,
            BenchCommand.self,
        ]
    )
}
