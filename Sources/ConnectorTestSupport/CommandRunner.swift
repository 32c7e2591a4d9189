import Foundation

/// The outcome of running a built executable.
public struct CommandResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// Runs the real binaries the way a scheduler would: arguments, working folder, no terminal.
public enum CommandRunner {
  /// Runs `executable` (a product name or a path) with `arguments` in `directory`.
  @discardableResult
  public static func run(
    _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(
      fileURLWithPath: executable.contains("/") ? executable : RepositoryPaths.executable(executable))
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let outPipe = Pipe()
    let errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Drain both pipes while the child runs so a chatty child never blocks on a full pipe.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = errPipe.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Starts `executable` in `directory` with no terminal and its output discarded, and returns
  /// at once: for tests that race, signal or kill the child.
  public static func start(_ executable: String, _ arguments: [String], in directory: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(
      fileURLWithPath: executable.contains("/") ? executable : RepositoryPaths.executable(executable))
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Starts `executable` and SIGKILLs it once `delay` seconds have passed, if it is still
  /// running. Returns the ended process and whether the kill landed (it had not finished).
  public static func runKilling(
    _ executable: String, _ arguments: [String], in directory: String, after delay: Double
  ) throws -> (process: Process, killed: Bool) {
    let process = try start(executable, arguments, in: directory)
    let deadline = Date().addingTimeInterval(delay)
    while process.isRunning && Date() < deadline { usleep(2_000) }
    let killed = process.isRunning && kill(process.processIdentifier, SIGKILL) == 0
    process.waitUntilExit()
    return (process, killed)
  }
}
