#!/bin/bash
# serve2.sh NAME URLTAIL [jvm opts]: as serve.sh with the journal URL's options after DB_CLOSE_ON_EXIT=FALSE replaced by URLTAIL
NAME=$1; TAIL=$2; shift; shift
D=/tmp/s23/run-$NAME; rm -rf $D; mkdir -p $D
cat > $D/over.conf <<EOC
troupe.node { name = sim, runtime = simulated, simulated.nodes = 10, heartbeat-interval = 30s }
pekko-persistence-jdbc.shared-databases.troupe.db.url = "jdbc:h2:file:"\${troupe.data-dir}"/journal/troupe;WRITE_DELAY=0;RETENTION_TIME=0;DEFRAG_ALWAYS=TRUE;DB_CLOSE_ON_EXIT=FALSE$TAIL"
EOC
cd $D
TROUPE_LOG_LEVEL=WARN setsid java -XX:+UseStringDeduplication "$@" -Dtroupe.api.limits.enabled=false -Dtroupe.api.tls.enabled=false -Dtroupe.api.authorization.mode=AlwaysAllow -cp /work/main/cli/target/troupe-all.jar io.troupe.cli.Troupe server --data-dir $D/data --api-address 127.0.0.1:7443 --config $D/over.conf > $D/out.log 2>&1 &
echo $! > $D/pid
for i in $(seq 120); do curl -sf http://127.0.0.1:7443/readyz >/dev/null && break; sleep 1; done
echo "pid $(cat $D/pid) ready after ${i}s"
