import Datasets
import Foundation
import Tokenizers
import XCTest

final class ImageRecipesTests: XCTestCase {
    func testCatalogListsImageRecipes() {
        for name in ["fashion-mnist", "fashion-mnist-16", "fashion-mnist-8", "captions", "captions-16", "captions-8",
                     "synthetic-images", "synthetic-images-16", "synthetic-images-8",
                     "synthetic-captions", "synthetic-captions-8", "synthetic-captions-32",
                     "fashion-mnist-gray", "tiles", "tiles-16", "tiles-8"] {
            XCTAssertNotNil(DatasetCatalog.recipe(named: name), name)
        }
    }

    func testSyntheticImages8WritesExactEntropy() throws {
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let opts = PrepareOptions(dataDir: dir, cacheDir: dir.appendingPathComponent(".cache"), seed: 11, log: { _ in })
        let m = try DatasetCatalog.recipe(named: "synthetic-images-8")!.prepare(opts)
        // 8 colours, 7 shape colours, 3 shapes, 2x2 cells; noise (0.4, 0.3, 0.2, 0.1) on 192 values.
        let noise = -[0.4, 0.3, 0.2, 0.1].reduce(0.0) { $0 + $1 * log($1) }
        let perImage = log(8.0 * 7 * 3 * 4) + 192 * noise
        XCTAssertEqual(m.trueEntropyNatsPerToken!, perImage / 192, accuracy: 1e-12)
        XCTAssertEqual(Double(m.extra!["entropy_nats_per_image"]!)!, perImage, accuracy: 1e-9)
        let ds = try TokenDataset.load(from: dir.appendingPathComponent("synthetic-images-8"))
        XCTAssertEqual(ds.manifest.recordLength, 193)
        XCTAssertEqual(ds.splits["train"]!.tokens.count, 100_000 * 193)
        XCTAssertEqual(ds.splits["test"]!.tokens.count, 10_000 * 193)
        // Same seed, same files.
        let again = try DatasetCatalog.recipe(named: "synthetic-images-8")!.prepare(opts)
        XCTAssertEqual(again, m)
        XCTAssertEqual(try TokenDataset.load(from: dir.appendingPathComponent("synthetic-images-8")).splits, ds.splits)
    }

    func testSyntheticCaptions8WritesTrueMutualInformation() throws {
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let opts = PrepareOptions(dataDir: dir, cacheDir: dir.appendingPathComponent(".cache"), seed: 5, log: { _ in })
        let m = try DatasetCatalog.recipe(named: "synthetic-captions-8")!.prepare(opts)
        XCTAssertEqual(Double(m.extra!["true_mi_nats_per_pair"]!)!, log(8.0) + log(3.0) + log(4.0), accuracy: 1e-12)
        XCTAssertEqual(m.modality, "pair")
        XCTAssertEqual(m.vocabSize, 516)
        XCTAssertEqual(m.recordLength, 1 + 48 + 192)
        XCTAssertEqual(Set(m.splits.keys), Set(["train", "test"] + PairShards.evaluationSplits))
        XCTAssertTrue(m.splits.values.allSatisfy { $0.hasMask })
        // A test record decodes to a caption that describes its own image.
        let ds = try TokenDataset.load(from: dir.appendingPathComponent("synthetic-captions-8"))
        let tok = PairTokenizer(resolution: 8, captionLength: 48)
        let rec = Array(ds.splits["test-caption-first"]!.tokens[0..<tok.recordLength])
        let (caption, image) = try tok.decode(rec)
        let words = caption!.split(separator: " ")
        let colour = SyntheticColour.standard.first { $0.name == words[1] }!
        let cellX = words.last == "left" ? 0 : 1, cellY = words[words.count - 2] == "top" ? 0 : 1
        let centre = image![cellX * 4 + 1, cellY * 4 + 2]  // inside every 4x4 shape footprint
        XCTAssertTrue(centre == colour.rgb, "\(caption!): pixel \(centre)")
    }
}
