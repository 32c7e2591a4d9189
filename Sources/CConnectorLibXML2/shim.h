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

#endif
