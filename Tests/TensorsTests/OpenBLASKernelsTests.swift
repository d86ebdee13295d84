import XCTest
@testable import Tensors
import WorkbenchCore

/// The OpenBLAS kernel set chosen at start-up: AVX-512 kernels where the CPU has them, and
/// products that still agree with a plain double-precision loop under whichever set is in use.
final class OpenBLASKernelsTests: XCTestCase {
    func testAutoSelectionPicksAVX512KernelsWhenTheCPUHasThem() throws {
        OpenBLASKernels.prepare()
        let setting = ProcessInfo.processInfo.environment["WORKBENCH_BLAS_CORE"] ?? "auto"
        guard setting == "auto" else { throw XCTSkip("WORKBENCH_BLAS_CORE=\(setting) is set") }
        let detected = OpenBLASKernels.detectedCoreName.lowercased()
        if OpenBLASKernels.avx2CoreNames.contains(detected) && OpenBLASKernels.cpuHasAVX512() {
            XCTAssertEqual(OpenBLASKernels.coreName, "SkylakeX")
        } else {
            XCTAssertEqual(OpenBLASKernels.coreName, OpenBLASKernels.detectedCoreName)
        }
        XCTAssertNotEqual(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], "SkylakeX",
                          "the switch must not leak into child processes' environment")
    }

    func testSettingDecidesWhichKernelsToSwitchTo() {
        func wanted(_ setting: String, _ detected: String, avx512: Bool) -> String? {
            OpenBLASKernels.wantedCore(setting: setting, detected: detected, cpuHasAVX512: { avx512 })
        }
        XCTAssertEqual(wanted("auto", "Haswell", avx512: true), "SkylakeX")
        XCTAssertEqual(wanted("", "Zen", avx512: true), "SkylakeX")
        XCTAssertNil(wanted("auto", "Haswell", avx512: false), "no AVX-512: keep the AVX2 kernels")
        XCTAssertNil(wanted("auto", "SkylakeX", avx512: true), "already AVX-512")
        XCTAssertNil(wanted("auto", "Cooperlake", avx512: true), "already AVX-512")
        XCTAssertNil(wanted("inherit", "Haswell", avx512: true))
        XCTAssertEqual(wanted("Zen", "Haswell", avx512: false), "Zen", "a named set is used as given")
        XCTAssertNil(wanted("haswell", "Haswell", avx512: true), "named set already in use")
    }

    func testProductsMatchAPlainLoopWithEveryTransposeUnderTheChosenKernels() {
        let (m, n, k) = (131, 97, 75)
        var rng = SeededRNG(seed: 41)
        let a = (0..<(m * k)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(k * n)).map { _ in rng.nextFloat() - 0.5 }
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            // a is stored as [m, k] or, transposed, [k, m]; likewise b.
            func aAt(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * m + i] : a[i * k + p]) }
            func bAt(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * k + p] : b[p * n + j]) }
            var c = [Float](repeating: 7, count: m * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                   a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                    }
                }
            }
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var want = 0.0
                    for p in 0..<k { want += aAt(i, p) * bAt(p, j) }
                    worst = max(worst, abs(want - Double(c[i * n + j])))
                }
            }
            XCTAssertLessThan(worst, 1e-5, "transA \(transA) transB \(transB) on \(OpenBLASKernels.coreName)")
        }
    }
}
