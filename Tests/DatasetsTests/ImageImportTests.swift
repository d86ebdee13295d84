import Datasets
import Foundation
import Tokenizers
import XCTest

/// `workbench data import images|captions` on tiny PNGs written with libpng by the test.
final class ImageImportTests: XCTestCase {
    private var root: URL!
    private var out: URL { root.appendingPathComponent("out") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("imageimport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A solid `colour` PNG of 12×12 at `rel` under `in/`.
    @discardableResult
    private func png(_ rel: String, _ colour: (UInt8, UInt8, UInt8)) throws -> URL {
        let url = root.appendingPathComponent("in/\(rel)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNGImage.write(RGBImage(width: 12, height: 12, fill: colour), to: url)
        return url
    }

    /// A PNG cut off in the middle of its image data.
    private func corruptPNG(_ rel: String) throws {
        let url = try png(rel, (1, 2, 3))
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 20).write(to: url)
    }

    private func text(_ rel: String, _ s: String) throws -> URL {
        let url = root.appendingPathComponent("in/\(rel)")
        try Data(s.utf8).write(to: url)
        return url
    }

    private func options(_ name: String, skipBad: Bool = false, fraction: Double = 0.25) -> ImportOptions {
        ImportOptions(name: name, outDir: out, testFraction: fraction, seed: 3, skipBad: skipBad)
    }

    /// Ten images in two folders; image `i` is grey level `20·i`, label "dark" below 100 else "light".
    private func labelledFolder() throws -> URL {
        var csv = "path,label\n"
        for i in 0..<10 {
            let rel = (i % 2 == 0 ? "even" : "odd") + "/img\(i).png"
            try png(rel, (UInt8(20 * i), UInt8(20 * i), UInt8(20 * i)))
            csv += "./\(rel),\(20 * i < 100 ? "dark" : "light")\n"
        }
        _ = try text("labels.csv", csv)
        return root.appendingPathComponent("in")
    }

    func testLabelledImportWritesRecordsAndLabelsInRecordOrder() throws {
        let dir = try labelledFolder()
        let r = try ImageImport.run(dir: dir, labelsCSV: dir.appendingPathComponent("labels.csv"), resolution: 8, options: options("grey"))
        XCTAssertEqual(r.manifest.tokenizer, "image-rgb-8")
        XCTAssertEqual(r.manifest.recordLength, 193)
        XCTAssertEqual(r.manifest.splits["train"]!.sequences, 7)
        XCTAssertEqual(r.manifest.splits["test"]!.sequences, 3, "round(0.25 · 10) ≈ 3 held out")
        XCTAssertEqual(r.manifest.extra!["classes"], "dark,light")
        XCTAssertEqual(r.manifest.extra!["classes_json"], #"["dark","light"]"#)
        let folder = out.appendingPathComponent("grey")
        let ds = try TokenDataset.load(from: folder)
        for split in ["train", "test"] {
            let files = try String(contentsOf: folder.appendingPathComponent("\(split).files"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            XCTAssertEqual(files, files.sorted(), "records in path order")
            let labels = [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(split).labels")))
            XCTAssertEqual(r.manifest.extra!["labels_\(split)_sha256"], SHA256.hex(of: Data(labels)))
            let tokens = ds.splits[split]!.tokens
            XCTAssertEqual(tokens.count, files.count * 193)
            XCTAssertEqual(labels.count, files.count)
            for (k, f) in files.enumerated() {
                let i = Int(f.split(separator: "img")[1].dropLast(4))!
                XCTAssertEqual(tokens[k * 193], 256, "start token")
                XCTAssertEqual(tokens[k * 193 + 1], UInt16(20 * i), "\(f): record \(k) holds its own image")
                XCTAssertEqual(labels[k], 20 * i < 100 ? 0 : 1, "\(f): label in record order")
            }
        }
    }

    func testNumericLabelsAreTheClassIds() throws {
        for i in 0..<4 { try png("n\(i).png", (0, 0, 0)) }
        let csv = try text("ids.csv", "n0.png,3\nn1.png,0\nn2.png,1\nn3.png,3\n")
        let r = try ImageImport.run(dir: root.appendingPathComponent("in"), labelsCSV: csv, resolution: 8, options: options("ids", fraction: 0.5))
        XCTAssertEqual(r.manifest.extra!["classes"], "0,1,2,3")
        let folder = out.appendingPathComponent("ids")
        let files = try String(contentsOf: folder.appendingPathComponent("train.files"), encoding: .utf8).split(separator: "\n")
        let labels = [UInt8](try Data(contentsOf: folder.appendingPathComponent("train.labels")))
        let want: [Substring: UInt8] = ["n0.png": 3, "n1.png": 0, "n2.png": 1, "n3.png": 3]
        XCTAssertEqual(labels, files.map { want[$0]! })
    }

    func testCorruptPNGIsNamedAndLeavesNoDatasetFolder() throws {
        let dir = try labelledFolder()
        try corruptPNG("odd/broken.png")
        XCTAssertThrowsError(try ImageImport.run(dir: dir, labelsCSV: nil, resolution: 8, options: options("grey"))) { e in
            XCTAssertTrue("\(e)".contains("odd/broken.png: "), "\(e)")
            XCTAssertTrue("\(e)".contains("--skip-bad"), "\(e)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [], [],
                       "neither a dataset nor a temporary folder")
    }

    func testSkipBadCountsTheCorruptPNGAndTheUnlabelledOne() throws {
        let dir = try labelledFolder()
        try corruptPNG("odd/broken.png")
        let r = try ImageImport.run(dir: dir, labelsCSV: dir.appendingPathComponent("labels.csv"), resolution: 16,
                                    options: options("grey", skipBad: true))
        // Issue 30: an unreadable PNG is reported as unreadable even when it also has no label.
        XCTAssertEqual(r.manifest.extra!["skipped_files"], "1", "broken.png has no label either: skipped once")
        XCTAssertTrue(r.manifest.extra!["skipped_list"]!.contains("odd/broken.png: PNG data unreadable"), r.manifest.extra!["skipped_list"]!)
        XCTAssertEqual(r.manifest.splits.values.reduce(0) { $0 + $1.sequences }, 10)
        _ = try text("labels2.csv", try String(contentsOf: dir.appendingPathComponent("labels.csv"), encoding: .utf8) + "odd/broken.png,dark\n")
        var opts = options("grey2", skipBad: true)
        let r2 = try ImageImport.run(dir: dir, labelsCSV: dir.appendingPathComponent("labels2.csv"), resolution: 16, options: opts)
        XCTAssertEqual(r2.manifest.extra!["skipped_files"], "1")
        XCTAssertTrue(r2.manifest.extra!["skipped_list"]!.contains("odd/broken.png: PNG data unreadable"), r2.manifest.extra!["skipped_list"]!)
        XCTAssertEqual(r2.manifest.recordLength, 1 + 3 * 256)
        opts.skipBad = false
        XCTAssertThrowsError(try ImageImport.run(dir: dir, labelsCSV: dir.appendingPathComponent("labels2.csv"), resolution: 16, options: opts))
    }

    func testExistingDatasetIsKeptWithoutForceAndReplacedWithIt() throws {
        let dir = try labelledFolder()
        try ImageImport.run(dir: dir, labelsCSV: nil, resolution: 8, options: options("twice"))
        XCTAssertThrowsError(try ImageImport.run(dir: dir, labelsCSV: nil, resolution: 16, options: options("twice"))) { e in
            XCTAssertTrue("\(e)".contains("exists; use --force"), "\(e)")
        }
        var opts = options("twice"); opts.force = true
        try ImageImport.run(dir: dir, labelsCSV: nil, resolution: 16, options: opts)
        XCTAssertEqual(try TokenDataset.load(from: out.appendingPathComponent("twice")).manifest.recordLength, 769)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["twice"])
    }

    func testLeftoverOfAKilledImportIsRemoved() throws {
        let dir = try labelledFolder()
        let leftover = out.appendingPathComponent(".pets.importing-2147483000")   // no such process
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try Data([1, 2]).write(to: leftover.appendingPathComponent("train.bin"))
        try ImageImport.run(dir: dir, labelsCSV: nil, resolution: 8, options: options("pets"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["pets"])
    }

    func testCaptionImportNamesTheRowWithAMissingImage() throws {
        for (i, c) in [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)].enumerated() {
            try png("pics/p\(i).png", (UInt8(c.0), UInt8(c.1), UInt8(c.2)))
        }
        let csv = try text("captions.csv", """
            image,caption
            pics/p0.png,a red square
            pics/p1.png,"a green square, plain"
            pics/gone.png,a missing picture
            pics/p2.png,a blue square
            pics/p3.png,a yellow square
            pics/p0.png,another red one

            """)
        XCTAssertThrowsError(try CaptionImport.run(csv: csv, resolution: 8, options: options("caps"))) { e in
            XCTAssertTrue("\(e)".contains("captions.csv:4: image 'pics/gone.png': file not found"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("caps").path))
        let r = try CaptionImport.run(csv: csv, resolution: 8, captionLength: 32, orders: [.captionFirst],
                                      options: options("caps", skipBad: true))
        XCTAssertEqual(r.manifest.extra!["skipped_files"], "1")
        XCTAssertEqual(r.manifest.modality, "pair")
        XCTAssertEqual(r.manifest.vocabSize, PairTokenizer.vocabSize)
        XCTAssertEqual(r.manifest.recordLength, 1 + 32 + 192)
        XCTAssertEqual(Set(r.manifest.splits.keys), Set(["train", "test"] + PairShards.evaluationSplits))
        XCTAssertEqual(r.manifest.splits["train"]!.sequences + r.manifest.splits["test"]!.sequences, 5)
        let ds = try TokenDataset.load(from: out.appendingPathComponent("caps"))
        let tok = PairTokenizer(resolution: 8, captionLength: 32)
        let train = ds.splits["train"]!
        var captions: [String] = []
        for k in 0..<(train.tokens.count / tok.recordLength) {
            let rec = Array(train.tokens[(k * tok.recordLength)..<((k + 1) * tok.recordLength)])
            XCTAssertEqual(rec[0], PairTokenizer.captionFirstStart, "--order caption-first")
            let (caption, image) = try tok.decode(rec)
            if let c = caption, let img = image {
                captions.append(c)
                let colour = img[0, 0]
                let want: [String: (UInt8, UInt8, UInt8)] = ["red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0)]
                let name = want.keys.first { c.contains($0) }!
                XCTAssertTrue(colour == want[name]!, "\(c): pixel \(colour)")
            }
        }
        XCTAssertFalse(captions.isEmpty)
        // Both captions of p0 are on the same side.
        let testTokens = ds.splits["test-caption-first"]!.tokens
        let testCaptions = try (0..<(testTokens.count / tok.recordLength)).map {
            try tok.decode(Array(testTokens[($0 * tok.recordLength)..<(($0 + 1) * tok.recordLength)])).caption!
        }
        XCTAssertEqual(testCaptions.contains("a red square"), testCaptions.contains("another red one"))
    }

    func testCSVRowsKeepQuotedCommasAndTheirLineNumbers() throws {
        let rows = try ImportCSV.rows(parsing: "Path,Label\r\na.png,\"x, \"\"y\"\"\"\r\n\r\n\"b\nc.png\",z\nd.png,w")
        XCTAssertEqual(rows, [ImportCSV.Row(line: 2, fields: ["a.png", "x, \"y\""]),
                              ImportCSV.Row(line: 4, fields: ["b\nc.png", "z"]),
                              ImportCSV.Row(line: 6, fields: ["d.png", "w"])])
        XCTAssertThrowsError(try ImportCSV.rows(parsing: "a.png,\"open\n", name: "x.csv")) { e in
            XCTAssertTrue("\(e)".contains("line 1: quoted field is never closed"), "\(e)")
        }
    }
}
