/* hello [CODE]: prints what it is and its environment's LD_ variables, and exits with CODE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
#ifdef __GLIBC__
  const char *libc = "glibc";
#else
  const char *libc = "musl";
#endif
  printf("hello from a %s program\n", libc);
  for (char **e = environ; *e != NULL; e++) {
    if (strncmp(*e, "LD_", 3) == 0) {
      printf("leaked: %s\n", *e);
    }
  }
  return argc > 1 ? atoi(argv[1]) : 0;
}
