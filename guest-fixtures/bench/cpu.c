/* A CPU-bound workload for measuring instructions per second: linked-list processing, a
 * double-precision matrix multiply, CRC-32 over a buffer and a table-driven state machine.
 * Prints a checksum of all four so a wrong result is visible, and exits 0. */
#include "retrace_guest.h"

#include <stdlib.h>

#ifndef ROUNDS
#define ROUNDS 24
#endif

struct node {
  struct node *next;
  uint32_t value;
};

static uint32_t lists(uint32_t seed) {
  enum { N = 2000 };
  static struct node nodes[N];
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u;
    nodes[i].value = seed >> 8;
    nodes[i].next = i + 1 < N ? &nodes[i + 1] : 0;
  }
  /* reverse, then insertion-sort the first 300, then sum */
  struct node *head = &nodes[0], *rev = 0;
  while (head) {
    struct node *n = head->next;
    head->next = rev;
    rev = head;
    head = n;
  }
  struct node *sorted = 0;
  for (int k = 0; k < 300 && rev; ++k) {
    struct node *n = rev;
    rev = rev->next;
    struct node **p = &sorted;
    while (*p && (*p)->value < n->value) p = &(*p)->next;
    n->next = *p;
    *p = n;
  }
  uint32_t sum = 0;
  for (struct node *n = sorted; n; n = n->next) sum = sum * 31u + n->value;
  return sum;
}

static uint32_t matmul(void) {
  enum { M = 24 };
  static double a[M][M], b[M][M], c[M][M];
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      a[i][j] = (double)(i + 1) / (double)(j + 2);
      b[i][j] = (double)(i * j % 7) - 3.0;
    }
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      double s = 0;
      for (int k = 0; k < M; ++k) s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
  double t = 0;
  for (int i = 0; i < M; ++i) t += c[i][i];
  return (uint32_t)(int64_t)(t * 1000.0);
}

static uint32_t crc32(void) {
  static uint8_t buf[8192];
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)(i * 7 + (i >> 3));
  uint32_t crc = 0xffffffffu;
  for (unsigned i = 0; i < sizeof buf; ++i) {
    crc ^= buf[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static uint32_t state_machine(void) {
  /* count tokens in a generated text: identifiers, numbers, operators */
  static const char *const text = "x1 = foo(42, bar_7) + 0x1f * (y - 3); while (n--) { s += a[n] << 2; }\n";
  uint32_t counts[4] = {0};
  for (int r = 0; r < 60; ++r) {
    int state = 0; /* 0 space, 1 ident, 2 number, 3 op */
    for (const char *p = text; *p; ++p) {
      const char ch = *p;
      int cls = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ? 1
                : (ch >= '0' && ch <= '9')                                       ? 2
                : (ch == ' ' || ch == '\n')                                      ? 0
                                                                                 : 3;
      if (state == 1 && cls == 2) cls = 1;
      if (cls != state && cls != 0) counts[cls]++;
      state = cls;
    }
  }
  return counts[1] * 10000u + counts[2] * 100u + counts[3];
}

int main(void) {
  uint32_t check = 0;
  for (int r = 0; r < ROUNDS; ++r) {
    check = check * 7u + lists((uint32_t)r + 1);
    check = check * 7u + matmul();
    check = check * 7u + crc32();
    check = check * 7u + state_machine();
  }
  printf("bench done: checksum %08lx\n", (unsigned long)check);
  return 0;
}
