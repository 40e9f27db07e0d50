// `loyalty-hq publish --dir D [--store S] KIND ...`: one downlink item for the whole chain, or
// for store S only, in HQ's store; a running `serve` sends it to the terminals' long polls.
//
//   bundle --file F --program-id ID --version N --effective-from TIME [--key-id K]
//       a rule bundle, checked (it must load, and carry this id and version) and signed with
//       D/keys/bundle-K.key (default: the current key, D/keys/bundle.current)
//   block (--card C | --pseudonym P) --reason R      a card on the blocklist
//   unblock (--card C | --pseudonym P)                ... and off it
//   erase (--card C | --pseudonym P)                  an erasure order
//   keys                                              the chain's pseudonym key, again
//   signing-key --new-key-id K2 [--key-id K]          a rotation: a new bundle key, its public
//       key signed with the current one (or K), published; K2 then signs bundles
//
// Prints {"version":N,"kind":"bundle"|"block"|"erase"|"keys"|"signing_key"}.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "args/hq_args.h"
#include "args/pseudonym_flag.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/sync/downlink.h"
#include "state/hq_dir.h"
#include "state/state_files.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view kinds = "bundle, block, unblock, erase, keys, signing-key";
constexpr std::int64_t program_version_max = 1'000'000'000;

// What a publish subcommand read from its flags: the item, and what to do once it is published.
struct Publication {
  sync::DownlinkBody body;
  std::string new_current_key;  // signing-key: the id to make current afterwards
};

Result<std::string> signer_id(const ParsedArgs& parsed, const HqDir& dir,
                              std::string_view command) {
  if (const std::string* id = parsed.flag("key-id")) {
    TRY(check_id_flag(command, "key-id", *id));
    return *id;
  }
  return current_signing_key_id(dir);
}

Result<Publication> bundle(const ParsedArgs& parsed, const HqDir& dir) {
  constexpr std::string_view command = "publish bundle";
  const std::string& path = *parsed.flag("file");
  const std::string& program_id = *parsed.flag("program-id");
  const std::int64_t version =
      TRY(integer_flag(command, parsed, "version", 1, program_version_max, 0));
  const Timestamp effective_from = TRY(time_flag(command, parsed, "effective-from"));
  std::string program_json = TRY(read_text_file(path, limits::json_bytes_max));
  Result<Program> program = load_program(program_json);
  if (!program.ok()) {
    return make_error(ErrorCode::invalid_program, path + ": " + program.error().message);
  }
  if (program->program_id != program_id || program->version != version) {
    return make_error(ErrorCode::conflict,
                      path + " is program " + json::quote(program->program_id) + " version " +
                          std::to_string(program->version) + ", not " + json::quote(program_id) +
                          " version " + std::to_string(version) +
                          " as --program-id and --version say");
  }
  const sync::SigningKey key = TRY(load_signing_key(dir, TRY(signer_id(parsed, dir, command))));
  return Publication{
      sync::sign_bundle(key, program_id, version, effective_from, std::move(program_json)), ""};
}

Result<Publication> block(const ParsedArgs& parsed, const HqDir& dir, bool blocked) {
  const std::string_view command = blocked ? "publish block" : "publish unblock";
  sync::BlockItem item;
  item.pseudonym = TRY(pseudonym_flag(command, parsed, dir));
  item.blocked = blocked;
  if (blocked) {
    item.reason = *parsed.flag("reason");
    if (item.reason.size() > limits::sync_message_bytes_max) {
      return usage_error(command, "--reason is longer than " +
                                      std::to_string(limits::sync_message_bytes_max) + " bytes");
    }
  }
  return Publication{std::move(item), ""};
}

Result<Publication> erase(const ParsedArgs& parsed, const HqDir& dir) {
  return Publication{sync::EraseItem{TRY(pseudonym_flag("publish erase", parsed, dir))}, ""};
}

Result<Publication> keys(const HqDir& dir) {
  const storage::PseudonymKey key = TRY(load_pseudonym_key(dir));
  return Publication{sync::KeysItem{key.key_id, key.key_hex, {}}, ""};
}

Result<Publication> signing_key(const ParsedArgs& parsed, const HqDir& dir) {
  constexpr std::string_view command = "publish signing-key";
  const std::string& new_id = *parsed.flag("new-key-id");
  TRY(check_id_flag(command, "new-key-id", new_id));
  const sync::SigningKey signer = TRY(load_signing_key(dir, TRY(signer_id(parsed, dir, command))));
  if (new_id == signer.key_id()) {
    return usage_error(command, "--new-key-id must differ from the key that signs it");
  }
  const sync::SigningKey fresh = TRY(sync::SigningKey::generate(new_id));
  // Written before publishing, refusing to overwrite: a key once published must not change.
  TRY(write_new_file(dir.bundle_key(new_id), fresh.private_pem(), 0600));
  TRY(write_new_file(dir.bundle_public_key(new_id), fresh.public_pem(), 0644));
  sync::SignedKey signed_key;
  signed_key.key = sync::PublicKey{new_id, fresh.public_pem()};
  signed_key.signer_key_id = signer.key_id();
  signed_key.signature = signer.sign(sync::key_signing_input(signed_key.key));
  return Publication{std::move(signed_key), new_id};
}

// The flags of publish KIND; a usage error for an unknown kind.
Result<std::vector<FlagSpec>> flags_of(std::string_view kind) {
  std::vector<FlagSpec> flags{{"dir"}, {"store"}};
  if (kind == "bundle") {
    flags.insert(flags.end(), {{"file", true},
                               {"program-id", true},
                               {"version", true},
                               {"effective-from", true},
                               {"key-id"}});
  } else if (kind == "block") {
    flags.insert(flags.end(), {{"card"}, {"pseudonym"}, {"reason", true}});
  } else if (kind == "unblock" || kind == "erase") {
    flags.insert(flags.end(), {{"card"}, {"pseudonym"}});
  } else if (kind == "signing-key") {
    flags.insert(flags.end(), {{"new-key-id", true}, {"key-id"}});
  } else if (kind != "keys") {
    return usage_error(
        "publish", "unknown kind " + json::quote(kind) + " (expected: " + std::string(kinds) + ")");
  }
  return flags;
}

Result<Publication> read_publication(std::string_view kind, const ParsedArgs& parsed,
                                     const HqDir& dir) {
  if (kind == "bundle") return bundle(parsed, dir);
  if (kind == "block" || kind == "unblock") return block(parsed, dir, kind == "block");
  if (kind == "erase") return erase(parsed, dir);
  if (kind == "keys") return keys(dir);
  LOYALTY_ASSERT(kind == "signing-key");  // flags_of() refused the rest
  return signing_key(parsed, dir);
}

}  // namespace

Status run_publish(std::span<const std::string_view> args, std::ostream& out) {
  const Subcommand sub = TRY(split_subcommand("publish", args, kinds));
  const std::vector<FlagSpec> flags = TRY(flags_of(sub.name));
  const ParsedArgs parsed = TRY(parse_flags("publish " + std::string(sub.name), sub.rest, flags));
  const HqDir dir = hq_dir(parsed);
  const std::string store_id = parsed.flag_or("store", "");
  if (!store_id.empty()) TRY(check_id_flag("publish", "store", store_id));
  // The store first: a mistyped --dir must fail before a key is generated into it.
  std::unique_ptr<sync::HqStore> store = TRY(open_store(dir));
  const Publication publication = TRY(read_publication(sub.name, parsed, dir));
  const std::int64_t version = TRY(store->publish(store_id, publication.body, wall_clock_now()));
  if (!publication.new_current_key.empty()) {
    TRY(replace_file(dir.current_key(), publication.new_current_key + "\n", 0644));
  }
  json::Writer json;
  json.begin_object();
  json.key("version");
  json.value(version);
  json.key("kind");
  json.value(sync::downlink_kind_name(publication.body));
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
