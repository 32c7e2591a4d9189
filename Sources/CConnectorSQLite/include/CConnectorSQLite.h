#ifndef CCONNECTOR_SQLITE_H
#define CCONNECTOR_SQLITE_H

// SQLite's process-wide settings, which Swift cannot reach: sqlite3_config is variadic.

/// Turns SQLite's memory statistics off. With them on, every allocation of every connection
/// takes one process-wide mutex, which ingest's two threads (write transactions, key index
/// lookups) fought over. Must run before the first connection opens: returns SQLITE_OK (0),
/// or SQLITE_MISUSE when SQLite was already initialised (the statistics then stay on).
int connector_sqlite_disable_memory_statistics(void);

#endif
