package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
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
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.troupe.persistence.model.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Kryo serializer for Jackson trees (ObjectNode, ArrayNode, TextNode, IntNode, ... any
 * {@link JsonNode}), registered once for the whole family (see {@link FamilyClassResolver}).
 *
 * <p>Why a tagged binary walk rather than JSON text: JSON text does not say which node class a
 * number was. {@code LongNode(5)} reads back as {@code IntNode(5)}, {@code FloatNode} as
 * {@code DoubleNode}, {@code DecimalNode(1.50)} as a double, {@code BinaryNode} as a base64
 * {@code TextNode}, and Jackson's node equals compares classes, so a record holding such a tree
 * would not equal itself after a hop. Each node here is written with a one-byte tag for its exact
 * class and read back as that class, keys in their original order. It also skips printing and
 * parsing text.
 *
 * <p>A POJONode (an arbitrary Java object inside a tree) has no portable form; it is converted to
 * the tree Jackson would print for it, which is what a JSON round trip would give as well.
 */
final class JsonNodeSerializer extends Serializer<JsonNode> {

  /** Deeper trees are refused on both sides, so a cycle or runaway nesting fails cleanly
   *  instead of overflowing the stack of a remoting thread. Jackson's parser stops at 1000 too. */
  static final int MAX_DEPTH = 1000;

  private static final int MISSING = 0;
  private static final int NULL = 1;
  private static final int TRUE = 2;
  private static final int FALSE = 3;
  private static final int INT = 4;
  private static final int LONG = 5;
  private static final int SHORT = 6;
  private static final int BIG_INTEGER = 7;
  private static final int FLOAT = 8;
  private static final int DOUBLE = 9;
  private static final int DECIMAL = 10;
  private static final int TEXT = 11;
  private static final int BINARY = 12;
  private static final int ARRAY = 13;
  private static final int OBJECT = 14;

  // Only used to turn POJONode contents into a tree; ObjectMapper is thread-safe once built.
  private static final ObjectMapper POJO_MAPPER = new ObjectMapper();

  JsonNodeSerializer() {
    super(false, false);
  }

  @Override
  public void write(Kryo kryo, Output output, JsonNode node) {
    writeNode(output, node, 0);
  }

  @Override
  public JsonNode read(Kryo kryo, Input input, Class<? extends JsonNode> type) {
    return readNode(input, 0);
  }

  @Override
  public JsonNode copy(Kryo kryo, JsonNode original) {
    return original.deepCopy();
  }

  private static void writeNode(Output output, JsonNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new KryoException("JsonNode nested deeper than " + MAX_DEPTH);
    }
    switch (node.getNodeType()) {
      case OBJECT:
        output.writeByte(OBJECT);
        output.writeVarInt(node.size(), true);
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          output.writeString(field.getKey());
          writeNode(output, field.getValue(), depth + 1);
        }
        break;
      case ARRAY:
        output.writeByte(ARRAY);
        output.writeVarInt(node.size(), true);
        for (JsonNode element : node) {
          writeNode(output, element, depth + 1);
        }
        break;
      case STRING:
        output.writeByte(TEXT);
        output.writeString(node.textValue());
        break;
      case NUMBER:
        writeNumber(output, node);
        break;
      case BOOLEAN:
        output.writeByte(node.booleanValue() ? TRUE : FALSE);
        break;
      case NULL:
        output.writeByte(NULL);
        break;
      case MISSING:
        output.writeByte(MISSING);
        break;
      case BINARY:
        byte[] bytes = ((BinaryNode) node).binaryValue();
        output.writeByte(BINARY);
        output.writeVarInt(bytes.length, true);
        output.writeBytes(bytes);
        break;
      case POJO:
        Object pojo = ((POJONode) node).getPojo();
        JsonNode tree = pojo == null ? NullNode.getInstance() : POJO_MAPPER.valueToTree(pojo);
        writeNode(output, tree, depth + 1);
        break;
      default:
        throw new KryoException("Unknown JsonNode type " + node.getNodeType());
    }
  }

  private static void writeNumber(Output output, JsonNode node) {
    // ShortNode reports numberType() INT, so the concrete classes decide, not numberType().
    if (node instanceof IntNode) {
      output.writeByte(INT);
      output.writeVarInt(node.intValue(), false);
    } else if (node instanceof LongNode) {
      output.writeByte(LONG);
      output.writeVarLong(node.longValue(), false);
    } else if (node instanceof ShortNode) {
      output.writeByte(SHORT);
      output.writeShort(node.shortValue());
    } else if (node instanceof DoubleNode) {
      output.writeByte(DOUBLE);
      output.writeDouble(node.doubleValue());
    } else if (node instanceof FloatNode) {
      output.writeByte(FLOAT);
      output.writeFloat(node.floatValue());
    } else if (node instanceof DecimalNode) {
      BigDecimal value = node.decimalValue();
      output.writeByte(DECIMAL);
      output.writeVarInt(value.scale(), false);
      writeBigInteger(output, value.unscaledValue());
    } else {
      // BigIntegerNode, and any other NumericNode as its exact integer or decimal value.
      if (node.isIntegralNumber()) {
        output.writeByte(BIG_INTEGER);
        writeBigInteger(output, node.bigIntegerValue());
      } else {
        BigDecimal value = node.decimalValue();
        output.writeByte(DECIMAL);
        output.writeVarInt(value.scale(), false);
        writeBigInteger(output, value.unscaledValue());
      }
    }
  }

  /** Room made ahead for a container's items: its size as written, up to a bound a corrupt size cannot blow up. */
  private static int presized(int size) {
    return Math.max(0, Math.min(size, 1024));
  }

  private static JsonNode readNode(Input input, int depth) {
    if (depth > MAX_DEPTH) {
      throw new KryoException("JsonNode nested deeper than " + MAX_DEPTH);
    }
    int tag = input.readByte();
    switch (tag) {
      case OBJECT: {
        int size = input.readVarInt(true);
        ObjectNode object = Json.Nodes.FACTORY.objectNode(presized(size));
        for (int i = 0; i < size; i++) {
          String key = input.readString();
          object.set(key, readNode(input, depth + 1));
        }
        return object;
      }
      case ARRAY: {
        int size = input.readVarInt(true);
        ArrayNode array = new ArrayNode(Json.Nodes.FACTORY, presized(size));
        for (int i = 0; i < size; i++) {
          array.add(readNode(input, depth + 1));
        }
        return array;
      }
      case TEXT:
        return TextNode.valueOf(input.readString());
      case INT:
        return IntNode.valueOf(input.readVarInt(false));
      case LONG:
        return LongNode.valueOf(input.readVarLong(false));
      case SHORT:
        return ShortNode.valueOf(input.readShort());
      case DOUBLE:
        return DoubleNode.valueOf(input.readDouble());
      case FLOAT:
        return FloatNode.valueOf(input.readFloat());
      case DECIMAL: {
        // DecimalNode.valueOf, not the node factory: the default factory strips trailing
        // zeros, and 1.50 must stay 1.50 to stay equal.
        int scale = input.readVarInt(false);
        return DecimalNode.valueOf(new BigDecimal(readBigInteger(input), scale));
      }
      case BIG_INTEGER:
        return BigIntegerNode.valueOf(readBigInteger(input));
      case TRUE:
        return BooleanNode.TRUE;
      case FALSE:
        return BooleanNode.FALSE;
      case NULL:
        return NullNode.getInstance();
      case MISSING:
        return MissingNode.getInstance();
      case BINARY:
        return BinaryNode.valueOf(input.readBytes(input.readVarInt(true)));
      default:
        throw new KryoException("Unknown JsonNode tag " + tag);
    }
  }

  private static void writeBigInteger(Output output, BigInteger value) {
    byte[] bytes = value.toByteArray();
    output.writeVarInt(bytes.length, true);
    output.writeBytes(bytes);
  }

  private static BigInteger readBigInteger(Input input) {
    return new BigInteger(input.readBytes(input.readVarInt(true)));
  }
}
