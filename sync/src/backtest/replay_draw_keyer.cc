// ReplayDrawKeyer: recorded draw values by rule id, else an unkeyed hash of the message.

#include "backtest/replay_draw_keyer.h"

namespace loyalty::sync::backtest {

namespace {

// Reads one field (4-byte big-endian length, then the bytes) at `pos`; false past the end.
bool next_field(std::string_view message, std::size_t& pos, std::string_view& field) {
  if (message.size() - pos < 4) return false;
  std::size_t length = 0;
  for (int i = 0; i < 4; ++i) {
    length = (length << 8) | static_cast<unsigned char>(message[pos + static_cast<std::size_t>(i)]);
  }
  pos += 4;
  if (message.size() - pos < length) return false;
  field = message.substr(pos, length);
  pos += length;
  return true;
}

// FNV-1a over the bytes, then SplitMix64's finaliser so that every bit of the value mixes.
std::uint64_t unkeyed_hash(std::string_view message) {
  std::uint64_t hash = 0xcbf29ce484222325u;
  for (char c : message) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3u;
  }
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9u;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebu;
  hash ^= hash >> 31;
  return hash;
}

}  // namespace

std::string_view draw_message_rule(std::string_view message) {
  std::size_t pos = 0;
  std::string_view field;
  // tag, program id, version (8 bytes), receipt id, rule id
  for (int i = 0; i < 5; ++i) {
    if (!next_field(message, pos, field)) return {};
    if (i == 0 && field != draw_message_tag) return {};
  }
  return pos == message.size() ? field : std::string_view();
}

std::uint64_t ReplayDrawKeyer::draw_value(std::string_view message) const {
  const std::string_view rule = draw_message_rule(message);
  for (const auto& [rule_id, value] : values_) {  // one entry per instant-win rule drawn
    if (!rule.empty() && rule_id == rule) return value;
  }
  return unkeyed_hash(message);
}

}  // namespace loyalty::sync::backtest
