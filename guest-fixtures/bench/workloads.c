/* CPU-bound workloads for the speed benchmark (tests/bench/workloads.py, docs/performance.md),
 * one per build (-DWORKLOAD=N, -DROUNDS=R): 1 linked lists, 2 matrix multiply (double), 3
 * CRC-32, 4 a table-driven tokenizer (state machine), 5 a small bytecode interpreter. Each
 * prints a checksum, so an emulator that computes a wrong result is caught, and exits 0. */
#include "retrace_guest.h"

#ifndef WORKLOAD
#define WORKLOAD 1
#endif
#ifndef ROUNDS
#define ROUNDS 10
#endif

struct node {
  struct node *next;
  uint32_t value;
};

__attribute__((unused)) static uint32_t lists(uint32_t seed) {
  enum { N = 4000 };
  static struct node nodes[N];
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u;
    nodes[i].value = seed >> 8;
    nodes[i].next = i + 1 < N ? &nodes[i + 1] : 0;
  }
  struct node *head = &nodes[0], *rev = 0;
  while (head) { /* reverse */
    struct node *n = head->next;
    head->next = rev;
    rev = head;
    head = n;
  }
  struct node *sorted = 0;
  for (int k = 0; k < 400 && rev; ++k) { /* insertion-sort the first 400 */
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

__attribute__((unused)) static uint32_t matmul(uint32_t r) {
  enum { M = 32 };
  static double a[M][M], b[M][M], c[M][M];
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      a[i][j] = (double)(i + 1 + (int)r) / (double)(j + 2);
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

__attribute__((unused)) static uint32_t crc32(uint32_t r) {
  static uint8_t buf[16384];
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)(i * 7 + (i >> 3) + r);
  uint32_t crc = 0xffffffffu;
  for (unsigned i = 0; i < sizeof buf; ++i) {
    crc ^= buf[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

__attribute__((unused)) static uint32_t tokenizer(uint32_t r) {
  static const char *const text = "x1 = foo(42, bar_7) + 0x1f * (y - 3); while (n--) { s += a[n] << 2; }\n";
  static const unsigned char cls_of[128] = {
      ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1, ['0' ... '9'] = 2, [' '] = 0, ['\n'] = 0,
      ['='] = 3, ['('] = 3, [')'] = 3, [','] = 3, ['+'] = 3, ['*'] = 3, ['-'] = 3, [';'] = 3,
      ['{'] = 3, ['}'] = 3, ['['] = 3, [']'] = 3, ['<'] = 3};
  uint32_t counts[4] = {r & 1, 0, 0, 0};
  for (int k = 0; k < 200; ++k) {
    unsigned state = 0;
    for (const char *p = text; *p; ++p) {
      unsigned cls = cls_of[(unsigned char)*p & 127];
      if (state == 1 && cls == 2) cls = 1;
      if (cls != state && cls != 0) counts[cls]++;
      state = cls;
    }
  }
  return counts[1] * 10000u + counts[2] * 100u + counts[3] + counts[0];
}

/* A stack machine: push, add, sub, mul, dup, swap, jump-if-nonzero, load/store locals. */
enum { PUSH, ADD, SUB, MUL, DUP, SWAP, JNZ, LOAD, STORE, HALT };
__attribute__((unused)) static uint32_t bytecode(uint32_t r) {
  /* local0 = n; local1 = acc; while (n) { acc = acc * 3 + n; n = n - 1; } return acc */
  static const int32_t prog[] = {PUSH, 3000, STORE, 0, PUSH, 0, STORE, 1,
                                 /* 8: */ LOAD, 1, PUSH, 3, MUL, LOAD, 0, ADD, STORE, 1,
                                 LOAD, 0, PUSH, 1, SUB, DUP, STORE, 0, JNZ, 8, LOAD, 1, HALT};
  int32_t stack[16], locals[2] = {0, 0};
  int sp = 0, pc = 0;
  stack[0] = (int32_t)r;
  for (;;) {
    switch (prog[pc]) {
    case PUSH: stack[++sp] = prog[pc + 1]; pc += 2; break;
    case ADD: --sp; stack[sp] += stack[sp + 1]; ++pc; break;
    case SUB: --sp; stack[sp] -= stack[sp + 1]; ++pc; break;
    case MUL: --sp; stack[sp] *= stack[sp + 1]; ++pc; break;
    case DUP: stack[sp + 1] = stack[sp]; ++sp; ++pc; break;
    case SWAP: { int32_t t = stack[sp]; stack[sp] = stack[sp - 1]; stack[sp - 1] = t; ++pc; break; }
    case JNZ: pc = stack[sp--] ? prog[pc + 1] : pc + 2; break;
    case LOAD: stack[++sp] = locals[prog[pc + 1]]; pc += 2; break;
    case STORE: locals[prog[pc + 1]] = stack[sp--]; pc += 2; break;
    default: return (uint32_t)stack[sp] + (uint32_t)stack[0];
    }
  }
}

int main(void) {
  uint32_t check = 0;
  for (uint32_t r = 0; r < ROUNDS; ++r) {
#if WORKLOAD == 1
    check = check * 7u + lists(r + 1);
#elif WORKLOAD == 2
    check = check * 7u + matmul(r);
#elif WORKLOAD == 3
    check = check * 7u + crc32(r);
#elif WORKLOAD == 4
    check = check * 7u + tokenizer(r);
#else
    check = check * 7u + bytecode(r);
#endif
  }
  printf("workload %d done: checksum %08lx\n", WORKLOAD, (unsigned long)check);
  return 0;
}
