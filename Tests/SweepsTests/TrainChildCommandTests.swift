import Foundation
import XCTest
@testable import Sweeps

/// The command line a sweep starts per run is spelled in one place, for both back-ends.
final class TrainChildCommandTests: XCTestCase {
    func testLocalArgumentsAndSlurmShellLineAreTheSameCommand() {
        let local = LocalExecutor.trainArguments(config: URL(fileURLWithPath: "/s/configs/a.toml"), runDir: URL(fileURLWithPath: "/s/runs/a"), threads: 2)
        XCTAssertEqual(local, ["train", "--config", "/s/configs/a.toml", "--run-dir", "/s/runs/a", "--resume",
                               "--set", "train.threads=2", "--exit-with-parent"])
        let line = TrainChildCommand(config: "$CONFIG", runDir: "$RUN_DIR", threads: "${SLURM_CPUS_PER_TASK:-1}").shellLine(executable: "$WORKBENCH")
        XCTAssertEqual(line, #""$WORKBENCH" train --config "$CONFIG" --run-dir "$RUN_DIR" --resume --set "train.threads=${SLURM_CPUS_PER_TASK:-1}""#)
        XCTAssertEqual(TrainChildCommand(config: "/a b/c.toml", runDir: "r", threads: "1").shellLine(executable: "/bin/wb"),
                       #"/bin/wb train --config "/a b/c.toml" --run-dir r --resume --set train.threads=1"#)
    }
}
