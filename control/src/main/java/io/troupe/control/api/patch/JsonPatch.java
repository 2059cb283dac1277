package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * RFC 6902 JSON Patch on Jackson trees: add, remove, replace, move, copy and test, applied in order
 * to a copy of the document, so that a patch that fails part-way changes nothing.
 *
 * <p>Written by hand rather than taken from a library. com.flipkart.zjsonpatch:zjsonpatch 0.4.16
 * does resolve from Maven Central and works on Jackson 2.22 trees, but it would add itself and
 * commons-collections4 to the control plane for what is a few hundred lines here, and its errors do
 * not say which operation of the patch failed, which is the first thing a client needs to know.
 */
final class JsonPatch {
    private JsonPatch() {
    }

    /**
     * The document with {@code patch} applied, as a new value; neither argument is changed. Errors
     * name the failing operation by its index in the patch array, counting from 0 as JSON Pointer
     * does: {@code json patch operation 2 (replace): path /spec/foo does not exist}.
     */
    static JsonNode apply(JsonNode document, JsonNode patch) {
        if (patch == null || !patch.isArray()) {
            throw new PatchException("json patch must be a JSON array of operations, got " + JsonValues.typeOf(patch));
        }
        JsonNode result = document.deepCopy();
        for (int index = 0; index < patch.size(); index++) {
            JsonNode operation = patch.get(index);
            try {
                result = JsonPatchOperation.read(operation).applyTo(result);
            } catch (PatchException e) {
                throw new PatchException(label(index, operation) + ": " + e.getMessage(), e);
            }
        }
        return result;
    }

    private static String label(int index, JsonNode operation) {
        JsonNode op = operation.get("op");
        return "json patch operation " + index + (op != null && op.isTextual() ? " (" + op.textValue() + ")" : "");
    }
}
