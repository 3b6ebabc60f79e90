// Benchmark workload (tests/bench/linux.py): a byte bounced between two processes through two
// pipes, so every round trip is two context switches and four system calls.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 2000;
  int to_child[2], to_parent[2];
  if (pipe(to_child) || pipe(to_parent)) {
    perror("pipe");
    return 1;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  unsigned char b = 0;
  if (pid == 0) {
    for (int i = 0; i < rounds; ++i) {
      if (read(to_child[0], &b, 1) != 1) _exit(2);
      ++b;
      if (write(to_parent[1], &b, 1) != 1) _exit(3);
    }
    _exit(0);
  }
  unsigned long sum = 0;
  for (int i = 0; i < rounds; ++i) {
    if (write(to_child[1], &b, 1) != 1 || read(to_parent[0], &b, 1) != 1) {
      perror("pingpong");
      return 1;
    }
    sum += b;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("pingpong checksum %lu status %d\n", sum, status);
  return 0;
}
