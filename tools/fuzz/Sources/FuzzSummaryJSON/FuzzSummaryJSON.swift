import Foundation
import Analysis
import FuzzSupport
import RunFiles

/// A run's `summary.json` through `RunRecord.load` (Analysis, beside a valid two-line
/// metrics.jsonl) and the shared `RunFiles.RunSummary` decoder that sweeps and reports use.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSummaryJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = FuzzInput.data(start, count)
    _ = FuzzInput.write(data, named: "summary.json", in: run)
    _ = try? RunRecord.load(from: run)
    _ = try? RunSummary.decode(data)
    return 0
}

private let run: URL = {
    let dir = FuzzInput.folder("summary-run")
    let metrics = """
    {"step": 0, "tokens": 0, "params": 1000, "compute_flops": 0, "compute_pfdays": 0, "train_loss": null, "test_loss": 5.5}
    {"step": 10, "tokens": 1280, "params": 1000, "compute_flops": 7.68e6, "compute_pfdays": 8.9e-14, "train_loss": 5.1, "test_loss": 5.0}

    """
    _ = FuzzInput.write(Data(metrics.utf8), named: "metrics.jsonl", in: dir)
    return dir
}()
