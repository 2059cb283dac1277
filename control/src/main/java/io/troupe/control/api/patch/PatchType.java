package io.troupe.control.api.patch;

import java.util.Optional;

/** The body formats the PATCH verb accepts, named by the Content-Type a client sends. */
public enum PatchType {
    JSON_PATCH("application/json-patch+json"),
    MERGE_PATCH("application/merge-patch+json"),
    STRATEGIC_MERGE_PATCH("application/strategic-merge-patch+json"),
    APPLY_PATCH("application/apply-patch+yaml");

    private final String mediaType;

    PatchType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * The patch type for a Content-Type header value. Parameters such as {@code ;charset=utf-8} are
     * ignored and media types compare case-insensitively, as RFC 9110 says they do.
     */
    public static Optional<PatchType> ofMediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int parameters = contentType.indexOf(';');
        String bare = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        for (PatchType type : values()) {
            if (type.mediaType.equalsIgnoreCase(bare)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
