import ArgumentParser

/// Generates PPMP practice databases and exchange drops for tests and benchmarks (SPEC §11),
/// reproducibly from a seed.
@main
struct PPMPFixtures: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ppmp-fixtures",
    abstract: "Generate PPMP practice databases and drop files, reproducibly from a seed.",
    subcommands: [Practice.self, Drops.self]
  )
}
