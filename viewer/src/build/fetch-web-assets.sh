#!/usr/bin/env bash
# Build step (Maven generate-resources): puts the browser-side dist files the viewer serves into
#   $1/io/reflow/viewer/assets/
# from pinned npm packages. Each package tarball is fetched once with the machine's npm (`npm pack`, which checks
# the registry's integrity hash) into $REFLOW_CACHE/npm-packs (default ~/.cache/reflow/npm-packs); later builds
# use the cached tarball and need no network. Nothing is downloaded when the viewer runs.
set -euo pipefail
out="${1:?usage: fetch-web-assets.sh OUTPUT_DIR}/io/reflow/viewer/assets"
cache="${REFLOW_CACHE:-$HOME/.cache/reflow}/npm-packs"

# name@version | file inside the package | name served by the viewer
assets=(
  "rrweb-player@2.1.7|package/umd/rrweb-player.min.js|rrweb-player.min.js"
  "rrweb-player@2.1.7|package/dist/style.min.css|rrweb-player.min.css"
  "posthog-js@1.449.2|package/dist/array.full.no-external.js|array.full.no-external.js"
)

mkdir -p "$cache" "$out"
for entry in "${assets[@]}"; do
  IFS='|' read -r spec inner served <<<"$entry"
  tarball="$cache/${spec//\//_}.tgz"
  if [ ! -s "$tarball" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "ERROR: npm is not installed, and $tarball is not cached yet." >&2
      echo "ERROR: the viewer bundles $spec from the npm registry at build time; run bin/setup-machine (or apt-get install npm)." >&2
      exit 1
    fi
    staging="$(mktemp -d "$cache/.staging-XXXXXX")"
    trap 'rm -rf "$staging"' EXIT
    echo "fetching $spec with npm pack into $cache" >&2
    if ! (cd "$staging" && npm pack "$spec" --silent --no-fund --no-audit >npm-pack.log 2>&1); then
      echo "ERROR: npm pack $spec failed:" >&2
      cat "$staging/npm-pack.log" >&2
      exit 1
    fi
    packed="$(find "$staging" -maxdepth 1 -name '*.tgz' -print -quit)"
    [ -n "$packed" ] || { echo "ERROR: npm pack $spec left no tarball" >&2; exit 1; }
    mv -f "$packed" "$tarball"   # atomic: concurrent builds see either no tarball or a whole one
    rm -rf "$staging"
    trap - EXIT
  fi
  tmp="$(mktemp -d)"
  tar -xzf "$tarball" -C "$tmp" "$inner"
  mv -f "$tmp/$inner" "$out/$served"
  rm -rf "$tmp"
done
printf '%s\n' "${assets[@]}" >"$out/VERSIONS"
