#!/usr/bin/env bash
# Installs trailwarden for the GitHub Action (action.yml), in one of two modes:
#
#   install.sh download   the release archive for this runner, verified against its published
#                         SHA-256; sets the output `installed` to true, or to false when the
#                         release has no archive for this runner (then the action builds)
#   install.sh build      cargo install --locked from the action's own source (the repository
#                         at the ref the workflow named), into TW_INSTALL_ROOT, which the
#                         action caches with actions/cache
#
# A checksum that does not match is an error, never a reason to build instead: it means the
# download was tampered with or corrupted.
#
# Environment (set by action.yml; the tests set them too):
#   TW_VERSION           release version, 0.1.0 or v0.1.0; empty: build from source
#   TW_RELEASE_BASE_URL  where releases are: BASE/v0.1.0/trailwarden-TARGET.tar.xz (and .sha256)
#   TW_TARGET            override the detected target triple
#   TW_INSTALL_ROOT      where bin/trailwarden goes
#   TW_SOURCE_DIR        the trailwarden source for `build` (the action's directory)
#   TW_CACHE_HIT         true when actions/cache restored TW_INSTALL_ROOT for this source
#   GITHUB_OUTPUT, GITHUB_PATH   as on GitHub Actions
set -euo pipefail

die() { echo "::error title=trailwarden install::$*" >&2; exit 1; }
output() { echo "$1=$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

install_root=${TW_INSTALL_ROOT:?TW_INSTALL_ROOT is not set}
bin_dir="$install_root/bin"

# The release target for this runner: static musl binaries on Linux, native ones on macOS.
detect_target() {
  if [ -n "${TW_TARGET:-}" ]; then echo "$TW_TARGET"; return; fi
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) echo ""; return ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    *) echo "" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

found() {
  output path "$bin_dir/trailwarden"
  echo "$bin_dir" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
  "$bin_dir/trailwarden" -V
}

download() {
  local version=${TW_VERSION:-}
  version=${version#v}
  if [ -z "$version" ]; then
    echo "no release version given: building from source"
    output installed false
    return
  fi
  case "$version" in
    *[!0-9A-Za-z.+-]*) die "version \`$version\` is not a release version such as 0.1.0" ;;
  esac
  local target
  target=$(detect_target)
  if [ -z "$target" ]; then
    echo "no release binary for $(uname -s) $(uname -m): building from source"
    output installed false
    return
  fi
  local base=${TW_RELEASE_BASE_URL:?TW_RELEASE_BASE_URL is not set}
  local asset="trailwarden-$target.tar.xz"
  local url="$base/v$version/$asset"
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  if ! curl --fail --silent --show-error --location --retry 3 -o "$work/$asset" "$url"; then
    echo "no release archive at $url: building from source"
    output installed false
    return
  fi
  curl --fail --silent --show-error --location --retry 3 -o "$work/$asset.sha256" "$url.sha256" \
    || die "$url has no checksum file ($url.sha256); refusing to install an unverified binary"
  local expected actual
  expected=$(cut -d' ' -f1 <"$work/$asset.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')
  case "$expected" in
    [0-9a-f]*) ;;
    *) die "$url.sha256 holds no SHA-256" ;;
  esac
  [ "${#expected}" -eq 64 ] || die "$url.sha256 holds no SHA-256"
  actual=$(sha256_of "$work/$asset")
  if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $asset: expected $expected, got $actual; the download is corrupt or was tampered with, so it is not installed"
  fi
  tar -xJf "$work/$asset" -C "$work"
  local binary="$work/trailwarden-$target/trailwarden"
  [ -f "$binary" ] || die "$asset does not hold trailwarden-$target/trailwarden"
  mkdir -p "$bin_dir"
  install -m 0755 "$binary" "$bin_dir/trailwarden"
  echo "installed trailwarden $version ($target), SHA-256 $actual"
  output installed true
  found
}

build() {
  local source=${TW_SOURCE_DIR:?TW_SOURCE_DIR is not set}
  [ -f "$source/host/Cargo.toml" ] || die "$source is not a trailwarden source tree (no host/Cargo.toml)"
  if [ "${TW_CACHE_HIT:-}" = true ] && [ -x "$bin_dir/trailwarden" ]; then
    echo "trailwarden from the cache (built from this source before)"
  else
    command -v "${CARGO:-cargo}" >/dev/null 2>&1 || die "cargo is not installed; add a Rust toolchain step (e.g. dtolnay/rust-toolchain) before this action, or use a released version"
    "${CARGO:-cargo}" install --locked --path "$source/host" --root "$install_root"
  fi
  found
}

case "${1:-}" in
  download) download ;;
  build) build ;;
  *) die "usage: install.sh download|build" ;;
esac
