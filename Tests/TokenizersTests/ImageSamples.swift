import Foundation

/// The committed tiny image samples (`datasets/samples/images/`, made by tools/images/make_samples.py).
enum ImageSamples {
    static let dir: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("datasets/samples/images")

    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    struct Expected: Decodable {
        struct File: Decodable { let width: Int; let height: Int; let rgb: [Int]; let tolerance: Int }
        let files: [String: File]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url("expected.json")))
    }
}
