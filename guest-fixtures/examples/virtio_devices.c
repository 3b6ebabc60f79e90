/* A bare-metal virtio-mmio driver for the device examples and tests: finds a virtio-rng and a
 * virtio-blk device in any slot (as on QEMU, where the first device sits in the top slot),
 * reads 16 random bytes, reads sector 0 by polling the used ring and reports how long the
 * request took in virtual time, then prints the goldfish RTC's time.
 *
 * Output: "rng: <32 hex digits>", "blk: status S, first bytes <hex>, took N ns",
 * "rtc: <seconds since 1970>". Exit 0. */
#include "retrace_guest.h"

#define VIRTIO_BASE 0x10001000ul
#define RTC_BASE 0x101000ul

static inline uint32_t rd(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void wr(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

struct desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
struct queue {
  struct desc desc[8];
  struct {
    uint16_t flags, idx, ring[8];
  } avail __attribute__((aligned(2)));
  struct {
    uint16_t flags, idx;
    struct {
      uint32_t id, len;
    } ring[8];
  } used __attribute__((aligned(4)));
};
static struct queue rngq __attribute__((aligned(4096))), blkq __attribute__((aligned(4096)));

static uint64_t find(uint32_t id) {
  for (unsigned k = 0; k < 8; ++k) {
    const uint64_t b = VIRTIO_BASE + 0x1000ul * k;
    if (rd(b) == 0x74726976 && rd(b + 4) == 2 && rd(b + 8) == id) return b;
  }
  return 0;
}

static void setup(uint64_t b, struct queue *q) {
  wr(b + 0x70, 0);
  wr(b + 0x70, 1 | 2);
  wr(b + 0x24, 1);
  wr(b + 0x20, 1); /* VIRTIO_F_VERSION_1 */
  wr(b + 0x70, 1 | 2 | 8);
  wr(b + 0x30, 0);
  wr(b + 0x38, 8);
  wr(b + 0x80, (uint32_t)(uint64_t)q->desc);
  wr(b + 0x84, (uint32_t)((uint64_t)q->desc >> 32));
  wr(b + 0x90, (uint32_t)(uint64_t)&q->avail);
  wr(b + 0x94, (uint32_t)((uint64_t)&q->avail >> 32));
  wr(b + 0xa0, (uint32_t)(uint64_t)&q->used);
  wr(b + 0xa4, (uint32_t)((uint64_t)&q->used >> 32));
  wr(b + 0x44, 1);
  wr(b + 0x70, 1 | 2 | 8 | 4);
}

static void submit(uint64_t b, struct queue *q) {
  q->avail.ring[q->avail.idx % 8] = 0;
  __asm__ volatile("fence rw, rw");
  q->avail.idx++;
  __asm__ volatile("fence rw, rw");
  wr(b + 0x50, 0);
}

static void wait_used(struct queue *q, uint16_t want) {
  while (*(volatile uint16_t *)&q->used.idx != want) {
  }
  __asm__ volatile("fence rw, rw");
}

static void hex(const uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n; ++i) printf("%02x", p[i]);
}

int main(void) {
  static uint8_t random[16];
  const uint64_t rng = find(4);
  if (rng) {
    setup(rng, &rngq);
    rngq.desc[0] = (struct desc){(uint64_t)random, sizeof random, 2, 0};
    submit(rng, &rngq);
    wait_used(&rngq, 1);
    printf("rng: ");
    hex(random, sizeof random);
    printf("\n");
  }
  const uint64_t blk = find(2);
  if (blk) {
    static struct {
      uint32_t type, reserved;
      uint64_t sector;
    } req = {0, 0, 0};
    static uint8_t sector[512];
    static volatile uint8_t status = 0xff;
    setup(blk, &blkq);
    blkq.desc[0] = (struct desc){(uint64_t)&req, sizeof req, 1, 1};
    blkq.desc[1] = (struct desc){(uint64_t)sector, sizeof sector, 1 | 2, 2};
    blkq.desc[2] = (struct desc){(uint64_t)&status, 1, 2, 0};
    const uint64_t t0 = rt_mtime();
    submit(blk, &blkq);
    wait_used(&blkq, 1);
    const uint64_t t1 = rt_mtime();
    printf("blk: status %u, first bytes ", status);
    hex(sector, 8);
    printf(", took %llu ns\n", (unsigned long long)(t1 - t0) * 100);
  }
  const uint32_t lo = rd(RTC_BASE), hi = rd(RTC_BASE + 4);
  printf("rtc: %llu\n", (unsigned long long)((((uint64_t)hi << 32) | lo) / 1000000000ull));
  return 0;
}
