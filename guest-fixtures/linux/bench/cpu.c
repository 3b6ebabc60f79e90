// Benchmark workload (tests/bench/linux.py): CPU-bound user code, so translated user-mode code
// is measured too. CRC-32, bit by bit, over 1 MiB of generated data.
#include <stdint.h>
#include <stdio.h>

static uint8_t data[1u << 20];

int main(void) {
  uint32_t x = 12345;
  for (unsigned i = 0; i < sizeof data; ++i) {
    x = x * 1103515245u + 12345u;
    data[i] = (uint8_t)(x >> 16);
  }
  uint32_t crc = 0xffffffffu;
  for (unsigned i = 0; i < sizeof data; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  printf("cpu checksum %08x\n", crc ^ 0xffffffffu);
  return 0;
}
