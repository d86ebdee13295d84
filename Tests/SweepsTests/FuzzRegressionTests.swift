import Foundation
import Sweeps
import XCTest

/// Sweep specs go through TOMLKit too: a header that aborted it (found by `tools/fuzz`, target
/// `toml-config`) is an error naming the spec file and the line.
final class SweepSpecFuzzRegressionTests: XCTestCase {
    func testHeaderThatAbortedTOMLKitIsAnError() {
        let text = "name = \"x\"\n[[grid]]\nsteps = 1\n[{grid]\n"
        XCTAssertThrowsError(try SweepSpec.parse(text, file: "/tmp/s.toml", baseDirectory: URL(fileURLWithPath: "/tmp"))) { error in
            let msg = "\(error)"
            XCTAssertTrue(msg.contains("/tmp/s.toml") && msg.contains("table header") && msg.contains("line 4"), msg)
        }
    }
}
