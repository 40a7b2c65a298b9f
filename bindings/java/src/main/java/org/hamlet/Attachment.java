package org.hamlet;

import java.util.Map;

/**
 * A file attached to a record (a photo of a resident's letter, a signed record of a dialogue), as its reference
 * names it and as this device holds it (protocol.md 14). The bytes are sealed on the device under a key of their
 * own and travel on their own: {@link Hub#sync} sends this device's, {@link Hub#fetchAttachment} fetches another
 * device's. Immutable: a snapshot of the moment it was read.
 */
public final class Attachment {
  private final String id;
  private final String workspace;
  private final String record;
  private final String name;
  private final String type;
  private final long size;
  private final boolean held;
  private final boolean sent;
  private final boolean wanted;

  Attachment(Map<String, Object> json) {
    id = Answers.text(json, "id");
    workspace = Answers.text(json, "workspace");
    record = Answers.text(json, "record");
    name = Answers.text(json, "name");
    type = Answers.text(json, "type");
    size = Answers.number(json, "size");
    held = Answers.yes(json, "held");
    sent = Answers.yes(json, "sent");
    wanted = Answers.yes(json, "wanted");
  }

  /** The reference's id (32 hex digits): what the other calls take. */
  public String id() {
    return id;
  }

  public String workspace() {
    return workspace;
  }

  /** The record it is attached to. */
  public String record() {
    return record;
  }

  /** As given when attached, such as "don-thu.jpg". */
  public String name() {
    return name;
  }

  /** A media type, such as "image/jpeg". */
  public String type() {
    return type;
  }

  /** Bytes of the file. */
  public long size() {
    return size;
  }

  /** This device holds the whole file: {@link Replica#readAttachment} works without a hub. */
  public boolean held() {
    return held;
  }

  /** A hub acknowledged every byte of it. */
  public boolean sent() {
    return sent;
  }

  /** Every sync fetches it until it is held ({@link Replica#wantAttachment}). */
  public boolean wanted() {
    return wanted;
  }

  @Override
  public String toString() {
    return name + " (" + type + ", " + size + " bytes)";
  }
}
