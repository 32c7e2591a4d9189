/// The kinds of Healthengine request a drop carries beside bookings and cancellations. The raw
/// value is the drop element's name, which `confirmRequest kind` repeats.
public enum RequestKind: String, Sendable, CaseIterable {
  case availability = "availabilityRequest"
  case resources = "pmsResourcesRequest"
  case appointmentTypes = "pmsAppointmentTypesRequest"
  case appointmentChanges = "pmsAppointmentChangesRequest"
}
