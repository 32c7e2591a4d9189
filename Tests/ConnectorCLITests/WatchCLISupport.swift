import ConnectorTestSupport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Starting, waiting on and stopping `ppmp-connector watch` on a demo spool.
extension DemoSpool {
  /// Starts `watch` with the spool's clock and a short poll interval; returns at once.
  func startWatch(pollIntervalMilliseconds: Int = 100) throws -> Process {
    try CommandRunner.start(
      "ppmp-connector", ["watch", "--as-of", asOf, "--quiet", "--poll-interval-ms", "\(pollIntervalMilliseconds)"], in: path)
  }

  /// `state/status.json` as JSON, or nil while there is none or it is being replaced.
  func statusJSON() -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: folder.child("spool/state/status.json")) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
  }
}

extension FaultSpool {
  /// Nothing waits in inbox/ or work/, and the watcher's last cycle did not fail.
  var isDrainedWithoutFailures: Bool {
    files("inbox").isEmpty && files("work").isEmpty
      && ((demo.statusJSON()?["watch"] as? [String: Any])?["consecutiveFailures"] as? Int) == 0
  }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass (generous: the
/// machine running the tests may be loaded). Returns whether it held.
func eventually(timeout: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if try condition() { return true }
    usleep(10_000)
  }
  return try condition()
}

/// Sends `signal` to `process` and waits for it to end (SIGKILL after `timeout` seconds, so a
/// hung child never outlives the test). Returns whether it ended by itself.
@discardableResult
func stop(_ process: Process, with signal: Int32 = SIGTERM, timeout: Double = 60) -> Bool {
  kill(process.processIdentifier, signal)
  let ended = eventually(timeout: timeout) { !process.isRunning }
  if !ended { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  return ended
}
