package io.troupe.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.EnumNameSerializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** The id table, config validation and the startup audit, without an actor system. */
class KryoRegistrationsTest {

  enum Size { SMALL, LARGE }

  record Spec(String name, Size size) {
  }

  record Wrapper(Spec spec) {
  }

  sealed interface Shape permits Circle, Square {
  }

  record Circle(double radius) implements Shape {
  }

  record Square(double side) implements Shape {
  }

  record Drawing(List<Shape> shapes, Map<String, Optional<Size>> sizes) {
  }

  interface NotSealed {
  }

  sealed interface Reply extends KryoMessage permits Done, Refused {
  }

  record Done(long revision) implements Reply {
  }

  record Refused(Size reason) implements Reply {
  }

  record Request(String key, ActorRef<Reply> replyTo, ActorRef<StatusReply<Spec>> statusTo,
      ActorRef<String> textTo) implements KryoMessage {
  }

  private static final ClassLoader LOADER = KryoRegistrationsTest.class.getClassLoader();

  private static Kryo kryo(Class<?>... listed) {
    return registrations(listed).newKryo(null);
  }

  private static KryoRegistrations registrations(Class<?>... listed) {
    return new KryoRegistrations(names(listed), LOADER);
  }

  private static List<String> names(Class<?>... listed) {
    return java.util.Arrays.stream(listed).map(Class::getName).toList();
  }

  private static IllegalStateException startupFailure(List<String> names) {
    return assertThrows(IllegalStateException.class, () -> {
      KryoRegistrations registrations = new KryoRegistrations(names, LOADER);
      RegistrationAudit.check(registrations.newKryo(null), registrations.userClasses());
    });
  }

  @Test
  void listedClassesGetIdsFromTheirPositionAfterTheBuiltins() {
    Kryo kryo = kryo(Size.class, Spec.class);

    assertEquals(KryoRegistrations.USER_BASE, kryo.getRegistration(Size.class).getId());
    assertEquals(KryoRegistrations.USER_BASE + 1, kryo.getRegistration(Spec.class).getId());
    assertInstanceOf(RecordSerializer.class, kryo.getRegistration(Spec.class).getSerializer());
    assertInstanceOf(EnumNameSerializer.class, kryo.getRegistration(Size.class).getSerializer());
  }

  @Test
  void aRetiredEntryKeepsItsIdSoLaterEntriesDoNotMove() {
    KryoRegistrations registrations = new KryoRegistrations(
        List.of("retired:io.troupe.gone.OldCommand", Spec.class.getName(), Size.class.getName()), LOADER);
    Kryo kryo = registrations.newKryo(null);

    assertEquals(KryoRegistrations.USER_BASE + 1, kryo.getRegistration(Spec.class).getId());
    assertEquals(List.of(Spec.class, Size.class), registrations.userClasses());
  }

  @Test
  void builtinIdsAreFixed() {
    Kryo kryo = kryo();

    assertEquals(16, kryo.getRegistration(org.apache.pekko.actor.typed.ActorRef.class).getId());
    assertEquals(17, kryo.getRegistration(org.apache.pekko.actor.ActorRef.class).getId());
    assertEquals(18, kryo.getRegistration(JsonNodeFactory.instance.objectNode().getClass()).getId());
    assertEquals(18, kryo.getRegistration(JsonNodeFactory.instance.textNode("x").getClass()).getId());
    assertEquals(19, kryo.getRegistration(Optional.class).getId());
    assertTrue(kryo.getRegistration(List.of(1, 2, 3).getClass()).getId() < KryoRegistrations.USER_BASE);
  }

  @Test
  void noBuiltinFallsBackToReflectingIntoJdkInternals() {
    Kryo kryo = kryo();

    for (int id = KryoRegistrations.BUILTIN_BASE; id < KryoRegistrations.USER_BASE; id++) {
      com.esotericsoftware.kryo.Registration registration = kryo.getRegistration(id);
      if (registration != null) {
        assertFalse(registration.getSerializer() instanceof FieldSerializer,
            registration.getType() + " would be serialized field by field");
      }
    }
  }

  @Test
  void unknownClassFailsWithItsPositionAndTheRetiredHint() {
    IllegalStateException failure = startupFailure(List.of(Spec.class.getName(), "io.troupe.Nope"));

    assertTrue(failure.getMessage().contains("classes[1] = \"io.troupe.Nope\""), failure.getMessage());
    assertTrue(failure.getMessage().contains("retired:io.troupe.Nope"), failure.getMessage());
  }

  @Test
  void interfacesDuplicatesAndBuiltinsAreRefused() {
    assertTrue(startupFailure(names(Shape.class)).getMessage().contains("interface"));
    assertTrue(startupFailure(names(NotSealed.class)).getMessage().contains("interface"));
    assertTrue(startupFailure(names(Circle.class, Square.class, Circle.class)).getMessage()
        .contains("duplicates entry 0"));
    assertTrue(startupFailure(List.of("java.util.ArrayList")).getMessage().contains("built-in"));
    assertTrue(startupFailure(List.of("com.fasterxml.jackson.databind.node.ObjectNode"))
        .getMessage().contains("built-in"));
  }

  @Test
  void auditNamesEveryUnlistedTypeReachableFromListedRecords() {
    String message = startupFailure(names(Wrapper.class, Drawing.class)).getMessage();

    assertTrue(message.contains("\"" + Spec.class.getName() + "\""), message);
    assertTrue(message.contains("\"" + Size.class.getName() + "\""), message);
    assertTrue(message.contains("\"" + Circle.class.getName() + "\""), message);
    assertTrue(message.contains("\"" + Square.class.getName() + "\""), message);
    assertTrue(message.contains("Wrapper.spec"), message);
  }

  @Test
  void auditFollowsTheRepliesOfAnActorRefOnlyWhenTheyAreKryoMessages() {
    String message = startupFailure(names(Request.class)).getMessage();

    assertTrue(message.contains("\"" + Done.class.getName() + "\""), message);
    assertTrue(message.contains("\"" + Refused.class.getName() + "\""), message);
    assertTrue(message.contains("\"" + Size.class.getName() + "\""), message);
    // StatusReply has Pekko's own serializer, and Spec is only reached through it.
    assertFalse(message.contains(StatusReply.class.getName()), message);
    assertFalse(message.contains(Spec.class.getName()), message);
  }

  @Test
  void auditPassesWhenEverythingReachableIsListed() {
    KryoRegistrations registrations = registrations(
        Size.class, Spec.class, Wrapper.class, Circle.class, Square.class, Drawing.class);

    RegistrationAudit.check(registrations.newKryo(null), registrations.userClasses());
  }

  @Test
  void recordsAndEnumsRoundTripWithoutASystem() {
    Kryo kryo = kryo(Size.class, Spec.class, Circle.class, Square.class, Drawing.class);
    Drawing drawing = new Drawing(List.of(new Circle(1.5), new Square(2)),
        Map.of("a", Optional.of(Size.LARGE), "b", Optional.empty()));

    Output output = new Output(64, -1);
    kryo.writeClassAndObject(output, drawing);

    assertEquals(drawing, kryo.readClassAndObject(new Input(output.toBytes())));
  }

  @Test
  void enumsTravelByNameSoReorderingConstantsIsSafe() {
    Kryo kryo = kryo(Size.class);
    Output output = new Output(16, -1);
    kryo.writeObject(output, Size.LARGE);

    assertEquals("LARGE", new Input(output.toBytes()).readString());
  }

  @Test
  void classNamesOnTheWireAreRefusedBeforeLoading() {
    Output output = new Output(64, -1);
    output.writeVarInt(1, true); // Kryo's "class name follows" tag
    output.writeVarInt(0, true);
    output.writeString("java.util.concurrent.ConcurrentHashMap");

    KryoException failure = assertThrows(KryoException.class,
        () -> kryo().readClassAndObject(new Input(output.toBytes())));
    assertTrue(failure.getMessage().contains("class name"), failure.getMessage());
  }

  @Test
  void unknownIdFromANewerPeerIsAClearError() {
    Output output = new Output(64, -1);
    kryo(Size.class, Spec.class).writeClassAndObject(output, new Spec("x", Size.SMALL));

    KryoException failure = assertThrows(KryoException.class,
        () -> kryo(Size.class).readClassAndObject(new Input(output.toBytes())));
    assertTrue(failure.getMessage().contains("unregistered class ID: " + (KryoRegistrations.USER_BASE + 1)),
        failure.getMessage());
  }

  @Test
  void everyKryoFromTheSameListAssignsTheSameIds() {
    Kryo first = kryo(Size.class, Spec.class);
    Kryo second = kryo(Size.class, Spec.class);

    for (Class<?> type : List.of(Size.class, Spec.class, List.of().getClass(), Map.of(1, 1).getClass())) {
      assertEquals(first.getRegistration(type).getId(), second.getRegistration(type).getId());
    }
    assertSame(Spec.class, second.getRegistration(KryoRegistrations.USER_BASE + 1).getType());
  }
}
