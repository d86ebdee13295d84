import XCTest
@testable import Analysis

/// The report's sentence on the OpenBLAS kernels the runs used, and its warning.
final class KernelNoteTests: XCTestCase {
    func summary(_ kernels: String?, warning: String? = nil) -> RunSummary {
        var s = RunSummary(params: 1e5, datasetTokens: nil, tokens: 1e6, bestTestLossNats: 2, bestStep: 10,
                           finalTestLossNats: 2, status: "completed", modality: "text", dataset: "d",
                           tokensPerItem: nil, itemName: nil)
        s.blasKernels = kernels
        s.blasKernelWarning = warning
        return s
    }

    func testCountsKernelSetsAndRepeatsEachWarningOnce() throws {
        let w = "this CPU offers AVX-512 with BF16 (OpenBLAS's Cooperlake kernels) but Prescott kernels are in use (WORKBENCH_BLAS_CORE=inherit)"
        let text = try XCTUnwrap(KernelNote.text([summary("Cooperlake"), summary("Cooperlake"),
                                                  summary("Prescott", warning: w), summary("Prescott", warning: w),
                                                  summary(nil)]))
        XCTAssertTrue(text.hasPrefix("OpenBLAS kernels: Cooperlake (2 runs), Prescott (2 runs)."), text)
        XCTAssertTrue(text.contains("Warning, 2 runs: " + w + "."), text)
        XCTAssertEqual(text.components(separatedBy: "Prescott kernels are in use").count, 2, "the warning appears once")
    }

    func testSaysNothingWhenNoRunRecordedItsKernels() {
        XCTAssertNil(KernelNote.text([summary(nil)]))
        XCTAssertEqual(KernelNote.text([summary("Haswell")]), "OpenBLAS kernels: Haswell (1 run).")
    }
}
