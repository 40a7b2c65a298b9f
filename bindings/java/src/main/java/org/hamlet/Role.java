package org.hamlet;

/** A member's role in a workspace, given when the admin invites or admits a device. */
public enum Role {
  /** A district or commune officer: reads sealed reporters, writes workspace settings. */
  OFFICER(1),
  /** A village cadre. */
  CADRE(2);

  final int code;

  Role(int code) {
    this.code = code;
  }
}
