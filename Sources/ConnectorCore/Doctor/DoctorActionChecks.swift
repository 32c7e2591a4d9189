extension Doctor {
  /// Rejections a person must handle, until `ppmp-connector ack` marks them handled. Named by
  /// message, appointment, practitioner and date; never by patient.
  func checkActionNeeded(state: ConnectorState?) -> [DoctorFinding] {
    guard let state else { return [] }
    let items: [ActionNeededItem]
    do {
      items = try state.openActionNeeded()
    } catch {
      return [
        DoctorFinding(
          .warning, "action-needed-unreadable", what: "The action-needed list cannot be read: \(error).",
          where: .init(file: state.path), fix: "Check the connector state's owner and mode (0600, the connector's user).")
      ]
    }
    return items.map { item in
      DoctorFinding(
        .warning, "action-needed",
        what: "Needs a person (\(item.cause.rawValue)): \(item.summary).",
        where: .init(practitionerId: item.practitionerId, text: item.heMsgId, appointmentId: item.appointmentId, date: item.date),
        fix: item.fix)
    }
  }
}
