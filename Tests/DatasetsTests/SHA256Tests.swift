import Datasets
import Foundation
import XCTest
import RunFiles

/// SHA-256 against the FIPS 180-4 test vectors, and shard checksums in manifests.
final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: [UInt8]()),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFeedingInPiecesGivesTheSameDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for cut in [1, 55, 56, 63, 64, 65, 128, 999] {
            var h = SHA256()
            h.update(Array(bytes[..<cut])); h.update(Array(bytes[cut...]))
            XCTAssertEqual(h.finalizeHex(), SHA256.hex(of: bytes), "cut at \(cut)")
        }
        XCTAssertEqual(SHA256.hex(of: Data(bytes)), SHA256.hex(of: bytes))
    }

    func testWriteRecordsEachShardsChecksumAndLoadVerifiesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ds-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ds = TokenDataset.bytes(name: "t", train: Array("hello world".utf8), test: Array("bye".utf8), source: "test")
        let written = try ds.write(to: dir)
        let trainBin = try Data(contentsOf: dir.appendingPathComponent("train.bin"))
        XCTAssertEqual(written.splits["train"]?.sha256, SHA256.hex(of: trainBin))
        let onDisk = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        XCTAssertEqual(onDisk.splits["test"]?.sha256, SHA256.hex(of: try Data(contentsOf: dir.appendingPathComponent("test.bin"))))
        XCTAssertEqual(try TokenDataset.load(from: dir).splits["train"]?.tokens, ds.splits["train"]?.tokens)

        var tampered = [UInt8](trainBin)
        tampered[0] ^= 1  // "h" → "i": still a valid token, only the checksum can tell
        try Data(tampered).write(to: dir.appendingPathComponent("train.bin"))
        XCTAssertThrowsError(try TokenDataset.load(from: dir)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("train.bin") && text.contains("SHA-256"), text)
        }
    }
}
