#!/bin/bash
# serve.sh NAME [NODES] [JVM options...]: troupe server (NODES simulated nodes, default 10) on 127.0.0.1:7443, data in
# /tmp/s23/run-NAME, its pid in /tmp/s23/run-NAME/pid. Environment: JAVA (the java to run, default java on PATH);
# H2_URL_OPTIONS (the journal URL's options after DB_CLOSE_ON_EXIT=FALSE instead of the shipped ";COMPRESS=TRUE").
NAME=$1; NODES=${2:-10}; shift; shift
D=/tmp/s23/run-$NAME; rm -rf $D; mkdir -p $D
cat > $D/over.conf <<EOC
troupe.node { name = sim, runtime = simulated, simulated.nodes = $NODES, heartbeat-interval = 30s }
EOC
if [ -n "$H2_URL_OPTIONS" ]; then
  echo "pekko-persistence-jdbc.shared-databases.troupe.db.url = \"jdbc:h2:file:\"\${troupe.data-dir}\"/journal/troupe;WRITE_DELAY=0;RETENTION_TIME=0;DEFRAG_ALWAYS=TRUE;DB_CLOSE_ON_EXIT=FALSE$H2_URL_OPTIONS\"" >> $D/over.conf
fi
cd $D
TROUPE_LOG_LEVEL=WARN setsid ${JAVA:-java} -XX:+UseStringDeduplication "$@" -Dtroupe.api.limits.enabled=false -Dtroupe.api.tls.enabled=false -Dtroupe.api.authorization.mode=AlwaysAllow -cp /work/main/cli/target/troupe-all.jar io.troupe.cli.Troupe server --data-dir $D/data --api-address 127.0.0.1:7443 --config $D/over.conf > $D/out.log 2>&1 &
echo $! > $D/pid
for i in $(seq 120); do curl -sf http://127.0.0.1:7443/readyz >/dev/null && break; sleep 1; done
echo "pid $(cat $D/pid) ready after ${i}s"
