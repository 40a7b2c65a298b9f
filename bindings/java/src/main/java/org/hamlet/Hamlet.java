package org.hamlet;

/** The engine's version, as built into the native library the app loaded. */
public final class Hamlet {
  static {
    NativeLibrary.load();
  }

  private Hamlet() {}

  /** The version, such as "0.1.0". */
  public static String version() {
    return nativeVersion();
  }

  /** The version as major * 1000000 + minor * 1000 + patch. */
  public static int versionNumber() {
    return nativeVersionNumber();
  }

  private static native String nativeVersion();

  private static native int nativeVersionNumber();
}
