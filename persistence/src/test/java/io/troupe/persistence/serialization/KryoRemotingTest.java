package io.troupe.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two actor systems talking over Artery on loopback: the message and the refs in it really cross
 * a transport, are written with the sender's address, and resolve to remote refs on the other
 * side, which is the situation the serializer exists for.
 */
class KryoRemotingTest {

  record Ask(KryoSerializerTest.Command command, ActorRef<Answer> replyTo) implements KryoMessage {
  }

  record Answer(KryoSerializerTest.Command command, String answeredBy) implements KryoMessage {
  }

  private static ActorTestKit client;
  private static ActorTestKit server;

  @BeforeAll
  static void start() {
    List<Class<?>> listed = new java.util.ArrayList<>(KryoSerializerTest.LISTED);
    listed.add(Ask.class);
    listed.add(Answer.class);
    Config config = KryoSerializerTest.config(listed, String.join("\n",
        "pekko.actor.provider = remote",
        "pekko.remote.artery.transport = tcp",
        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.remote.warn-about-direct-use = off",
        "pekko.remote.warn-unsafe-watch-outside-cluster = off"));
    client = ActorTestKit.create("client", config);
    server = ActorTestKit.create("server", config);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.shutdownTestKit();
    }
    if (server != null) {
      server.shutdownTestKit();
    }
  }

  @Test
  void commandWithRefsCrossesTheWireAndTheAnswerComesBack() {
    ActorRef<Ask> echo = server.spawn(Behaviors.receiveMessage(ask -> {
      ask.command().replyTo().tell("seen by server");
      ask.replyTo().tell(new Answer(ask.command(), "server"));
      return Behaviors.same();
    }), "echo");
    String echoPath = ActorRefResolver.get(server.system()).toSerializationFormat(echo);
    ActorRef<Ask> remoteEcho = ActorRefResolver.get(client.system()).resolveActorRef(echoPath);
    TestProbe<String> commandProbe = client.createTestProbe();
    TestProbe<Answer> answers = client.createTestProbe();
    KryoSerializerTest.Command command = KryoSerializerTest.command("remote", commandProbe.ref());

    remoteEcho.tell(new Ask(command, answers.ref()));

    Answer answer = answers.expectMessageClass(Answer.class, Duration.ofSeconds(15));
    // Equal after two hops: the client's own refs come back resolved to the same local refs.
    assertEquals(new Answer(command, "server"), answer);
    commandProbe.expectMessage(Duration.ofSeconds(15), "seen by server");
  }
}
