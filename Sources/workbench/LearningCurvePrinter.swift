import Foundation
import RunFiles

/// Prints a run's learning curve from its metrics.jsonl as a small text chart.
enum LearningCurvePrinter {
    static func print(metricsAt url: URL) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        let rows: [(step: Int, tokens: Int, loss: Double, accuracy: Double?)] = MetricsFile.records(of: text).compactMap { r in
            guard let l = r.testLoss, let t = Int(exactly: r.tokens) else { return nil }
            return (r.step, t, l, r.extra["test_accuracy"])
        }
        guard let hi = rows.map(\.loss).max(), hi > 0 else { return }
        Swift.print("learning curve (\(url.path)):")
        for r in rows {
            let bar = String(repeating: "#", count: max(1, Int(50 * r.loss / hi)))
            if let acc = r.accuracy {   // a classification run: loss per example, and accuracy
                Swift.print(String(format: "  step %6d  tokens %10d  test %.3f nats/example  accuracy %5.1f %%  %@",
                                   r.step, r.tokens, r.loss, 100 * acc, bar))
            } else {
                Swift.print(String(format: "  step %6d  tokens %10d  test %.3f nats/token  %@", r.step, r.tokens, r.loss, bar))
            }
        }
    }
}
