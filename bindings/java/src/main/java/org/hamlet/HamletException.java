package org.hamlet;

/**
 * A failed call into the engine: its numeric code (the {@code HAMLET_E*} codes of {@code hamlet.h}, which never
 * change), whether trying again later can help, and a message for a person in the engine's language.
 *
 * <p>Decide by {@link #code()} and {@link #isRetryable()}; the message may change between releases.
 */
public final class HamletException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stopped on request ({@link Hub#cancel()}); retryable. */
  public static final int CANCELLED = 1;
  /** Bad input: fix the call. */
  public static final int INVALID = 3;
  /** No such record, workspace or store. */
  public static final int NOT_FOUND = 5;
  /** Already exists. */
  public static final int EXISTS = 6;
  /** Wrong passphrase or key, unknown or revoked device, not a member. */
  public static final int DENIED = 7;
  /** The replica is not in a state for this call. */
  public static final int PRECONDITION = 9;
  /** Retryable. */
  public static final int ABORTED = 10;
  /** Size or cursor out of range. */
  public static final int RANGE = 11;
  /** Data from a newer version: upgrade. */
  public static final int UNIMPLEMENTED = 12;
  /** A bug in the engine. */
  public static final int INTERNAL = 13;
  /** Retryable: busy store, disk full, I/O error, a link that gave nothing for too long. */
  public static final int UNAVAILABLE = 14;
  /** Corrupt or forged data: bad seal, signature or chain. */
  public static final int DATA_LOSS = 15;
  /** The hub's TLS certificate is not trusted. */
  public static final int UNAUTHENTICATED = 16;

  private final int code;
  private final String codeName;
  private final boolean retryable;

  /** Made by the native layer, which asks the engine for the code's name and retryability. */
  HamletException(int code, String codeName, boolean retryable, String message) {
    super(message);
    this.code = code;
    this.codeName = codeName;
    this.retryable = retryable;
  }

  /** The engine's status code, one of the constants of this class. */
  public int code() {
    return code;
  }

  /** The code's name in English ("invalid argument"), for logs. */
  public String codeName() {
    return codeName;
  }

  /** True when the same call may succeed later (a busy store, a link that is down), false when it never will. */
  public boolean isRetryable() {
    return retryable;
  }
}
