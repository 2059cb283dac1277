package io.troupe.control.api.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PatchTypeTest {

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                Arguments.of("application/json-patch+json", Optional.of(PatchType.JSON_PATCH)),
                Arguments.of("application/merge-patch+json", Optional.of(PatchType.MERGE_PATCH)),
                Arguments.of("application/strategic-merge-patch+json", Optional.of(PatchType.STRATEGIC_MERGE_PATCH)),
                Arguments.of("application/apply-patch+yaml", Optional.of(PatchType.APPLY_PATCH)),
                Arguments.of("application/merge-patch+json; charset=utf-8", Optional.of(PatchType.MERGE_PATCH)),
                Arguments.of("Application/JSON-Patch+JSON;charset=UTF-8", Optional.of(PatchType.JSON_PATCH)),
                Arguments.of("  application/strategic-merge-patch+json ; charset=utf-8", Optional.of(PatchType.STRATEGIC_MERGE_PATCH)),
                Arguments.of("application/json", Optional.empty()),
                Arguments.of("application/yaml", Optional.empty()),
                Arguments.of("", Optional.empty()),
                Arguments.of(null, Optional.empty()));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @MethodSource("contentTypes")
    void readsContentType(String contentType, Optional<PatchType> expected) {
        assertEquals(expected, PatchType.ofMediaType(contentType));
    }

    @ParameterizedTest
    @EnumSource(PatchType.class)
    void mediaTypeRoundTrips(PatchType type) {
        assertEquals(Optional.of(type), PatchType.ofMediaType(type.mediaType()));
    }
}
