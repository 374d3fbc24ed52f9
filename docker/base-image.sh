#!/usr/bin/env bash
# Build a local stand-in for python:3.11-slim from Debian packages, for
# machines that reach a Debian mirror and a Python package index but no image
# registry (CI here):  docker/base-image.sh [TAG]   (as root; default TAG below)
#
# debootstrap (minbase bookworm, from the mirror apt already uses) with
# Debian's python3 and a venv first on PATH, so `python` and `pip` behave as in
# the official image, then `docker import`. The machine's extra CA
# certificates and the pip settings that reach its package index are copied
# into the image, because the image build runs pip behind the same network.
# They belong to this machine: they go into this local image, never the repo.
# Then:  docker build --build-arg BASE_IMAGE=TAG -f docker/Dockerfile .
set -euo pipefail

TAG=${1:-failover-base:bookworm}
VENV=/opt/python
export DEBIAN_FRONTEND=noninteractive

# The first URI apt uses for bookworm itself: deb822 *.sources stanzas, or
# one-line "deb URI bookworm ..." entries.
mirror() {
    local files=() f
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
        [ -f "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk '
        function found() { if (uri != "" && bookworm) { print uri; exit } }
        FNR == 1 || /^[ \t]*$/ { uri = ""; bookworm = 0 }
        /^URIs:/ { uri = $2; found() }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") bookworm = 1; found() }
        /^deb[ \t]/ { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == "bookworm") { print $2; exit } }
    ' "${files[@]}"
}

# pip's settings on this machine that say how to reach a package index over
# the network (file:// indexes and local paths mean nothing in the image);
# pip verifies TLS with the image's CA bundle, which includes the extra CAs.
pip_conf() {
    echo "[global]"
    echo "cert = /etc/ssl/certs/ca-certificates.crt"
    command -v pip3 >/dev/null || return 0
    pip3 config list 2>/dev/null | awk -F= '
        {
            key = $1; sub(/^[^.]*\./, "", key)
            value = substr($0, length($1) + 2); gsub(/^'\''|'\''$/, "", value)
        }
        key ~ /^(index-url|extra-index-url)$/ {
            kept = ""
            n = split(value, urls, /[ \t]+/)
            for (i = 1; i <= n; i++) if (urls[i] ~ /^https?:\/\//) kept = kept " " urls[i]
            if (kept != "") print key " =" kept
        }
        key ~ /^(trusted-host|proxy|timeout|default-timeout|retries)$/ { print key " = " value }
    ' | sort -u -t= -k1,1
}

url=$(mirror)
[ -n "$url" ] || { echo "base-image: no bookworm mirror in /etc/apt/sources.list.d/" >&2; exit 1; }

root=$(mktemp -d /var/tmp/failover-base.XXXXXX)
trap 'rm -rf "$root"' EXIT

echo "base-image: debootstrap bookworm from $url"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" "$url" >"$root.log" 2>&1 || { cat "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

shopt -s nullglob
certs=(/usr/local/share/ca-certificates/*.crt)
if [ ${#certs[@]} -gt 0 ]; then
    cp "${certs[@]}" "$root/usr/local/share/ca-certificates/"
fi
chroot "$root" update-ca-certificates >/dev/null 2>&1
chroot "$root" python3 -m venv "$VENV"
pip_conf >"$root/etc/pip.conf"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

echo "base-image: importing as $TAG"
tar --numeric-owner --xattrs -C "$root" -c . | docker import \
    --change "ENV PATH=$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change 'CMD ["python3"]' \
    - "$TAG" >/dev/null
