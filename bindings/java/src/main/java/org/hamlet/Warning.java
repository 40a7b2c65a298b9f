package org.hamlet;

import java.util.Map;

/**
 * Something to tell the user before writing: the admin has not been heard from for long, or a hub kept back what
 * it should have served (see {@code Warning} in {@code hamlet/replica.h} for the kinds). Immutable.
 */
public final class Warning {
  private final String kind;
  private final String hub;
  private final String message;

  Warning(Map<String, Object> json) {
    kind = Answers.text(json, "kind");
    hub = Answers.text(json, "hub");
    message = Answers.text(json, "message");
  }

  /** A stable name such as "no_recent_statement" or "hub_withholds_commits", for the app to decide by. */
  public String kind() {
    return kind;
  }

  /** The hub concerned, or empty. */
  public String hub() {
    return hub;
  }

  /** A sentence for a person, in the engine's language. */
  public String message() {
    return message;
  }
}
