// The real loyalty-hq program on a temp directory: init, ca issue, publish, status, customer,
// release and apply, with their exact JSON; usage errors (exit 2) and failures (exit 1).

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "hq/journal_builder.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/signing.h"
#include "service/hq_program.h"
#include "temp_dir.h"
#include "tls/test_pki.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
const std::string card = "2600000000017";

// An initialised HQ directory in a temp dir.
class HqDirFixture {
 public:
  HqDirFixture() {
    const HqRun init = run_hq({"init", "--dir", dir()});
    REQUIRE(init.exit_code == 0);
  }
  std::string dir() const { return temp_.file("hq"); }
  std::string file(const std::string& name) const { return dir() + "/" + name; }
  std::unique_ptr<HqStore> store() const {
    Result<std::unique_ptr<HqStore>> opened = open_sqlite_hq_store(file("hq.db"));
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }
  std::string pseudonym(const std::string& id) const {
    std::string hex = read_whole(file("keys/pseudonym.key"));
    REQUIRE(hex.size() == 65);
    hex.pop_back();
    return storage::pseudonym_of(storage::PseudonymKey{"pk1", hex}, id);
  }
  // Two checkouts of `card` at till store-1/till.7, stored and applied at HQ.
  void two_checkouts() const {
    const std::string p = pseudonym(card);
    JournalBuilder journal("store-1", "till.7", 7);
    journal.checkout(at_seconds(t0 + 10), p, 2500, {earn(p, 25)}, "silver");
    journal.checkout(at_seconds(t0 + 20), p, 1000, {burn(p, 5)}, "silver");
    auto hq = store();
    REQUIRE(hq->ingest(journal.identity(), journal.all(), at_seconds(t0 + 30)).ok());
    REQUIRE(hq->apply(at_seconds(t0 + 31), 100).ok());
  }

 private:
  TempDir temp_;
};

mode_t mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("loyalty-hq init makes the HQ directory and refuses to make it twice",
          "[sync][service][cli]") {
  TempDir temp;
  const std::string dir = temp.file("hq");
  const HqRun init = run_hq({"init", "--dir", dir});
  CHECK(init.exit_code == 0);
  CHECK(init.err.empty());
  CHECK(init.out == "{\"dir\":\"" + dir + "\",\"database\":\"" + dir + "/hq.db\",\"ca\":\"" + dir +
                        "/ca/ca.crt\",\"server_certificate\":\"" + dir +
                        "/server/server.crt\",\"server_names\":[\"127.0.0.1\",\"localhost\"],"
                        "\"signing_key_id\":\"k1\",\"pseudonym_key_id\":\"pk1\",\"keys_version\":1}"
                        "\n");
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir + "/keys/bundle-k1.key") == 0600);
  CHECK(mode_of(dir + "/keys/pseudonym.key") == 0600);
  CHECK(mode_of(dir + "/ca/ca.key") == 0600);
  CHECK(mode_of(dir + "/server/server.key") == 0600);
  CHECK(read_whole(dir + "/keys/bundle.current") == "k1\n");
  CHECK(read_whole(dir + "/keys/bundle-k1.pub").starts_with("-----BEGIN PUBLIC KEY-----"));
  const std::string key_hex = read_whole(dir + "/keys/pseudonym.key");
  REQUIRE(key_hex.size() == 65);
  CHECK(storage::validate_pseudonym_key({"pk1", key_hex.substr(0, 64)}).ok());
  // The server certificate is HQ's for 127.0.0.1 and localhost, issued by the CA.
  CHECK(read_certificate(dir + "/server/server.crt") != nullptr);
  CHECK(read_whole(dir + "/server/ca.crt") == read_whole(dir + "/ca/ca.crt"));

  // Every terminal gets the pseudonym key as item 1.
  Result<std::unique_ptr<HqStore>> store = open_sqlite_hq_store(dir + "/hq.db");
  REQUIRE(store.ok());
  Result<Downlink> downlink = (*store)->downlink({"store-9", "t"}, 0, 10);
  REQUIRE(downlink.ok());
  REQUIRE(downlink->items.size() == 1);
  CHECK(downlink->items[0].version == 1);
  CHECK(downlink->items[0].store_id.empty());
  const KeysItem* keys = std::get_if<KeysItem>(&downlink->items[0].body);
  REQUIRE(keys != nullptr);
  CHECK(*keys == KeysItem{"pk1", key_hex.substr(0, 64), {}});

  const HqRun again = run_hq({"init", "--dir", dir});
  CHECK(again.exit_code == 1);
  CHECK(again.out.empty());
  CHECK(again.err == "loyalty-hq: " + dir + "/hq.db exists already: " + dir +
                         " holds an HQ; refusing to overwrite it\n");
  CHECK(read_whole(dir + "/keys/pseudonym.key") == key_hex);
}

TEST_CASE("loyalty-hq ca issue makes a terminal's and a server's certificate",
          "[sync][service][cli]") {
  HqDirFixture hq;
  const std::string out = hq.file("till7");
  const HqRun terminal = run_hq({"ca", "issue", "--dir", hq.dir(), "--store", "store-1",
                                 "--terminal", "till.7", "--out", out});
  CHECK(terminal.exit_code == 0);
  CHECK(terminal.out == "{\"certificate\":\"" + out + "/terminal.crt\",\"key\":\"" + out +
                            "/terminal.key\",\"ca\":\"" + out +
                            "/ca.crt\",\"identity\":\"urn:loyalty:terminal:store-1:till.7\","
                            "\"valid_days\":825}\n");
  CHECK(uri_names(read_certificate(out + "/terminal.crt").get()) ==
        std::vector<std::string>{"urn:loyalty:terminal:store-1:till.7"});
  CHECK(mode_of(out + "/terminal.key") == 0600);
  CHECK(read_whole(out + "/ca.crt") == read_whole(hq.file("ca/ca.crt")));

  const std::string server = hq.file("hq2");
  const HqRun issued = run_hq({"ca", "issue", "--server-name=hq.example,10.0.0.5", "--dir",
                               hq.dir(), "--out", server, "--valid-days", "30"});
  CHECK(issued.exit_code == 0);
  CHECK(issued.out == "{\"certificate\":\"" + server + "/server.crt\",\"key\":\"" + server +
                          "/server.key\",\"ca\":\"" + server +
                          "/ca.crt\",\"server_names\":[\"hq.example\",\"10.0.0.5\"],"
                          "\"valid_days\":30}\n");

  const HqRun neither = run_hq({"ca", "issue", "--dir", hq.dir(), "--out", server});
  CHECK(neither.exit_code == 2);
  CHECK(neither.err ==
        "loyalty-hq: ca issue: give --store S and --terminal T (a terminal's certificate) or "
        "--server-name N (HQ's) (see 'loyalty-hq --help')\n");
  const HqRun bad_id = run_hq(
      {"ca", "issue", "--dir", hq.dir(), "--store", "store 1", "--terminal", "t", "--out", server});
  CHECK(bad_id.exit_code == 2);
  CHECK(bad_id.err ==
        "loyalty-hq: ca issue: --store \"store 1\" is not an id: use 1..64 of the "
        "characters A-Z a-z 0-9 . _ - (see 'loyalty-hq --help')\n");
  const HqRun ca_again = run_hq({"ca", "init", "--dir", hq.dir()});
  CHECK(ca_again.exit_code == 1);
  CHECK(ca_again.err.starts_with("loyalty-hq: " + hq.dir() + "/ca/ca.key: a CA already exists"));
}

TEST_CASE("loyalty-hq publish block shows in the downlink, status and customer report",
          "[sync][service][cli]") {
  HqDirFixture hq;
  hq.two_checkouts();
  const std::string p = hq.pseudonym(card);

  const HqRun block =
      run_hq({"publish", "--dir", hq.dir(), "block", "--card", card, "--reason", "card stolen"});
  CHECK(block.exit_code == 0);
  CHECK(block.out == "{\"version\":3,\"kind\":\"block\"}\n");
  const HqRun store_block = run_hq({"publish", "block", "--dir", hq.dir(), "--store", "store-2",
                                    "--pseudonym", p, "--reason", "x"});
  CHECK(store_block.out == "{\"version\":4,\"kind\":\"block\"}\n");
  Result<Downlink> downlink = hq.store()->downlink({"store-1", "till.7"}, 1, 10);
  REQUIRE(downlink.ok());
  REQUIRE(downlink->items.size() == 2);  // the customer (2) and the chain's block (3)
  CHECK(std::holds_alternative<CustomerItem>(downlink->items[0].body));
  const BlockItem* blocked = std::get_if<BlockItem>(&downlink->items[1].body);
  REQUIRE(blocked != nullptr);
  CHECK(*blocked == BlockItem{p, "card stolen", true});

  const HqRun status = run_hq({"status", "--dir", hq.dir(), "--at", "2026-01-01T01:00:30Z"});
  CHECK(status.exit_code == 0);
  CHECK(status.out ==
        "{\"terminals\":[{\"store\":\"store-1\",\"terminal\":\"till.7\",\"epoch\":"
        "\"0000000000000007\",\"held_seq\":2,\"applied_seq\":2,\"stored_beyond\":0,"
        "\"lag_seconds\":3600,\"last_batch_at\":\"2026-01-01T00:00:30Z\",\"quarantined\":false,"
        "\"reason\":null}],\"alerts\":[],\"totals\":{\"events\":2,\"receipts\":2,"
        "\"points_issued\":25,\"points_redeemed\":5,\"points_donated\":0,\"points_expired\":0,"
        "\"liability_points\":20,\"overdraft_points\":0},\"quarantined\":0}\n");

  const HqRun customer = run_hq({"customer", "--dir", hq.dir(), "--card", card, "--history", "5"});
  CHECK(customer.exit_code == 0);
  CHECK(customer.out ==
        "{\"pseudonym\":\"" + p +
            "\",\"balance_points\":20,\"overdraft_points\":0,\"tier\":\"silver\","
            "\"review_at\":null,\"period_spend_minor\":0,\"period_points\":0,\"receipts\":2,"
            "\"spend_minor\":3500,\"flagged\":false,\"history\":["
            "{\"entry_id\":1,\"debit\":\"issuance\",\"credit\":\"customer_points:" +
            p +
            "\",\"points\":25,\"code\":\"earn\",\"at\":\"2026-01-01T00:00:10Z\",\"store\":"
            "\"store-1\",\"terminal\":\"till.7\",\"seq\":1,\"receipt_id\":\"r1\"},"
            "{\"entry_id\":2,\"debit\":\"customer_points:" +
            p +
            "\",\"credit\":\"redemption\",\"points\":5,\"code\":\"burn\",\"at\":"
            "\"2026-01-01T00:00:20Z\",\"store\":\"store-1\",\"terminal\":\"till.7\",\"seq\":2,"
            "\"receipt_id\":\"r2\"}]}\n");
  const HqRun by_pseudonym =
      run_hq({"customer", "--dir", hq.dir(), "--pseudonym", p, "--history", "0"});
  CHECK(by_pseudonym.exit_code == 0);
  CHECK(by_pseudonym.out.ends_with("\"flagged\":false,\"history\":[]}\n"));

  const HqRun unknown = run_hq({"customer", "--dir", hq.dir(), "--card", "999"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out.empty());
  CHECK(unknown.err == "loyalty-hq: HQ has no customer " + hq.pseudonym("999") +
                           ": no terminal has sent an event of theirs yet (or the card or "
                           "pseudonym is mistyped)\n");
  CHECK(unknown.err.find("999:") == std::string::npos);

  const HqRun unblock = run_hq({"publish", "--dir", hq.dir(), "unblock", "--pseudonym", p});
  CHECK(unblock.out == "{\"version\":5,\"kind\":\"block\"}\n");
  const HqRun erase = run_hq({"publish", "--dir", hq.dir(), "erase", "--card", card});
  CHECK(erase.out == "{\"version\":6,\"kind\":\"erase\"}\n");
  const HqRun keys = run_hq({"publish", "--dir", hq.dir(), "keys"});
  CHECK(keys.out == "{\"version\":7,\"kind\":\"keys\"}\n");
}

TEST_CASE("loyalty-hq status reports a quarantine and release lifts it", "[sync][service][cli]") {
  HqDirFixture hq;
  hq.two_checkouts();
  const std::string p = hq.pseudonym(card);
  JournalBuilder other("store-1", "till.7", 7);
  other.checkout(at_seconds(t0 + 10), p, 2500, {earn(p, 25)}, "silver");
  other.checkout(at_seconds(t0 + 20), p, 1000, {burn(p, 6)}, "silver");
  REQUIRE(hq.store()->ingest(other.identity(), other.batch(2, 2), at_seconds(t0 + 40)).ok());

  const HqRun status = run_hq({"status", "--dir", hq.dir(), "--at", "2026-01-01T00:01:40Z"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.starts_with(
      "{\"terminals\":[{\"store\":\"store-1\",\"terminal\":\"till.7\",\"epoch\":"
      "\"0000000000000007\",\"held_seq\":2,\"applied_seq\":2,\"stored_beyond\":0,"
      "\"lag_seconds\":60,\"last_batch_at\":\"2026-01-01T00:00:40Z\",\"quarantined\":true,"
      "\"reason\":\"seq 2 arrived again with other content\"}],\"alerts\":[{\"alert_id\":1,"
      "\"store\":\"store-1\",\"terminal\":\"till.7\",\"message\":\"quarantined: seq 2 arrived "
      "again with other content\",\"raised_at\":\"2026-01-01T00:00:40Z\"}],"));
  CHECK(status.out.ends_with(",\"quarantined\":1}\n"));

  const HqRun release = run_hq({"release", "--dir", hq.dir(), "--store", "store-1", "--terminal",
                                "till.7", "--note", "checked the till"});
  CHECK(release.exit_code == 0);
  CHECK(
      release.out ==
      "{\"store\":\"store-1\",\"terminal\":\"till.7\",\"accept_from_seq\":0,\"released\":true}\n");
  CHECK(run_hq({"status", "--dir", hq.dir()}).out.ends_with(",\"quarantined\":0}\n"));
  const HqRun twice = run_hq({"release", "--dir", hq.dir(), "--store", "store-1", "--terminal",
                              "till.7", "--note", "again"});
  CHECK(twice.exit_code == 1);
  const HqRun apply = run_hq({"apply", "--dir", hq.dir()});
  CHECK(apply.exit_code == 0);
  CHECK(apply.out == "{\"events_applied\":0,\"customers_reprojected\":0,\"entries_written\":0}\n");
}

TEST_CASE("loyalty-hq publishes signed bundles and rotates the signing key",
          "[sync][service][cli]") {
  HqDirFixture hq;
  const std::string program = std::string(LOYALTY_EXAMPLES_DIR) + "/programs/b2b.json";
  const std::vector<std::string> bundle_args{"publish",          "--dir",
                                             hq.dir(),           "--store",
                                             "store-1",          "bundle",
                                             "--file",           program,
                                             "--program-id",     "office-pro-b2b",
                                             "--version",        "2",
                                             "--effective-from", "2026-02-01T00:00:00Z"};
  const HqRun first = run_hq(bundle_args);
  CHECK(first.exit_code == 0);
  CHECK(first.out == "{\"version\":2,\"kind\":\"bundle\"}\n");

  TrustedKeys trusted;
  REQUIRE(trusted.add({"k1", read_whole(hq.file("keys/bundle-k1.pub"))}).ok());
  const HqRun rotate = run_hq({"publish", "--dir", hq.dir(), "signing-key", "--new-key-id", "k2"});
  CHECK(rotate.exit_code == 0);
  CHECK(rotate.out == "{\"version\":3,\"kind\":\"signing_key\"}\n");
  CHECK(read_whole(hq.file("keys/bundle.current")) == "k2\n");
  CHECK(mode_of(hq.file("keys/bundle-k2.key")) == 0600);
  const HqRun second = run_hq(bundle_args);
  CHECK(second.out == "{\"version\":4,\"kind\":\"bundle\"}\n");

  Result<Downlink> downlink = hq.store()->downlink({"store-1", "till.7"}, 1, 10);
  REQUIRE(downlink.ok());
  REQUIRE(downlink->items.size() == 3);
  const SignedBundle* old_bundle = std::get_if<SignedBundle>(&downlink->items[0].body);
  const SignedKey* new_key = std::get_if<SignedKey>(&downlink->items[1].body);
  const SignedBundle* new_bundle = std::get_if<SignedBundle>(&downlink->items[2].body);
  REQUIRE(old_bundle != nullptr);
  REQUIRE(new_key != nullptr);
  REQUIRE(new_bundle != nullptr);
  CHECK(old_bundle->key_id == "k1");
  CHECK(old_bundle->program_id == "office-pro-b2b");
  CHECK(old_bundle->program_version == 2);
  CHECK(old_bundle->effective_from == at_seconds(1769904000));
  CHECK(old_bundle->program_json == read_whole(program));
  CHECK(verify_bundle(trusted, *old_bundle).ok());
  CHECK(new_key->signer_key_id == "k1");
  CHECK(new_key->key == PublicKey{"k2", read_whole(hq.file("keys/bundle-k2.pub"))});
  REQUIRE(trusted.verify("k1", key_signing_input(new_key->key), new_key->signature).ok());
  REQUIRE(trusted.add(new_key->key).ok());
  CHECK(new_bundle->key_id == "k2");
  CHECK(verify_bundle(trusted, *new_bundle).ok());

  std::vector<std::string> wrong = bundle_args;
  wrong[11] = "3";
  const HqRun mismatch = run_hq(wrong);
  CHECK(mismatch.exit_code == 1);
  CHECK(mismatch.err == "loyalty-hq: " + program +
                            " is program \"office-pro-b2b\" version 2, not \"office-pro-b2b\" "
                            "version 3 as --program-id and --version say\n");
  const HqRun again =
      run_hq({"publish", "--dir", hq.dir(), "signing-key", "--new-key-id", "k2", "--key-id", "k1"});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "loyalty-hq: " + hq.file("keys/bundle-k2.key") +
                         ": already exists; refusing to overwrite it (move it away first)\n");
}

TEST_CASE("loyalty-hq refuses a misused command line with exit 2 and a message",
          "[sync][service][cli]") {
  HqDirFixture hq;
  using Case = std::pair<std::vector<std::string>, std::string>;
  const std::string see = " (see 'loyalty-hq --help')\n";
  const std::vector<Case> cases = {
      {{"frobnicate"}, "loyalty-hq: unknown command \"frobnicate\"" + see},
      {{"--frob"}, "loyalty-hq: unknown option \"--frob\"" + see},
      {{"status", "--dir", hq.dir(), "--verbose"},
       "loyalty-hq: status: unknown option --verbose (expected --dir, --at)" + see},
      {{"status", "--dir"}, "loyalty-hq: status: --dir needs a value" + see},
      {{"status", "--dir", hq.dir(), "--dir", hq.dir()},
       "loyalty-hq: status: --dir is given more than once" + see},
      {{"status", "--dir", hq.dir(), "extra"},
       "loyalty-hq: status: unexpected argument \"extra\"" + see},
      {{"customer", "--dir", hq.dir()},
       "loyalty-hq: customer: give the customer as exactly one of --pseudonym P or --card C" + see},
      {{"customer", "--dir", hq.dir(), "--card", card, "--pseudonym", hq.pseudonym(card)},
       "loyalty-hq: customer: give the customer as exactly one of --pseudonym P or --card C" + see},
      {{"customer", "--dir", hq.dir(), "--pseudonym", "alice"},
       "loyalty-hq: customer: --pseudonym \"alice\" is not a pseudonym (ps1_ and 32 hex digits)" +
           see},
      {{"customer", "--dir", hq.dir(), "--card", card, "--history", "lots"},
       "loyalty-hq: customer: --history must be a whole number from 0 to 1000, not \"lots\"" + see},
      {{"publish", "--dir", hq.dir()},
       "loyalty-hq: publish: missing subcommand (expected: bundle, block, unblock, erase, keys, "
       "signing-key)" +
           see},
      {{"publish", "--dir", hq.dir(), "coupon"},
       "loyalty-hq: publish: unknown kind \"coupon\" (expected: bundle, block, unblock, erase, "
       "keys, signing-key)" +
           see},
      {{"publish", "--dir", hq.dir(), "block", "--card", card},
       "loyalty-hq: publish block: missing --reason" + see},
      {{"publish", "--dir", hq.dir(), "--store", "a/b", "keys"},
       "loyalty-hq: publish: --store \"a/b\" is not an id: use 1..64 of the characters A-Z a-z "
       "0-9 . _ -" +
           see},
      {{"publish", "--dir", hq.dir(), "bundle", "--file", "x.json", "--program-id", "p",
        "--version", "1", "--effective-from", "tomorrow"},
       "loyalty-hq: publish bundle: --effective-from: \"tomorrow\" is not a valid time: the year "
       "must be 4 digits (expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)" +
           see},
      {{"release", "--dir", hq.dir(), "--store", "store-1", "--terminal", "t"},
       "loyalty-hq: release: missing --note" + see},
      {{"serve", "--dir", hq.dir(), "--listen", "8443"},
       "loyalty-hq: serve: --listen \"8443\" is not ADDRESS:PORT (e.g. 127.0.0.1:8443 or "
       "[::]:8443)" +
           see},
      {{"serve", "--dir", hq.dir(), "--workers", "0"},
       "loyalty-hq: serve: --workers must be a whole number from 1 to 64, not \"0\"" + see},
      {{"init", "--dir", hq.file("new"), "--server-name", "bad name"},
       "loyalty-hq: init: --server-name \"bad name\" is neither a DNS name nor an IP address" +
           see},
      {{"ca"}, "loyalty-hq: ca: missing subcommand (expected: init, issue)" + see},
      {{"--store"},
       "loyalty-hq: --store needs a value: sqlite:PATH or a postgresql://... URI\n"},
      {{"--store", "mysql://hq@db/loyalty", "status", "--dir", hq.dir()},
       "loyalty-hq: --store \"mysql://hq@db/loyalty\" is not a store: use sqlite:PATH or a "
       "postgresql://... URI\n"},
      {{"--store=postgres", "status", "--dir", hq.dir()},
       "loyalty-hq: --store \"postgres\" is not a store: use sqlite:PATH or a postgresql://... "
       "URI\n"},
      {{"init", "--dir", hq.file("new"), "--time-zone", "Mars/Olympus_Mons"},
       "loyalty-hq: init: --time-zone: \"Mars/Olympus_Mons\" is not a time zone of the system's "
       "tzdata (/usr/share/zoneinfo): use an IANA name like Europe/Berlin or America/Santiago" +
           see},
      {{"partitions", "--dir", hq.dir()},
       "loyalty-hq: partitions: give one of --create-through DATE and --detach-before DATE" + see},
      {{"partitions", "--dir", hq.dir(), "--create-through", "2026-13-01"},
       "loyalty-hq: partitions: --create-through: \"2026-13-01\" is not a valid date: month 13 is "
       "out of range (expected YYYY-MM-DD)" +
           see},
      {{"partitions", "--dir", hq.dir(), "--detach-before", "2026-12-01"},
       "loyalty-hq: partitions: the store " + hq.file("hq.db") +
           " is SQLite, whose journal has no partitions\n"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args.front() << (args.size() > 1 ? " " + args[1] : ""));
    const HqRun run = run_hq(args);
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(run.err == message);
  }
  CHECK(!std::filesystem::exists(hq.file("new")));
  const HqRun bare = run_hq({});
  CHECK(bare.exit_code == 2);
  CHECK(bare.err.starts_with("Usage: loyalty-hq [--store LOC] COMMAND ...\n  loyalty-hq init"));
  const HqRun help = run_hq({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.starts_with("Usage: loyalty-hq [--store LOC] COMMAND ...\n  loyalty-hq init"));
  const HqRun missing = run_hq({"status", "--dir", hq.file("nowhere")});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "loyalty-hq: " + hq.file("nowhere") + " is not an HQ directory (" +
                           hq.file("nowhere") +
                           "/hq.db is missing); create one with loyalty-hq "
                           "init --dir " +
                           hq.file("nowhere") + "\n");
}
