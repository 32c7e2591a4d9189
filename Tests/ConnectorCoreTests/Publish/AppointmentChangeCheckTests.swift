import ConnectorCore
import Testing

@Suite struct AppointmentChangeCheckTests {
  static let horizon = "2026-03-02"..."2026-03-31"

  static func tracked(_ id: String, appointment: Int64, start: String = "2026-03-03T09:00") -> TrackedBooking {
    TrackedBooking(
      heMsgId: id, bookingId: "b-" + id, appointmentID: appointment,
      last: AppointmentSighting(resourceID: 1, start: start, status: "booked"), inHorizon: true)
  }

  @Test(arguments: [
    ("cancelled", "cancel", TrackedBooking.Closure.cancelledInPMS),
    ("CANCELLED", "cancel", .cancelledInPMS),
    ("dna", "didNotAttend", .didNotAttend),
  ])
  func aStatusChangeIsReportedAndClosesTheBooking(status: String, event: String, closure: TrackedBooking.Closure) {
    let t = Self.tracked("a", appointment: 7)
    let now = AppointmentSighting(resourceID: 1, start: t.last.start, status: status)
    let out = AppointmentChangeCheck.compare([t], current: [7: now], cancelledByHealthengine: [], horizon: Self.horizon)
    #expect(out.events.map(\.kind.name) == [event])
    #expect(out.updates.map(\.closedBy) == [closure])
    // Closed: the next check says nothing more.
    let again = AppointmentChangeCheck.compare(out.updates, current: [7: now], cancelledByHealthengine: [], horizon: Self.horizon)
    #expect(again.events.isEmpty && again.updates.isEmpty)
  }

  @Test func aHealthengineCancellationClosesSilentlyAndADeletedRowIsReported() {
    let he = Self.tracked("he", appointment: 1)
    let gone = Self.tracked("gone", appointment: 2)
    let out = AppointmentChangeCheck.compare(
      [he, gone], current: [1: AppointmentSighting(resourceID: 1, start: he.last.start, status: "cancelled")],
      cancelledByHealthengine: ["he"], horizon: Self.horizon)
    #expect(out.events == [AppointmentEvent(kind: .cancel(reason: .deletedInPMS), heMsgId: "gone", bookingId: "b-gone", appointmentID: 2)])
    #expect(out.updates.map(\.closedBy) == [.healthengine, .deletedInPMS])
  }

  @Test func aMoveIsReportedAndTheBookingStaysTrackedAtItsNewPlace() {
    let t = Self.tracked("m", appointment: 3)
    let now = AppointmentSighting(resourceID: 2, start: "2026-03-05T10:00", status: "booked")
    let out = AppointmentChangeCheck.compare([t], current: [3: now], cancelledByHealthengine: [], horizon: Self.horizon)
    #expect(out.events.map(\.kind) == [.moved(from: "2026-03-03T09:00", to: "2026-03-05T10:00", resourceID: 2)])
    #expect(out.updates.first?.closedBy == nil && out.updates.first?.last == now)
    #expect(AppointmentChangeCheck.answer(out.updates[0], requestId: "q").kind == .noChange)
  }

  @Test func anUnchangedBookingLeavingTheHorizonIsRememberedWithoutAnEvent() {
    let t = Self.tracked("old", appointment: 4, start: "2026-03-01T09:00")
    let out = AppointmentChangeCheck.compare([t], current: [4: t.last], cancelledByHealthengine: [], horizon: Self.horizon)
    #expect(out.events.isEmpty)
    #expect(out.updates.map(\.inHorizon) == [false])
  }
}
