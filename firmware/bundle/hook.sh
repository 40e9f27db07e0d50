#!/bin/bash
# The install-check hook of the terminal's RAUC bundles (firmware/bundle/README.md). RAUC runs it
# from the mounted bundle, on the running terminal, as `hook.sh install-check`, before it touches
# any slot; build-bundle.sh packs it into every bundle and the manifest names it.
#
# It decides two things, and RAUC installs only when both pass:
#
#   1. The board. A bundle's install-check hook replaces RAUC's own compatible check, so the hook
#      must make it: the bundle's compatible= (RAUC_MF_COMPATIBLE) must equal the terminal's
#      ([system] compatible= of /etc/rauc/system.conf, RAUC_SYSTEM_COMPATIBLE). No override.
#   2. No downgrade. The bundle's version (RAUC_MF_VERSION, the manifest's version=) must not be
#      older than the installed one, compared with `dpkg --compare-versions`. The installed
#      version is the one the terminal is running: /usr/share/loyalty/version of the booted
#      slot, which build-bundle.sh writes into every image. (Not RAUC's slot status: a slot
#      flashed at the factory has none, and it records what was written, not what booted.)
#      The same version is accepted: reinstalling the running release repairs the other slot
#      (after a failed install or a mark-bad) and gives nobody anything they do not run already.
#      A missing or unreadable version file is refused, like a downgrade.
#
# The override, for store IT only: as root, `mkdir -p /run/loyalty-update && touch
# /run/loyalty-update/allow-downgrade` lets an older bundle (or one on a terminal without a
# version file) through, until the flag is removed or the terminal reboots (/run is a tmpfs). It
# must be a regular file owned by root in a directory only root can write: /run/loyalty, which
# loyaltyd owns, would let the daemon's user allow downgrades. It never overrides the board.
#
# RAUC 1.8 sets RAUC_SYSTEM_COMPATIBLE, RAUC_SYSTEM_VARIANT, RAUC_MF_COMPATIBLE, RAUC_MF_VERSION
# and RAUC_MOUNT_PREFIX for this hook, which otherwise inherits the environment of `rauc
# service`. An exit status of 10 or more rejects the bundle, and RAUC reports the LAST line the
# hook wrote to stderr ("Bundle rejected: Hook returned: <line>"), so every refusal is one line
# that says what was wrong and what to do. Any other failure exits 1 ("Install-check hook
# failed").
#
# LOYALTY_UPDATE_ROOT (tests only; unset on a terminal) is prepended to the two paths above, so
# that tests/firmware/bundle/ can give the hook a running system of its own through the
# environment of the rauc service it starts. Whoever can set it on a terminal is root already.
set -euo pipefail

readonly reject_status=10 # RAUC: >= 10 rejects the bundle (INSTALL_HOOK_REJECT_CODE)
root="${LOYALTY_UPDATE_ROOT:-}"
readonly version_file="$root/usr/share/loyalty/version"
readonly override_dir="$root/run/loyalty-update"
readonly override_file="$override_dir/allow-downgrade"
override_how="as root: mkdir -p /run/loyalty-update && touch"
override_how+=" /run/loyalty-update/allow-downgrade (cleared at reboot), then install again"
readonly override_how

refuse() {
  echo "loyalty install-check: $*" >&2
  exit "$reject_status"
}

# Only install-check is declared in the manifest; anything else is a mismatch between the two.
if [[ "${1:-}" != "install-check" ]]; then
  echo "loyalty install-check: called as '${1:-}', but this hook only handles install-check" \
       "(firmware/bundle/manifest.raucm.in declares nothing else)" >&2
  exit 1
fi

# 1. The board.
system_compatible="${RAUC_SYSTEM_COMPATIBLE:-}"
bundle_compatible="${RAUC_MF_COMPATIBLE:-}"
if [[ -z "$system_compatible" ]]; then
  refuse "RAUC_SYSTEM_COMPATIBLE is empty: run by 'rauc install' on a terminal whose" \
         "/etc/rauc/system.conf sets [system] compatible="
fi
if [[ "$bundle_compatible" != "$system_compatible" ]]; then
  refuse "this bundle is for '$bundle_compatible', this terminal is '$system_compatible'" \
         "([system] compatible= of /etc/rauc/system.conf): install the bundle built for" \
         "'$system_compatible' (build-bundle.sh --compatible '$system_compatible')"
fi

# 2. No downgrade.
if ! command -v dpkg >/dev/null; then
  refuse "dpkg is not installed on this terminal, so versions cannot be compared: the image must" \
         "hold dpkg (Debian's essential set)"
fi
bundle_version="${RAUC_MF_VERSION:-}"
if [[ -z "$bundle_version" ]] || ! dpkg --validate-version -- "$bundle_version" 2>/dev/null; then
  refuse "the bundle's version '$bundle_version' is not a Debian version (manifest version=):" \
         "rebuild it with build-bundle.sh --version <project version>[+build]"
fi

override_valid() {
  # A root-owned regular file (no symlink) in a root-owned directory nobody else may write.
  [[ -f "$override_file" && ! -L "$override_file" ]] || return 1
  [[ -d "$override_dir" && ! -L "$override_dir" ]] || return 1
  [[ "$(stat -c %u "$override_file")" == 0 && "$(stat -c %u "$override_dir")" == 0 ]] || return 1
  local dir_mode
  dir_mode=$(stat -c %a "$override_dir")
  (((8#$dir_mode & 8#022) == 0))
}
if [[ -e "$override_file" || -L "$override_file" ]] && ! override_valid; then
  refuse "ignoring $override_file: it must be a regular file owned by root in a directory only" \
         "root can write; remove it and, $override_how"
fi

installed_version=""
if [[ -f "$version_file" && -r "$version_file" ]]; then
  # One line, the version; anything else is treated as unknown.
  installed_version=$(head -n 1 -- "$version_file")
fi
if [[ -z "$installed_version" ]] || ! dpkg --validate-version -- "$installed_version" 2>/dev/null
then
  if override_valid; then
    exit 0  # store IT chose to install without knowing what runs
  fi
  refuse "cannot tell the installed version: $version_file is missing or holds no Debian" \
         "version, so bundle $bundle_version might be a downgrade; to install it anyway," \
         "$override_how"
fi

if dpkg --compare-versions -- "$bundle_version" ge "$installed_version"; then
  exit 0  # newer, or the same release again
fi
if override_valid; then
  exit 0  # a deliberate downgrade: the flag is there
fi
refuse "refusing to downgrade: the bundle's version $bundle_version is older than the installed" \
       "$installed_version ($version_file); install $installed_version or newer, or to" \
       "downgrade on purpose, $override_how"
