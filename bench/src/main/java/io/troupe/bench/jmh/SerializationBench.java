package io.troupe.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.serialization.KryoSerializer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One running Pod (about 3.5 KB of JSON, {@link Manifests#pod}) written and read the three ways Troupe moves it:
 * <ul>
 *   <li>{@code apiJson}: the Kubernetes wire format, {@link Json#MAPPER} (request and response bodies);
 *   <li>{@code journalJson}: the journal's event {@code Created(pod, author)} through the serializer Pekko binds to
 *       {@code JsonMessage} (Pekko's Jackson serializer; what every persist and every replay pays);
 *   <li>{@code kryo}: the reply {@code Accepted(pod, revision, removed)} through the serializer Pekko binds to
 *       {@code KryoMessage} (Troupe's {@link KryoSerializer}; what a write between JVMs pays).
 * </ul>
 * All three are looked up from the project's configuration, as a server JVM does; the ratios between them are the
 * figures to read, not the absolute times.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerializationBench {
  private ActorSystem<Void> system;
  private ObjectMapper api;
  private SerializerWithStringManifest journal;
  private Serializer kryo;

  private KubeObject pod;
  private ResourceEntity.Created created;
  private ResourceEntity.Accepted accepted;
  private byte[] apiBytes;
  private byte[] journalBytes;
  private String journalManifest;
  private byte[] kryoBytes;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    system = LocalSystem.start("serialization-bench");
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    api = Json.MAPPER;
    pod = Manifests.pod(17);
    created = new ResourceEntity.Created(pod, "system:serviceaccount:kube-system:replicaset-controller");
    accepted = new ResourceEntity.Accepted(pod, 123_456L, false);
    journal = (SerializerWithStringManifest) serialization.findSerializerFor(created);
    kryo = serialization.findSerializerFor(accepted);
    if (!(kryo instanceof KryoSerializer)) {
      throw new IllegalStateException("KryoMessage is bound to " + kryo.getClass().getName() + ", not Kryo");
    }
    apiBytes = api.writeValueAsBytes(pod);
    journalBytes = journal.toBinary(created);
    journalManifest = journal.manifest(created);
    kryoBytes = kryo.toBinary(accepted);
    // what is measured must round-trip
    if (!api.readValue(apiBytes, KubeObject.class).equals(pod)
        || !journal.fromBinary(journalBytes, journalManifest).equals(created)
        || !kryo.fromBinary(kryoBytes, ResourceEntity.Accepted.class).equals(accepted)) {
      throw new IllegalStateException("a serializer does not give back the pod it was given");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    system.terminate();
  }

  /** The sizes, in bytes, of the pod as each way writes it: api-json, journal-json, kryo. */
  public int[] sizes() {
    return new int[] {apiBytes.length, journalBytes.length, kryoBytes.length};
  }

  @Benchmark
  public byte[] apiJsonWrite() throws IOException {
    return api.writeValueAsBytes(pod);
  }

  @Benchmark
  public KubeObject apiJsonRead() throws IOException {
    return api.readValue(apiBytes, KubeObject.class);
  }

  @Benchmark
  public byte[] journalJsonWrite() {
    return journal.toBinary(created);
  }

  @Benchmark
  public Object journalJsonRead() throws Exception {
    return journal.fromBinary(journalBytes, journalManifest);
  }

  @Benchmark
  public byte[] kryoWrite() {
    return kryo.toBinary(accepted);
  }

  @Benchmark
  public Object kryoRead() throws Exception {
    return kryo.fromBinary(kryoBytes, ResourceEntity.Accepted.class);
  }

  /** Builds the state outside JMH (for the sizes in the report). */
  static SerializationBench started() throws Exception {
    SerializationBench bench = new SerializationBench();
    bench.setUp();
    return bench;
  }
}
