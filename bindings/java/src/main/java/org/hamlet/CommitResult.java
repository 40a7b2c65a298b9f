package org.hamlet;

import java.util.List;
import java.util.Map;

/** What {@link Replica#commit} recorded: the commit's number in this device's chain and the inserted ids. */
public final class CommitResult {
  private final long seq;
  private final List<String> insertedIds;

  CommitResult(Map<String, Object> json) {
    seq = Answers.number(json, "seq");
    insertedIds = Answers.texts(json.get("ids"));
  }

  public long seq() {
    return seq;
  }

  /** The ids of the batch's inserts, in the batch's order. */
  public List<String> insertedIds() {
    return insertedIds;
  }
}
