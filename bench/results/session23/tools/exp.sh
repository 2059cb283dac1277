#!/bin/bash
# exp.sh NAME [JVM options...]: a fresh server (serve.sh; H2_URL_OPTIONS and JAVA pass through), 60 s at 300 creates/s
# to warm up, then 2 x 30 s at 500/s open loop and 20 s closed loop with 16 clients, the journal's metrics; stops it.
# Open.java and Closed.java compiled beside it (javac *.java).
NAME=$1; shift
cd "$(dirname "$0")"; ./serve.sh $NAME 10 "$@" >/dev/null; P=$(cat /tmp/s23/run-$NAME/pid)
java -cp . Open http://127.0.0.1:7443 300 60 $P > /dev/null
for r in 500 500; do echo "$NAME $(java -cp . Open http://127.0.0.1:7443 $r 30 $P)"; done
c0=$(awk '{print $14+$15}' /proc/$P/stat); out=$(java -cp . Closed http://127.0.0.1:7443 20 16); c1=$(awk '{print $14+$15}' /proc/$P/stat)
n=$(echo "$out" | sed 's/.*: \([0-9]*\) creates.*/\1/'); echo "$NAME $out, server cpu $(python3 -c "print(round(($c1-$c0)*10/$n,3))") ms/create"
echo "$NAME $(curl -s http://127.0.0.1:7443/metrics | grep -E '^troupe_journal_(h2_full_compactions_total|size_bytes|rows|h2_compaction_seconds_(sum|count))' | tr '\n' ' ')"
kill $P; while kill -0 $P 2>/dev/null; do sleep 0.5; done
