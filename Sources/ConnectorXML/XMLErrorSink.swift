internal import CConnectorLibXML2

/// Collects the errors libxml2 reports through a per-context structured error
/// handler. The C side only ever holds an unretained pointer to this box; the
/// owner of the C context keeps the box alive for as long as the context exists.
final class XMLErrorSink {
  /// Where the errors come from, for the cases the libxml2 code alone does not decide.
  enum Source {
    case document
    case schemaCompilation
  }

  // An attacker-controlled document can produce one error per element; validation
  // reports are capped so memory stays bounded.
  static let maximumErrors = 1_000

  // Read after every node on the reader's hot path; accesses never overlap (one thread,
  // no inout borrows), so the runtime exclusivity check would be pure overhead.
  @exclusivity(unchecked) private(set) var errors: [XMLError] = []
  /// Whether an error other than a schema violation was seen; checked after every read.
  @exclusivity(unchecked) private(set) var hasNonValidityError = false
  private let source: Source

  init(source: Source) {
    self.source = source
  }

  var first: XMLError? { errors.first }

  var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

  var isEmpty: Bool { errors.isEmpty }

  func append(_ error: XMLError) {
    if error.kind != .invalid { hasNonValidityError = true }
    guard errors.count < Self.maximumErrors else { return }
    errors.append(error)
  }

  fileprivate func record(_ raw: xmlError) {
    // Warnings (e.g. a relative namespace URI) never reject input.
    guard raw.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let message = raw.message.map { String(cString: $0) } ?? "libxml2 error \(raw.code)"
    append(
      XMLError(
        kind: kind(domain: raw.domain, code: raw.code, message: message),
        code: Int(raw.code),
        message: message,
        line: raw.line > 0 ? Int(raw.line) : nil,
        column: raw.int2 > 0 ? Int(raw.int2) : nil,
        file: raw.file.map { String(cString: $0) }))
  }

  private func kind(domain: Int32, code: Int32, message: String) -> XMLError.Kind {
    if source == .schemaCompilation { return .schema }
    if domain == Int32(XML_FROM_SCHEMASV.rawValue) { return .invalid }
    if domain == Int32(XML_FROM_SCHEMASP.rawValue) { return .schema }
    switch UInt32(bitPattern: code) {
    case XML_ERR_UNKNOWN_ENCODING.rawValue, XML_ERR_UNSUPPORTED_ENCODING.rawValue,
      XML_ERR_ENCODING_NAME.rawValue, XML_ERR_INVALID_ENCODING.rawValue,
      XML_ERR_MISSING_ENCODING.rawValue, XML_IO_ENCODER.rawValue:
      return .encoding
    case XML_ERR_INVALID_CHAR.rawValue:
      // The same code covers "not proper UTF-8" and a forbidden character such as U+0000.
      return message.contains("UTF-8") || message.contains("encoding") ? .encoding : .notWellFormed
    case XML_ERR_UNDECLARED_ENTITY.rawValue, XML_WAR_UNDECLARED_ENTITY.rawValue,
      XML_ERR_UNPARSED_ENTITY.rawValue, XML_ERR_ENTITY_IS_EXTERNAL.rawValue,
      XML_ERR_ENTITY_IS_PARAMETER.rawValue, XML_ERR_ENTITY_LOOP.rawValue,
      XML_ERR_ENTITY_BOUNDARY.rawValue, XML_ERR_ENTITY_PROCESSING.rawValue,
      XML_ERR_ENTITY_CHAR_ERROR.rawValue, XML_ERR_ENTITY_PE_INTERNAL.rawValue,
      XML_ERR_EXT_ENTITY_STANDALONE.rawValue:
      return .entityForbidden
    case XML_ERR_INTERNAL_ERROR.rawValue where message.contains("Excessive depth"):
      return .tooDeep
    default:
      return domain == Int32(XML_FROM_IO.rawValue) ? .io : .notWellFormed
    }
  }
}

/// The `xmlStructuredErrorFunc` installed on every reader, schema parser and
/// validation context; `context` is an unretained `XMLErrorSink`.
let recordStructuredError: xmlStructuredErrorFunc = { context, error in
  guard let context, let error else { return }
  Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
}

/// libxml2 2.9 initialises its globals lazily, and that is not thread-safe; Swift runs
/// this initialiser exactly once, so every wrapper touches it before creating a context.
let libxml2Initialized: Void = xmlInitParser()
