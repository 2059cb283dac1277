#!/bin/bash
# exp2.sh NAME [JVM options...]: a fresh server (../../session23/tools/serve.sh, data in /tmp/s23/run-NAME, a GC log
# beside this script), 60 s at 300 creates/s, then 2 rounds at 500/s of 45 s each whose first 15 s are not counted,
# and the young pauses after the warm-up (gcsum.py). Compile ../../session23/tools/*.java there first.
NAME=$1; shift
here=$(cd "$(dirname "$0")" && pwd); tools=$here/../../session23/tools; cd $tools
./serve.sh $NAME 10 -Xlog:gc,gc+phases=debug:file=$here/gc-$NAME.log:timemillis,uptime "$@" >/dev/null; P=$(cat /tmp/s23/run-$NAME/pid)
java -cp . Open http://127.0.0.1:7443 300 60 $P > /dev/null
T0=$(grep -o '^\[[0-9.]*s\]' $here/gc-$NAME.log | tail -1 | tr -d '[]s')
for r in 500 500; do echo "$NAME $(SKIP=15 TIMELINE=$here/tl-$NAME.txt java -cp . Open http://127.0.0.1:7443 $r 30 $P)"; done
echo "$NAME $(python3 gcsum.py $here/gc-$NAME.log $T0)"
kill $P; while kill -0 $P 2>/dev/null; do sleep 0.5; done
