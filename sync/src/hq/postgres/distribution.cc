#include "hq/postgres/distribution.h"

#include <array>

namespace loyalty::sync::hq::pg {

namespace {

const std::array<DistributedTable, 10>& tables() {
  static const std::array<DistributedTable, 10> list = {{
      {"journal", "store_id"},
      {"terminals", "store_id"},
      {"chains", "store_id"},
      {"alerts", "store_id"},
      {"apply_notes", "store_id"},
      {"store_customers", "store_id"},
      {"customers", "pseudonym"},
      {"lots", "owner"},
      {"customer_events", "pseudonym"},
      {"entries", "owner"},
  }};
  return list;
}

constexpr std::array<std::string_view, 4> references = {"meta", "versions", "downlink_items",
                                                        "schema_migrations"};

}  // namespace

std::span<const DistributedTable> distributed_tables() { return tables(); }

std::span<const std::string_view> reference_tables() { return references; }

std::string citus_statements() {
  std::string out;
  // Each group's first table (journal, customers) anchors it; the rest co-locate with it.
  for (const DistributedTable& table : tables()) {
    const bool store_keyed = table.column == "store_id";
    const std::string group_anchor = store_keyed ? "journal" : "customers";
    out += "SELECT create_distributed_table('" + table.table + "', '" + table.column + "'";
    if (table.table == group_anchor) {
      if (!store_keyed) out += ", colocate_with => 'none'";
    } else {
      out += ", colocate_with => '" + group_anchor + "'";
    }
    out += ");\n";
  }
  for (std::string_view table : references) {
    out += "SELECT create_reference_table('" + std::string(table) + "');\n";
  }
  return out;
}

}  // namespace loyalty::sync::hq::pg
