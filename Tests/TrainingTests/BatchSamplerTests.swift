import XCTest
import Datasets
import Training

final class BatchSamplerTests: XCTestCase {
    func testRecordsWithMaskGiveTargetWeightsAndCoverEachEpoch() throws {
        // 5 records of 4 tokens (n_ctx 3); token value = record·10 + position; mask on positions 2, 3.
        let tokens = (0..<5).flatMap { r in (0..<4).map { UInt16(r * 10 + $0) } }
        let mask: [UInt8] = Array([[UInt8]](repeating: [0, 0, 1, 1], count: 5).joined())
        var s = try BatchSampler(split: TokenSplit(tokens: tokens, mask: mask), nCtx: 3, layout: .records, seed: 1)
        XCTAssertEqual(s.examplesPerEpoch, 5)
        let b = s.next(batchSize: 5)
        XCTAssertEqual(Set(stride(from: 0, to: 15, by: 3).map { b.inputs[$0] / 10 }), [0, 1, 2, 3, 4])
        for e in 0..<5 {
            XCTAssertEqual(b.targets[e * 3], b.inputs[e * 3] + 1)
            XCTAssertEqual(Array(b.weights[(e * 3)..<(e * 3 + 3)]), [0, 1, 1])   // weight = mask of the target
        }
    }

    func testSeekReproducesTheSameBatches() throws {
        let split = TokenSplit(tokens: (0..<1000).map { UInt16($0 % 251) })
        var a = try BatchSampler(split: split, nCtx: 16, layout: .stream, seed: 4)
        for _ in 0..<20 { _ = a.next(batchSize: 7) }      // crosses an epoch boundary
        let (e, i) = (a.epoch, a.index)
        let next = a.next(batchSize: 7)
        var b = try BatchSampler(split: split, nCtx: 16, layout: .stream, seed: 4)
        b.seek(epoch: e, index: i)
        XCTAssertEqual(b.next(batchSize: 7).inputs, next.inputs)
        XCTAssertGreaterThan(e, 0)
    }

    func testRecordLengthMismatchIsExplained() {
        XCTAssertThrowsError(try BatchSampler(split: TokenSplit(tokens: [UInt16](repeating: 0, count: 10)), nCtx: 3,
                                              layout: .records, seed: 1)) { e in
            XCTAssertTrue("\(e)".contains("n_ctx"), "\(e)")
        }
    }
}
