// Benchmark workload (tests/bench/linux.py): page faults. Maps 64 MiB of anonymous memory,
// touches every page (one fault each), sums what it wrote, unmaps it, and does it again.
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
  const size_t size = 64u << 20, page = 4096;
  uint64_t sum = 0;
  for (int round = 0; round < 2; ++round) {
    volatile uint8_t* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("mmap");
      return 1;
    }
    for (size_t off = 0; off < size; off += page) p[off] = (uint8_t)(off >> 12);
    for (size_t off = 0; off < size; off += page) sum += p[off];
    munmap((void*)p, size);
  }
  printf("pagefault checksum %llu\n", (unsigned long long)sum);
  return 0;
}
