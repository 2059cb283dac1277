package io.troupe.control.auth;

/** Decides whether a request may be served (Kubernetes' authorizer); synchronous, from what it holds in memory. */
public interface Authorizer {
  Decision authorize(Attributes attributes);

  /** Allowed or not, and why (logged; Kubernetes puts RBAC's reason in its audit log, not in the 403). */
  record Decision(boolean allowed, String reason) {
    public static Decision allow(String reason) {
      return new Decision(true, reason);
    }

    public static Decision deny(String reason) {
      return new Decision(false, reason);
    }
  }

  /** Development only: everything is allowed (kube-apiserver's {@code --authorization-mode=AlwaysAllow}). */
  static Authorizer alwaysAllow() {
    return attributes -> Decision.allow("AlwaysAllow");
  }
}
