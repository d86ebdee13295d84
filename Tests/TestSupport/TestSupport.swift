import Foundation
import XCTest

/// The folder of this test process's temporary folders, `workbench-tests-<pid>` under the
/// system's temporary directory, removed with everything in it when the process exits.
private let testProcessFolder: URL = {
    let url = processFolderURL()
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: processFolderURL()) }
    return url
}()

private func processFolderURL() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("workbench-tests-\(getpid())")
}

/// A fresh, empty folder named after the test (`name` defaults to the calling function), inside
/// the test process's own folder (`workbench-tests-<pid>/<name>-<random>`), which is removed
/// when the process exits; tests may remove theirs sooner (`addTeardownBlock` or `defer`).
///
///     let dir = temporaryDirectory()
public func temporaryDirectory(_ name: String = #function) -> URL {
    let tag = name.filter { $0.isLetter || $0.isNumber || $0 == "-" }
    let url = testProcessFolder.appendingPathComponent("\(tag)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Asserts that two arrays have the same length and agree within a tolerance relative to the
/// expected values' magnitude:
///
///     max |actualᵢ − expectedᵢ| ≤ relativeTolerance · max(scaleFloor, max |expectedᵢ|)
///
/// One tolerance for the whole array (not per element), so entries near zero are judged against
/// the array's scale; `scaleFloor` keeps an all-but-zero array from demanding exact equality.
/// Summation order differs between the compared computations (threads, BLAS, PyTorch), so the
/// tolerance is a multiple of Float's precision, never zero.
///
///     assertClose(ours, reference, relativeTolerance: 1e-4, "logits")
public func assertClose(_ actual: [Float], _ expected: [Float], relativeTolerance: Float, scaleFloor: Float = 1e-12,
                        _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(label): lengths differ", file: file, line: line)
    let scale = max(scaleFloor, expected.map { abs($0) }.max() ?? 0)
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, relativeTolerance * scale,
                             "\(label): largest difference \(worst) at scale \(scale) (relative tolerance \(relativeTolerance))",
                             file: file, line: line)
}

/// The repository's folder (found from this file's path), for committed fixtures and samples.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A committed sample under `datasets/samples/`, e.g. `sampleFile("images/cat.png")`.
public func sampleFile(_ relativePath: String) -> URL {
    repositoryRoot.appendingPathComponent("datasets/samples").appendingPathComponent(relativePath)
}
