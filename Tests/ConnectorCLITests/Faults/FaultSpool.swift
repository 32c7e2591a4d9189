import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif


/// Whether the long (soak) variants run: `PPMP_SOAK=1` (see `make soak`).
let soakMode = ProcessInfo.processInfo.environment["PPMP_SOAK"] == "1"

/// A demo spool set up for fault runs: settle 0, an archive every run, and a queue of generated
/// drops (`ppmp-fixtures drops`) that the test feeds into the inbox a few at a time.
final class FaultSpool {
  let demo: DemoSpool
  /// Generated drops not yet fed, in processing order.
  private(set) var pending: [String]
  /// Names of every drop placed in the inbox (the sample drops of `init --demo` included).
  private(set) var fed: [String]
  let source: String

  init(label: String, bookings: Int, cancellations: Int, invalid: Int, seed: UInt64, perDrop: Int = 4) throws {
    demo = try DemoSpool(label: label)
    let toml = demo.folder.child("connector.toml")
    var text = try String(contentsOfFile: toml, encoding: .utf8)
    text = text.replacingOccurrences(of: "settle_seconds = 2", with: "settle_seconds = 0")
    text = text.replacingOccurrences(of: "every = \"60 minutes\"", with: "every = \"1 runs\"")
    try text.write(toFile: toml, atomically: true, encoding: .utf8)
    source = demo.folder.child("generated")
    let r = try CommandRunner.run(
      "ppmp-fixtures",
      ["drops", "--database", demo.database, "--out", source, "--bookings", "\(bookings)", "--cancellations",
       "\(cancellations)", "--invalid", "\(invalid)", "--seed", "\(seed)", "--per-drop", "\(perDrop)", "--as-of",
       demo.asOf, "--practice-id", "demo"])
    guard r.status == 0 else { throw HarnessError.failed("ppmp-fixtures drops: \(r.stderr)") }
    pending = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".xml") }.sorted()
    fed = try FileManager.default.contentsOfDirectory(atPath: demo.inbox).sorted()
    generatedTag = "he-\(String(seed, radix: 16))-"
    for name in pending {
      let text = try String(contentsOfFile: source + "/" + name, encoding: .utf8)
      cancelledByDrops.formUnion(Self.allMatches(#"<cancellation\b[^>]*?\bheMsgId="([^"]+)""#, in: text))
    }
  }

  /// The heMsgId prefix of the generated bookings, and those the generated drops cancel.
  private let generatedTag: String
  private var cancelledByDrops: Set<String> = []
  /// heMsgIds of online bookings reception cancelled in PPMP, each to be reported once.
  private(set) var cancelledInPPMP: [String] = []

  /// Reception cancels one confirmed online booking in PPMP itself (another program, between
  /// runs): the newest one no drop cancels and nobody cancelled yet (change requests ask about
  /// the oldest, so most of these are reported unasked).
  func receptionCancelsABooking() throws {
    var confirmed: [String] = []
    for name in files("outbox") where name.hasPrefix("receipt-") {
      let text = (try? String(contentsOfFile: sub("outbox/" + name), encoding: .utf8)) ?? ""
      confirmed += Self.allMatches(#"<confirmInsert heMsgId="([^"]+)""#, in: text)
    }
    let queue = try DatabaseQueue(path: demo.database)
    for id in confirmed.sorted().reversed()
    where id.hasPrefix(generatedTag) && !cancelledByDrops.contains(id) && !cancelledInPPMP.contains(id) {
      let changed = try queue.write { db -> Int in
        try db.execute(
          sql: "UPDATE appointments SET status = 'cancelled' WHERE status = 'booked' AND comments LIKE ?",
          arguments: ["%HE_MSG_ID:\(id)%"])
        return db.changesCount
      }
      if changed == 1 {
        cancelledInPPMP.append(id)
        return
      }
    }
  }

  /// Each booking reception cancelled is reported: by one unasked `cancel` event, or as the
  /// answer to a change request that asked about it in the same cycle (the two merge). No
  /// booking is reported unasked twice.
  func eventProblems(_ outbox: [String]) throws -> [String] {
    var unasked: [String: [String]] = [:]
    var answered: Set<String> = []
    for name in outbox where name.hasPrefix("events-") {
      let text = try String(contentsOfFile: sub("outbox/" + name), encoding: .utf8)
      for element in Self.allMatches(#"(<cancel\b[^>]*>)"#, in: text) {
        guard let id = Self.firstMatch(#"heMsgId="([^"]+)""#, in: element) else { continue }
        if element.contains("requestId=") { answered.insert(id) } else { unasked[id, default: []].append(name) }
      }
    }
    var problems: [String] = []
    for id in cancelledInPPMP where unasked[id] == nil && !answered.contains(id) {
      problems.append("reception cancelled \(id) in PPMP, and no events document reported it")
    }
    for (id, files) in unasked where files.count > 1 { problems.append("\(id) was reported cancelled \(files.count) times: \(files)") }
    return problems
  }

  var spool: String { demo.folder.child("spool") }
  func sub(_ relative: String) -> String { spool + "/" + relative }

  /// Moves up to `count` generated drops into the inbox.
  func feed(_ count: Int) throws {
    for name in pending.prefix(count) {
      try FileManager.default.moveItem(atPath: source + "/" + name, toPath: demo.inbox + "/" + name)
      fed.append(name)
    }
    pending.removeFirst(min(count, pending.count))
  }

  /// Records a drop the test placed in the inbox itself.
  func noteFed(_ name: String) { fed.append(name) }

  /// requestIds of the request drops fed, each to be answered exactly once.
  private(set) var requestIDs: [String] = []

  /// Places a drop of requests (`requests-<n>.xml`): a day for one practitioner, a day for all,
  /// the practitioner list, and a change request about a booking an earlier receipt confirmed.
  func feedRequests(_ n: Int) throws {
    var requests = [
      RequestMessage(kind: .availability, requestId: "rq-\(n)-day", day: "2026-03-0\(3 + n % 5)", pmsResourceId: "1"),
      RequestMessage(kind: .availability, requestId: "rq-\(n)-all", day: "2026-03-0\(3 + n % 5)"),
      RequestMessage(kind: .resources, requestId: "rq-\(n)-res"),
    ]
    for name in files("outbox") where name.hasPrefix("receipt-") {
      let text = (try? String(contentsOfFile: sub("outbox/" + name), encoding: .utf8)) ?? ""
      if let id = Self.firstMatch(#"<confirmInsert heMsgId="([^"]+)""#, in: text),
        let booking = Self.firstMatch(#"<confirmInsert heMsgId="[^"]+" bookingId="([^"]+)""#, in: text)
      {
        requests.append(RequestMessage(kind: .appointmentChanges, requestId: "rq-\(n)-chg", bookingId: booking, heMsgId: id))
        break
      }
    }
    let name = "requests-\(n).xml"
    try FileSystem.write(
      try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [], requests: requests), toNewFile: demo.inbox + "/" + name)
    fed.append(name)
    requestIDs += requests.map(\.requestId)
  }

  /// Every request fed is answered once in one receipt, and a confirmed one by exactly one
  /// refresh or events document, which is in the outbox and names it.
  func requestProblems(_ outbox: [String]) throws -> [String] {
    var problems: [String] = []
    var answers: [String: [(name: String, file: String?)]] = [:]
    var carried: [String: [String]] = [:]
    for name in outbox {
      let text = try String(contentsOfFile: sub("outbox/" + name), encoding: .utf8)
      if name.hasPrefix("receipt-") {
        for m in Self.allMatches(#"(<(?:confirm|reject)Request [^>]*>)"#, in: text) {
          guard let id = Self.firstMatch(#"requestId="([^"]+)""#, in: m) else { continue }
          answers[id, default: []].append((name, Self.firstMatch(#"file="([^"]+)""#, in: m)))
        }
      } else if name.hasPrefix("refresh-") {
        for id in (Self.firstMatch(#"requestIds="([^"]*)""#, in: text) ?? "").split(separator: " ") {
          carried[String(id), default: []].append(name)
        }
      } else if name.hasPrefix("events-") {
        for id in Self.allMatches(#"requestId="([^"]+)""#, in: text) { carried[id, default: []].append(name) }
      }
    }
    for id in requestIDs {
      let mine = answers[id] ?? []
      guard mine.count == 1, let answer = mine.first else {
        problems.append("request \(id) has \(mine.count) answers in receipts: \(mine.map(\.name))")
        continue
      }
      let documents = carried[id] ?? []
      if let file = answer.file {
        if documents != [file] { problems.append("request \(id) is confirmed in \(file) but carried by \(documents)") }
      } else if !documents.isEmpty {
        problems.append("request \(id) was rejected but is carried by \(documents)")
      }
    }
    return problems
  }

  /// Starts `ppmp-connector run` and SIGKILLs it after `delay` seconds if it is still running.
  /// Returns true when the kill landed (the run had not finished).
  func runAndKill(after delay: Double) throws -> Bool {
    let (process, killed) = try CommandRunner.runKilling(
      "ppmp-connector", ["run", "--as-of", demo.asOf, "--quiet"], in: demo.path, after: delay)
    // A run that ended on its own before the kill must have ended well (0 or 1).
    if !killed && process.terminationReason == .exit && process.terminationStatus > 1 {
      throw HarnessError.failed("run exited \(process.terminationStatus) without a fault")
    }
    return killed
  }

  func files(_ relative: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: sub(relative))) ?? []).sorted()
  }

  /// Every invariant of SPEC §4/§6/§10 after a clean run; returns one line per violation.
  func violations(expectAllFed: Bool = true) throws -> [String] {
    var problems: [String] = []
    let outbox = files("outbox").filter { !$0.hasPrefix(".") }
    // One answer per drop: exactly one receipt- or rejected- file whose `drop` attribute names it.
    var answersByDrop: [String: [String]] = [:]
    var confirmed: Set<String> = []
    var newFiles: Set<String> = []
    for name in outbox where name.hasPrefix("receipt-") || name.hasPrefix("rejected-") {
      let text = try String(contentsOfFile: sub("outbox/" + name), encoding: .utf8)
      guard let drop = Self.firstMatch(#"\bdrop="([^"]+)""#, in: text) else {
        problems.append("answer \(name) names no drop")
        continue
      }
      answersByDrop[drop, default: []].append(name)
      confirmed.formUnion(Self.allMatches(#"<confirmInsert heMsgId="([^"]+)""#, in: text))
      newFiles.formUnion(Self.allMatches(Self.newFileConfirmation, in: text))
    }
    for drop in fed where (answersByDrop[drop]?.count ?? 0) != 1 {
      problems.append("drop \(drop) has \(answersByDrop[drop]?.count ?? 0) answers: \(answersByDrop[drop] ?? [])")
    }
    for (drop, answers) in answersByDrop where !fed.contains(drop) {
      problems.append("answers \(answers) for a drop never fed: \(drop)")
    }
    // Each booking at most once in PPMP, exactly once when a receipt confirmed it.
    let comments = try DatabaseQueue(path: demo.database).read { db in
      try String.fetchAll(db, sql: "SELECT comments FROM appointments WHERE comments LIKE '%HE_MSG_ID:%'")
    }
    var ids: Set<String> = confirmed
    for drop in fed {
      for folder in ["rejected", "state/staging/inbox"] {
        if let text = try? String(contentsOfFile: sub(folder + "/" + drop), encoding: .utf8) {
          ids.formUnion(Self.allMatches(#"<booking\b[^>]*?\bheMsgId="([^"]+)""#, in: text))
        }
      }
    }
    for id in ids {
      let count = comments.filter { AppointmentBook.comments($0, carry: id) }.count
      if count > 1 { problems.append("heMsgId \(id) is in PPMP \(count) times") }
      if confirmed.contains(id) && count != 1 { problems.append("heMsgId \(id) was confirmed but is in PPMP \(count) times") }
    }
    // Every booking that got a new patient file is in the review queue, however the runs died.
    let queued = Set(
      try DatabaseQueue(path: sub("state/connector.sqlite")).read { db in
        try String.fetchAll(db, sql: "SELECT he_msg_id FROM review_item")
      })
    for id in newFiles.subtracting(queued).sorted() { problems.append("heMsgId \(id) got a new patient file but no review item") }
    problems += publicationProblems(outbox)
    problems += try requestProblems(outbox)
    problems += try eventProblems(outbox)
    let audit = try demo.run(["audit", "verify"])
    if audit.status != 0 { problems.append("audit verify exited \(audit.status): \(audit.stdout) \(audit.stderr)") }
    // The catalog's heMsgId index (written just before its archive row) agrees with reading the
    // archives, and no member went into two archives (adoption after a kill, not a rewrite).
    for id in confirmed.sorted().prefix(3) {
      let indexed = try demo.run(["audit", "find", id]).stdout
      let scanned = try demo.run(["audit", "find", id, "--archive-dir", sub("archive")]).stdout
      if indexed != scanned { problems.append("audit find \(id): the index says \(indexed), the archives say \(scanned)") }
      let members = scanned.split(separator: "\n").compactMap { $0.split(separator: "\t").last.map(String.init) }
      if Set(members).count != members.count { problems.append("heMsgId \(id) is in more than one archive: \(scanned)") }
    }
    for folder in ["outbox", "rejected", "state"] {
      let temporaries = files(folder).filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
      if !temporaries.isEmpty { problems.append("temporary files left in \(folder)/: \(temporaries)") }
    }
    let work = files("work")
    if !work.isEmpty { problems.append("work/ not empty after a clean run: \(work)") }
    if expectAllFed, !files("inbox").isEmpty { problems.append("inbox/ not empty after a clean run: \(files("inbox"))") }
    return problems
  }

  /// Base snapshot + deltas from the outbox, applied in sequence, must equal state/published.xml.
  func publicationProblems(_ outbox: [String]) -> [String] {
    var publications: [(sequence: Int64, path: String, isSnapshot: Bool)] = []
    for name in outbox where name.hasPrefix("snapshot-") || name.hasPrefix("delta-") {
      guard let reader = try? PublicationReader(path: sub("outbox/" + name)) else {
        return ["outbox publication \(name) does not read"]
      }
      publications.append((reader.header.sequence, sub("outbox/" + name), name.hasPrefix("snapshot-")))
    }
    publications.sort { $0.sequence < $1.sequence }
    guard let firstSnapshot = publications.firstIndex(where: \.isSnapshot) else {
      return publications.isEmpty ? [] : ["deltas in the outbox but no snapshot"]
    }
    var problems: [String] = []
    if Set(publications.map(\.sequence)).count != publications.count {
      problems.append("a publication sequence appears twice in the outbox")
    }
    do {
      var content = try SnapshotContent(path: publications[firstSnapshot].path)
      for p in publications[(firstSnapshot + 1)...] {
        content = p.isSnapshot ? try SnapshotContent(path: p.path) : try content.applying(deltaAt: p.path)
      }
      let published = try SnapshotContent(path: sub("state/published.xml"))
      if content.days != published.days || content.resources != published.resources
        || content.appointmentTypes != published.appointmentTypes || content.header.sequence != published.header.sequence
      {
        problems.append("outbox publications up to \(content.header.sequence) do not rebuild state/published.xml")
      }
    } catch {
      problems.append("replaying outbox publications: \(error)")
    }
    return problems
  }

  /// A receipt's confirmation of a booking that got a new patient file; group 1 is its heMsgId.
  static let newFileConfirmation = #"<confirmInsert heMsgId="([^"]+)"[^>]*\bpatientMatch="created-"#

  static func firstMatch(_ pattern: String, in text: String) -> String? { allMatches(pattern, in: text).first }

  static func allMatches(_ pattern: String, in text: String) -> [String] {
    guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
  }
}
