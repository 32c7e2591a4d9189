import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `review list|show|resolve`: bookings that got a new patient file, for the front desk.
  struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List and resolve bookings that got a new patient file (no single exact match in PPMP).",
      discussion: """
        Each booking answered created-no-match or created-multiple-matches is queued with the PPMP \
        files it may belong to, best first, and the fields that agree. Nothing is ever linked \
        automatically. Names are printed only on a terminal or with --verbose; --json carries ids \
        and agreement codes unless --verbose.
        """,
      subcommands: [List.self, Show.self, Resolve.self, Reindex.self])

    /// The desk over this spool's state and PPMP, read-only on PPMP (listing takes no lock).
    static func desk(_ common: CommonOptions) throws -> ReviewDesk {
      let configuration = try common.loadConfiguration()
      let spool = SpoolLayout(root: configuration.spoolPath)
      guard FileManager.default.fileExists(atPath: spool.stateDatabase) else {
        throw ConnectorError.configuration("no connector state in \(spool.root); run `ppmp-connector init` and a first `run`")
      }
      return ReviewDesk(
        state: try ConnectorState(path: spool.stateDatabase),
        database: try PPMPDatabase(path: configuration.databasePath, readOnly: true),
        asOf: common.asOfValue ?? LocalDateTime.now(in: .current))
    }

    /// Names go to a terminal or with `--verbose`, never into a pipe or a log by default.
    static func showsNames(_ common: CommonOptions) -> Bool { common.verbose || isatty(1) == 1 }

    static func json(_ items: [ReviewItem], names: [Int64: PatientRow]?) throws -> String {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      return String(decoding: try encoder.encode(items.map { ReviewJSON($0, names: names) }), as: UTF8.self)
    }

    static func describe(_ id: Int64, _ names: [Int64: PatientRow]?) -> String {
      guard let names else { return "patient \(id)" }
      guard let p = names[id] else { return "patient \(id) (not in PPMP)" }
      return "patient \(id) \(p.firstName) \(p.lastName), born \(p.dob)" + (p.mobile.map { ", mobile \($0)" } ?? "")
    }

    static func names(_ desk: ReviewDesk, _ items: [ReviewItem], _ common: CommonOptions) throws -> [Int64: PatientRow]? {
      guard showsNames(common) else { return nil }
      return try desk.patients(items.flatMap { [$0.newPatientID] + $0.candidates.map(\.patientID) })
    }

    static func printHuman(_ item: ReviewItem, _ names: [Int64: PatientRow]?, detailed: Bool) {
      var line = "\(item.heMsgId)  \(item.match.rawValue)  appointment \(item.appointmentID)  new file: "
        + describe(item.newPatientID, names) + "  queued \(item.queuedAt)"
      if item.status != .open {
        line += "  \(item.status.rawValue)" + (item.linkedPatientID.map { " to patient \($0)" } ?? "")
          + (item.resolvedAt.map { " at \($0)" } ?? "")
      }
      Console.out(line)
      if item.candidates.isEmpty {
        Console.out("  no similar file in PPMP")
      }
      for (rank, c) in item.candidates.enumerated() where detailed || rank < 3 {
        Console.out("  \(rank + 1). \(describe(c.patientID, names))  score \(c.score)  agrees: \(c.agreement.codes.joined(separator: " "))")
      }
      if !detailed, item.candidates.count > 3 { Console.out("  … \(item.candidates.count - 3) more (review show \(item.heMsgId))") }
    }

    struct List: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "List open review items, oldest first.")

      @OptionGroup var common: CommonOptions

      @Flag(help: "Print the items as JSON (sorted keys): ids, match, candidates with agreement codes.")
      var json = false

      @Flag(help: "Include items already resolved.")
      var all = false

      func run() throws {
        try Console.run {
          let desk = try Review.desk(common)
          let items = try desk.items(all: all)
          let names = try Review.names(desk, items, common)
          if json {
            Console.out(try Review.json(items, names: common.verbose ? names : nil))
          } else if !common.quiet {
            if items.isEmpty { Console.out(all ? "no review items" : "no open review items") }
            for item in items { Review.printHuman(item, names, detailed: false) }
          }
          return ExitStatus.success
        }
      }
    }

    struct Show: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Show one review item with every candidate.")

      @OptionGroup var common: CommonOptions

      @Flag(help: "Print the item as JSON (sorted keys).")
      var json = false

      @Argument(help: "The booking's heMsgId.")
      var heMsgId: String

      func run() throws {
        try Console.run {
          let desk = try Review.desk(common)
          let item = try desk.item(heMsgId)
          let names = try Review.names(desk, [item], common)
          if json {
            Console.out(try Review.json([item], names: common.verbose ? names : nil))
          } else {
            Review.printHuman(item, names, detailed: true)
          }
          return ExitStatus.success
        }
      }
    }

    struct Reindex: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Bring the connector's patient key index level with PPMP now.",
        discussion: """
          Ingest does this by itself at the start of each pass that books; this is for a new spool \
          on a large practice (the first build reads every patient) or after restoring PPMP. Takes \
          the spool lock.
          """)

      @OptionGroup var common: CommonOptions

      func run() throws {
        try Console.run {
          let context = try common.makeContext()
          let (changed, gone) = try PatientIndex(state: context.state).refresh(context.database)
          if !common.quiet { Console.out("patient key index: \(changed) patient(s) added or re-keyed, \(gone) removed") }
          return ExitStatus.success
        }
      }
    }

    struct Resolve: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Link the booking's appointment to an existing patient file, or keep the new file.",
        discussion: """
          --link moves the appointment onto that patient in one PPMP write transaction and names the \
          now-spare file for PPMP's own merge; the receipt already sent is not changed. Both forms \
          can be repeated safely. Takes the spool lock, like run.
          """)

      @OptionGroup var common: CommonOptions

      @Argument(help: "The booking's heMsgId.")
      var heMsgId: String

      @Option(help: "The PPMP patient id the appointment belongs to.")
      var link: Int64?

      @Flag(name: .customLong("keep-new"), help: "The new file is right: close the item.")
      var keepNew = false

      func validate() throws {
        guard (link != nil) != keepNew else { throw ValidationError("give exactly one of --link <pmsPatientId> or --keep-new") }
      }

      func run() throws {
        try Console.run {
          let context = try common.makeContext()
          let desk = ReviewDesk(state: context.state, database: context.database, asOf: context.asOf)
          if let link {
            let done = try desk.link(heMsgId, to: link)
            if !common.quiet {
              Console.out(
                done.changed
                  ? "appointment \(done.appointmentID) moved to patient \(done.patientID)"
                  : "appointment \(done.appointmentID) was already on patient \(done.patientID)")
              Console.out(
                "patient \(done.spareFileID) (created for this booking) is spare: merge it in PPMP"
                  + (done.spareAppointments > 0 ? " (it still holds \(done.spareAppointments) appointment(s))" : ""))
            }
          } else {
            let closed = try desk.keepNew(heMsgId)
            if !common.quiet { Console.out(closed ? "\(heMsgId): new file kept" : "\(heMsgId): already kept") }
          }
          return ExitStatus.success
        }
      }
    }
  }
}
