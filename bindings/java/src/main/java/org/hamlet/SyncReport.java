package org.hamlet;

/** What one sync moved. Immutable. */
public final class SyncReport {
  private final long[] v;

  /**
   * In the order of hamlet_sync_report: pushed, pulled, applied, bytes up, bytes down, requests, retries, relayed,
   * files sent, files fetched.
   */
  SyncReport(long[] values) {
    v = values.clone();
  }

  /** Commits the hub stored from this device. */
  public long pushed() {
    return v[0];
  }

  /** Commits received from the hub. */
  public long pulled() {
    return v[1];
  }

  /** Of those, the commits new to this replica. */
  public long applied() {
    return v[2];
  }

  public long bytesUp() {
    return v[3];
  }

  public long bytesDown() {
    return v[4];
  }

  public long requests() {
    return v[5];
  }

  /** Requests tried again after a cut or a busy hub. */
  public long retries() {
    return v[6];
  }

  /** Commits of other members the hub stored from this device. */
  public long relayed() {
    return v[7];
  }

  /** Attachments the hub now holds whole from this device. */
  public long filesSent() {
    return v[8];
  }

  /** Attachments fetched because they were wanted. */
  public long filesFetched() {
    return v[9];
  }

  @Override
  public String toString() {
    return "pushed " + pushed() + ", pulled " + pulled() + " (" + applied() + " new), " + bytesUp() + " bytes up, "
        + bytesDown() + " bytes down, " + requests() + " requests, " + retries() + " retries";
  }
}
