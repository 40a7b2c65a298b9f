package org.hamlet;

/** A join posted to a hub with an invite code: what {@link Hub#completeJoin} finishes once the admin admits it. */
public final class JoinRequest {
  private final String workspace;
  private final String invite;

  JoinRequest(String workspace, String invite) {
    this.workspace = workspace;
    this.invite = invite;
  }

  public String workspace() {
    return workspace;
  }

  /** The invite's id (never its secret half). */
  public String invite() {
    return invite;
  }
}
