import Foundation
import Analysis
import FuzzSupport

/// A run's `metrics.jsonl` through `RunRecord.load` (what `report`, `fit` and `runs` read).
/// The run folder holds only the fuzzed file, so the summary is derived from the curve.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetricsJSONL(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let run = FuzzInput.folder("metrics-run")
    _ = FuzzInput.write(FuzzInput.data(start, count), named: "metrics.jsonl", in: run)
    _ = try? RunRecord.load(from: run)
    return 0
}
