#!/usr/bin/env bash
# Runs a command with a devpts instance of its own, so that the pseudo-terminals it opens (the
# replayed serial readers of the till-day demo and of the panel's browser test) are seen by no
# other process of the machine.
#
# Why: on the sandboxed virtual machines this project is built on, another process outside the
# job reads from the machine's shared /dev/pts now and then, and a byte written to a pty master
# can then vanish before the reader on the slave sees it (measured: 2 of 8 writes lost after an
# idle spell on the shared devpts, 0 of 17 on a private one). A real serial reader has no such
# neighbour. docs/loyaltyd.md ("Testing readers") has the details.
#
# Needs root (a mount namespace); anywhere else the command runs as it is, on the shared devpts.
set -euo pipefail

if [[ ${LOYALTY_PRIVATE_PTYS:-} != inside && $EUID -eq 0 ]] && command -v unshare >/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
  exec unshare --mount --propagation private env LOYALTY_PRIVATE_PTYS=inside "$0" "$@"
fi
if [[ ${LOYALTY_PRIVATE_PTYS:-} == inside ]]; then
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
  mount --bind /dev/pts/ptmx /dev/ptmx
fi
exec "$@"
