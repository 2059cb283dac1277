package io.troupe.bench.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;

/**
 * The objects the micro-benchmarks work on: a Pod as a Deployment's ReplicaSet creates it and its node agent reports
 * it running (two containers with requests, limits, probes, env and mounts; tolerations, a preferred node affinity,
 * an owner, conditions and container statuses; about 3.5 KB of compact JSON), and a Node as the node agent
 * registers it (labels, allocatable, conditions, addresses). Read through {@link Json#MAPPER}, as the API reads them.
 */
final class Manifests {
  private Manifests() {}

  static final String[] APPS = {"web", "api", "worker", "cache", "db"};
  static final String[] TIERS = {"frontend", "backend"};
  static final String[] ZONES = {"zone-a", "zone-b", "zone-c"};

  /** Pod {@code i}: app, tier, zone, version and pod-template-hash labels that vary with {@code i}. */
  static KubeObject pod(int i) {
    String app = APPS[i % APPS.length];
    return read(POD.formatted(app, i, i % 7, TIERS[i % TIERS.length], ZONES[i % ZONES.length], i % 3 + 1,
        app, app, app));
  }

  /** Node {@code i}: 4 CPUs, 16 GiB, 110 pods, in one of three zones, Ready. */
  static KubeObject node(int i) {
    return read(NODE.formatted(i, i, ZONES[i % ZONES.length], i % 250, i % 250));
  }

  private static KubeObject read(String json) {
    try {
      return Json.MAPPER.readValue(json, KubeObject.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // %1$s app, %2$d index, %3$d template hash, %4$s tier, %5$s zone, %6$d version, then app thrice (owner, image, cm)
  private static final String POD = """
      {"apiVersion":"v1","kind":"Pod",
       "metadata":{"name":"%1$s-7d9f8b6c5-%2$05d","generateName":"%1$s-7d9f8b6c5-","namespace":"default",
         "uid":"6f1c2b3a-4d5e-4f60-8a7b-%2$012d","resourceVersion":"123456","generation":1,
         "creationTimestamp":"2026-12-01T10:00:00Z",
         "labels":{"app":"%1$s","pod-template-hash":"7d9f8b6c%3$d","tier":"%4$s","topology.kubernetes.io/zone":"%5$s",
           "version":"v%6$d"},
         "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-01T09:59:00Z","prometheus.io/scrape":"true",
           "prometheus.io/port":"9090"},
         "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"%7$s-7d9f8b6c5",
           "uid":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","controller":true,"blockOwnerDeletion":true}]},
       "spec":{
         "containers":[
           {"name":"app","image":"registry.example.com/%8$s:1.4.2","imagePullPolicy":"IfNotPresent",
            "args":["--port=8080","--log-level=info"],
            "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},
                     {"name":"metrics","containerPort":9090,"protocol":"TCP"}],
            "env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
                   {"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
                   {"name":"LOG_FORMAT","value":"json"},{"name":"CACHE_TTL","value":"30s"}],
            "resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},
            "readinessProbe":{"httpGet":{"path":"/ready","port":8080},"periodSeconds":5,"failureThreshold":3},
            "livenessProbe":{"httpGet":{"path":"/healthz","port":8080},"initialDelaySeconds":10,"periodSeconds":10},
            "volumeMounts":[{"name":"config","mountPath":"/etc/app"},{"name":"tmp","mountPath":"/tmp"}],
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"},
           {"name":"sidecar","image":"registry.example.com/log-shipper:0.9.1","imagePullPolicy":"IfNotPresent",
            "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"100m","memory":"128Mi"}},
            "volumeMounts":[{"name":"tmp","mountPath":"/var/log/app","readOnly":true}]}],
         "volumes":[{"name":"config","configMap":{"name":"%9$s-config","defaultMode":420}},
                    {"name":"tmp","emptyDir":{}}],
         "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
         "serviceAccountName":"default","schedulerName":"default-scheduler","priority":0,
         "enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority",
         "affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,
           "preference":{"matchExpressions":[{"key":"node.kubernetes.io/instance-type","operator":"In",
             "values":["m5.large","m5.xlarge"]}]}}]}},
         "tolerations":[
           {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
           {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
       "status":{"phase":"Running","hostIP":"10.0.1.17","podIP":"10.244.3.%2$d","qosClass":"Burstable",
         "startTime":"2026-12-01T10:00:01Z",
         "conditions":[
           {"type":"Initialized","status":"True","lastTransitionTime":"2026-12-01T10:00:01Z"},
           {"type":"Ready","status":"True","lastTransitionTime":"2026-12-01T10:00:09Z"},
           {"type":"ContainersReady","status":"True","lastTransitionTime":"2026-12-01T10:00:09Z"},
           {"type":"PodScheduled","status":"True","lastTransitionTime":"2026-12-01T10:00:00Z"}],
         "containerStatuses":[
           {"name":"app","ready":true,"restartCount":0,"started":true,"image":"registry.example.com/app:1.4.2",
            "imageID":"sha256:4c1e9b7f0a3d2e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",
            "containerID":"troupe://app-%2$d","state":{"running":{"startedAt":"2026-12-01T10:00:02Z"}}},
           {"name":"sidecar","ready":true,"restartCount":0,"started":true,
            "image":"registry.example.com/log-shipper:0.9.1",
            "imageID":"sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
            "containerID":"troupe://sidecar-%2$d","state":{"running":{"startedAt":"2026-12-01T10:00:02Z"}}}]}}
      """;

  // %1$d index, %2$d index, %3$s zone, %4$d, %5$d address octet
  private static final String NODE = """
      {"apiVersion":"v1","kind":"Node",
       "metadata":{"name":"node-%1$05d","uid":"b0c1d2e3-f4a5-4b6c-8d7e-%2$012d","resourceVersion":"42",
         "creationTimestamp":"2026-12-01T09:00:00Z",
         "labels":{"kubernetes.io/hostname":"node-%1$05d","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64",
           "node.kubernetes.io/instance-type":"m5.xlarge","topology.kubernetes.io/zone":"%3$s",
           "topology.kubernetes.io/region":"region-1"}},
       "spec":{"podCIDR":"10.244.%4$d.0/24"},
       "status":{
         "capacity":{"cpu":"4","memory":"16Gi","pods":"110","ephemeral-storage":"100Gi"},
         "allocatable":{"cpu":"3900m","memory":"15Gi","pods":"110","ephemeral-storage":"95Gi"},
         "conditions":[
           {"type":"MemoryPressure","status":"False","reason":"KubeletHasSufficientMemory"},
           {"type":"DiskPressure","status":"False","reason":"KubeletHasNoDiskPressure"},
           {"type":"PIDPressure","status":"False","reason":"KubeletHasSufficientPID"},
           {"type":"Ready","status":"True","reason":"KubeletReady","message":"kubelet is posting ready status"}],
         "addresses":[{"type":"InternalIP","address":"10.0.1.%5$d"},{"type":"Hostname","address":"node-%1$05d"}],
         "nodeInfo":{"kubeletVersion":"v1.32.0-troupe","containerRuntimeVersion":"troupe://simulated",
           "operatingSystem":"linux","architecture":"amd64"}}}
      """;
}
