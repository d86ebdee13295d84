import Foundation
import WorkbenchCore
import Training

/// Draws training progress: a live bar on a terminal, periodic plain lines otherwise (CI, logs).
struct ProgressBar {
    let interactive = isatty(STDOUT_FILENO) != 0
    var lastPrintedStep = 0

    mutating func handle(_ e: TrainerEvent) {
        switch e {
        case let .started(params, datasetTokens, resumed):
            print("model: \(format(Double(params))) non-embedding parameters; data: \(format(Double(datasetTokens))) training tokens"
                  + (resumed.map { "; resuming at step \($0)" } ?? ""))
        case let .step(step, total, loss, tps, eta):
            if interactive {
                let width = 30, done = total > 0 ? width * step / total : width
                let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
                let line = String(format: "\r%@ step %d/%d  loss %.3f  %@ tok/s  ETA %@ ", bar, step, total, loss,
                                  format(tps), clock(eta))
                FileHandle.standardOutput.write(Data(line.utf8))
            } else if total > 0, step == total || step - lastPrintedStep >= max(1, total / 10) {
                print(String(format: "step %d/%d  loss %.3f  %@ tok/s  ETA %@", step, total, loss, format(tps), clock(eta)))
                lastPrintedStep = step
            }
        case let .evaluated(r):
            if interactive { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
            // Classification runs (fine-tuning) measure loss per example, and accuracy.
            let accuracy = r.extra["test_accuracy"]
            var line = String(format: "eval step %6d  tokens %8@  train %@  test %.4f %@  lr %.2e",
                              r.step, format(Double(r.tokens)), r.trainLoss.map { String(format: "%.4f", $0) } ?? "  —   ",
                              r.testLoss ?? .nan, accuracy == nil ? "nats/token" : "nats/example", r.lr ?? .nan)
            if let accuracy { line += String(format: "  accuracy %.1f %%", 100 * accuracy) }
            for (k, v) in r.extra.sorted(by: { $0.key < $1.key }) where k != "test_accuracy" { line += String(format: "  %@ %.4f", k, v) }
            print(line)
        case let .finished(s):
            print(String(format: "done: %d steps, best test loss %.4f at step %d, %.0f tok/s, %.1f s",
                         s.steps ?? 0, s.bestTestLoss ?? .nan, s.bestStep ?? -1, s.tokensPerSecond ?? 0, s.wallSeconds ?? 0))
        }
        fflush(stdout)   // show progress live when stdout is a file or a pipe
    }

    func format(_ x: Double) -> String { NumberFormat.count(x) }

    func clock(_ s: Double) -> String { NumberFormat.clock(s) }
}
