/* CHECK for the plain-C tests: counts checks and failures, and on a failure
   prints the place, the condition and the library's last error message.
   The test's main returns failures == 0 ? 0 : 1. */
#ifndef HAMLET_TESTS_C_CHECK_H_
#define HAMLET_TESTS_C_CHECK_H_

#include <hamlet.h>
#include <stdio.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                          \
  do {                                                                       \
    checks++;                                                                \
    if (!(cond)) {                                                           \
      failures++;                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, hamlet_errmsg());                             \
    }                                                                        \
  } while (0)

#endif /* HAMLET_TESTS_C_CHECK_H_ */
