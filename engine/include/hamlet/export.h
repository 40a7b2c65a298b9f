// Symbol visibility for the shared library: everything not marked
// HAMLET_EXPORT stays private to libhamlet.so.
#ifndef HAMLET_EXPORT_H_
#define HAMLET_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define HAMLET_EXPORT __attribute__((visibility("default")))
#else
#define HAMLET_EXPORT
#endif

#endif  // HAMLET_EXPORT_H_
