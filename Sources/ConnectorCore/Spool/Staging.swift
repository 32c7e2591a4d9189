#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

extension SpoolLayout {
  /// Puts a finished file into the archive staging area under its spool-relative path
  /// (`inbox/…`, `outbox/…`, `rejected/…`): moved (drops leaving work/) or hard-linked (outbox
  /// files, which stay the transfer job's to take). Never overwrites a staged file.
  public func stage(_ path: String, as relative: String, move: Bool) throws {
    let relativeFolder = (relative as NSString).deletingLastPathComponent
    let folder = staging + "/" + relativeFolder
    try FileSystem.makeFolder(folder)
    let target = folder + "/" + FileSystem.freeName(in: folder, for: (relative as NSString).lastPathComponent)
    if move {
      if rename(path, target) != 0 { throw FileSystem.ioError("stage", path) }
    } else if link(path, target) != 0 {
      // A file system without hard links: copy.
      try FileSystem.writeAtomically(to: target) { temp in try FileSystem.copyFile(path, to: temp) }
    }
    try FileSystem.sync(folder, isFolder: true)
  }
}
