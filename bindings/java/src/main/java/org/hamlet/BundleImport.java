package org.hamlet;

import java.util.Map;

/** What {@link Replica#importBundle} took from a bundle file. Immutable. */
public final class BundleImport {
  private final String workspace;
  private final String exporter;
  private final long commits;
  private final long applied;
  private final long duplicates;
  private final long setAside;

  BundleImport(Map<String, Object> json) {
    workspace = Answers.text(json, "workspace");
    exporter = Answers.text(json, "exporter");
    commits = Answers.number(json, "commits");
    applied = Answers.number(json, "applied");
    duplicates = Answers.number(json, "duplicates");
    setAside = Answers.number(json, "set_aside");
  }

  public String workspace() {
    return workspace;
  }

  /** The device that wrote the bundle, or null when it does not say. */
  public String exporter() {
    return exporter;
  }

  public long commits() {
    return commits;
  }

  /** Commits new to this replica. */
  public long applied() {
    return applied;
  }

  public long duplicates() {
    return duplicates;
  }

  /** Commits that failed their checks on their own: kept aside, the rest merged. */
  public long setAside() {
    return setAside;
  }
}
