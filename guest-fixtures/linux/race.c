// The planted race of the Linux guest tests (tests/linux, docs/linux.md): two threads append
// entries to a shared log, reserving a slot with a plain load and store of `next`. When both
// read the same `next`, both fill the same slot, and the second write overwrites the other
// thread's entry: an update is lost. It takes the threads meeting at the wrong instruction,
// so only some schedules (seeds) lose one.
//
// Each thread also marks the slots it filled, in a table only it writes, right after filling
// them. So "a slot a thread marked as its own holds the other thread's entry" first holds at
// the store that lost the entry, which is what the test bisects. The shared state fits in one
// page, locked in RAM, and its physical address is printed so a test can watch it from outside.
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define PER_THREAD 600
#define SLOTS (2 * PER_THREAD)

struct shared {
  volatile long next;                  // the first free slot
  volatile unsigned char slot[SLOTS];  // who filled each slot: thread 0 writes 1, thread 1 writes 2
  volatile unsigned char mine[2][SLOTS]; // mine[t][i]: thread t filled slot i
};
static struct shared state __attribute__((aligned(4096)));
static volatile int go; // both threads start together, so their appends overlap

// Work between appends: the threads spend most of their time here, so they rarely meet. It is
// longer (about 4000 instructions) than the longest turn the tests give a hart, so while one
// thread sits between its load and store of `next`, the other appends at most once and `next`
// never moves backwards: each lost entry stays lost.
static unsigned long work(unsigned long x) {
  for (int k = 0; k < 1000; ++k) x = x * 6364136223846793005ul + 1442695040888963407ul;
  return x;
}

static void* worker(void* arg) {
  const long me = (long)arg;
  unsigned long x = (unsigned long)me;
  while (!go) {
  }
  for (int i = 0; i < PER_THREAD; ++i) {
    x = work(x);
    const long at = state.next;            // reserve a slot: read ...
    state.slot[at] = (unsigned char)(me + 1); // fill it: the other thread's entry, if it took this slot too, is lost
    state.next = at + 1;                   // ... and write
    state.mine[me][at] = 1;
  }
  return (void*)x;
}

static uint64_t physical_address(const void* p) {
  const uintptr_t v = (uintptr_t)p;
  const int fd = open("/proc/self/pagemap", O_RDONLY);
  uint64_t entry = 0;
  if (fd < 0 || pread(fd, &entry, sizeof entry, (off_t)(v / 4096 * 8)) != sizeof entry) return 0;
  close(fd);
  if (!(entry >> 63)) return 0; // not present
  return (entry & ((1ull << 55) - 1)) * 4096 + v % 4096;
}

int main(void) {
  _Static_assert(sizeof state <= 4096, "the shared state must fit in one page");
  if (mlock(&state, sizeof state) != 0) perror("mlock");
  state.next = 0; // touch it: present before its address is read
  printf("race: shared state at physical 0x%llx\n", (unsigned long long)physical_address(&state));
  pthread_t t[2];
  for (long k = 0; k < 2; ++k) pthread_create(&t[k], NULL, worker, (void*)k);
  go = 1;
  for (int k = 0; k < 2; ++k) pthread_join(t[k], NULL);
  int kept[2] = {0, 0};
  for (int i = 0; i < SLOTS; ++i)
    if (state.slot[i]) ++kept[state.slot[i] - 1];
  const int lost = 2 * PER_THREAD - kept[0] - kept[1];
  if (lost) {
    printf("race: LOST %d of %d entries (thread 0 kept %d, thread 1 kept %d)\n", lost, 2 * PER_THREAD, kept[0], kept[1]);
    return 1;
  }
  printf("race: all %d entries kept\n", 2 * PER_THREAD);
  return 0;
}
