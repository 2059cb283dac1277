package io.troupe.control.api.patch;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * The PATCH verb's engine: applies a patch body of one of the {@link PatchType}s to a stored object.
 * Pure functions on Jackson trees; what the result may contain (names, versions, validation) is for
 * the caller to check afterwards, as the API server does after any write.
 */
public final class Patches {

    /**
     * Strict where Jackson is lenient by default: RFC 6902 appendix A.13 says a duplicated member
     * makes a patch invalid, and trailing text after the value is a malformed body, not a patch.
     */
    private static final ObjectMapper BODY_READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Patches() {
    }

    /**
     * Applies {@code patch} to {@code original} and returns the patched object as a new tree that
     * shares no nodes with either argument; neither is changed.
     *
     * @param kind the object's kind, such as "Pod"; only named in messages, may be null
     * @throws PatchException                when the patch is malformed or cannot be applied to this object
     * @throws UnsupportedOperationException for {@link PatchType#APPLY_PATCH}, which Troupe does not serve yet
     */
    public static ObjectNode apply(PatchType type, ObjectNode original, JsonNode patch, String kind) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(original, "original");
        return switch (type) {
            case JSON_PATCH -> requireObjectResult(JsonPatch.apply(original, patch));
            case MERGE_PATCH -> (ObjectNode) MergePatch.apply(original, requireObjectBody(patch));
            case STRATEGIC_MERGE_PATCH -> StrategicMergePatch.apply(original, requireObjectBody(patch), kind);
            case APPLY_PATCH -> throw new UnsupportedOperationException(
                    "server-side apply (" + type.mediaType() + ") is not supported yet");
        };
    }

    /**
     * Reads a JSON patch body (every type but {@link PatchType#APPLY_PATCH}, which is YAML), refusing
     * what a lenient reader would quietly accept: duplicate members and trailing content.
     *
     * @throws PatchException when the body is empty or not one well-formed JSON value
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new PatchException("patch body is empty");
        }
        try {
            JsonNode tree = BODY_READER.readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw new PatchException("patch body is empty");
            }
            return tree;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new PatchException("patch body is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            // Reading from a byte array does no I/O; this is only the checked signature of readTree.
            throw new PatchException("patch body could not be read: " + e.getMessage(), e);
        }
    }

    /** RFC 7386 lets a non-object patch replace the whole document; Kubernetes requires an object. */
    private static ObjectNode requireObjectBody(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new PatchException("patch body must be a JSON object, got " + JsonValues.typeOf(patch));
        }
        return (ObjectNode) patch;
    }

    /** A JSON Patch may replace the root with anything; a stored object must stay an object. */
    private static ObjectNode requireObjectResult(JsonNode patched) {
        if (!patched.isObject()) {
            throw new PatchException("json patch would make the object a " + JsonValues.typeOf(patched)
                    + "; it must stay a JSON object");
        }
        return (ObjectNode) patched;
    }
}
