#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

extension Doctor {
  /// The finding for a spool folder `lstat` could not reach with `errno`: who owns the nearest
  /// folder above it that exists, and the chown that fixes it, never `init`.
  static func unreadableFolder(_ folder: String, errno code: Int32, spool: SpoolLayout, me: uid_t) -> DoctorFinding {
    var parent = (folder as NSString).deletingLastPathComponent
    var owner = ""
    while !parent.isEmpty && parent != "/" && parent != "." {
      var st = stat()
      if lstat(parent, &st) == 0 {
        owner = "; \(parent) belongs to uid \(st.st_uid) with mode \(String(st.st_mode & 0o7777, radix: 8))"
        break
      }
      parent = (parent as NSString).deletingLastPathComponent
    }
    return DoctorFinding(
      .error, "spool-unreadable",
      what: "Spool folder \(folder) exists but cannot be read by uid \(me): \(String(cString: strerror(code))) (errno \(code))\(owner).",
      where: .init(file: folder),
      fix: "Run the connector as the spool's owner (runuser -u OWNER -- ppmp-connector …), or as root "
        + "chown -R the spool to the connector's user. Do not run init: the folders are there.")
  }

  /// Folders 0700 and files 0600-ish, all owned by the user running the connector.
  func checkSpoolPermissions(_ spool: SpoolLayout) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    let me = geteuid()
    var unreachable: String?
    for folder in spool.folders {
      if let above = unreachable, folder.hasPrefix(above + "/") { continue }  // reported once
      var st = stat()
      let code = lstat(folder, &st) == 0 ? 0 : errno
      if code != 0 && code != ENOENT && code != ENOTDIR {
        // The folder is there but this user cannot reach it (EACCES: a folder above it is
        // another user's 0700): `init` would fail the same way, so name the owner instead.
        unreachable = (folder as NSString).deletingLastPathComponent
        findings.append(Self.unreadableFolder(folder, errno: code, spool: spool, me: me))
        continue
      }
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
