import Datasets
import Foundation
import XCTest

/// A manifest.json whose token count overflows the byte size (`2 · tokens`) trapped in
/// `TokenDataset.load` (the `shard-manifest` fuzz target's crash class): it must be an error
/// naming the manifest and the split.
final class ShardManifestFuzzRegressionTests: XCTestCase {
    func testHugeOrNegativeCountsAreErrorsNamingTheSplit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try Data([1, 0, 2, 0]).write(to: dir.appendingPathComponent("train.bin"))
        for (tokens, sequences) in [("4611686018427387904", "1"), ("9223372036854775807", "1"), ("-2", "1"), ("2", "-1")] {
            let manifest = """
            {"name": "fuzz", "modality": "text", "tokenizer": "bytes", "vocab_size": 256, "layout": "stream",
             "splits": {"train": {"tokens": \(tokens), "sequences": \(sequences), "has_mask": false}}, "source": "fuzz"}
            """
            try Data(manifest.utf8).write(to: dir.appendingPathComponent("manifest.json"))
            XCTAssertThrowsError(try TokenDataset.load(from: dir), tokens) { e in
                let msg = "\(e)"
                XCTAssertTrue(msg.contains("manifest.json") && msg.contains("split 'train'"), msg)
            }
        }
        let good = #"{"name": "fuzz", "modality": "text", "tokenizer": "bytes", "vocab_size": 256, "layout": "stream", "splits": {"train": {"tokens": 2, "sequences": 1, "has_mask": false}}, "source": "fuzz"}"#
        try Data(good.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        XCTAssertEqual(try TokenDataset.load(from: dir).splits["train"]?.tokens, [1, 2])
    }
}
