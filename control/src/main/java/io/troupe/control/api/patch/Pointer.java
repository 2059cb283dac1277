package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6901 JSON Pointer as RFC 6902 uses it. Jackson's own JsonPointer answers "missing" both
 * for an absent member and for a malformed array index, and knows nothing of "-"; JSON Patch must
 * tell those apart, so this one is ours.
 *
 * @param text   the pointer as written in the patch, used in messages
 * @param tokens the unescaped reference tokens, outermost first; empty for the whole document
 */
record Pointer(String text, List<String> tokens) {

    /** The token that names the position after the last element of an array. */
    private static final String END_OF_ARRAY = "-";

    Pointer {
        tokens = List.copyOf(tokens);
    }

    static Pointer parse(String text) {
        if (text.isEmpty()) {
            return new Pointer(text, List.of());
        }
        if (text.charAt(0) != '/') {
            throw new PatchException("path \"" + text + "\" is not a JSON pointer: it must be empty or start with /");
        }
        List<String> tokens = new ArrayList<>();
        for (String token : text.substring(1).split("/", -1)) {
            tokens.add(unescape(token, text));
        }
        return new Pointer(text, tokens);
    }

    /** Undoes ~1 then ~0, in that order, so that "~01" reads as "~1" and not as "/" (RFC 6901 section 4). */
    private static String unescape(String token, String text) {
        if (token.indexOf('~') < 0) {
            return token;
        }
        StringBuilder plain = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c != '~') {
                plain.append(c);
                continue;
            }
            char next = i + 1 < token.length() ? token.charAt(i + 1) : ' ';
            if (next != '0' && next != '1') {
                throw new PatchException("path \"" + text + "\" is not a JSON pointer: ~ must be followed by 0 or 1");
            }
            plain.append(next == '0' ? '~' : '/');
            i++;
        }
        return plain.toString();
    }

    boolean isRoot() {
        return tokens.isEmpty();
    }

    /** True when {@code other} lies strictly inside the value this pointer names. */
    boolean isProperPrefixOf(Pointer other) {
        return other.tokens.size() > tokens.size() && other.tokens.subList(0, tokens.size()).equals(tokens);
    }

    /** The value this pointer names in {@code document}, or null when there is none. */
    JsonNode find(JsonNode document) {
        JsonNode node = document;
        for (String token : tokens) {
            if (node.isObject()) {
                node = node.get(token);
            } else if (node.isArray()) {
                int index = arrayIndex(token);
                node = index >= 0 && index < node.size() ? node.get(index) : null;
            } else {
                node = null;
            }
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** Adds {@code value} here as RFC 6902 "add" does, and returns the document, which is new only at the root. */
    JsonNode add(JsonNode document, JsonNode value) {
        if (isRoot()) {
            return value;
        }
        JsonNode parent = parentIn(document);
        String last = last();
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else if (END_OF_ARRAY.equals(last)) {
            ((ArrayNode) parent).add(value);
        } else {
            // Inserting at size() is appending, which RFC 6902 allows as well as "-".
            ((ArrayNode) parent).insert(indexIn((ArrayNode) parent, parent.size()), value);
        }
        return document;
    }

    /** Puts {@code value} in place of the existing one and returns the document, which is new only at the root. */
    JsonNode replace(JsonNode document, JsonNode value) {
        if (isRoot()) {
            return value;
        }
        JsonNode parent = existingParentIn(document);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last(), value);
        } else {
            ((ArrayNode) parent).set(indexIn((ArrayNode) parent, parent.size() - 1), value);
        }
        return document;
    }

    /** Removes the existing value here. The root cannot go: a patched object must still be an object. */
    void remove(JsonNode document) {
        if (isRoot()) {
            throw new PatchException("cannot remove the whole object");
        }
        JsonNode parent = existingParentIn(document);
        if (parent.isObject()) {
            ((ObjectNode) parent).remove(last());
        } else {
            ((ArrayNode) parent).remove(indexIn((ArrayNode) parent, parent.size() - 1));
        }
    }

    @Override
    public String toString() {
        return text;
    }

    private String last() {
        return tokens.get(tokens.size() - 1);
    }

    private Pointer parent() {
        return new Pointer(text.substring(0, text.lastIndexOf('/')), tokens.subList(0, tokens.size() - 1));
    }

    /** The object or array that holds (or is to hold) the value here. */
    private JsonNode parentIn(JsonNode document) {
        Pointer parent = parent();
        JsonNode node = parent.find(document);
        if (node == null) {
            throw new PatchException("path " + parent.describe() + " does not exist");
        }
        if (!node.isContainerNode()) {
            throw new PatchException("path " + parent.describe() + " is a " + JsonValues.typeOf(node)
                    + ", which has no members");
        }
        return node;
    }

    /** Like {@link #parentIn}, and the value here must exist too. */
    private JsonNode existingParentIn(JsonNode document) {
        JsonNode parent = parentIn(document);
        boolean present = parent.isObject() ? parent.has(last()) : arrayIndex(last()) >= 0;
        if (!present) {
            throw new PatchException("path " + text + " does not exist");
        }
        return parent;
    }

    /** The array index the last token names, which must be at most {@code highest}. */
    private int indexIn(ArrayNode array, int highest) {
        int index = arrayIndex(last());
        if (index < 0) {
            throw new PatchException("path " + text + ": \"" + last() + "\" is not an array index");
        }
        if (index > highest) {
            throw new PatchException("path " + text + " does not exist: the array has " + array.size()
                    + (array.size() == 1 ? " element" : " elements"));
        }
        return index;
    }

    private String describe() {
        return isRoot() ? "\"\" (the whole object)" : text;
    }

    /** The index a token names, or -1 when it is not one: RFC 6901 forbids leading zeros and signs. */
    private static int arrayIndex(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }
}
