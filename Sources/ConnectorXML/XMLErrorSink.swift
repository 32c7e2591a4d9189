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
  /// When set, places a schema violation in an element (its index) at the moment libxml2
  /// reports it; such violations are kept apart instead of ending the read.
  var scopeOfViolation: (() -> Int?)?
  private var scoped: [Int: [XMLError]] = [:]
  private var scopedCount = 0

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

  /// The violations recorded for the element `index` (see `scopeOfViolation`), each once.
  func takeScoped(_ index: Int) -> [XMLError] {
    scoped.removeValue(forKey: index) ?? []
  }

  fileprivate func record(_ raw: xmlError) {
    // Warnings (e.g. a relative namespace URI) never reject input.
    guard raw.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    var message = raw.message.map { String(cString: $0) } ?? "libxml2 error \(raw.code)"
    var kind = kind(domain: raw.domain, code: raw.code, message: message)
    if kind == .invalid { message = Self.withoutValues(message) }
    if kind == .notWellFormed || kind == .io, Self.isSizeLimit(message) {
      kind = .tooLarge
      message = "a text node, comment or other construct exceeds libxml2's size limit (\(message))"
    }
    let error = XMLError(
      kind: kind,
      code: Int(raw.code),
      message: message,
      line: raw.line > 0 ? Int(raw.line) : nil,
      column: raw.int2 > 0 ? Int(raw.int2) : nil,
      file: raw.file.map { String(cString: $0) })
    if kind == .invalid, let scopeOfViolation, let index = scopeOfViolation() {
      guard scopedCount < Self.maximumErrors else { return }
      scopedCount += 1
      scoped[index, default: []].append(error)
      return
    }
    append(error)
  }

  /// libxml2 stops at 10,000,000 bytes for a text node, comment or lookahead without
  /// XML_PARSE_HUGE and says so in these words; the document is too large, not truncated.
  private static func isSizeLimit(_ message: String) -> Bool {
    ["Huge input lookup", "huge text node", "too big", "too long"].contains { message.contains($0) }
  }

  /// libxml2's schema messages quote the offending value ("The value 'VALUE' has a length of
  /// '300'; this exceeds the allowed maximum length of '256'."). A drop's values are patient
  /// data, and these messages reach logs, `validate` output and rejection notices, so the value
  /// is cut out; what remains names the element, the attribute and the rule.
  static func withoutValues(_ message: String) -> String {
    // "Element '{ns}name'[, attribute 'name']: " — names, never values; the body follows.
    guard let prefixEnd = message.firstRange(of: "': ") else { return message }
    let prefix = message[..<prefixEnd.upperBound]
    var body = message[prefixEnd.upperBound...]
    var facet = Substring("")
    if body.hasPrefix("[facet '"), let close = body.firstRange(of: "'] ") {
      facet = body[..<close.upperBound]
      body = body[close.upperBound...]
    }
    let valueStart: Substring.Index
    if body.hasPrefix("The value '") {
      valueStart = body.index(body.startIndex, offsetBy: "The value '".count)
    } else if body.hasPrefix("'") {
      valueStart = body.index(after: body.startIndex)
    } else {
      return message  // no quoted value ("The attribute 'phone' is required but missing.")
    }
    // The value may hold anything, the rule after it is the schema's: take the last marker.
    let markers = [
      "' has a length of ", "' is not accepted by the pattern ", "' is not an element of the set ",
      "' is not a valid value of ", "' is less than ", "' is greater than ", "' must be ",
      "' has more digits ", "' has more fractional digits ", "' is not facet-valid",
      "' does not match ",
    ]
    let rest = body[valueStart...]
    let found = markers.compactMap { rest.ranges(of: $0).last }
    guard let rule = found.max(by: { $0.lowerBound < $1.lowerBound }) else {
      return prefix + facet + "The value does not satisfy the schema (libxml2 message withheld: it quotes the value)."
    }
    return prefix + facet + "The value " + rest[rest.index(after: rule.lowerBound)...].drop(while: { $0 == " " })
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
