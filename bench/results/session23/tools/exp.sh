#!/bin/bash
# exp.sh NAME [jvm opts...]: fresh server, warm-up 60 s at 300/s, then 500/s x2 (30 s), closed 16 clients 20 s; stops it
NAME=$1; shift
cd /tmp/lt; ./serve.sh $NAME 10 "$@" >/dev/null; P=$(cat /tmp/s23/run-$NAME/pid)
java -cp . Open http://127.0.0.1:7443 300 60 $P > /dev/null
for r in 500 500; do echo "$NAME $(java -cp . Open http://127.0.0.1:7443 $r 30 $P)"; done
c0=$(awk '{print $14+$15}' /proc/$P/stat); out=$(java -cp . Closed http://127.0.0.1:7443 20 16); c1=$(awk '{print $14+$15}' /proc/$P/stat)
n=$(echo "$out" | sed 's/.*: \([0-9]*\) creates.*/\1/'); echo "$NAME $out, server cpu $(python3 -c "print(round(($c1-$c0)*10/$n,3))") ms/create"
kill $P; while kill -0 $P 2>/dev/null; do sleep 0.5; done
