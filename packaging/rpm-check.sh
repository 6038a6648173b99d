#!/usr/bin/env bash
# make package-test, the RPM part: no Fedora or openSUSE system is reachable from here to
# install it on, so this reads the package with Debian's `rpm` tool instead: what it requires
# (the fonts for every script, WebKitGTK, xdg-utils) and what it installs (both binaries, the
# desktop entry, the icons at every size). Installing it for real is left to a machine with
# dnf (docs/WINDOWS-MACOS.md, "Other Linux packages").
#
#   packaging/rpm-check.sh PATH/TO/Stillpoint-VERSION-1.x86_64.rpm
set -euo pipefail
rpm_file=${1:?usage: rpm-check.sh PATH/TO/the.rpm}
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
[ -s "$rpm_file" ] || fail "no $rpm_file: run make package first"

requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null)
files=$(rpm -qpl "$rpm_file" 2>/dev/null)
name=$(rpm -qp --queryformat '%{NAME} %{VERSION} %{ARCH}' "$rpm_file" 2>/dev/null)

for need in google-noto-sans-fonts google-noto-sans-devanagari-fonts google-noto-sans-arabic-fonts \
            google-noto-sans-cjk-fonts google-noto-color-emoji-fonts dejavu-sans-fonts xdg-utils \
            'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)'; do
  grep -qxF "$need" <<<"$requires" || fail "the RPM does not require $need; it requires: $requires"
done
for path in /usr/bin/stillpoint /usr/bin/stillpoint-clinic /usr/share/applications/Stillpoint.desktop; do
  grep -qxF "$path" <<<"$files" || fail "the RPM does not install $path; it installs: $files"
done
for size in 16 24 32 48 64 128 256 512; do
  grep -qxF "/usr/share/icons/hicolor/${size}x${size}/apps/stillpoint.png" <<<"$files" ||
    fail "the RPM has no ${size}x${size} icon"
done
case "$name" in
  "stillpoint $(grep -m1 '^version' "$(dirname "$0")/../Cargo.toml" | cut -d'"' -f2) x86_64") ;;
  *) fail "the RPM is $name" ;;
esac
echo "rpm-check: $name requires the fonts, WebKitGTK and xdg-utils, and installs both binaries, the desktop entry and icons at 8 sizes."
