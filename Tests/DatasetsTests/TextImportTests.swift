import Datasets
import Foundation
import Tokenizers
import XCTest
import RunFiles

/// `workbench data import text` on tiny files written by the test.
final class TextImportTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("textimport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = root.appendingPathComponent("in/\(name)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url
    }

    private func options(_ name: String, seed: UInt64 = 1, fraction: Double = 0.1) -> ImportOptions {
        ImportOptions(name: name, outDir: root.appendingPathComponent("out"), testFraction: fraction, seed: seed)
    }

    func testBytesImportDecodesBackToTheFilesWithBlankLineSeparators() throws {
        let texts = ["First document.\nIt has two lines.\n", "Zweites Dokument – mit Umlauten: äöü.", "Third\n\n",
                     String(repeating: "filler line\n", count: 40)]
        let urls = try texts.enumerated().map { try file("doc\($0.offset).txt", Array($0.element.utf8)) }
        let r = try TextImport.run(files: urls, tokenizer: .bytes, options: options("mine", fraction: 0.2))
        XCTAssertEqual(r.manifest.tokenizer, "bytes")
        XCTAssertEqual(r.manifest.vocabSize, 256)
        let ds = try TokenDataset.load(from: root.appendingPathComponent("out/mine"))
        let train = String(decoding: ds.splits["train"]!.tokens.map { UInt8($0) }, as: UTF8.self)
        let test = String(decoding: ds.splits["test"]!.tokens.map { UInt8($0) }, as: UTF8.self)
        // Each document ends with exactly one blank line added as needed (reference written out by hand).
        let expected = ["First document.\nIt has two lines.\n\n", "Zweites Dokument – mit Umlauten: äöü.\n\n", "Third\n\n",
                        String(repeating: "filler line\n", count: 40) + "\n"]
        let heldOut = r.manifest.extra!["test_documents"]!.split(separator: "\n").map(String.init)
        XCTAssertFalse(heldOut.isEmpty)
        var trainExpected = "", testExpected = ""
        for (i, u) in urls.enumerated() {
            if heldOut.contains(u.path) { testExpected += expected[i] } else { trainExpected += expected[i] }
        }
        XCTAssertEqual(train, trainExpected)
        XCTAssertEqual(test, testExpected)
        let heldOutBytes = urls.indices.filter { heldOut.contains(urls[$0].path) }.reduce(0) { $0 + texts[$1].utf8.count }
        XCTAssertLessThanOrEqual(Double(heldOutBytes), 0.2 * Double(texts.reduce(0) { $0 + $1.utf8.count }), "within the test fraction")
    }

    func testManifestChecksumsVerifyAndCatchATamperedShard() throws {
        let urls = try (0..<3).map { try file("d\($0).txt", Array("document \($0)\n".utf8)) }
        try TextImport.run(files: urls, tokenizer: .bytes, options: options("sums", fraction: 0.34))
        let dir = root.appendingPathComponent("out/sums")
        let m = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        for (split, info) in m.splits {
            XCTAssertEqual(info.sha256, SHA256.hex(of: try Data(contentsOf: dir.appendingPathComponent("\(split).bin"))), split)
        }
        XCTAssertNoThrow(try TokenDataset.load(from: dir))
        var bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("train.bin")))
        bytes[0] ^= 1
        try Data(bytes).write(to: dir.appendingPathComponent("train.bin"))
        XCTAssertThrowsError(try TokenDataset.load(from: dir)) { XCTAssertTrue("\($0)".contains("SHA-256"), "\($0)") }
    }

    func testHeldOutFilesAreDeterministicInTheSeed() throws {
        let docs = (0..<10).map { TextImport.Document(path: "f\($0)", bytes: Array(String(repeating: "w\($0) ", count: 50).utf8)) }
        let a = try TextImport.split(docs, testFraction: 0.2, seed: 7)
        XCTAssertEqual(a, try TextImport.split(docs, testFraction: 0.2, seed: 7))
        XCTAssertEqual(a.testDocuments.count, 2, "two of ten equal files make 20 %")
        let choices = Set(try (1...8).map { try TextImport.split(docs, testFraction: 0.2, seed: $0).testDocuments })
        XCTAssertGreaterThan(choices.count, 1, "other seeds hold out other files")
    }

    func testOneFileHoldsOutItsTailFromALineStart() throws {
        let lines = (0..<50).map { "line \($0) of the only file" }
        let text = lines.joined(separator: "\n") + "\n"
        let s = try TextImport.split([.init(path: "only.txt", bytes: Array(text.utf8))], testFraction: 0.1, seed: 3)
        let train = String(decoding: s.train, as: UTF8.self), test = String(decoding: s.test, as: UTF8.self)
        XCTAssertTrue(train.hasSuffix("\n\n") && test.hasSuffix("\n\n"))
        XCTAssertEqual(String(train.dropLast()) + String(test.dropLast()), text, "head + tail is the file")
        XCTAssertTrue(test.hasPrefix("line 46 "), test)  // 90 % falls inside line 45
    }

    func testBPEImportIsTrainedOnTheTrainSplitAndRoundTrips() throws {
        let urls = try (0..<4).map { i in try file("p\(i).txt", Array(String(repeating: "the cat \(i) sat on the mat. ", count: 30).utf8)) }
        let r = try TextImport.run(files: urls, tokenizer: .bpe, vocabSize: 300, options: options("bpe", fraction: 0.25))
        let dir = root.appendingPathComponent("out/bpe")
        XCTAssertEqual(r.manifest.tokenizer, "byte-bpe")
        XCTAssertEqual(r.manifest.tokenizerFile, "tokenizer.json")
        let ds = try TokenDataset.load(from: dir)
        let bpe = try ByteBPE.load(from: dir.appendingPathComponent("tokenizer.json"))
        let train = bpe.decode(ds.splits["train"]!.tokens.map(Int.init)), test = bpe.decode(ds.splits["test"]!.tokens.map(Int.init))
        XCTAssertEqual(train.count, Int(r.manifest.extra!["train_bytes"]!))
        XCTAssertEqual(bpe.huggingFaceJSON(), ByteBPE.train(on: train, vocabSize: 300).huggingFaceJSON())
        XCTAssertTrue(String(decoding: test, as: UTF8.self).hasPrefix("the cat "))
    }

    func testNonUTF8FileIsNamedWithItsLineAndNothingIsWritten() throws {
        let good = try file("good.txt", Array("fine text\n".utf8)), good2 = try file("good2.txt", Array("more\n".utf8))
        let bad = try file("latin1.txt", Array("ok\nsecond line caf".utf8) + [0xE9] + Array("\n".utf8))
        XCTAssertThrowsError(try TextImport.run(files: [good, bad, good2], tokenizer: .bytes, options: options("bad"))) { e in
            XCTAssertTrue("\(e)".contains("latin1.txt:2: not UTF-8: invalid byte 0xE9 at byte offset 18"), "\(e)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path)) ?? [], [],
                       "no dataset and no temporary folder")
        var opts = options("bad"); opts.skipBad = true; opts.testFraction = 0.4
        let r = try TextImport.run(files: [good, bad, good2], tokenizer: .bytes, options: opts)
        XCTAssertEqual(r.manifest.extra!["skipped_files"], "1")
        XCTAssertTrue(r.manifest.extra!["skipped_list"]!.contains("latin1.txt:2"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/bad/skipped.txt").path))
    }
}
