package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.Json;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/**
 * {@code POST /apis/authentication.k8s.io/v1/selfsubjectreviews} (what {@code kubectl auth whoami} sends): who the
 * API takes the caller for, its user name, uid and groups. Not stored; the body is not read (Kubernetes ignores it
 * too: the answer is about the request's own credentials).
 */
final class SelfSubjectReviews {
  static final String PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  private final Materializer materializer;

  SelfSubjectReviews(Materializer materializer) {
    this.materializer = materializer;
  }

  static boolean handles(String path) {
    return path.equals(PATH);
  }

  HttpResponse create(HttpRequest request, UserInfo user) {
    request.discardEntityBytes(materializer);
    if (!request.method().value().equals("POST")) {
      throw ApiException.methodNotAllowed(request.method().value(), request.getUri().path());
    }
    ObjectNode review = Json.object();
    review.put("kind", "SelfSubjectReview");
    review.put("apiVersion", "authentication.k8s.io/v1");
    review.putObject("metadata").putNull("creationTimestamp");
    ObjectNode info = review.putObject("status").putObject("userInfo");
    info.put("username", user.name());
    if (!user.uid().isEmpty()) info.put("uid", user.uid());
    ArrayNode groups = info.putArray("groups");
    user.groups().forEach(groups::add);
    return ApiResponses.json(201, review);
  }
}
