import ConnectorXML
import Foundation

/// What the auditors' page shows (`ppmp-connector audit report --html`): every archive with its
/// size and date, the chain with its verification state, and the messages answered per day by
/// outcome, counted from the receipts inside the archives.
///
/// Everything comes from the archive files themselves (read the way `audit verify` reads them),
/// so it works with only an archive folder. Receipts are read for their outcome elements and
/// reason codes alone; drops, which hold patient details, are never opened.
public struct AuditReport: Sendable {
  /// One archive as read back.
  public struct Archive: Sendable, Equatable {
    /// `demo-3`: what `audit show` and `audit extract` take.
    public var name: String
    /// Relative to the archive folder.
    public var path: String
    public var sequence: Int64?
    public var baggingDate: String?
    public var payloadFiles: Int
    public var payloadBytes: Int64
    public var fileBytes: Int64
    public var tarSHA256: String
    public var fileSHA256: String
    public var previousTarSHA256: String?
    /// This archive's own problems (bag, manifest, catalog).
    public var problems: [String]
    /// Whether its Previous-Archive-SHA256 is the tar SHA-256 of the archive before it (64 zeros
    /// for the first); nil when that cannot be said (the previous archive is missing).
    public var linkVerified: Bool?
    /// Messages its receipts answered, by outcome label.
    public var outcomes: [String: Int]
  }

  public var archiveFolder: String
  public var archives: [Archive]
  /// Every problem `audit verify` reports, in chain order.
  public var problems: [String]
  public var isIntact: Bool { problems.isEmpty }

  /// Outcome labels, in the order the page lists them; rejections are "rejected: <reason>".
  public static let confirmed = "confirmed"
  public static let cancelled = "cancelled"
  public static let dropRejected = "drop rejected"

  /// Reads every archive under `auditor`'s folder.
  public static func gather(auditor: ArchiveAuditor) -> AuditReport {
    let chain = auditor.verify()
    let folder = auditor.archiveFolder
    var archives: [Archive] = []
    var previous: BagReport?
    for r in chain.archives {
      let relative = r.path.hasPrefix(folder + "/") ? String(r.path.dropFirst(folder.count + 1)) : r.path
      let base = (r.path as NSString).lastPathComponent
      let name = ArchiveAuditor.extensions.first { base.hasSuffix($0) }.map { String(base.dropLast($0.count)) } ?? base
      var link: Bool?
      if let seq = r.sequence, let previousLink = r.previousTarSHA256 {
        if seq == 1 {
          link = previousLink == BagLayout.zeroHash
        } else if let previous, previous.sequence == seq - 1 {
          link = previousLink == previous.tarSHA256
        }
      } else if r.sequence != nil {
        link = false
      }
      let own = chain.problems.filter { $0.hasPrefix(base + ":") }
      archives.append(
        Archive(
          name: name, path: relative, sequence: r.sequence, baggingDate: r.bagInfo["Bagging-Date"],
          payloadFiles: r.payloadFiles, payloadBytes: r.payloadBytes,
          fileBytes: FileSystem.fileInfo(r.path).map { Int64($0.size) } ?? 0, tarSHA256: r.tarSHA256,
          fileSHA256: r.fileSHA256, previousTarSHA256: r.previousTarSHA256, problems: own, linkVerified: link,
          outcomes: outcomes(inArchive: r.path, limit: auditor.limits.maxMemberBytes)))
      previous = r
    }
    return AuditReport(archiveFolder: folder, archives: archives, problems: chain.problems)
  }

  /// Counts the answers in an archive's receipts and rejection notices (`data/outbox/receipt-*`,
  /// `data/outbox/rejected-*`). An unreadable archive or receipt counts nothing: `verify` names it.
  static func outcomes(inArchive path: String, limit: Int64) -> [String: Int] {
    var counts: [String: Int] = [:]
    try? BagLayout.forEachPayloadXML(inArchive: path, limit: min(limit, 64 << 20)) { member, read in
      let file = (member as NSString).lastPathComponent
      guard member.hasPrefix("data/outbox/"), file.hasPrefix("receipt-") || file.hasPrefix("rejected-") else { return true }
      guard let bytes = try? read(), let reader = try? XMLStreamReader(bytes: bytes) else { return true }
      while let event = try? reader.next() {
        guard case .startElement(let e) = event else { continue }
        switch e.name {
        case "confirmInsert": counts[confirmed, default: 0] += 1
        case "confirmUpdate": counts[cancelled, default: 0] += 1
        case "rejectInsert": counts["booking rejected: \(e[attribute: "reason"] ?? "?")", default: 0] += 1
        case "rejectUpdate": counts["cancellation rejected: \(e[attribute: "reason"] ?? "?")", default: 0] += 1
        case "dropRejected": counts["\(dropRejected): \(e[attribute: "reason"] ?? "?")", default: 0] += 1
        default: break
        }
      }
      return true
    }
    return counts
  }

  /// The page.
  public func html() -> String {
    AuditPage(report: self).render()
  }

  /// Writes the page to `path` atomically.
  public func write(to path: String) throws {
    try FileSystem.writeAtomically(to: path, bytes: Array(html().utf8))
  }
}
