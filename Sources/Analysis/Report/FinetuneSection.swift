import Foundation

/// One fine-tuning run in the report: where its weights came from and what it reached.
public struct FinetuneRow: Codable, Sendable, Equatable {
    public var run: String
    public var params: Double
    /// `pre-trained` or `scratch`.
    public var start: String
    public var mode: String
    public var steps: Int
    public var testLossNats: Double
    public var accuracy: Double?
}

/// The report's fine-tuning section (Henighan et al. 2020 §5): classification loss and
/// accuracy on the test split against model size, pre-trained against from scratch, and
/// against fine-tuning steps. Fine-tuning runs are left out of the generative scaling fits.
enum FinetuneSection {
    static func rows(_ runs: [RunRecord]) -> [FinetuneRow] {
        runs.map { r in
            FinetuneRow(run: r.name, params: r.summary.params, start: r.summary.pretrainedFrom == nil ? "scratch" : "pre-trained",
                        mode: r.summary.finetuneMode ?? "full", steps: r.curve.last?.step ?? 0,
                        testLossNats: r.summary.finalTestLossNats, accuracy: r.summary.finalTestAccuracy)
        }.sorted { ($0.start, $0.mode, $0.params, $0.run) < ($1.start, $1.mode, $1.params, $1.run) }
    }

    static func write(_ runs: [RunRecord], _ sink: ReportSink) throws {
        guard !runs.isEmpty else { return }
        let rows = rows(runs)
        sink.data.finetuning = rows
        sink.doc.blocks.append(.heading(2, "Fine-tuning for classification"))
        sink.doc.blocks.append(.paragraph("Head: the mean of the final layer norm's output over all positions, then one linear layer; "
            + "cross-entropy on the test split in nats per example. Pre-trained runs start from a generative run's weights, "
            + "scratch runs from random weights of the same shape, with the same fine-tuning steps."))
        sink.doc.blocks.append(.table(header: ["run", "N", "start", "mode", "steps", "test loss (nats/example)", "accuracy"], rows: rows.map {
            [$0.run, Format.sig($0.params, 3), $0.start, $0.mode, "\($0.steps)", Format.sig($0.testLossNats, 4),
             $0.accuracy.map { String(format: "%.1f %%", 100 * $0) } ?? "–"]
        }))
        let groups = Dictionary(grouping: rows) { "\($0.start), \($0.mode)" }.sorted { $0.key < $1.key }
        func color(_ k: Int) -> RGB { k == 0 ? .blue : k == 1 ? .red : .viridis(Double(k) / Double(max(1, groups.count))) }
        for (metric, name) in [("loss", "finetune-loss"), ("error", "finetune-error")] {
            var p = LinePlot(title: metric == "loss" ? "Classification loss after fine-tuning" : "Classification error after fine-tuning",
                             xLabel: "parameters N (non-embedding)",
                             yLabel: metric == "loss" ? "test loss (nats per example)" : "test error rate")
            for (k, (label, g)) in groups.enumerated() {
                let pts = g.compactMap { r -> (x: Double, y: Double)? in
                    let y = metric == "loss" ? r.testLossNats : r.accuracy.map { 1 - $0 }
                    return y.flatMap { $0 > 0 ? (r.params, $0) : nil }
                }.sorted { $0.x < $1.x }
                if !pts.isEmpty { p.series.append(PlotSeries(label: label, color: color(k), points: pts, line: pts)) }
            }
            try sink.save(p.figure(), name, "fine-tuned classification \(metric) against model size",
                          paper: "Henighan et al. 2020 §5 (ImageNet 32×32 classification loss and error rate against N, pre-trained against from scratch)")
        }
        var curves = LinePlot(title: "Accuracy during fine-tuning", xLabel: "fine-tuning step", yLabel: "test accuracy",
                              logX: false, logY: false)
        for r in runs {
            let pts = r.curve.compactMap { row in row.extras["test_accuracy"].map { (x: Double(row.step), y: $0) } }
            let k = groups.firstIndex { $0.value.contains { $0.run == r.name } } ?? 0
            if !pts.isEmpty { curves.series.append(PlotSeries(label: r.name, color: color(k), points: pts, line: pts, inLegend: runs.count <= 8)) }
        }
        try sink.save(curves.figure(), "finetune-steps", "test accuracy against fine-tuning steps",
                      paper: "Henighan et al. 2020 §5 (pre-trained models reach a lower loss in fewer steps; models from scratch overfit)")
    }
}
