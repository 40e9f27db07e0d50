// A checker and a small evaluator of udev rules files, for the tests of
// firmware/udev/70-loyalty-readers.rules.
//
// systemd 252 (Debian 12) has no `udevadm verify` (it came in 253), and its `udevadm test` is no
// dry run: it applies the rules to the device it is given (permissions, /dev symlinks,
// /run/udev/data). So the tests read the rules themselves:
//
//   parse_udev_rules()  the syntax of udev(7) as systemd 252 reads it: each line a comment, blank,
//                       or comma-separated KEY[{attr}]<op>"value" expressions, with the keys of
//                       udev(7), the operators each key takes, and every GOTO's LABEL after it.
//                       Each fault is named "<file>:<line>: <what>".
//   evaluate_udev_rules()  runs parsed files, in order, over a described device, for the subset
//                       of udev the readers' rules use (ACTION, SUBSYSTEM, KERNEL, ENV, ATTR,
//                       ATTRS matches; ENV, GROUP, MODE assignments; GOTO/LABEL), with udev's
//                       semantics: fnmatch(3) patterns with '|' alternatives, ATTRS on the device
//                       or one parent for all of a rule's ATTRS, an unset ENV equal to "". A key
//                       outside the subset is an error rather than ignored.
//
// Thread-safety: pure functions over values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty::daemon::test {

struct UdevExpression {
  std::string key;   // "ATTRS"
  std::string attr;  // "idVendor" (keys with {...}), else empty
  std::string op;    // "==", "!=", "=", "+=", "-=", ":="
  std::string value;
};

struct UdevRule {
  int line = 0;
  std::vector<UdevExpression> expressions;
};

struct UdevRulesFile {
  std::string name;
  std::vector<UdevRule> rules;
  std::vector<std::string> errors;  // "<name>:<line>: <what>", in file order
};

UdevRulesFile parse_udev_rules(std::string_view text, std::string name);

// A device event as udev sees it.
struct UdevDevice {
  std::string action = "add";
  std::string subsystem;                     // "hidraw"
  std::string kernel;                        // "hidraw0"
  std::map<std::string, std::string> env;    // DEVNAME, DEVTYPE, ...
  std::map<std::string, std::string> attrs;  // the device's own sysfs attributes
  // The sysfs attributes of each parent, nearest first (hid, usb_interface, usb_device).
  std::vector<std::map<std::string, std::string>> parents;
};

struct UdevOutcome {
  std::string group;  // empty: no rule assigned one
  std::string mode;
  std::map<std::string, std::string> env;
  std::vector<std::string> errors;  // expressions the evaluator does not support
};

UdevOutcome evaluate_udev_rules(const std::vector<UdevRulesFile>& files, const UdevDevice& device);

}  // namespace loyalty::daemon::test
