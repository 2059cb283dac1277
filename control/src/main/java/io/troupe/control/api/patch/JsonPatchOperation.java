package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One operation of an RFC 6902 JSON Patch. Operations change the document they are given in place and
 * return it (or its replacement, when they act on the root), so {@link JsonPatch} hands them a copy.
 * Their errors leave out which operation failed; {@link JsonPatch} adds that.
 */
sealed interface JsonPatchOperation {

    /** The operation's name as written in the patch: add, remove, replace, move, copy or test. */
    String op();

    JsonNode applyTo(JsonNode document);

    /** Reads one element of the patch array. Members other than op, path, from and value are ignored (RFC 6902 section 4). */
    static JsonPatchOperation read(JsonNode operation) {
        if (!operation.isObject()) {
            throw new PatchException("must be an object, got " + JsonValues.typeOf(operation));
        }
        String op = requiredText(operation, "op");
        return switch (op) {
            case "add" -> new Add(pointer(operation, "path"), requiredValue(operation));
            case "remove" -> new Remove(pointer(operation, "path"));
            case "replace" -> new Replace(pointer(operation, "path"), requiredValue(operation));
            case "move" -> new Move(pointer(operation, "from"), pointer(operation, "path"));
            case "copy" -> new Copy(pointer(operation, "from"), pointer(operation, "path"));
            case "test" -> new Test(pointer(operation, "path"), requiredValue(operation));
            default -> throw new PatchException(
                    "unknown op \"" + op + "\"; it must be add, remove, replace, move, copy or test");
        };
    }

    private static String requiredText(JsonNode operation, String member) {
        JsonNode value = operation.get(member);
        if (value == null) {
            throw new PatchException("missing \"" + member + "\"");
        }
        if (!value.isTextual()) {
            throw new PatchException("\"" + member + "\" must be a string, got " + JsonValues.typeOf(value));
        }
        return value.textValue();
    }

    private static Pointer pointer(JsonNode operation, String member) {
        return Pointer.parse(requiredText(operation, member));
    }

    /** A JSON null is a value like any other here; only an absent "value" member is an error. */
    private static JsonNode requiredValue(JsonNode operation) {
        JsonNode value = operation.get("value");
        if (value == null) {
            throw new PatchException("missing \"value\"");
        }
        return value;
    }

    private static JsonNode existing(Pointer pointer, JsonNode document, String role) {
        JsonNode value = pointer.find(document);
        if (value == null) {
            throw new PatchException(role + " " + pointer + " does not exist");
        }
        return value;
    }

    record Add(Pointer path, JsonNode value) implements JsonPatchOperation {
        @Override
        public String op() {
            return "add";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            // A copy, so that the result shares no nodes with the patch the caller still holds.
            return path.add(document, value.deepCopy());
        }
    }

    record Remove(Pointer path) implements JsonPatchOperation {
        @Override
        public String op() {
            return "remove";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            path.remove(document);
            return document;
        }
    }

    record Replace(Pointer path, JsonNode value) implements JsonPatchOperation {
        @Override
        public String op() {
            return "replace";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            return path.replace(document, value.deepCopy());
        }
    }

    record Move(Pointer from, Pointer path) implements JsonPatchOperation {
        @Override
        public String op() {
            return "move";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            JsonNode value = existing(from, document, "from");
            if (from.isProperPrefixOf(path)) {
                throw new PatchException("cannot move " + from + " into its own child " + path);
            }
            if (from.tokens().equals(path.tokens())) {
                return document;
            }
            from.remove(document);
            return path.add(document, value);
        }
    }

    record Copy(Pointer from, Pointer path) implements JsonPatchOperation {
        @Override
        public String op() {
            return "copy";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            return path.add(document, existing(from, document, "from").deepCopy());
        }
    }

    record Test(Pointer path, JsonNode value) implements JsonPatchOperation {
        @Override
        public String op() {
            return "test";
        }

        @Override
        public JsonNode applyTo(JsonNode document) {
            JsonNode actual = existing(path, document, "path");
            if (!JsonValues.same(actual, value)) {
                throw new PatchException("test failed: " + (path.isRoot() ? "the object" : path.text())
                        + " is " + JsonValues.brief(actual) + ", not " + JsonValues.brief(value));
            }
            return document;
        }
    }
}
