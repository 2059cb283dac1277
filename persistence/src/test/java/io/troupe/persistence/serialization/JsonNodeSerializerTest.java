package io.troupe.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jackson trees keep their exact node classes, values and key order. */
class JsonNodeSerializerTest {

  private final Kryo kryo = new KryoRegistrations(List.of(), getClass().getClassLoader()).newKryo(null);

  private JsonNode roundTrip(JsonNode node) {
    Output output = new Output(64, -1);
    kryo.writeClassAndObject(output, node);
    return (JsonNode) kryo.readClassAndObject(new Input(output.toBytes()));
  }

  @Test
  void everyNodeClassComesBackAsItself() {
    List<JsonNode> nodes = List.of(
        IntNode.valueOf(-7), LongNode.valueOf(5), LongNode.valueOf(Long.MIN_VALUE),
        ShortNode.valueOf((short) 12), BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")),
        FloatNode.valueOf(1.25f), DoubleNode.valueOf(-0.1), DecimalNode.valueOf(new BigDecimal("1.50")),
        DecimalNode.valueOf(new BigDecimal("-1E+3")), TextNode.valueOf(""), TextNode.valueOf("héllo ☃"),
        BinaryNode.valueOf(new byte[] {0, 1, -1}), BooleanNode.TRUE, BooleanNode.FALSE,
        NullNode.getInstance(), MissingNode.getInstance(),
        JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.arrayNode());

    for (JsonNode node : nodes) {
      JsonNode back = roundTrip(node);
      assertEquals(node.getClass(), back.getClass(), node.toString());
      assertEquals(node, back, node.toString());
    }
    assertSame(MissingNode.getInstance(), roundTrip(MissingNode.getInstance()));
  }

  @Test
  void nestedTreeKeepsKeyOrderAndEquality() throws Exception {
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(
        "{\"z\":1,\"a\":{\"list\":[1,2.5,\"x\",null,true,{\"deep\":[[]]}],\"big\":99999999999},\"m\":null}");
    tree.put("small long", 3L);

    JsonNode back = roundTrip(tree);

    assertEquals(tree, back);
    List<String> keys = new ArrayList<>();
    back.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("z", "a", "m", "small long"), keys);
    assertEquals(tree.toString(), back.toString());
  }

  @Test
  void pojoNodeTravelsAsTheTreeJacksonWouldPrint() {
    ObjectNode tree = JsonNodeFactory.instance.objectNode();
    tree.set("pojo", new POJONode(Map.of("k", 1)));
    tree.set("nothing", new POJONode(null));

    JsonNode back = roundTrip(tree);

    assertEquals(IntNode.valueOf(1), back.get("pojo").get("k"));
    assertEquals(NullNode.getInstance(), back.get("nothing"));
  }

  @Test
  void runawayNestingFailsCleanlyInsteadOfOverflowingTheStack() {
    ArrayNode root = JsonNodeFactory.instance.arrayNode();
    ArrayNode current = root;
    for (int i = 0; i < JsonNodeSerializer.MAX_DEPTH + 5; i++) {
      current = current.addArray();
    }

    assertThrows(KryoException.class, () -> roundTrip(root));
  }
}
