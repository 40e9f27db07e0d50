#!/usr/bin/python3
"""Signed RAUC bundles of firmware/bundle/build-bundle.sh: built, inspected and refused exactly.

    bundle_verification_test.py SOURCE_DIR WORK_DIR VERSION CMAKE BUILD_DIR

WORK_DIR is emptied first. The tree packed is this build's terminal, installed as a terminal image
is (`cmake --install BUILD_DIR --prefix /usr --component terminal --strip` into a DESTDIR).

1. The recipe's arguments: each mistake is refused with exit 2 and its message, and nothing is
   written.
2. A bundle signed with the development key (keys/dev/), verity format: the recipe verifies it
   against the development CA; `rauc info --keyring` accepts it with exactly the board, version
   (with a build suffix), hook and image asked for; `rauc extract` gives the manifest, the hook
   (byte for byte firmware/bundle/hook.sh, mode 0755) and a squashfs that holds the tree and
   /usr/share/loyalty/version, every file owned by root.
3. Tampered bundles. A verity bundle's signature covers the manifest and the root hash of its
   payload's hash tree, and RAUC checks the payload against that tree as it reads it (dm-verity
   on a terminal), which is why `rauc info` reads no payload: `rauc extract` reads all of it and
   must refuse changed payload bytes ("bundle payload is corrupted"); a changed manifest (the
   version relabelled inside the signature) is refused by `rauc info`. A plain bundle's
   signature covers the whole file: `rauc info` refuses changed payload bytes ("signature
   verification failed"), and so does a real `rauc install` (tests/firmware/bundle/
   rauc_harness.py), which leaves the slots untouched. There, too, a user other than root is
   refused by the terminal's D-Bus policy for RAUC.
4. Another chain: a CA and signer made here with openssl. Its bundle is refused by `rauc info
   --keyring` of the development CA ("unable to get local issuer certificate") and by `rauc
   install` on a terminal trusting that CA; and the recipe, given that keyring for that signer,
   fails and writes nothing.

The install checks need root and loop devices (install_blocker()); without them they are
reported as not run, and the rest still runs. Every failed check is listed; exit status 1 if any.
"""

import filecmp
import os
import re
import shutil
import stat
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rauc_harness  # noqa: E402
from checks import check, finish, run  # noqa: E402

source_dir, work_dir, project_version, cmake, build_dir = sys.argv[1:6]
recipe = os.path.join(source_dir, "firmware", "bundle", "build-bundle.sh")
hook = os.path.join(source_dir, "firmware", "bundle", "hook.sh")
dev_keys = os.path.join(source_dir, "firmware", "bundle", "keys", "dev")
dev_ca = os.path.join(dev_keys, "ca.cert.pem")
dev_cert = os.path.join(dev_keys, "signer.cert.pem")
dev_key = os.path.join(dev_keys, "signer.key.pem")
dev_signer = ("O = Loyalty DEVELOPMENT ONLY, "
              "CN = Loyalty development bundle signer - not for production")
board = "loyalty-terminal-test"
version = f"{project_version}+test.1"





def build(output, *, tree, cert=dev_cert, key=dev_key, keyring=dev_ca, fmt="verity"):
    return rauc_harness.build_bundle(tree, output, compatible=board, version=version, fmt=fmt,
                                     cert=cert, key=key, keyring=keyring)


shutil.rmtree(work_dir, ignore_errors=True)
os.makedirs(work_dir)
tree = os.path.join(work_dir, "tree")
installed = rauc_harness.install_terminal(cmake, build_dir, tree)
if not check(installed.returncode == 0 and os.path.isfile(os.path.join(tree, "usr/bin/loyaltyd")),
             f"cmake --install of {build_dir} into {tree} failed (exit {installed.returncode}):\n"
             f"{installed.stdout}{installed.stderr}"):
    finish()

# --- 1. The recipe's arguments --------------------------------------------------------------------

out = os.path.join(work_dir, "bad.raucb")
other_tree = os.path.join(work_dir, "no-such-tree")
bad_arguments = [
    ([], "build-bundle: missing --tree --compatible --version --cert --key --output"),
    (["--tree", tree, "--compatible", board, "--version", version, "--cert", dev_cert, "--key",
      dev_key, "--output", out, "--sign"], "build-bundle: unknown argument '--sign'"),
    (["--tree", other_tree, "--compatible", board, "--version", version, "--cert", dev_cert,
      "--key", dev_key, "--output", out],
     f"build-bundle: --tree {other_tree}: no such directory (an install tree: DESTDIR=DIR cmake "
     "--install <build> --prefix /usr)"),
    (["--tree", os.path.join(tree, "usr"), "--compatible", board, "--version", version, "--cert",
      dev_cert, "--key", dev_key, "--output", out],
     f"build-bundle: --tree {tree}/usr: holds no usr/, so it is no root tree; give the directory "
     "DESTDIR pointed at, not its usr/"),
    (["--tree", tree, "--compatible", "board\\x", "--version", version, "--cert", dev_cert,
      "--key", dev_key, "--output", out],
     "build-bundle: --compatible 'board\\x': use letters, digits, space and . _ : + - (not at "
     "either end), e.g. loyalty-terminal-aarch64"),
    (["--tree", tree, "--compatible", board, "--version", "0.1 beta", "--cert", dev_cert, "--key",
      dev_key, "--output", out],
     "build-bundle: --version '0.1 beta': use the project's version with an optional build "
     "suffix, digits first and only letters, digits and . + ~ - (0.1.0, 0.1.0+ci.42, 0.1.1~rc1)"),
    (["--tree", tree, "--compatible", board, "--version", version, "--cert", dev_cert, "--key",
      dev_key, "--output", out, "--format", "casync"],
     "build-bundle: --format 'casync': verity (terminals) or plain (systems without dm-verity)"),
    (["--tree", tree, "--compatible", board, "--version", version, "--cert", dev_cert, "--key",
      dev_key, "--output", os.path.join(work_dir, "bundle.img")],
     f"build-bundle: --output {work_dir}/bundle.img: RAUC wants the name to end in .raucb"),
    (["--tree", tree, "--compatible", board, "--version", version, "--cert", dev_cert, "--key",
      dev_ca, "--output", out],
     f"build-bundle: --key {dev_ca}: not a PEM private key that opens without a passphrase (or "
     "with RAUC_KEY_PASSPHRASE); openssl pkey cannot read it"),
    (["--tree", tree, "--compatible", board, "--version", version, "--cert", dev_cert, "--key",
      os.path.join(dev_keys, "ca.key.pem"), "--output", out],
     f"build-bundle: --key {dev_keys}/ca.key.pem is not the private key of --cert {dev_cert}: give "
     "the key the certificate was issued for"),
]
for args, message in bad_arguments:
    refused = run(["bash", recipe, *args])
    check(refused.returncode == 2 and message in refused.stderr.splitlines(),
          f"build-bundle.sh {' '.join(args)}: exit {refused.returncode}, expected 2 with\n"
          f"    {message}\n  got stderr:\n{refused.stderr}")
check(not os.path.exists(out), f"a refused build-bundle.sh left {out}")

# --- 2. A good bundle -----------------------------------------------------------------------------

good = os.path.join(work_dir, "good.raucb")
built = build(good, tree=tree)
check(built.returncode == 0 and built.stdout.splitlines() == [
    f"verified: inline signature by '{dev_signer}'",
    f"bundle: {good} (verity, compatible '{board}', version {version}, "
    f"{os.path.getsize(good) if os.path.exists(good) else '?'} bytes)"],
      f"build-bundle.sh of the good bundle: exit {built.returncode}\n{built.stdout}{built.stderr}")
check(not [name for name in os.listdir(work_dir) if name.startswith(".build-bundle.")],
      f"build-bundle.sh left its scratch directory in {work_dir}")

info = run(["rauc", "info", f"--keyring={dev_ca}", "--output-format=shell", good])
check(info.returncode == 0 and f"Verified inline signature by '{dev_signer}'" in info.stderr,
      f"rauc info --keyring {dev_ca} of the good bundle: exit {info.returncode}\n{info.stderr}")
fields = dict(re.findall(r"^(RAUC_\w+)=(.*)$", info.stdout, re.MULTILINE))
for name, want in [("RAUC_MF_COMPATIBLE", f"'{board}'"), ("RAUC_MF_VERSION", f"'{version}'"),
                   ("RAUC_MF_HOOKS", "'install-check'"), ("RAUC_MF_IMAGES", "1"),
                   ("RAUC_IMAGE_NAME_0", "'rootfs.img'"), ("RAUC_IMAGE_CLASS_0", "'rootfs'")]:
    check(fields.get(name) == want, f"rauc info: {name}={fields.get(name)}, expected {want}")
readable = run(["rauc", "info", f"--keyring={dev_ca}", good])
check("Bundle Format: \tverity" in readable.stdout,
      f"rauc info does not report the verity format:\n{readable.stdout}")

extracted = os.path.join(work_dir, "extracted")
unpacked = run(["rauc", "extract", f"--keyring={dev_ca}", good, extracted])
check(unpacked.returncode == 0, f"rauc extract of the good bundle: exit {unpacked.returncode}\n"
      f"{unpacked.stderr}")
if os.path.isdir(extracted):
    names = sorted(os.listdir(extracted))
    check(names == ["hook.sh", "manifest.raucm", "rootfs.img"],
          f"the bundle holds {names}, expected hook.sh, manifest.raucm, rootfs.img")
    bundled_hook = os.path.join(extracted, "hook.sh")
    check(os.path.isfile(bundled_hook) and filecmp.cmp(bundled_hook, hook, shallow=False)
          and stat.S_IMODE(os.stat(bundled_hook).st_mode) == 0o755,
          "the bundle's hook.sh is not firmware/bundle/hook.sh with mode 0755")
    image_root = os.path.join(work_dir, "image")
    squash = run(["unsquashfs", "-q", "-n", "-d", image_root,
                  os.path.join(extracted, "rootfs.img")])
    check(squash.returncode == 0, f"unsquashfs of the bundle's rootfs.img: {squash.stderr}")
    listing = run(["unsquashfs", "-lls", os.path.join(extracted, "rootfs.img")]).stdout
    owners = {line.split()[1] for line in listing.splitlines()[1:] if line.split()}
    check(owners == {"root/root"}, f"the image's files are owned by {sorted(owners)}, not root")

    def contents(root):
        found = {}
        for directory, dirs, files in os.walk(root):
            for name in dirs + files:
                full = os.path.join(directory, name)
                found[os.path.relpath(full, root)] = stat.S_IMODE(os.lstat(full).st_mode)
        return found

    want = contents(tree)
    want.setdefault("usr/share/loyalty", 0o755)
    want["usr/share/loyalty/version"] = 0o644
    got = contents(image_root) if os.path.isdir(image_root) else {}
    check(got == want, "the image is not the tree plus usr/share/loyalty/version: "
          f"missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}, modes "
          f"{sorted(p for p in set(got) & set(want) if got[p] != want[p])}")
    for path in want:
        full = os.path.join(tree, path)
        if path != "usr/share/loyalty/version" and os.path.isfile(full):
            check(filecmp.cmp(full, os.path.join(image_root, path), shallow=False),
                  f"the image's /{path} differs from the tree's")
    version_file = os.path.join(image_root, "usr/share/loyalty/version")
    check(os.path.isfile(version_file) and open(version_file).read() == version + "\n",
          f"the image's /usr/share/loyalty/version is not '{version}\\n'")
check(not os.path.exists(os.path.join(tree, "usr/share/loyalty/version")),
      "build-bundle.sh wrote the version file into the caller's tree")

# --- 3. Tampered bundles --------------------------------------------------------------------------


def flip(source, target, offset):
    shutil.copyfile(source, target)
    with open(target, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0xFF]))


def signature_span(bundle):
    """(start, end) of the CMS signature: a bundle ends with it and its size (8 bytes, BE)."""
    size = os.path.getsize(bundle)
    with open(bundle, "rb") as file:
        file.seek(size - 8)
        signature_size = struct.unpack(">Q", file.read(8))[0]
    return size - 8 - signature_size, size - 8


def payload_middle(bundle, verity_size):
    # Payload (squashfs), then (verity only) its hash tree, then the signature.
    return (signature_span(bundle)[0] - verity_size) // 2


verity_size = int(re.search(r"Verity Size: \t(\d+)", readable.stdout).group(1)) \
    if "Verity Size: \t" in readable.stdout else 0
tampered = os.path.join(work_dir, "tampered-payload.raucb")
flip(good, tampered, payload_middle(good, verity_size))
extract = run(["rauc", "extract", f"--keyring={dev_ca}", tampered,
               os.path.join(work_dir, "tampered-extracted")])
check(extract.returncode == 1 and "Verification of data area failed." in extract.stderr
      and "Failed to extract bundle: bundle payload is corrupted" in extract.stderr,
      f"rauc extract of a verity bundle with changed payload bytes: exit {extract.returncode}\n"
      f"{extract.stderr}")

# The signed manifest travels inside the signature: relabelling the version (an attacker's way
# past the hook) breaks the signature.
relabelled = os.path.join(work_dir, "relabelled.raucb")
start, end = signature_span(good)
with open(good, "rb") as file:
    at = file.read().find(f"version={version}\n".encode(), start, end)
if check(at >= 0, f"the manifest's version={version} is not in the signature of {good}"):
    shutil.copyfile(good, relabelled)
    with open(relabelled, "r+b") as file:
        file.seek(at + len("version="))
        file.write(b"9")
    refused = run(["rauc", "info", f"--keyring={dev_ca}", relabelled])
    check(refused.returncode == 1 and re.search(
        r"^signature verification failed: .*CMS routines::verification failure$", refused.stderr,
        re.MULTILINE),
          f"rauc info of a verity bundle whose signed manifest says another version: exit "
          f"{refused.returncode}\n{refused.stderr}")

plain = os.path.join(work_dir, "plain.raucb")
built = build(plain, tree=tree, fmt="plain")
check(built.returncode == 0, f"build-bundle.sh --format plain: {built.stdout}{built.stderr}")
tampered_plain = os.path.join(work_dir, "tampered-plain.raucb")
flip(plain, tampered_plain, payload_middle(plain, 0))
refused = run(["rauc", "info", f"--keyring={dev_ca}", tampered_plain])
check(refused.returncode == 1 and re.search(
    r"^signature verification failed: .*CMS routines::verification failure$", refused.stderr,
    re.MULTILINE),
      f"rauc info of a plain bundle with changed payload bytes: exit {refused.returncode}\n"
      f"{refused.stderr}")

# --- 4. Another chain -----------------------------------------------------------------------------

other = os.path.join(work_dir, "other-chain")
os.makedirs(other)
other_ca, other_cert, other_key = (os.path.join(other, name) for name in
                                   ("ca.cert.pem", "signer.cert.pem", "signer.key.pem"))
ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-sha256"]
for args in (
        ["openssl", "req", "-x509", *ec, "-days", "30",
         "-keyout", os.path.join(other, "ca.key.pem"), "-out", other_ca,
         "-subj", "/O=Someone else/CN=Another bundle CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign"],
        ["openssl", "req", "-new", *ec, "-keyout", other_key, "-out",
         os.path.join(other, "signer.csr.pem"), "-subj", "/O=Someone else/CN=Another signer"],
        ["openssl", "x509", "-req", "-in", os.path.join(other, "signer.csr.pem"), "-CA", other_ca,
         "-CAkey", os.path.join(other, "ca.key.pem"), "-days", "30", "-set_serial", "7",
         "-extfile", os.path.join(source_dir, "firmware/bundle/keys/signer.cnf"),
         "-out", other_cert]):
    made = run(args)
    if not check(made.returncode == 0, f"{' '.join(args)}: {made.stderr}"):
        finish()

foreign = os.path.join(work_dir, "foreign.raucb")
built = build(foreign, tree=tree, cert=other_cert, key=other_key, keyring=other_ca)
check(built.returncode == 0, f"build-bundle.sh with the other chain's own keyring: exit "
      f"{built.returncode}\n{built.stdout}{built.stderr}")
refused = run(["rauc", "info", f"--keyring={dev_ca}", foreign])
check(refused.returncode == 1 and "signature verification failed: Verify error: unable to get "
      "local issuer certificate" in refused.stderr.splitlines(),
      f"rauc info --keyring <development CA> of the other chain's bundle: exit "
      f"{refused.returncode}\n{refused.stderr}")

mismatched = os.path.join(work_dir, "mismatched.raucb")
built = build(mismatched, tree=tree, cert=other_cert, key=other_key, keyring=dev_ca)
check(built.returncode == 1 and (
    f"build-bundle: the signature does not verify against --keyring {dev_ca} (above): --cert "
    f"{other_cert} is not issued by that CA; sign with a certificate of the terminals' CA, or give "
    "its keyring") in built.stderr.splitlines() and not os.path.exists(mismatched),
      f"build-bundle.sh signing with another chain against the development keyring: exit "
      f"{built.returncode}, {'wrote' if os.path.exists(mismatched) else 'no'} bundle\n"
      f"{built.stderr}")

# --- 3 and 4 on a terminal: a real rauc install ---------------------------------------------------

blocker = rauc_harness.install_blocker()
if blocker:
    print(f"note: rauc install not run ({blocker})")
else:
    foreign_plain = os.path.join(work_dir, "foreign-plain.raucb")
    built = build(foreign_plain, tree=tree, cert=other_cert, key=other_key, keyring=other_ca,
                  fmt="plain")
    check(built.returncode == 0, f"build-bundle.sh --format plain, other chain: {built.stderr}")
    with rauc_harness.TestSystem(os.path.join(work_dir, "terminal"), compatible=board,
                                 keyring=dev_ca, factory_version=project_version) as terminal:
        before = (terminal.slot_sha256("A"), terminal.slot_sha256("B"))
        for bundle, what, error in [
                (tampered_plain, "a plain bundle with changed payload bytes",
                 r"signature verification failed: .*CMS routines::verification failure"),
                (foreign_plain, "a bundle of another chain",
                 r"signature verification failed: Verify error: unable to get local issuer "
                 r"certificate")]:
            result = terminal.install(bundle)
            check(result.returncode == 1 and re.fullmatch(error, result.last_error)
                  and f"Installing `{bundle}` failed" in result.output,
                  f"rauc install of {what}: {result}")
        check((terminal.slot_sha256("A"), terminal.slot_sha256("B")) == before
              and terminal.primary() == "A" and terminal.boot_state("B") == "bad"
              and terminal.bootloader_calls() == [],
              "a refused rauc install touched a slot or the boot state: "
              f"{terminal.bootloader_calls()}")
        # The terminal's D-Bus policy (firmware/bundle/board/de.pengutronix.rauc.conf): only
        # root may ask RAUC for anything, so loyaltyd's user can neither install nor mark.
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        for args, member in [(["install", plain], "InstallBundle"),
                             (["status", "mark-good"], "GetPrimary")]:
            denied = run(nobody + ["rauc", *args], env=terminal.env)
            check(denied.returncode != 0 and re.search(
                r"Rejected send message, 1 matched rules; type=\"method_call\", sender=\S+ "
                rf"\(uid=65534 [^)]*\) interface=\"de\.pengutronix\.rauc\.Installer\" "
                rf"member=\"{member}\"", denied.stderr),
                  f"rauc {' '.join(args)} as uid 65534: exit {denied.returncode}\n{denied.stderr}")
        check(terminal.bootloader_calls() == [], "a refused caller reached the bootloader: "
              f"{terminal.bootloader_calls()}")
        result = terminal.install(plain)
        check(result.ok and terminal.slot_version("B") == version,
              f"rauc install of the good plain bundle: {result}")
    print(f"note: rauc install ran ({rauc_harness.install_format()} bundles install here)")

finish()
print(f"ok: {os.path.basename(good)}: arguments, contents, signature, tampered and foreign bundles")
