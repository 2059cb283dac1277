package io.troupe.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KryoSerializer inside a real ActorSystem, through Pekko's Serialization extension. */
class KryoSerializerTest {

  enum Phase {
    PENDING,
    RUNNING {
      @Override
      public String toString() {
        return "running (a constant with a body is a subclass of the enum)";
      }
    },
    FAILED
  }

  record Command(String name, int replicas, List<String> tags, Map<String, Integer> limits,
      Optional<String> note, ObjectNode spec, Phase phase, ActorRef<String> replyTo)
      implements KryoMessage {
  }

  sealed interface PodEvent extends KryoMessage permits Scheduled, Started, Failed {
  }

  record Scheduled(String pod, String node) implements PodEvent {
  }

  record Started(String pod, Instant at) implements PodEvent {
  }

  record Failed(String pod, int exitCode, Optional<String> reason) implements PodEvent {
  }

  record EventBatch(List<PodEvent> events, PodEvent last) implements KryoMessage {
  }

  record ClassicCarrier(org.apache.pekko.actor.ActorRef ref, JsonNode tree) implements KryoMessage {
  }

  /** Holds anything; the audit cannot see what an Object holds, so it fails at send time. */
  record Carrier(Object payload) implements KryoMessage {
  }

  /** Implements the marker but is deliberately missing from the class list. */
  record Unlisted(String value) implements KryoMessage {
  }

  static final List<Class<?>> LISTED = List.of(Phase.class, Command.class, Scheduled.class,
      Started.class, Failed.class, EventBatch.class, ClassicCarrier.class, Carrier.class);

  private static ActorTestKit testKit;
  private static Serialization serialization;

  /**
   * The snippet shipped in main resources, plus the test classes (the list replaces whatever the
   * classpath's reference.conf lists). No application.conf: Pekko adds reference.conf itself.
   */
  static Config config(List<Class<?>> listed, String overrides) {
    String classes = listed.stream().map(type -> "\"" + type.getName() + "\"")
        .collect(Collectors.joining(", ", "[", "]"));
    return ConfigFactory.parseString(overrides + "\n" + KryoRegistrations.CLASSES_PATH + " = " + classes)
        .withFallback(ConfigFactory.parseResources("troupe-kryo.conf"));
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("kryo", config(LISTED,
        "pekko.actor.provider = local\npekko.remote.artery.canonical.port = 0"));
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  static ObjectNode spec() {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("image", "nginx:1.27");
    spec.putArray("ports").add(80).add(443);
    ObjectNode resources = spec.putObject("resources");
    resources.put("cpu", 0.5);
    resources.put("memory", "128Mi");
    resources.put("pids", 64L); // a small LongNode: JSON text would read it back as IntNode
    resources.putObject("limits").putNull("gpu");
    return spec;
  }

  static Command command(String name, ActorRef<String> replyTo) {
    return new Command(name, 3, List.of("web", "edge"), Map.of("cpu", 2, "memory", 512),
        Optional.of("canary"), spec(), Phase.RUNNING, replyTo);
  }

  /** The real Pekko path: serializer found by binding, manifest from Pekko, bytes back. */
  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T message) {
    Serializer serializer = serialization.findSerializerFor(message);
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    return (T) serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  @Test
  void recordWithCollectionsTreeEnumAndTypedRefRoundTripsAndTheRefStillReachesTheProbe() {
    TestProbe<String> probe = testKit.createTestProbe();
    Command sent = command("deploy", probe.ref());

    Command received = roundTrip(sent);

    assertNotSame(sent, received);
    assertEquals(sent, received);
    assertEquals(Phase.RUNNING, received.phase());
    assertEquals(sent.spec().get("resources").get("pids").getClass(),
        received.spec().get("resources").get("pids").getClass());
    assertThrows(UnsupportedOperationException.class, () -> received.tags().add("x"));
    received.replyTo().tell("reached");
    probe.expectMessage("reached");
  }

  @Test
  void pekkoPicksKryoByTheMarkerBindingAndNeedsNoManifest() {
    Command message = command("bind", testKit.<String>createTestProbe().ref());
    Serializer serializer = serialization.findSerializerFor(message);

    assertInstanceOf(KryoSerializer.class, serializer);
    assertFalse(testKit.system().settings().config().getBoolean("pekko.actor.allow-java-serialization"));
    assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier());
    assertEquals("", Serializers.manifestFor(serializer, message));
    assertEquals(message, roundTrip(message));
  }

  @Test
  void sealedInterfaceImplementationsRoundTripThroughInterfaceTypedFields() {
    List<PodEvent> events = List.of(new Scheduled("web-0", "node-a"),
        new Started("web-0", Instant.parse("2025-01-02T03:04:05.123456789Z")),
        new Failed("web-0", 137, Optional.empty()), new Failed("web-1", 1, Optional.of("OOMKilled")));
    EventBatch batch = new EventBatch(events, events.get(3));

    assertEquals(batch, roundTrip(batch));
    for (PodEvent event : events) {
      assertEquals(event, roundTrip(event));
    }
  }

  @Test
  void classicRefAndBareJsonTreeRoundTrip() {
    TestProbe<String> probe = testKit.createTestProbe();
    ClassicCarrier sent = new ClassicCarrier(Adapter.toClassic(probe.ref()), spec().get("ports"));

    ClassicCarrier received = roundTrip(sent);

    assertEquals(sent, received);
    received.ref().tell("classic", org.apache.pekko.actor.ActorRef.noSender());
    probe.expectMessage("classic");
  }

  @Test
  void unlistedMessageFailsWithTheClassNameAndTheConfigKey() {
    Throwable failure = serialization.serialize(new Unlisted("x")).failed().get();

    String message = failure.getMessage();
    assertTrue(message.contains(Unlisted.class.getName()), message);
    assertTrue(message.contains(KryoRegistrations.CLASSES_PATH), message);
  }

  @Test
  void unlistedClassInsideAListedRecordNamesTheInnerClass() {
    Throwable failure = serialization.serialize(new Carrier(new Unlisted("inner"))).failed().get();

    String message = failure.getMessage();
    assertTrue(message.contains("Kryo cannot serialize " + Carrier.class.getName()), message);
    assertTrue(message.contains("not registered for Kryo: " + Unlisted.class.getName()), message);
    // A failed call must not poison the pool: the next ones still work.
    Carrier fine = new Carrier(List.of(Phase.FAILED, "text", 42L));
    assertEquals(fine, roundTrip(fine));
  }

  @Test
  void jdkValuesRoundTripAndKeepWhatMatters() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("List.of()", List.of());
    values.put("List.of(1)", List.of(1));
    values.put("List.of(1,2,3)", List.of(1, 2, 3));
    values.put("subList", List.of(1, 2, 3, 4).subList(1, 3));
    values.put("Stream.toList with null", Stream.of("a", null, "c").toList());
    values.put("Set.of()", Set.of());
    values.put("Set.of(x)", Set.of("x"));
    values.put("Set.of(x,y,z)", Set.of("x", "y", "z"));
    values.put("Map.of()", Map.of());
    values.put("Map.of(k)", Map.of("k", 1));
    values.put("Map.of(k,l)", Map.of("k", 1, "l", 2));
    values.put("unmodifiableList", Collections.unmodifiableList(new ArrayList<>(List.of("u"))));
    values.put("unmodifiableMap(TreeMap)", Collections.unmodifiableMap(new TreeMap<>(Map.of("b", 2, "a", 1))));
    values.put("emptyList", Collections.emptyList());
    values.put("singletonMap", Collections.singletonMap("s", 1));
    values.put("Arrays.asList", Arrays.asList("p", "q"));
    values.put("TreeMap", new TreeMap<>(Map.of("z", 1, "y", 2)));
    values.put("EnumSet", EnumSet.of(Phase.PENDING, Phase.RUNNING));
    values.put("Optional.empty", Optional.empty());
    values.put("OptionalLong", OptionalLong.of(7));
    values.put("Duration", Duration.ofMillis(1500));
    values.put("UUID", UUID.randomUUID());
    values.put("BigDecimal", new BigDecimal("1.50"));
    values.put("ZonedDateTime", ZonedDateTime.parse("2025-03-30T01:30:00+01:00[Europe/Paris]"));
    Carrier sent = new Carrier(values);

    Carrier received = roundTrip(sent);

    assertEquals(sent, received);
    Map<?, ?> got = (Map<?, ?>) received.payload();
    assertEquals(new ArrayList<>(values.keySet()), new ArrayList<>(got.keySet()));
    assertEquals(List.of("a", "b"), new ArrayList<>(((Map<?, ?>) got.get("unmodifiableMap(TreeMap)")).keySet()));
    assertInstanceOf(TreeMap.class, got.get("TreeMap"));
    assertInstanceOf(EnumSet.class, got.get("EnumSet"));
    assertTrue(((List<?>) got.get("Stream.toList with null")).contains(null));
    assertThrows(UnsupportedOperationException.class, () -> ((Map<?, ?>) got.get("Map.of(k)")).clear());
  }

  @Test
  void arrayTypesOutsideTheBuiltinsAreRefused() {
    assertTrue(serialization.serialize(new Carrier(new byte[][] {{1}})).isFailure());
  }

  @Test
  void primitiveAndStringArraysRoundTrip() {
    Carrier bytes = roundTrip(new Carrier(new byte[] {1, 2, 3}));
    Carrier strings = roundTrip(new Carrier(new String[] {"a", null, "c"}));

    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) bytes.payload());
    assertArrayEquals(new String[] {"a", null, "c"}, (String[]) strings.payload());
  }

  @Test
  void fourThreadsShareThePoolAndEveryRoundTripIsEqual() throws Exception {
    TestProbe<String> probe = testKit.createTestProbe();
    int threads = 4;
    int perThread = 1_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(() -> {
          start.await();
          int equal = 0;
          for (int i = 0; i < perThread; i++) {
            Object message = i % 2 == 0
                ? command("t" + thread + "-" + i, probe.ref())
                : new Failed("pod-" + thread + "-" + i, i, Optional.of("r" + i));
            if (message.equals(roundTrip(message))) {
              equal++;
            }
          }
          return equal;
        });
      }
      int total = 0;
      for (Future<Integer> result : executor.invokeAll(tasks)) {
        total += result.get();
      }
      assertEquals(threads * perThread, total);
    } finally {
      executor.shutdownNow();
    }
  }
}
