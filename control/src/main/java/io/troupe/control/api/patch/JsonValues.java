package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/** Comparing and describing JSON values the way patches need to. */
final class JsonValues {
    /** Values longer than this are cut in error messages, so that a bad patch cannot flood a response. */
    private static final int BRIEF_LENGTH = 120;

    private JsonValues() {
    }

    /**
     * JSON equality as RFC 6902 defines it for {@code test}: numbers compare by value, so 1 and 1.0 are
     * equal though Jackson keeps them as different node classes; object member order does not matter.
     */
    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> member : a.properties()) {
                if (!same(member.getValue(), b.get(member.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** The JSON type name of a value, for messages: object, array, string, number, boolean or null. */
    static String typeOf(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "object";
        }
        if (node.isArray()) {
            return "array";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return node.isNull() ? "null" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** The value as JSON text, cut short for messages. */
    static String brief(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() <= BRIEF_LENGTH ? text : text.substring(0, BRIEF_LENGTH) + "...";
    }
}
