#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

extension Doctor {
  /// Folders 0700 and files 0600-ish, all owned by the user running the connector.
  func checkSpoolPermissions(_ spool: SpoolLayout) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    let me = geteuid()
    for folder in spool.folders {
      guard let info = FileSystem.fileInfo(folder) else {
        findings.append(
          DoctorFinding(
            .error, "spool-folder-missing", what: "Spool folder \(folder) is missing.", where: .init(file: folder),
            fix: "Run `ppmp-connector init` in the practice's folder (or fix spool = in connector.toml / --spool)."))
        continue
      }
      guard info.mode & S_IFMT == S_IFDIR else {
        findings.append(
          DoctorFinding(
            .error, "spool-not-a-folder", what: "\(folder) is not a folder (a symlink or file is not accepted).",
            where: .init(file: folder), fix: "Replace it with a real folder (mode 0700)."))
        continue
      }
      if info.uid != me {
        findings.append(
          DoctorFinding(
            .error, "spool-wrong-owner",
            what: "\(folder) is owned by uid \(info.uid), not by the user running the connector (uid \(me)).",
            where: .init(file: folder), fix: "chown it (and its files) to the connector's user."))
      }
      if !SpoolLayout.isPrivate(folder) {
        findings.append(
          DoctorFinding(
            .error, "spool-permissions",
            what: "\(folder) has mode \(String(info.mode & 0o777, radix: 8)); it holds patient data and must be 0700.",
            where: .init(file: folder), fix: "chmod 700 \(folder)"))
      }
      // Files directly inside (archive/ one level deeper: its year-month folders).
      var badMode: [String] = []
      var badOwner: [String] = []
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        let path = folder + "/" + name
        guard let f = FileSystem.fileInfo(path) else { continue }
        if f.mode & S_IFMT == S_IFDIR {
          // Folders of the tree are checked on their own; archive months and staging subfolders here.
          if spool.folders.contains(path) { continue }
          if !SpoolLayout.isPrivate(path) { badMode.append(name + "/") }
          if f.uid != me { badOwner.append(name + "/") }
          // One level down: archive/YYYY-MM/*.tar.zst and state/staging/{inbox,outbox}/*.
          for inner in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            guard let g = FileSystem.fileInfo(path + "/" + inner) else { continue }
            if !SpoolLayout.isPrivate(path + "/" + inner) { badMode.append(name + "/" + inner) }
            if g.uid != me { badOwner.append(name + "/" + inner) }
          }
          continue
        }
        if !SpoolLayout.isPrivate(path) { badMode.append(name) }
        if f.uid != me { badOwner.append(name) }
      }
      if !badMode.isEmpty {
        findings.append(
          DoctorFinding(
            .error, "spool-file-permissions",
            what: "\(badMode.count) file(s) in \(folder) are readable or writable by other users: "
              + Self.sample(badMode) + ".",
            where: .init(file: folder),
            fix: "chmod 600 the files (chmod 700 folders); make the transfer job create files with umask 077."))
      }
      if !badOwner.isEmpty {
        findings.append(
          DoctorFinding(
            .error, "spool-file-owner",
            what: "\(badOwner.count) file(s) in \(folder) are not owned by uid \(me): " + Self.sample(badOwner) + ".",
            where: .init(file: folder), fix: "chown them to the connector's user; run the transfer job as that user."))
      }
    }
    return findings
  }

  private static func sample(_ names: [String]) -> String {
    // Safe forms only: a file name can hold escape sequences that would drive the terminal.
    let sorted = names.map { DropName($0).safe }.sorted()
    return sorted.prefix(5).joined(separator: ", ") + (sorted.count > 5 ? ", …" : "")
  }
}
