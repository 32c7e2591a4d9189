#ifndef CCONNECTOR_MALLOC_SHIM_H
#define CCONNECTOR_MALLOC_SHIM_H

// The C library's heap controls (malloc_trim), which the Glibc module does not export.
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

#endif
