/// The rules a member name must follow before anything is made of it, shared by extraction
/// (`SecureExtractor`) and bag verification, so that `audit extract` never writes a name that
/// `audit verify` would refuse and the two can never drift apart.
public struct MemberNameRules: Sendable, Equatable {
  /// Longest name, in UTF-8 bytes. Linux's PATH_MAX: a longer name cannot be opened in one call
  /// anyway, and a GNU long name of a megabyte once became half a million nested folders.
  public var maxBytes: Int
  /// Most components (folders plus the file name). Our bags nest four deep.
  public var maxComponents: Int
  /// Whether "." and empty components are dropped (`tar -C dir -cf x .` makes `./a`) rather than
  /// refused. A bag's members are written canonically, so bag verification refuses them: a
  /// `bag/./data/x` member was once taken for a tag file and never checked against the manifest.
  public var dropsDotComponents: Bool

  /// Creates rules from their caps.
  public init(maxBytes: Int = 4096, maxComponents: Int = 32, dropsDotComponents: Bool) {
    self.maxBytes = maxBytes
    self.maxComponents = maxComponents
    self.dropsDotComponents = dropsDotComponents
  }

  /// The rules for extraction: "." components are dropped.
  public static let extraction = MemberNameRules(dropsDotComponents: true)
  /// The rules for our bags: every member name is canonical.
  public static let bag = MemberNameRules(dropsDotComponents: false)

  /// The components of `path` to create, or a refusal saying why the name is unsafe (the
  /// reason only; callers name the member). `isDirectory`: only a folder may name the root (`./`).
  public func components(of path: String, isDirectory: Bool) -> Result<[String], MemberNameRefusal> {
    if path.isEmpty { return .failure(.init("the member name is empty")) }
    // Checked first, so that nothing below walks a megabyte-long name.
    let bytes = path.utf8.count
    if bytes > maxBytes { return .failure(.init("the member name is \(bytes) bytes, over the cap of \(maxBytes)")) }
    if path.hasPrefix("/") { return .failure(.init("absolute member names are refused")) }
    if path.unicodeScalars.contains("\u{FFFD}") { return .failure(.init("the member name is not valid UTF-8")) }
    var components: [String] = []
    // A trailing "/" (a folder's name as tar stores it) is not an empty component.
    let trimmed = path.hasSuffix("/") ? path.dropLast() : Substring(path)
    for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
      if component == ".." { return .failure(.init("member names with a '..' component are refused")) }
      if component == "." || component.isEmpty {
        if dropsDotComponents { continue }
        return .failure(.init("member names with a '.' or empty component are refused"))
      }
      components.append(String(component))
    }
    if components.count > maxComponents {
      return .failure(.init("the member name has \(components.count) components, over the cap of \(maxComponents)"))
    }
    if components.isEmpty && !isDirectory { return .failure(.init("the member name has no file name")) }
    return .success(components)
  }

  /// `name` as it may be printed: control characters escaped (a member name must not drive the
  /// reader's terminal) and a long name cut to its first 160 characters with its length.
  public static func display(_ name: String) -> String {
    var out = ""
    var count = 0
    for scalar in name.unicodeScalars {
      if count == 160 {
        out += "… (\(name.utf8.count) bytes)"
        break
      }
      count += 1
      switch scalar.value {
      case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
        out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default:
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

/// Why a member name was refused (`MemberNameRules.components`).
public struct MemberNameRefusal: Error, Sendable, Equatable {
  /// The reason, without the member's name.
  public var reason: String

  init(_ reason: String) { self.reason = reason }
}
