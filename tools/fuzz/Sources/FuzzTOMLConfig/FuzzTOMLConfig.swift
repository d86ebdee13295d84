import Foundation
import FuzzSupport
import Training

/// A run config (`configs/*.toml`, `--config`) through TOMLKit and the key checks, as
/// `TrainConfig.load` reads it, then `validate()`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOMLConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    // `TrainConfig.load` rejects bytes that are not UTF-8 before parsing; so do we.
    guard let text = String(data: FuzzInput.data(start, count), encoding: .utf8) else { return 0 }
    if let cfg = try? TrainConfig.parse(text, file: "fuzz.toml") {
        _ = try? cfg.validate()
        _ = cfg.renderTOML()
    }
    return 0
}
