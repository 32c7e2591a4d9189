#ifndef CCONNECTOR_LIBXML2_SHIM_H
#define CCONNECTOR_LIBXML2_SHIM_H

// Foundation on Linux ships its own ICU; libxml2 built with ICU support would pull
// in a second definition of UErrorCode. Include the version header first, then
// switch ICU off before any header that would include unicode/ucnv.h.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlsave.h>

// libxml2 reports a few internal conditions (e.g. "Unimplemented block at xmlschemas.c" for
// some malformed drops) through its generic error function, which prints to stderr by default:
// noise in a batch job's log, and a channel that bypasses our log policy. Every error that
// decides an outcome reaches the structured handlers. Swift cannot define this variadic
// callback, so it lives here; the setting is per thread, so each reader and schema sets it.
static void ppmp_xml_ignore_generic_error(void *context, const char *message, ...) {
  (void)context;
  (void)message;
}

static inline void ppmp_xml_silence_generic_errors(void) {
  xmlSetGenericErrorFunc(NULL, ppmp_xml_ignore_generic_error);
}

#endif
