// A checker and a small evaluator of udev rules files (udev_rules.h).
#include "system/udev_rules.h"

#include <fnmatch.h>

#include <algorithm>
#include <optional>

namespace loyalty::daemon::test {

namespace {

enum class Attr { none, required, optional };
enum class Use { match, assign, both };

struct KeySpec {
  std::string_view key;
  Attr attr;
  Use use;
};

// udev(7) of systemd 252: the keys, whether they take {attr}, and whether they match or assign.
constexpr KeySpec kKeys[] = {
    {"ACTION", Attr::none, Use::match},    {"DEVPATH", Attr::none, Use::match},
    {"KERNEL", Attr::none, Use::match},    {"KERNELS", Attr::none, Use::match},
    {"NAME", Attr::none, Use::both},       {"SYMLINK", Attr::none, Use::both},
    {"SUBSYSTEM", Attr::none, Use::match}, {"SUBSYSTEMS", Attr::none, Use::match},
    {"DRIVER", Attr::none, Use::match},    {"DRIVERS", Attr::none, Use::match},
    {"ATTR", Attr::required, Use::both},   {"ATTRS", Attr::required, Use::match},
    {"SYSCTL", Attr::required, Use::both}, {"ENV", Attr::required, Use::both},
    {"CONST", Attr::required, Use::match}, {"TAG", Attr::none, Use::both},
    {"TAGS", Attr::none, Use::match},      {"TEST", Attr::optional, Use::match},
    {"PROGRAM", Attr::none, Use::match},   {"RESULT", Attr::none, Use::match},
    {"OWNER", Attr::none, Use::assign},    {"GROUP", Attr::none, Use::assign},
    {"MODE", Attr::none, Use::assign},     {"SECLABEL", Attr::required, Use::assign},
    {"RUN", Attr::optional, Use::assign},  {"LABEL", Attr::none, Use::assign},
    {"GOTO", Attr::none, Use::assign},     {"IMPORT", Attr::required, Use::assign},
    {"OPTIONS", Attr::none, Use::assign},
};

const KeySpec* find_key(std::string_view key) {
  for (const KeySpec& spec : kKeys) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

bool is_match_op(std::string_view op) { return op == "==" || op == "!="; }

// The operators a key takes, or an empty text when `op` is one of them.
std::string check_op(const KeySpec& spec, std::string_view op) {
  const bool match = is_match_op(op);
  if (match && spec.use == Use::assign) return "is assigned, not matched";
  if (!match && spec.use == Use::match) return "is matched, not assigned";
  const bool list_op = op == "+=" || op == "-=";
  const std::string_view key = spec.key;
  if ((key == "LABEL" || key == "GOTO") && op != "=") return "takes only =";
  if ((key == "OWNER" || key == "GROUP" || key == "MODE") && list_op) return "takes = or :=";
  return "";
}

void skip_space(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
}

// The value of an expression from its opening quote; empty when it has no closing quote.
std::optional<std::string> parse_value(std::string_view text, std::size_t& pos) {
  std::string value;
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\' && pos + 1 < text.size() && text[pos + 1] == '"') {
      value += '"';
      ++pos;
    } else if (text[pos] == '"') {
      ++pos;
      return value;
    } else {
      value += text[pos];
    }
  }
  return std::nullopt;
}

// Reads the expression at `pos`: KEY[{attr}]<op>"value". On a fault, `error` says what.
std::optional<UdevExpression> parse_expression(std::string_view text, std::size_t& pos,
                                               std::string& error) {
  UdevExpression expression;
  const std::size_t key_start = pos;
  while (pos < text.size() && ((text[pos] >= 'A' && text[pos] <= 'Z') || text[pos] == '_')) ++pos;
  expression.key = std::string(text.substr(key_start, pos - key_start));
  const KeySpec* spec = find_key(expression.key);
  if (spec == nullptr) {
    const std::size_t end = text.find_first_of("{=!+-: ,", key_start + 1);
    error = "unknown key \"" + std::string(text.substr(key_start, end - key_start)) + "\"";
    return std::nullopt;
  }
  bool has_attr = false;
  if (pos < text.size() && text[pos] == '{') {
    const std::size_t close = text.find('}', pos);
    if (close == std::string_view::npos) {
      error = expression.key + ": no closing }";
      return std::nullopt;
    }
    expression.attr = std::string(text.substr(pos + 1, close - pos - 1));
    has_attr = true;
    pos = close + 1;
  }
  if (spec->attr == Attr::required && expression.attr.empty()) {
    error = expression.key + " needs {attribute}";
    return std::nullopt;
  }
  if (spec->attr == Attr::none && has_attr) {
    error = expression.key + " takes no {}";
    return std::nullopt;
  }
  skip_space(text, pos);
  for (const std::string_view op : {"==", "!=", "+=", "-=", ":=", "="}) {
    if (text.substr(pos, op.size()) == op) {
      expression.op = std::string(op);
      pos += op.size();
      break;
    }
  }
  if (expression.op.empty()) {
    error = expression.key + ": no operator";
    return std::nullopt;
  }
  if (const std::string bad = check_op(*spec, expression.op); !bad.empty()) {
    error = expression.key + " " + bad + " (" + expression.op + ")";
    return std::nullopt;
  }
  skip_space(text, pos);
  if (pos < text.size() && text[pos] == 'e') ++pos;  // e"C-style escaped"
  if (pos >= text.size() || text[pos] != '"') {
    error = expression.key + ": the value must be in double quotes";
    return std::nullopt;
  }
  std::optional<std::string> value = parse_value(text, pos);
  if (!value) {
    error = expression.key + ": the value has no closing quote";
    return std::nullopt;
  }
  expression.value = std::move(*value);
  return expression;
}

// Reads one logical line: expressions separated by commas. A fault goes to `errors`, and the
// rest of the line is not read.
UdevRule parse_rule(std::string_view text, int line, const std::string& name,
                    std::vector<std::string>& errors) {
  UdevRule rule;
  rule.line = line;
  std::string error;
  std::size_t pos = 0;
  while (error.empty()) {
    skip_space(text, pos);
    if (pos >= text.size()) break;
    if (!rule.expressions.empty()) {
      if (text[pos] != ',') {
        error = "a comma is needed before \"" + std::string(text.substr(pos, 12)) + "\"";
        break;
      }
      ++pos;
      skip_space(text, pos);
      if (pos >= text.size()) break;
    }
    std::optional<UdevExpression> expression = parse_expression(text, pos, error);
    if (expression) rule.expressions.push_back(std::move(*expression));
  }
  if (!error.empty()) errors.push_back(name + ":" + std::to_string(line) + ": " + error);
  return rule;
}

void check_gotos(UdevRulesFile& file) {
  for (std::size_t i = 0; i < file.rules.size(); ++i) {
    for (const UdevExpression& expression : file.rules[i].expressions) {
      if (expression.key != "GOTO") continue;
      bool found = false;
      for (std::size_t j = i + 1; j < file.rules.size() && !found; ++j) {
        for (const UdevExpression& later : file.rules[j].expressions) {
          found = found || (later.key == "LABEL" && later.value == expression.value);
        }
      }
      if (!found) {
        file.errors.push_back(file.name + ":" + std::to_string(file.rules[i].line) + ": GOTO \"" +
                              expression.value + "\" has no LABEL after it");
      }
    }
  }
}

// udev's patterns: alternatives separated by '|', each an fnmatch(3) glob.
bool pattern_matches(const std::string& pattern, const std::string& value) {
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = pattern.find('|', start);
    const std::string alternative = pattern.substr(start, bar - start);
    if (fnmatch(alternative.c_str(), value.c_str(), 0) == 0) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

// A match of a value that may be absent (`value` null).
bool matches(const UdevExpression& expression, const std::string* value) {
  const bool equal =
      value != nullptr ? pattern_matches(expression.value, *value) : expression.value.empty();
  return expression.op == "==" ? equal : !equal;
}

const std::string* lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto found = map.find(key);
  return found == map.end() ? nullptr : &found->second;
}

// All of a rule's ATTRS on one device: the event's device or one of its parents.
bool attrs_match(const std::vector<const UdevExpression*>& attrs, const UdevDevice& device) {
  if (attrs.empty()) return true;
  std::vector<const std::map<std::string, std::string>*> chain = {&device.attrs};
  for (const auto& parent : device.parents) chain.push_back(&parent);
  for (const auto* candidate : chain) {
    const bool all = std::all_of(attrs.begin(), attrs.end(), [&](const UdevExpression* e) {
      const std::string* value = lookup(*candidate, e->attr);
      return value != nullptr && matches(*e, value);  // ATTRS needs the attribute to exist
    });
    if (all) return true;
  }
  return false;
}

}  // namespace

UdevRulesFile parse_udev_rules(std::string_view text, std::string name) {
  UdevRulesFile file;
  file.name = std::move(name);
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // A logical line: physical lines joined where one ends in '\'.
    std::string logical;
    const int first_line = line_number + 1;
    while (pos < text.size()) {
      const std::size_t end = std::min(text.find('\n', pos), text.size());
      std::string_view physical = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_number;
      if (!physical.empty() && physical.back() == '\\') {
        logical += physical.substr(0, physical.size() - 1);
        continue;
      }
      logical += physical;
      break;
    }
    const std::size_t first = logical.find_first_not_of(" \t");
    if (first == std::string::npos || logical[first] == '#') continue;
    file.rules.push_back(parse_rule(logical, first_line, file.name, file.errors));
  }
  check_gotos(file);
  return file;
}

UdevOutcome evaluate_udev_rules(const std::vector<UdevRulesFile>& files, const UdevDevice& device) {
  UdevOutcome outcome;
  outcome.env = device.env;
  for (const UdevRulesFile& file : files) {
    std::string skipping_to;  // a GOTO's label
    for (const UdevRule& rule : file.rules) {
      if (!skipping_to.empty()) {
        for (const UdevExpression& e : rule.expressions) {
          if (e.key == "LABEL" && e.value == skipping_to) skipping_to.clear();
        }
        continue;
      }
      bool all = true;
      std::vector<const UdevExpression*> attrs;
      for (const UdevExpression& e : rule.expressions) {
        if (!is_match_op(e.op)) continue;
        if (e.key == "ACTION") {
          all = all && matches(e, &device.action);
        } else if (e.key == "SUBSYSTEM") {
          all = all && matches(e, &device.subsystem);
        } else if (e.key == "KERNEL") {
          all = all && matches(e, &device.kernel);
        } else if (e.key == "ENV") {
          const std::string* value = lookup(outcome.env, e.attr);
          const std::string empty;
          all = all && matches(e, value != nullptr ? value : &empty);  // unset is ""
        } else if (e.key == "ATTR") {
          all = all && matches(e, lookup(device.attrs, e.attr));
        } else if (e.key == "ATTRS") {
          attrs.push_back(&e);
        } else {
          outcome.errors.push_back(file.name + ":" + std::to_string(rule.line) +
                                   ": the evaluator does not match " + e.key);
        }
      }
      if (!all || !attrs_match(attrs, device)) continue;
      for (const UdevExpression& e : rule.expressions) {
        if (is_match_op(e.op) || e.key == "LABEL") continue;
        if (e.key == "ENV" && e.op == "=") {
          outcome.env[e.attr] = e.value;
        } else if (e.key == "GROUP" && e.op == "=") {
          outcome.group = e.value;
        } else if (e.key == "MODE" && e.op == "=") {
          outcome.mode = e.value;
        } else if (e.key == "GOTO") {
          skipping_to = e.value;
        } else {
          outcome.errors.push_back(file.name + ":" + std::to_string(rule.line) +
                                   ": the evaluator does not assign " + e.key + e.op);
        }
      }
    }
  }
  return outcome;
}

}  // namespace loyalty::daemon::test
