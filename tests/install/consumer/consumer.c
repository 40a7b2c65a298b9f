/* Opens a replica through the installed library and prints its version. */
#include <hamlet.h>
#include <stdio.h>

int main(int argc, char** argv) {
  hamlet_replica* r = NULL;
  unsigned char key[32] = {1};
  if (argc < 2 || hamlet_open_with_key(argv[1], key, HAMLET_OPEN_RELAXED, &r) != HAMLET_OK) {
    fprintf(stderr, "open failed: %s\n", hamlet_errmsg());
    return 1;
  }
  char* ws = NULL;
  int rc = hamlet_workspace_create(r, &ws);
  printf("hamlet %s, workspace %s\n", hamlet_version(), rc == HAMLET_OK ? ws : "?");
  hamlet_free(ws);
  hamlet_close(r);
  return rc == HAMLET_OK && hamlet_version_number() == HAMLET_VERSION_NUMBER ? 0 : 1;
}
