#!/usr/bin/env bash
# Checks and unit-tests the Prometheus alerting rules (grafana/prometheus) with promtool, installing Debian's
# `prometheus` package when promtool is missing. Fails on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/grafana/prometheus"

if ! command -v promtool >/dev/null 2>&1; then
    echo "promtool not found; installing Debian's prometheus package" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus
fi

command -v promtool >/dev/null 2>&1 || { echo "promtool is still missing after installing prometheus" >&2; exit 1; }

promtool check rules cloudwall-alerts.yml
shopt -s nullglob
tests=(tests/*.yml)
if [ "${#tests[@]}" -eq 0 ]; then
    echo "no rule tests in grafana/prometheus/tests" >&2
    exit 1
fi

promtool test rules "${tests[@]}"
