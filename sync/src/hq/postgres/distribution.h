// How the HQ schema distributes on Citus: the single source of truth for the statements that
// pg_schema.cc's comment shows and docs/hq-postgres.md repeats, and for the test that checks the
// schema against Citus's rules (every unique key of a distributed table holds its distribution
// column; no foreign key between the store-keyed and the pseudonym-keyed groups).
//
// Two co-location groups:
// - by store_id: journal first, then terminals, chains, alerts, apply_notes, store_customers
//   (colocate_with => 'journal');
// - by pseudonym: customers first, then lots, customer_events, entries
//   (colocate_with => 'customers').
// Reference tables (small, copied to every node): meta, versions, downlink_items,
// schema_migrations.
//
// Thread-safety: immutable data.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace loyalty::sync::hq::pg {

struct DistributedTable {
  std::string table;
  std::string column;
};

// In the order the statements run: each group's first table before the tables co-located with it.
std::span<const DistributedTable> distributed_tables();
std::span<const std::string_view> reference_tables();

// The Citus statements, one per line, in order:
//   SELECT create_distributed_table('journal', 'store_id');
//   SELECT create_distributed_table('terminals', 'store_id', colocate_with => 'journal');
//   ...
//   SELECT create_reference_table('meta');
std::string citus_statements();

}  // namespace loyalty::sync::hq::pg
