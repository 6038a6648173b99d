#!/usr/bin/env bash
# make package-test: install the Debian package on a clean Debian 12 (bookworm) and run it.
#
#   packaging/package-test.sh PATH/TO/Stillpoint_VERSION_amd64.deb
#   packaging/package-test.sh --prepare      (only make the cached base system)
#
# A minimal bookworm (debootstrap --variant=minbase, cached as a tarball under
# .cache/package-test/, with the .debs apt fetches kept beside it, so a second run downloads
# almost nothing) is unpacked into a temporary folder. Inside it, as root, `apt install
# ./the.deb` must pull in everything the app needs; then, as an ordinary user (`clinic`),
# the app is started from /usr/bin/stillpoint under Xvfb through tauri-driver and
# WebKitWebDriver (installed in the chroot only after the package's own dependencies were
# checked), the first-run screen is read, a screenshot taken and a clinic set up; then
# `apt remove stillpoint` must leave the user's data folder as it was.
#
# Runs as root (debootstrap, chroot and mounts need it). Everything is mounted in a mount
# namespace of its own, and unmounted by the trap on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$here/.." && pwd)
cache=${PACKAGE_TEST_CACHE:-$root_dir/.cache/package-test}
artifacts=$root_dir/packaging/.artifacts
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
base=$cache/$suite-minbase.tar
tauri_driver=${TAURI_DRIVER:-$root_dir/.tools/bin/tauri-driver}
user=clinic
uid=1000

say() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, chroot and mount need it): sudo make package-test"

# A mount namespace of our own: whatever happens, no mount outlives the script.
if [ -z "${STILLPOINT_PACKAGE_TEST_NS:-}" ]; then
  export STILLPOINT_PACKAGE_TEST_NS=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi

make_base() {
  [ -s "$base" ] && return 0
  say "Making the base system: debootstrap --variant=minbase $suite (cached as $base)"
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$suite" "$tmp/root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; rm -rf --one-file-system "$tmp"; fail "debootstrap (log: $cache/debootstrap.log)"; }
  rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*_Packages
  tar -C "$tmp/root" --numeric-owner -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf --one-file-system "$tmp"
}

if [ "${1:-}" = --prepare ]; then
  make_base
  exit 0
fi

deb=${1:?usage: packaging/package-test.sh PATH/TO/Stillpoint_VERSION_amd64.deb}
deb=$(realpath "$deb")
[ -s "$deb" ] || fail "no package at $deb: run make package first"
[ -x "$tauri_driver" ] || fail "no tauri-driver at $tauri_driver (make package-test installs it)"
command -v xvfb-run >/dev/null && command -v import >/dev/null || fail "xvfb-run and import (imagemagick) are needed"

make_base

work=$(mktemp -d /tmp/stillpoint-package-test.XXXXXX)
R=$work/root
mkdir -p "$R" "$cache/apt-archives/partial" "$artifacts"

# The processes running inside the chroot (all started by this test: their root is $R).
in_chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
  done
  return 0
}

# Give them `wait` seconds to end by themselves, then SIGTERM, then SIGKILL.
stop_chroot_processes() {
  local wait=${1:-0} i pids
  for ((i = 0; i < wait; i++)); do
    [ -z "$(in_chroot_pids)" ] && return 0
    sleep 1
  done
  pids=$(in_chroot_pids)
  [ -z "$pids" ] && return 0
  echo "  stopping what still runs in the chroot: $(for p in $pids; do tr -d '\0' <"/proc/$p/comm" 2>/dev/null; printf ' '; done)"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  for ((i = 0; i < 10; i++)); do
    [ -z "$(in_chroot_pids)" ] && return 0
    sleep 1
  done
  pids=$(in_chroot_pids)
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  return 0
}

cleanup() {
  local rc=$?
  set +e
  stop_chroot_processes 0
  # Unmount deepest first.
  findmnt -rn -o TARGET | grep -F "$R/" | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
  if findmnt -rn -o TARGET | grep -qF "$R/"; then
    echo "Some mounts under $R are still there; $work is left in place." >&2
  else
    rm -rf --one-file-system "$work"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Unpacking the base system into $R"
tar -C "$R" --numeric-owner -xf "$base"

# The kernel's file systems, and a /dev of the chroot's own (no bind of the host's /dev).
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys" 2>/dev/null || mount --bind -o ro /sys "$R/sys"
mount -t tmpfs -o mode=0755,nosuid dev "$R/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$node"
  mknod -m 0666 "$R/dev/$name" c "$major" "$minor"
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
ln -s /proc/self/fd "$R/dev/fd"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$R/tmp"
mount --bind "$cache/apt-archives" "$R/var/cache/apt/archives"

cp /etc/resolv.conf "$R/etc/resolv.conf"
cat >"$R/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
# Keep the fetched .debs (the cache folder above) for the next run.
echo 'APT::Keep-Downloaded-Packages "true"; Binary::apt::APT::Keep-Downloaded-Packages "true";' \
  >"$R/etc/apt/apt.conf.d/90keep-debs"

in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

say "apt-get update (inside the chroot)"
in_root apt-get update -qq

say "apt install ./$(basename "$deb") on a system that has none of its dependencies"
in_root dpkg-query -W -f='${Status}\n' libwebkit2gtk-4.1-0 2>/dev/null | grep -q "ok installed" &&
  fail "the base system already has libwebkit2gtk-4.1-0; the test would prove nothing"
cp "$deb" "$R/tmp/"
in_root apt-get install -y --no-install-recommends "./tmp/$(basename "$deb")" 2>&1 | tee "$work/apt-install.log" | tail -5
in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' stillpoint | grep " ok installed" ||
  fail "stillpoint is not installed"
pulled=$(grep -c '^Setting up ' "$work/apt-install.log" || true)
echo "apt set up $pulled packages, among them: $(grep -o '^Setting up \(libwebkit2gtk-4.1-0\|libgtk-3-0\|fonts-noto-core\|fonts-noto-cjk\|fonts-noto-color-emoji\|fonts-dejavu-core\)[: ]' "$work/apt-install.log" | sed 's/Setting up //; s/[: ]$//' | tr '\n' ' ')"

say "What the package installed"
for f in /usr/bin/stillpoint /usr/bin/stillpoint-clinic /usr/share/applications/Stillpoint.desktop \
  /usr/share/icons/hicolor/16x16/apps/stillpoint.png /usr/share/icons/hicolor/32x32/apps/stillpoint.png \
  /usr/share/icons/hicolor/48x48/apps/stillpoint.png /usr/share/icons/hicolor/128x128/apps/stillpoint.png \
  /usr/share/icons/hicolor/256x256/apps/stillpoint.png /usr/share/icons/hicolor/512x512/apps/stillpoint.png; do
  [ -s "$R$f" ] || fail "the package did not install $f"
  echo "  $f"
done
grep -q '^Exec=stillpoint$' "$R/usr/share/applications/Stillpoint.desktop" || fail "the desktop entry does not start stillpoint"
grep -q '^Icon=stillpoint$' "$R/usr/share/applications/Stillpoint.desktop" || fail "the desktop entry names no icon"
for bin in /usr/bin/stillpoint /usr/bin/stillpoint-clinic; do
  missing=$(in_root ldd "$bin" | grep 'not found' || true)
  [ -z "$missing" ] || fail "$bin needs libraries the package does not pull in: $missing"
done
echo "  every library both binaries need is installed (ldd)"
usage=$(in_root stillpoint-clinic --help) || fail "stillpoint-clinic --help failed"
grep -q 'stillpoint-clinic init' <<<"$usage" || fail "stillpoint-clinic --help does not describe init"
echo "  stillpoint-clinic runs: $(grep -c 'stillpoint-clinic ' <<<"$usage") commands in its usage"
fonts=$(in_root fc-list : family)
for family in 'Noto Sans CJK SC' 'Noto Sans Devanagari' 'Noto Sans Arabic' 'Noto Color Emoji' 'DejaVu Sans'; do
  grep -qF "$family" <<<"$fonts" || fail "no font '$family' after installing the package"
done
echo "  fonts: Noto Sans CJK, Devanagari, Arabic, Color Emoji and DejaVu Sans are there"

say "Test tools inside the chroot (after the package's own check): WebKitWebDriver, tauri-driver"
in_root apt-get install -y --no-install-recommends webkit2gtk-driver >"$work/apt-tools.log" 2>&1 ||
  { tail -20 "$work/apt-tools.log" >&2; fail "installing webkit2gtk-driver"; }
install -m 0755 "$tauri_driver" "$R/usr/local/bin/tauri-driver"
in_root useradd --create-home --uid "$uid" --shell /bin/bash "$user"
start=$(date +%s%N)
chroot --userspec=$uid:$uid "$R" /usr/bin/env -i HOME=/home/$user PATH=/usr/bin:/bin fc-match sans-serif
echo "  fc-match as $user: $(( ($(date +%s%N) - start) / 1000000 )) ms"

say "The installed app under Xvfb, as the user $user"
export PACKAGE_TEST_ROOT=$R PACKAGE_TEST_USER=$user PACKAGE_TEST_UID=$uid PACKAGE_TEST_ARTIFACTS=$artifacts
xvfb-run -a -s "-screen 0 1280x800x24" \
  node --test --test-timeout=240000 "$here/installed-app.test.mjs"

# The app closes when its WebDriver session ends; let it finish (it backs up on closing).
stop_chroot_processes 30

data=/home/$user/.local/share/stillpoint
say "apt remove stillpoint: the data folder ($data) must stay"
[ -s "$R$data/stillpoint.db" ] && [ -s "$R$data/keys.json" ] || fail "the app left no database in $data"
before=$(cd "$R$data" && sha256sum stillpoint.db keys.json)
# The records are the user's alone: nothing in the data folder is open to others.
open_to_others=$(find "$R$data" -perm /077 -printf '%m %P\n')
[ -z "$open_to_others" ] || fail "open to other users in $data: $open_to_others"
in_root apt-get remove -y stillpoint 2>&1 | tail -2
in_root dpkg-query -W -f='${Status}\n' stillpoint 2>/dev/null | grep -q "ok installed" && fail "stillpoint is still installed"
[ ! -e "$R/usr/bin/stillpoint" ] || fail "/usr/bin/stillpoint is still there after apt remove"
[ ! -e "$R/usr/bin/stillpoint-clinic" ] || fail "/usr/bin/stillpoint-clinic is still there after apt remove"
after=$(cd "$R$data" && sha256sum stillpoint.db keys.json) || fail "the data folder went with the package"
[ "$before" = "$after" ] || fail "the data changed on removal"
in_root ls -la "$data"
echo
echo "package-test: the package installed on a clean $suite with its dependencies, the app reached its first-run screen and set up a clinic (its data folder readable by its user alone), and apt remove kept the data folder."
