#!/usr/bin/env bash
# Builds a signed RAUC update bundle of the terminal's root filesystem (firmware/bundle/README.md).
#
#   build-bundle.sh --tree DIR --compatible STRING --version VERSION --cert PEM --key PEM
#                   [--keyring CA.pem] [--format verity|plain] --output FILE.raucb
#
#   --tree DIR          the root tree to pack, e.g. `DESTDIR=DIR cmake --install build-aarch64
#                       --prefix /usr --component terminal --strip` (make bundle); it is copied,
#                       never modified
#   --compatible STRING the board, RAUC's compatible= (letters, digits, space and . _ : + -);
#                       a terminal installs the bundle only if its /etc/rauc/system.conf says
#                       the same
#   --version VERSION   the project's version (project() in CMakeLists.txt) with an optional
#                       build suffix: 0.1.0, 0.1.0+ci.42, 0.1.1~rc1 (a Debian version: the
#                       bundle's hook compares it with dpkg against the running one)
#   --cert, --key PEM   the signing certificate and its private key (keys/dev/ for development)
#   --keyring CA.pem    when given, the finished bundle is checked with `rauc info --keyring`
#                       against it: the terminals' keyring, so a wrong key fails here, not there
#   --format            verity (the default) or plain, for test systems whose kernel has no
#                       dm-verity (RAUC installs a verity bundle through device-mapper)
#   --output FILE       where the bundle goes (.raucb; replaced if it exists, only once the new
#                       one is complete)
#
# What goes in: the tree as a squashfs image for the slot class rootfs (every file owned by root),
# with /usr/share/loyalty/version set to VERSION, which the hook reads on the running terminal;
# the manifest (manifest.raucm.in) and the install-check hook (hook.sh). Exit status 0 when the
# bundle is written (and verified), 2 for a bad argument, 1 when a tool fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly version_path=usr/share/loyalty/version

usage() {
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "  (build-bundle.sh --help for what each option means)" >&2
}
bad_argument() {
  echo "build-bundle: $*" >&2
  exit 2
}
fail() {
  echo "build-bundle: $*" >&2
  exit 1
}

tree="" compatible="" version="" cert="" key="" keyring="" output="" format=verity
while (($# > 0)); do
  case "$1" in
    -h | --help)
      sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    --tree | --compatible | --version | --cert | --key | --keyring | --output | --format)
      (($# >= 2)) || bad_argument "$1 needs a value (build-bundle.sh --help)"
      case "$1" in
        --tree) tree="$2" ;;
        --compatible) compatible="$2" ;;
        --version) version="$2" ;;
        --cert) cert="$2" ;;
        --key) key="$2" ;;
        --keyring) keyring="$2" ;;
        --output) output="$2" ;;
        --format) format="$2" ;;
      esac
      shift 2
      ;;
    *)
      usage
      bad_argument "unknown argument '$1'"
      ;;
  esac
done

# --- The arguments -------------------------------------------------------------------------------

missing=()
for name in tree compatible version cert key output; do
  [[ -n "${!name}" ]] || missing+=("--$name")
done
if ((${#missing[@]} > 0)); then
  usage
  bad_argument "missing ${missing[*]}"
fi

[[ -d "$tree" ]] || bad_argument "--tree $tree: no such directory (an install tree: DESTDIR=DIR" \
  "cmake --install <build> --prefix /usr)"
[[ -d "$tree/usr" ]] || bad_argument "--tree $tree: holds no usr/, so it is no root tree; give" \
  "the directory DESTDIR pointed at, not its usr/"

# GKeyFile reads a backslash as an escape and a line ends the value: the characters board names
# need, and no others, so what the terminal compares is exactly what was given here.
[[ "$compatible" =~ ^[A-Za-z0-9]([A-Za-z0-9\ ._:+-]*[A-Za-z0-9])?$ ]] ||
  bad_argument "--compatible '$compatible': use letters, digits, space and . _ : + - (not at" \
    "either end), e.g. loyalty-terminal-aarch64"

# A Debian version without epoch or spaces: what dpkg --compare-versions compares on the terminal.
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] ||
  bad_argument "--version '$version': use the project's version with an optional build suffix," \
    "digits first and only letters, digits and . + ~ - (0.1.0, 0.1.0+ci.42, 0.1.1~rc1)"

case "$format" in
  verity | plain) ;;
  *) bad_argument "--format '$format': verity (terminals) or plain (systems without dm-verity)" ;;
esac

[[ "$output" == *.raucb ]] || bad_argument "--output $output: RAUC wants the name to end in .raucb"
output_dir=$(dirname -- "$output")
[[ -d "$output_dir" ]] || bad_argument "--output $output: the directory $output_dir does not" \
  "exist; create it first"

for tool in rauc:rauc mksquashfs:squashfs-tools openssl:openssl dpkg:dpkg; do
  command -v "${tool%%:*}" >/dev/null ||
    fail "${tool%%:*} is not installed: apt-get install ${tool#*:} (scripts/install-deps.sh)"
done
dpkg --validate-version -- "$version" 2>/dev/null ||
  bad_argument "--version '$version': dpkg does not take it as a version" \
    "($(dpkg --validate-version -- "$version" 2>&1 | head -n 1))"

for name in cert key keyring; do
  file="${!name}"
  [[ -z "$file" || (-f "$file" && -r "$file") ]] ||
    bad_argument "--$name $file: no such readable file"
done
cert_key=$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null) ||
  bad_argument "--cert $cert: not a PEM certificate (openssl x509 cannot read it)"
# A key with a passphrase: RAUC reads it from RAUC_KEY_PASSPHRASE, and so does this check.
passphrase=()
[[ -z "${RAUC_KEY_PASSPHRASE+set}" ]] || passphrase=(-passin env:RAUC_KEY_PASSPHRASE)
key_key=$(openssl pkey -in "$key" "${passphrase[@]}" -pubout 2>/dev/null </dev/null) ||
  bad_argument "--key $key: not a PEM private key that opens without a passphrase (or with" \
    "RAUC_KEY_PASSPHRASE); openssl pkey cannot read it"
[[ "$cert_key" == "$key_key" ]] || bad_argument "--key $key is not the private key of --cert" \
  "$cert: give the key the certificate was issued for"
if [[ -n "$keyring" ]]; then
  openssl x509 -in "$keyring" -noout 2>/dev/null ||
    bad_argument "--keyring $keyring: not a PEM certificate (the CA the terminals trust)"
fi

# A terminal booted from an image without RAUC's configuration cannot install the next bundle.
if [[ ! -f "$tree/etc/rauc/system.conf" || ! -f "$tree/etc/rauc/keyring.pem" ]]; then
  echo "build-bundle: note: $tree has no etc/rauc/system.conf and keyring.pem: a terminal booted" \
       "from this image cannot install further bundles (firmware/bundle/README.md, \"On the" \
       "terminal\")" >&2
fi

# --- The bundle ----------------------------------------------------------------------------------

# Work beside the output: the staged tree is as large as the tree, too large for a tmpfs /tmp,
# and the finished bundle is moved into place by a rename on the same filesystem.
work=$(mktemp -d "$output_dir/.build-bundle.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
mkdir "$work/content" "$work/rootfs"

# The tree is copied so that the version file can be set without touching the caller's tree.
cp -a -- "$tree/." "$work/rootfs/" || fail "copying $tree failed (above)"
if [[ -f "$work/rootfs/$version_path" ]] &&
  [[ "$(head -n 1 -- "$work/rootfs/$version_path")" != "$version" ]]; then
  echo "build-bundle: note: $tree/$version_path says" \
       "'$(head -n 1 -- "$work/rootfs/$version_path")'; the image gets '$version'" >&2
fi
rm -f -- "$work/rootfs/$version_path"
install -d -m 0755 "$work/rootfs/$(dirname "$version_path")"
printf '%s\n' "$version" >"$work/rootfs/$version_path"
chmod 0644 "$work/rootfs/$version_path"

# -all-root: the image's files belong to root whoever built the tree (the programs' users come
# from sysusers.d at boot). mksquashfs honours SOURCE_DATE_EPOCH for reproducible images.
if ! mksquashfs "$work/rootfs" "$work/content/rootfs.img" -all-root -noappend -quiet \
  -no-progress >"$work/mksquashfs.log" 2>&1; then
  cat "$work/mksquashfs.log" >&2
  fail "mksquashfs of $tree failed (above)"
fi
rm -rf -- "$work/rootfs"

template=$(<"$here/manifest.raucm.in")
manifest="${template//@COMPATIBLE@/"$compatible"}"
manifest="${manifest//@VERSION@/"$version"}"
manifest="${manifest//@FORMAT@/"$format"}"
printf '%s\n' "$manifest" >"$work/content/manifest.raucm"
install -m 0755 "$here/hook.sh" "$work/content/hook.sh"

# rauc bundle rewrites the manifest in the content directory (checksums): a scratch copy.
signing=(--cert="$cert" --key="$key")
[[ -z "$keyring" ]] || signing+=(--keyring="$keyring")
if ! rauc bundle "${signing[@]}" "$work/content" "$work/bundle.raucb" >"$work/rauc.log" 2>&1; then
  cat "$work/rauc.log" >&2
  if [[ -n "$keyring" ]] && grep -q "signature verification failed" "$work/rauc.log"; then
    fail "the signature does not verify against --keyring $keyring (above): --cert $cert is not" \
         "issued by that CA; sign with a certificate of the terminals' CA, or give its keyring"
  fi
  fail "rauc bundle failed (above)"
fi

# The finished bundle as a terminal sees it: signature against the keyring, and the manifest's
# board, version and hook as asked (rauc 1.8 reports no format in its shell output).
if [[ -n "$keyring" ]]; then
  if ! rauc info --keyring="$keyring" --output-format=shell "$work/bundle.raucb" \
    >"$work/info.sh" 2>"$work/info.log"; then
    cat "$work/info.log" >&2
    fail "rauc info --keyring $keyring refuses the new bundle (above): sign with a certificate" \
         "issued by the CA in $keyring"
  fi
  declare -A want=([RAUC_MF_COMPATIBLE]="$compatible" [RAUC_MF_VERSION]="$version"
                   [RAUC_MF_HOOKS]="install-check")
  for variable in "${!want[@]}"; do
    found=$(bash -c '. "$1" && printf "%s" "${!2}"' _ "$work/info.sh" "$variable")
    [[ "$found" == "${want[$variable]}" ]] ||
      fail "rauc info reads $variable='$found' from the new bundle, not '${want[$variable]}'"
  done
  grep -E "Verified (inline|detached) signature" "$work/info.log" |
    sed 's/^.*: Verified/verified:/' || true
fi

mv -f -- "$work/bundle.raucb" "$output"
echo "bundle: $output ($format, compatible '$compatible', version $version," \
     "$(stat -c %s -- "$output") bytes)"
