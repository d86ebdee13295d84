import Foundation

/// Transformers beside LSTMs trained on the same data with the same token budget (Kaplan et al.
/// 2020, Figure 7): L(N) of both architectures on one plot (left panel), and the loss by position
/// in the context of the largest model of each (right panel). Written for every group that has
/// LSTM runs ("text, LSTM") and transformer runs ("text").
enum ArchitectureSection {
    static func write(studies: [String: ScalingStudy], _ sink: ReportSink) throws {
        let lstmGroups = studies.keys.filter { StudyGroups.isLSTM(group: $0) }.sorted()
        let pairs = lstmGroups.compactMap { g in studies[StudyGroups.transformerGroup(of: g)].map { ($0, studies[g]!) } }
        guard !pairs.isEmpty else { return }
        sink.doc.blocks.append(.heading(2, "Transformers and LSTMs"))
        sink.doc.blocks.append(.paragraph("LSTMs (embedding, stacked LSTM layers, linear head) trained on the same data, with the same "
            + "token budget and optimiser settings as the transformer sizes. N counts non-embedding parameters for both "
            + "(for the LSTM: its layers' weights and biases). Kaplan et al. 2020 find transformers several times more "
            + "parameter-efficient, and an LSTM's loss by position levelling off after about 100 tokens while a transformer's keeps falling."))
        for (transformer, lstm) in pairs {
            let group = transformer.modality
            let safe = group.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "-" }.joined()
                .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
            try sink.save(lossVersusParams(transformer, lstm).figure(), "\(safe)-architectures-loss-vs-params",
                          "L(N), transformers and LSTMs, \(group)", paper: "Kaplan et al. 2020 Fig. 7 (left)")
            sink.doc.blocks.append(.table(header: ["LSTM N", "LSTM loss", "transformer fit at that N", "transformer N for the LSTM's loss", "ratio"],
                                          rows: equivalenceRows(transformer, lstm)))
            let largest = [transformer, lstm].compactMap { s -> (String, RunRecord, PositionLoss)? in
                let candidates = s.runs.filter { positionsFile($0) != nil }
                guard let r = candidates.max(by: { $0.summary.params < $1.summary.params }),
                      let p = try? PositionLoss.load(positionsFile(r)!, modality: r.summary.modality) else { return nil }
                return (StudyGroups.isLSTM(group: s.modality) ? "LSTM" : "transformer", r, p)
            }
            if !largest.isEmpty {
                try sink.save(lossByPosition(largest, group: group).figure(), "\(safe)-architectures-position-loss",
                              "loss by position, largest transformer and LSTM, \(group)", paper: "Kaplan et al. 2020 Fig. 7 (right)")
                sink.doc.blocks.append(.list(largest.map { name, r, p in
                    let v = p.lossByPosition.filter(\.isFinite)
                    let late = v.suffix(max(1, v.count / 4))
                    let early = v.prefix(max(1, v.count / 4))
                    return "\(name) \(r.name) (N = \(Format.sig(r.summary.params, 3))): mean loss \(Format.sig(early.reduce(0, +) / Double(early.count), 4)) "
                        + "over the first quarter of the context, \(Format.sig(late.reduce(0, +) / Double(late.count), 4)) over the last"
                }))
            }
        }
    }

    static func positionsFile(_ r: RunRecord) -> URL? {
        ["eval_positions.json", "eval_test.json"].map { r.url.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Both architectures' L(N) points and fitted laws on one plot.
    static func lossVersusParams(_ transformer: ScalingStudy, _ lstm: ScalingStudy) -> LinePlot {
        var p = LinePlot(title: "L(N), transformers and LSTMs, \(transformer.modality)", xLabel: "parameters N (non-embedding)",
                         yLabel: "test loss (nats/token)")
        let all = transformer.lossVersusParamsSeries.x + lstm.lossVersusParamsSeries.x
        guard let lo = all.min(), let hi = all.max() else { return p }
        let xs = ReportPlots.logSpace(lo / 2, hi * 2)
        for (name, s, color) in [("transformer", transformer, RGB.blue), ("LSTM", lstm, RGB.red)] {
            let series = s.lossVersusParamsSeries
            p.series.append(PlotSeries(label: name, color: color, points: Array(zip(series.x, series.lossNats)), pointRadius: 3.5))
            if let e = s.lossVersusParams {
                p.series.append(PlotSeries(label: "\(name) fit", color: color, line: xs.map { ($0, e.fit.law($0)) }, dashed: true, lineWidth: 1.5))
                p.notes.append("\(name): L(N) = \(e.fit.law.formula(variable: "N")), α = \(e.exponent.text())")
            }
        }
        return p
    }

    /// For each LSTM size: the transformer's fitted loss at the same N, and the N at which the
    /// transformer fit reaches the LSTM's loss (how many times fewer parameters it needs).
    static func equivalenceRows(_ transformer: ScalingStudy, _ lstm: ScalingStudy) -> [[String]] {
        let s = lstm.lossVersusParamsSeries
        let law = transformer.lossVersusParams?.fit.law
        return zip(s.x, s.lossNats).map { n, loss in
            let same = law.map { Format.sig($0(n), 4) } ?? "–"
            let equivalent = law?.inverse(loss: loss)
            return [Format.sig(n, 3), Format.sig(loss, 4), same, equivalent.map { Format.sig($0, 3) } ?? "below the fit's L∞",
                    equivalent.map { "\(Format.sig(n / $0, 3))× fewer" } ?? "–"]
        }
    }

    /// Loss against position (log axis) for the largest model of each architecture.
    static func lossByPosition(_ runs: [(String, RunRecord, PositionLoss)], group: String) -> LinePlot {
        var p = LinePlot(title: "Loss by position, largest models, \(group)", xLabel: "position in context (tokens)",
                         yLabel: "test loss (nats/token)")
        for (name, r, pos) in runs {
            let pts = pos.lossByPosition.enumerated().compactMap { i, v in v.isFinite ? (Double(i + 1), v) : nil }
            p.series.append(PlotSeries(label: "\(name), N = \(Format.sig(r.summary.params, 3))", color: name == "LSTM" ? .red : .blue,
                                       line: pts, lineWidth: 1.6))
        }
        return p
    }
}
