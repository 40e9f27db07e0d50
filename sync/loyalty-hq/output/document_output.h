// The output of the commands that make a document (report, simulate): JSON or one HTML page, to
// stdout or to --out FILE, and the apply that brings HQ's ledger up to date before them.
//
// Thread-safety: commands run once per process, from main().
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "args/hq_args.h"
#include "loyalty/core/result.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::hq {

enum class DocumentFormat { json, html };

// --format json|html (default json).
Result<DocumentFormat> document_format(std::string_view command, const ParsedArgs& parsed);

// Applies what HQ holds, pass after pass, until a pass applies nothing.
Status apply_everything(sync::HqStore& store, Timestamp now);

using PageRenderer = std::function<Result<std::string>(std::string_view, std::string_view)>;

// Writes `document` (JSON) or its page (`render` with Chart.js from --chart-js or Debian's
// libjs-chart.js) to --out FILE (replacing it; then stdout gets {"report":FILE,"format",
// "from","to"}) or to `out`.
Status write_document(std::string_view command, const ParsedArgs& parsed, DocumentFormat format,
                      const std::string& document, const PageRenderer& render, std::ostream& out,
                      const std::string& from, const std::string& to);

}  // namespace loyalty::hq
