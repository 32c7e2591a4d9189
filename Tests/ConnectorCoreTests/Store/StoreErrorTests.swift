import ConnectorTestSupport
import ConnectorXML
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Store failures arrive typed: a caller (and the CLI's exit table) tells "try again later"
/// from "this database will not work" by case and category, never by reading the message.
@Suite struct StoreErrorTests {
  @Test func aMissingDatabaseIsAConfigurationError() throws {
    let folder = try TemporaryFolder("store-missing")
    let path = folder.child("nowhere.sqlite")
    #expect(throws: StoreError.missingDatabase(path: path)) { try PPMPDatabase(path: path) }
    #expect(StoreError.missingDatabase(path: path).category == .configuration)
  }

  @Test func aDatabaseWithoutThePPMPModelNamesWhatIsMissing() throws {
    let folder = try TemporaryFolder("store-not-ppmp")
    let path = folder.child("other.sqlite")
    let queue = try DatabaseQueue(path: path)
    try queue.write { try $0.execute(sql: "CREATE TABLE settings (key TEXT, value TEXT)") }
    try queue.close()
    do {
      _ = try PPMPDatabase(path: path, readOnly: true)
      Issue.record("a database without the PPMP tables was accepted")
    } catch let error as StoreError {
      guard case .notPPMP(let reported, let missing) = error else {
        Issue.record("expected notPPMP, got \(error)")
        return
      }
      #expect(reported == path)
      #expect(missing.contains("table staff") && missing.contains("table appointments"))
      #expect(!missing.contains("table settings"))
      #expect(error.category == .data)
    }
  }

  @Test func aBusyDatabaseIsUnavailableAndARefusedStatementIsRejected() throws {
    let folder = try TemporaryFolder("store-busy")
    let state = try ConnectorState(path: folder.child("connector.sqlite"))
    // Another connection holds the write lock, as PPMP does during its own transaction.
    var holding = Configuration()
    holding.allowsUnsafeTransactions = true
    let other = try DatabaseQueue(path: state.path, configuration: holding)
    try other.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
    var config = Configuration()
    config.busyMode = .immediateError
    let impatient = try DatabaseQueue(path: state.path, configuration: config)
    do {
      try impatient.write { try $0.execute(sql: "INSERT INTO meta (key, value) VALUES ('k', 'v')") }
      Issue.record("the write went through a held lock")
    } catch let error as DatabaseError {
      let mapped = StoreError.from(error, "writing", state.path)
      guard case .unavailable(_, _, let code, _) = mapped else {
        Issue.record("expected unavailable, got \(mapped)")
        return
      }
      #expect(code == ResultCode.SQLITE_BUSY.rawValue)
      #expect(mapped.category == .io)
    }
    try other.inDatabase { try $0.execute(sql: "ROLLBACK") }

    do {
      try state.queue.write { try $0.execute(sql: "INSERT INTO nowhere VALUES (1)") }
      Issue.record("a statement on a missing table ran")
    } catch let error as DatabaseError {
      let mapped = StoreError.from(error, "writing", state.path)
      guard case .rejected(_, _, _, _, let sql) = mapped else {
        Issue.record("expected rejected, got \(mapped)")
        return
      }
      #expect(sql.contains("INSERT INTO nowhere"))
      #expect(mapped.category == .data)
    }
  }

  @Test func everyAreaErrorHasTheCategoryItsExitStatusNeeds() {
    #expect(ConnectorError.Category(of: XMLError(kind: .io, message: "cannot open")) == .io)
    #expect(ConnectorError.Category(of: XMLError(kind: .notWellFormed, message: "bad")) == .data)
    #expect(ConnectorError.Category(of: PublicationReadError.malformed(path: "p", line: 3, problem: "x")) == .data)
    #expect(ConnectorError.Category(of: CocoaError(.fileNoSuchFile)) == .io)
    #expect(ConnectorError.Category(of: ConnectorError.locked("held")) == .locked)
  }
}
