#!/usr/bin/env bash
# Install the Debian packages the product (and, with --test, its test suite) needs,
# only those missing. Safe to run again; does nothing when all are present.
set -euo pipefail

runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext)
# PostgreSQL: the burst benchmark's test starts a throwaway cluster; CI runs the suite on it.
testing=(chromium fonts-noto-cjk poppler-utils postgresql)

want=("${runtime[@]}")
case "${1:-}" in
  --test|--ci) want+=("${testing[@]}") ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "安装系统软件包：${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
