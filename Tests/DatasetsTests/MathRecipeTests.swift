import Datasets
import Foundation
import Tokenizers
import XCTest

/// The `math` recipe's shards: manifest fields, masks, and a write/load round trip.
final class MathRecipeTests: XCTestCase {
    func testGeneratedDatasetManifestAndShards() throws {
        var config = MathSplitConfig(seed: 5)
        config.trainCharacters = 40_000
        config.testCharacters = 6_000
        let (ds, packed) = try MathDataset.generated(config)
        let m = ds.manifest
        XCTAssertEqual(m.name, "math")
        XCTAssertEqual(m.modality, "math")
        XCTAssertEqual(m.tokenizer, "math-chars")
        XCTAssertEqual(m.vocabSize, MathTokenizer.vocabSize)
        XCTAssertEqual(m.layout, .records)
        XCTAssertEqual(m.recordLength, 513)
        XCTAssertEqual(Set(m.splits.keys), ["train", "test", "interpolate", "extrapolate"])
        XCTAssertEqual(ds.splits["test"], ds.splits["interpolate"], "test is the interpolation split")
        for (name, split) in ds.splits {
            XCTAssertEqual(split.tokens.count % 513, 0, name)
            XCTAssertEqual(split.mask?.count, split.tokens.count, name)
            XCTAssertEqual(m.splits[name]!.sequences, split.tokens.count / 513, name)
            XCTAssertEqual(m.extra?["\(name)_answer_tokens"], "\(packed[name]!.answerTokens)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("math-recipe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try ds.write(to: dir)  // the written manifest adds each split's sha256
        let back = try TokenDataset.load(from: dir)
        XCTAssertEqual(back.manifest, written)
        var withoutChecksums = back.manifest
        for key in withoutChecksums.splits.keys { withoutChecksums.splits[key]?.sha256 = nil }
        XCTAssertEqual(withoutChecksums, m)
        XCTAssertEqual(back.splits, ds.splits)
    }

    func testSizesFromEnvironment() throws {
        let c = try MathDataset.splitConfig(seed: 9, environment: ["WORKBENCH_MATH_TRAIN_CHARS": "2_000_000",
                                                                   "WORKBENCH_MATH_TEST_CHARS": "1000"])
        XCTAssertEqual(c.trainCharacters, 2_000_000)
        XCTAssertEqual(c.testCharacters, 1000)
        XCTAssertEqual(c.seed, 9)
        XCTAssertEqual(try MathDataset.splitConfig(seed: 1, environment: [:]).trainCharacters, MathSplitConfig().trainCharacters)
        XCTAssertThrowsError(try MathDataset.splitConfig(seed: 1, environment: ["WORKBENCH_MATH_TRAIN_CHARS": "lots"])) {
            XCTAssertTrue("\($0)".contains("WORKBENCH_MATH_TRAIN_CHARS"), "\($0)")
        }
    }

    func testCatalogListsTheRecipes() {
        XCTAssertNotNil(DatasetCatalog.recipe(named: "math"))
        XCTAssertNotNil(DatasetCatalog.recipe(named: "math-deepmind"))
    }
}
