import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The action-needed list: raised, listed, acknowledged once, reopened only for another cause,
/// and filled from the journal when an older state is migrated.
@Suite struct ActionNeededItemsTests {
  private func item(_ key: String, _ cause: ActionNeededItem.Cause, at time: String) -> ActionNeededItem {
    ActionNeededItem(
      kind: .cancellation, key: key, heMsgId: "he-" + key, cause: cause, reason: .unknownBooking, appointmentId: 5,
      practitionerId: 2, date: "2026-03-10T09:00", raisedAt: time)
  }

  @Test func anItemStaysOpenUntilAcknowledgedAndReopensOnlyForAnotherCause() throws {
    let folder = try TemporaryFolder("action-items")
    let state = try ConnectorState(path: folder.child("connector.sqlite"))
    try state.raiseActionNeeded([item("r1", .unknownBooking, at: "2026-03-02T08:00"), item("r2", .unknownBooking, at: "2026-03-02T08:01")])
    #expect(try state.openActionNeeded().map(\.key) == ["r1", "r2"])

    let first = try state.acknowledgeActionNeeded("he-r1", at: "2026-03-02T01:00:00Z")
    #expect(first.acknowledged.map(\.key) == ["r1"] && first.alreadyAcknowledged.isEmpty)
    let second = try state.acknowledgeActionNeeded("r1", at: "2026-03-02T02:00:00Z")
    #expect(second.acknowledged.isEmpty && second.alreadyAcknowledged.map(\.acknowledgedAt) == ["2026-03-02T01:00:00Z"])
    #expect(try state.acknowledgeActionNeeded("nothing", at: "x").isUnknown)
    #expect(try state.openActionNeeded().map(\.key) == ["r2"])

    try state.raiseActionNeeded([item("r1", .unknownBooking, at: "2026-03-02T09:00")])
    #expect(try state.openActionNeeded().map(\.key) == ["r2"])
    try state.raiseActionNeeded([item("r1", .unknownPractitioner, at: "2026-03-02T10:00")])
    let open = try state.openActionNeeded()
    #expect(open.map(\.key) == ["r2", "r1"])
    #expect(open.last == item("r1", .unknownPractitioner, at: "2026-03-02T10:00"))
  }

  @Test func migratingAnOlderStateListsTheRejectionsItsJournalHolds() throws {
    let folder = try TemporaryFolder("action-migrate")
    let path = folder.child("connector.sqlite")
    let state = try ConnectorState(path: path)
    try state.record(
      [
        JournalEntry(outcome: .rejectUpdate(heMsgId: "m1", requestId: "r1", reason: .unknownBooking, detail: "gone"), contentSHA256: "a"),
        JournalEntry(outcome: .rejectInsert(heMsgId: "m2", bookingId: "b2", reason: .unknownResource, detail: "99"), contentSHA256: "b"),
        JournalEntry(outcome: .rejectInsert(heMsgId: "m3", bookingId: "b3", reason: .slotUnavailable, detail: "taken"), contentSHA256: "c"),
      ], dropSHA256: "d", at: "2026-03-02T08:00")
    try state.queue.write { db in
      try db.execute(sql: "DROP TABLE action_needed; DELETE FROM grdb_migrations WHERE identifier = 'v7-action-needed';")
    }
    let open = try ConnectorState(path: path).openActionNeeded()
    #expect(open.map(\.key) == ["m2", "r1"])
    #expect(open.map(\.cause) == [.unknownPractitioner, .unknownBooking])
    #expect(open.allSatisfy { $0.raisedAt == "2026-03-02T08:00" && $0.acknowledgedAt == nil })
  }
}
