package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.util.ByteString;

/** JSON answers. */
final class ApiResponses {
  private ApiResponses() {}

  static HttpResponse json(int status, Object body) {
    return json(status, ByteString.fromArrayUnsafe(Json.bytes(body)));
  }

  /** A body that is JSON already. */
  static HttpResponse json(int status, ByteString body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  static HttpResponse ok(JsonNode body) {
    return json(200, body);
  }

  static HttpResponse status(ApiException e) {
    HttpResponse response = json(e.code(), e.status());
    var retryAfter = e.retryAfterSeconds();
    return retryAfter.isPresent()
        ? response.addHeader(RawHeader.create("Retry-After", Long.toString(retryAfter.getAsLong()))) : response;
  }

  static HttpResponse text(int status, String text) {
    return HttpResponse.create().withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, text));
  }
}
