#!/bin/bash
# serve.sh NAME [NODES] [extra JVM opts...]: troupe server on 127.0.0.1:7443, data /tmp/s23/run-NAME
NAME=$1; NODES=${2:-10}; shift; shift
D=/tmp/s23/run-$NAME; rm -rf $D; mkdir -p $D
cat > $D/over.conf <<EOC
troupe.node { name = sim, runtime = simulated, simulated.nodes = $NODES, heartbeat-interval = 30s }
EOC
cd $D
TROUPE_LOG_LEVEL=WARN setsid java -XX:+UseStringDeduplication "$@" -Dtroupe.api.limits.enabled=false -Dtroupe.api.tls.enabled=false -Dtroupe.api.authorization.mode=AlwaysAllow -cp /work/main/cli/target/troupe-all.jar io.troupe.cli.Troupe server --data-dir $D/data --api-address 127.0.0.1:7443 --config $D/over.conf > $D/out.log 2>&1 &
echo $! > $D/pid
for i in $(seq 120); do curl -sf http://127.0.0.1:7443/readyz >/dev/null && break; sleep 1; done
echo "pid $(cat $D/pid) ready after ${i}s"
