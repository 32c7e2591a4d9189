import ConnectorCore
import ConnectorPOSIX
import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// SIGTERM and SIGINT turned into a `StopFlag` request (read between messages) instead of
/// killing the process, for as long as this value lives.
final class StopSignals {
  let flag = StopFlag()
  private var sources: [DispatchSourceSignal] = []

  init() {
    POSIX.unblock([SIGTERM, SIGINT])
    sources = [SIGTERM, SIGINT].map { [flag] sig -> DispatchSourceSignal in
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { flag.request(sig) }
      source.resume()
      return source
    }
  }

  deinit { sources.forEach { $0.cancel() } }
}
