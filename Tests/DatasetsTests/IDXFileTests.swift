import Datasets
import Foundation
import Tokenizers
import XCTest

final class IDXFileTests: XCTestCase {
    // The tiny files hold 3 images of 4x3 with values (i·29 + 7) mod 256, labels 7, 0, 9.
    let expectedValues = (0..<36).map { UInt8(($0 * 29 + 7) % 256) }

    func testReadsImagesAndLabels() throws {
        let imgs = try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte"))
        XCTAssertEqual(imgs.dimensions, [3, 4, 3])
        XCTAssertEqual(imgs.values, expectedValues)
        XCTAssertEqual(try imgs.grayImages()[2], Array(expectedValues[24..<36]))
        let labels = try IDXFile.read(ImageSampleFiles.url("tiny-labels-idx1-ubyte"))
        XCTAssertEqual(labels.dimensions, [3])
        XCTAssertEqual(labels.values, [7, 0, 9])
    }

    func testReadsGzippedFile() throws {
        let plain = try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte"))
        XCTAssertEqual(try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte.gz")), plain)
    }

    func testBadMagicAndTruncationAreNamed() {
        XCTAssertThrowsError(try IDXFile.read(ImageSampleFiles.url("tiny-badmagic-idx3-ubyte"))) { e in
            XCTAssertTrue("\(e)".contains("tiny-badmagic-idx3-ubyte"), "\(e)")
            XCTAssertTrue("\(e)".contains("bad magic"), "\(e)")
        }
        XCTAssertThrowsError(try IDXFile.read(ImageSampleFiles.url("tiny-truncated-idx3-ubyte"))) { e in
            XCTAssertTrue("\(e)".contains("tiny-truncated-idx3-ubyte"), "\(e)")
            XCTAssertTrue("\(e)".contains("truncated"), "\(e)")
        }
        XCTAssertThrowsError(try IDXFile.parse([0, 0, 8], name: "x")) { e in XCTAssertTrue("\(e)".contains("truncated")) }
        XCTAssertThrowsError(try IDXFile.parse([0, 0, 8, 1, 0, 0, 0, 2, 5, 6, 7], name: "x")) { e in
            XCTAssertTrue("\(e)".contains("after"), "\(e)")
        }
    }

    func testFashionConversionPadsWithZeroAndCopiesGray() throws {
        let imgs = try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte"))
        let labels = try IDXFile.read(ImageSampleFiles.url("tiny-labels-idx1-ubyte"))
        let (out, labs) = try FashionMNIST.convert(images: imgs, labels: labels, resolution: 32, name: "tiny")
        XCTAssertEqual(labs, [7, 0, 9])
        XCTAssertEqual(out.count, 3)
        // 4 rows x 3 cols centred in 32x32: rows 14..17, columns 14..16.
        let img = out[1]
        XCTAssertEqual(img.width, 32)
        XCTAssertTrue(img[0, 0] == (0, 0, 0))
        XCTAssertTrue(img[13, 14] == (0, 0, 0))
        for r in 0..<4 { for c in 0..<3 {
            let v = expectedValues[12 + r * 3 + c]
            XCTAssertTrue(img[14 + c, 14 + r] == (v, v, v), "pixel \(r),\(c)")
        } }
        let nonZero = img.pixels.filter { $0 != 0 }.count
        XCTAssertEqual(nonZero, 3 * Array(expectedValues[12..<24]).filter { $0 != 0 }.count)
    }

    func testFashion8IsBlockMeanOfPadded32() throws {
        let imgs = try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte"))
        let labels = try IDXFile.read(ImageSampleFiles.url("tiny-labels-idx1-ubyte"))
        let big = try FashionMNIST.convert(images: imgs, labels: labels, resolution: 32, name: "tiny").images[0]
        let small = try FashionMNIST.convert(images: imgs, labels: labels, resolution: 8, name: "tiny").images[0]
        for y in 0..<8 { for x in 0..<8 {
            var s = 0
            for dy in 0..<4 { for dx in 0..<4 { s += Int(big[4 * x + dx, 4 * y + dy].0) } }
            XCTAssertEqual(Int(small[x, y].0), (2 * s + 16) / 32, "(\(x),\(y))")
        } }
    }

    func testFashionWriteProducesShardsLabelsAndManifest() throws {
        let imgs = try IDXFile.read(ImageSampleFiles.url("tiny-images-idx3-ubyte"))
        let labels = try IDXFile.read(ImageSampleFiles.url("tiny-labels-idx1-ubyte"))
        let conv = try FashionMNIST.convert(images: imgs, labels: labels, resolution: 8, name: "tiny")
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try FashionMNIST.write(name: "fashion-mnist-8", resolution: 8, train: conv,
                                       test: (Array(conv.images.prefix(1)), [7]), to: dir)
        XCTAssertEqual(m.recordLength, 193)
        XCTAssertEqual(m.vocabSize, 257)
        XCTAssertEqual(m.extra?["labels_train"], "train.labels")
        let ds = try TokenDataset.load(from: dir)
        XCTAssertEqual(ds.splits["train"]!.tokens.count, 3 * 193)
        XCTAssertEqual(ds.splits["train"]!.tokens[193], 256)
        XCTAssertEqual(Array(ds.splits["train"]!.tokens[194..<(194 + 192)]), ImageTokenizer(resolution: 8).encode(conv.images[1]))
        XCTAssertEqual([UInt8](try Data(contentsOf: dir.appendingPathComponent("train.labels"))), [7, 0, 9])
        XCTAssertEqual(ds.manifest.splits["test"]!.sequences, 1)
    }
}
