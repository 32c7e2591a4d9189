#ifndef CCONNECTOR_LIBARCHIVE_SHIM_H
#define CCONNECTOR_LIBARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

#endif
