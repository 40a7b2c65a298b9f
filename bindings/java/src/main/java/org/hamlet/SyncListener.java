package org.hamlet;

/**
 * What a sync tells as it goes. The methods are called on the thread running the sync (for
 * {@link Hub#syncAsync}, the hub's own background thread, or the executor given to it), never on the thread that
 * asked for the sync; update a user interface by posting to its thread. A method that throws stops the sync: the
 * sync then ends with that exception, having kept what arrived.
 */
public interface SyncListener {
  /**
   * Bytes moved (at most every 200 ms) or a page ended. phase is "push" or "pull"; commits, bytes and retries count
   * what moved so far in that phase.
   */
  default void onProgress(String phase, long commits, long bytes, long retries) {}

  /**
   * A try failed and the sync waits for the link; called again every second while it waits. waitingMillis is how
   * long nothing has moved, giveUpMillis when the sync stops trying.
   */
  default void onLinkDown(long waitingMillis, long giveUpMillis) {}

  /** Bytes move again after {@link #onLinkDown}. */
  default void onLinkUp() {}
}
