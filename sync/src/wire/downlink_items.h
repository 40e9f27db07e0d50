// The kind-specific members of downlink items (downlink_items.cc). Private to sync/src/wire.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/sync/downlink.h"
#include "wire/wire_fields.h"

namespace loyalty::sync::wire {

// The members of an item of kind `kind` beyond the common ones (version, store_id,
// published_at, kind); empty when `kind` is not a known kind.
std::span<const std::string_view> body_members(std::string_view kind);
// The members a reader accepts but does not require (written always).
std::span<const std::string_view> body_optional_members(std::string_view kind);
// Writes the body's members (keys and values) into an object the caller has open.
void write_body(json::Writer& writer, const DownlinkBody& body);
// Reads the body of kind `kind` from an item whose members open() checked.
Result<DownlinkBody> read_body(const WireObject& item, std::string_view kind);

}  // namespace loyalty::sync::wire
