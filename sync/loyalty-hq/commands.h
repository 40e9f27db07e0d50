// loyalty-hq's commands, one file each in commands/. Each takes the words after its name,
// writes its result to `out` as one line of JSON, and returns an Error whose message is ready to
// print after "loyalty-hq: ". main.cc maps the code to the exit status: invalid_argument (a
// misused command line, an id or value that cannot be) is 2, anything else 1.
//
// Every command takes --dir D, HQ's state directory (state/hq_dir.h), default
// /var/lib/loyalty-hq, and opens the store state/store_choice.h names (the global --store). Thread-safety: commands run once per process, from main().
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::hq {

// `init [--server-name N[,N...]]`: a new HQ directory. Prints {"dir","database","ca",
// "server_certificate","server_names","signing_key_id","pseudonym_key_id","keys_version"}.
Status run_init(std::span<const std::string_view> args, std::ostream& out);
// `ca init`, `ca issue --store S --terminal T --out DIR [--valid-days N]` and `ca issue
// --server-name N[,N...] --out DIR [--valid-days N]`.
Status run_ca(std::span<const std::string_view> args, std::ostream& out);
// `serve [--listen ADDR:PORT] [--workers N]`: runs the HQ service until SIGTERM or SIGINT.
Status run_serve(std::span<const std::string_view> args, std::ostream& out);
// `status [--at TIME]`: {"terminals":[...],"alerts":[...],"totals":{...},"quarantined":n}.
Status run_status(std::span<const std::string_view> args, std::ostream& out);
// `customer (--pseudonym P | --card C) [--history N]`: the CustomerReport.
Status run_customer(std::span<const std::string_view> args, std::ostream& out);
// `publish [--store S] bundle|block|unblock|erase|keys|signing-key ...`: {"version","kind"}.
Status run_publish(std::span<const std::string_view> args, std::ostream& out);
// `release --store S --terminal T [--from-seq N] --note TEXT`.
Status run_release(std::span<const std::string_view> args, std::ostream& out);
// `apply`: one HqStore::apply pass; prints the ApplyReport.
Status run_apply(std::span<const std::string_view> args, std::ostream& out);
// `migrate`: the store's schema to this build's (PostgreSQL is migrated by this command only).
Status run_migrate(std::span<const std::string_view> args, std::ostream& out);
// `partitions (--create-through DATE | --detach-before DATE)`: the PostgreSQL journal's days.
Status run_partitions(std::span<const std::string_view> args, std::ostream& out);

// `report [--from DATE] [--to DATE] [--stores S,...] [--point-value M/P] [--format json|html]
// [--out FILE] [--chart-js PATH]`: the nightly report.
Status run_report(std::span<const std::string_view> args, std::ostream& out);

// `simulate --program F --from DATE --to DATE [--stores S,...] [--threads N] [--format json|html]
// [--out FILE] [--chart-js PATH]`: the what-if backtest of a new program.
Status run_simulate(std::span<const std::string_view> args, std::ostream& out);

// Writes `json` and a newline to `out`; internal error when it cannot.
Status write_json_line(std::ostream& out, const std::string& json);

}  // namespace loyalty::hq
