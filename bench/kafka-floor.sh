#!/usr/bin/env bash
# The CPU floor of one Kafka record per event, measured with code we did not write: kcat (librdkafka in C, Debian's
# package) produces RATE records/s for DURATION seconds to the platform's Kafka cluster (librdkafka's mock, in its own
# process, as `cloudwall-rx bench` runs it), with the platform's latency-preset producer settings (linger.ms=1,
# batch.size=64 KiB, lz4, acks=all, idempotence, murmur2_random), 32 keys and 32-byte values like md.events.v1 records.
# kcat's own CPU is read from /proc/<pid>/stat over the middle of the run. bench/README.md, "The floor of a record per
# event", has the results.
#
#   bench/kafka-floor.sh [RATE=28000] [DURATION=40]
set -euo pipefail
RATE=${1:-28000}
DURATION=${2:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$here/src/Hosting/bin/Release/net10.0/cloudwall-rx}
need=()
command -v kcat >/dev/null || need+=(kcat)
command -v python3 >/dev/null || need+=(python3-minimal)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then apt-get install -y "${need[@]}"; else sudo apt-get install -y "${need[@]}"; fi
fi
[ -x "$BIN" ] || dotnet build "$here/src/Hosting" -c Release -v q
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$BIN" kafka-cluster --brokers 3 --for "$((DURATION + 60))s" >"$work/cluster.log" 2>&1 &
for _ in $(seq 1 150); do grep -q '^bootstrap: ' "$work/cluster.log" && break; sleep 0.2; done
bootstrap=$(sed -n 's/^bootstrap: //p' "$work/cluster.log" | head -1)
[ -n "$bootstrap" ] || { echo "no bootstrap from kafka-cluster:"; cat "$work/cluster.log"; exit 1; }

# The records arrive paced every 5 ms, as a socket's would, not in bursts (pv -L's 100 ms bursts let librdkafka batch
# more and read about a third lower).
python3 - "$RATE" "$DURATION" <<'PY' |
import sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
out, value, sent, start = sys.stdout.buffer, "0123456789abcdef0123456789abcdef", 0, time.monotonic()
while (now := time.monotonic() - start) < secs:
    due = int(now * rate)
    if due > sent:
        out.write("".join(f"cbse:spot:x{i % 32:02d}-usd\t{value}\n" for i in range(sent, due)).encode())
        out.flush()
        sent = due
    time.sleep(0.005)
PY
  kcat -P -b "$bootstrap" -t md.events.v1 -K $'\t' -X linger.ms=1 -X batch.size=65536 -X compression.codec=lz4 \
    -X acks=all -X enable.idempotence=true -X partitioner=murmur2_random 2>"$work/kcat.err" &
sleep 1
pid=$(pgrep -n -x kcat)
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
from=$((DURATION / 4)); window=$((DURATION / 2))
sleep $((from - 1))
a=$(ticks); sleep "$window"; b=$(ticks)
wait %2 || true
if [ -s "$work/kcat.err" ]; then echo "kcat reported:"; head -5 "$work/kcat.err"; exit 1; fi
awk -v a="$a" -v b="$b" -v w="$window" -v r="$RATE" 'BEGIN { c = (b - a) / 100 / w; printf "kcat (librdkafka) at %d records/s: %.3f cores, %.1f µs per record\n", r, c, c / r * 1e6 }'
