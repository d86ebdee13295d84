import Foundation
import Analysis
import RunFiles
import FuzzSupport

/// A run's `metrics.jsonl` through `RunRecord.load` (what `report`, `fit` and `runs` read) and
/// the lenient `MetricsFile.records` (sweeps' run state); both parse lines with `MetricsRecord`.
/// The run folder holds only the fuzzed file, so the summary is derived from the curve.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetricsJSONL(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let run = FuzzInput.folder("metrics-run")
    _ = FuzzInput.write(FuzzInput.data(start, count), named: "metrics.jsonl", in: run)
    _ = try? RunRecord.load(from: run)
    _ = MetricsFile.records(of: String(decoding: FuzzInput.data(start, count), as: UTF8.self))   // sweeps' lenient reading
    return 0
}
