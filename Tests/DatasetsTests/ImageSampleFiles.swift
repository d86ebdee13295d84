import Foundation
import TestSupport

/// The committed tiny image samples (`datasets/samples/images/`, made by tools/images/make_samples.py).
enum ImageSampleFiles {
    static let dir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("datasets/samples/images")

    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    static func tempDir() -> URL {
        temporaryDirectory("imgtest").appendingPathComponent("images")
    }
}
