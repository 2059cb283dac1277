#!/bin/bash
# ab.sh NAME "JVM OPTIONS": bench/scale with 1,000 simulated nodes (10,000 pods scheduled) and the API rounds at 500
# req/s (15 s unmeasured, 20 s measured each), the server started with -Xmx4g and the options; results in /tmp/ab-NAME.
cd "$(dirname "$0")/../../../.." && MVN_ARGS=-o bench/scale --nodes 1000 --pods 10000 --rates 500 --rate-seconds 20 \
  --rate-warmup-seconds 15 --no-etcd --startup-pods 0 --server-warmup-seconds 30 --watchers 10 --watch-writes 20 \
  --server-java-opts "-Xmx4g $2" --out /tmp/ab-$1 > /tmp/ab-$1.log 2>&1
grep -E "^\| 1000 \| (10000|create|update|get|list)" /tmp/ab-$1/scale.md | sed "s/^/$1 /"
