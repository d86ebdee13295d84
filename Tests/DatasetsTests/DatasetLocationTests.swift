import Foundation
import XCTest
@testable import Datasets

/// A dataset is found by name under the data folder, or by path; anything else is left for the loader to name.
final class DatasetLocationTests: XCTestCase {
    func testNamesResolveUnderTheDataFolderAndPathsStayAsGiven() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-location-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("pics"), withIntermediateDirectories: true)
        try "{}".write(to: data.appendingPathComponent("pics/manifest.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(DatasetLocation.resolve("pics", dataDir: data), data.appendingPathComponent("pics").path)
        XCTAssertEqual(DatasetLocation.resolve(data.appendingPathComponent("pics").path, dataDir: URL(fileURLWithPath: "/nowhere")),
                       data.appendingPathComponent("pics").path)
        XCTAssertEqual(DatasetLocation.resolve("builtin:english-sample", dataDir: data), "builtin:english-sample")
        XCTAssertEqual(DatasetLocation.resolve("unprepared", dataDir: data), "unprepared", "left for the loader's error")
        XCTAssertEqual(DatasetLocation.resolve("other/pics", dataDir: data), "other/pics", "a path is never looked up by name")
        XCTAssertTrue(DatasetLocation.isPrepared("pics", dataDir: data))
        XCTAssertFalse(DatasetLocation.isPrepared("unprepared", dataDir: data))
    }
}
