#pragma once
/// \file
/// Guest RAM: 4 KiB pages, allocated on first write (untouched pages read as zero), held in
/// 2 MiB chunks of 512 page pointers. Chunks and pages are shared copy-on-write with snapshots:
/// taking a snapshot copies only the chunk pointers; the first write to a chunk after it copies
/// that chunk's 512 page pointers, and the first write to a page copies the page. So a snapshot
/// costs O(RAM / 2 MiB) pointer copies, and memory and time grow only with what is written
/// after it.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace retrace {

/// Paged, copy-on-write guest memory of a fixed size.
class Ram {
public:
  static constexpr unsigned page_shift = 12;
  static constexpr std::uint64_t page_size = 1ull << page_shift;
  static constexpr unsigned chunk_shift = 9; // pages per chunk: 512 (2 MiB)
  static constexpr std::size_t chunk_pages = std::size_t{1} << chunk_shift;
  using Page = std::array<std::uint8_t, page_size>;

  /// 512 pages; `shared[i]` marks a page a snapshot may hold (copy before writing).
  struct Chunk {
    std::array<std::shared_ptr<Page>, chunk_pages> pages{};
    std::array<std::uint8_t, chunk_pages> shared{};
  };

  /// RAM's contents at one moment, sharing chunks and pages with the RAM it came from.
  struct Snapshot {
    std::vector<std::shared_ptr<const Chunk>> chunks; ///< indexed by chunk number; null: all zero

    /// The page with this index, or nullptr if it was never written.
    [[nodiscard]] const Page* page(std::size_t index) const {
      const std::size_t c = index >> chunk_shift;
      if (c >= chunks.size() || !chunks[c]) return nullptr;
      return chunks[c]->pages[index & (chunk_pages - 1)].get();
    }
    /// Visits every written page in address order: f(page index, const Page&).
    template <class F>
    void for_each_page(F&& f) const {
      for (std::size_t c = 0; c < chunks.size(); ++c)
        if (chunks[c])
          for (std::size_t j = 0; j < chunk_pages; ++j)
            if (const auto& p = chunks[c]->pages[j]) f((c << chunk_shift) | j, *p);
    }
  };

  explicit Ram(std::uint64_t size)
      : m_size(size), m_chunks(((size + page_size - 1) >> page_shift) / chunk_pages + 1), m_chunk_shared(m_chunks.size(), 0) {}

  [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }

  /// Host pointer to the page containing `offset` for reading, or nullptr if it was never
  /// written (then it reads as zero).
  [[nodiscard]] const std::uint8_t* page_for_read(std::uint64_t offset) const noexcept {
    const std::size_t i = offset >> page_shift;
    const auto& c = m_chunks[i >> chunk_shift];
    if (!c) return nullptr;
    const auto& p = c->pages[i & (chunk_pages - 1)];
    return p ? p->data() : nullptr;
  }
  // --- decoded code: what the hart's block cache depends on --------------------------------
  /// Notes that [offset, offset+n) (inside one page) holds instructions a hart has decoded.
  /// A later write to one of those bytes (to the same 64-byte line, in fact) moves that page's
  /// code_stamp(), which drops the page's decoded blocks, and no other page's.
  void mark_code(std::uint64_t offset, std::uint64_t n) {
    if (m_code_lines.empty()) {
      m_code_lines.resize((m_size + page_size - 1) >> page_shift);
      m_code_versions.resize(m_code_lines.size());
    }
    auto& lines = m_code_lines[offset >> page_shift];
    const std::uint64_t mask = line_mask(offset, n);
    if ((lines & mask) != mask) ++m_code_marks;
    lines |= mask;
  }
  /// Moves whenever mark_code marks a line it had not, or mark_table a page it had not (under
  /// this generation): what a cache of "stores to this page need not be seen" (the translator's
  /// store TLB) depends on.
  [[nodiscard]] std::uint64_t code_marks() const noexcept { return m_code_marks; }
  /// Whether any line of the page containing `offset` holds decoded code.
  [[nodiscard]] bool page_has_code(std::uint64_t offset) const noexcept {
    return !m_code_lines.empty() && m_code_lines[offset >> page_shift] != 0;
  }
  /// Moves whenever decoded instructions anywhere may have changed: RAM restored or cleared.
  [[nodiscard]] std::uint64_t code_epoch() const noexcept { return m_code_epoch; }
  /// What a block decoded from the page containing `offset` was decoded under: moves with
  /// code_epoch() and whenever a marked line of that page is written. Per page, because an OS
  /// reuses pages that held code for data all the time (docs/performance.md); a write drops
  /// only the blocks of its own page.
  [[nodiscard]] std::uint64_t code_stamp(std::uint64_t offset) const noexcept {
    const std::uint64_t v = m_code_versions.empty() ? 0 : m_code_versions[offset >> page_shift];
    return (m_code_epoch << 32) ^ v;
  }
  /// Counts writes that changed decoded code (any page): for statistics and tests.
  [[nodiscard]] std::uint64_t code_writes() const noexcept { return m_code_writes; }
  // --- page tables: what the harts' TLBs depend on ---------------------------------------
  /// Notes that the page containing `offset` holds a page-table entry a hart has just made a
  /// TLB entry from (under the current generation()). Until the generation moves, a write to
  /// that page moves it (note_write), which drops every TLB entry of every hart. So a TLB never
  /// holds a translation a page walk would not give now: when its entries go (a snapshot, a
  /// page copied on write, a restore) cannot change what the guest sees.
  void mark_table(std::uint64_t offset) {
    if (m_table_stamps.empty()) m_table_stamps.resize((m_size + page_size - 1) >> page_shift);
    auto& stamp = m_table_stamps[offset >> page_shift];
    if (stamp != m_generation + 1) {
      stamp = m_generation + 1;
      ++m_code_marks; // stores to this page must be seen from now on
    }
  }
  /// Whether a TLB entry made under the current generation depends on the page containing
  /// `offset` (a store there must reach note_write).
  [[nodiscard]] bool page_has_table(std::uint64_t offset) const noexcept {
    return !m_table_stamps.empty() && m_table_stamps[offset >> page_shift] == m_generation + 1;
  }

  /// Called for every write to RAM, whoever makes it (Ram::write, and harts writing through a
  /// page pointer via Bus::after_ram_store): self-modifying code and code loaded by a device,
  /// and page-table entries a TLB entry was made from (then the generation moves). True if the
  /// write changed decoded code or such a page-table entry (a running block must then end, so
  /// the next fetch is translated again).
  bool note_write(std::uint64_t offset, std::uint64_t n) noexcept {
    const bool table = !m_table_stamps.empty() && note_table_write(offset, n);
    if (m_code_lines.empty()) return table;
    if (n <= 8 && (offset & (page_size - 1)) + n <= page_size) [[likely]] { // one access of a hart
      if (!(m_code_lines[offset >> page_shift] & line_mask(offset, n))) [[likely]]
        return table;
    }
    bool changed = false;
    while (n) {
      const std::uint64_t in_page = offset & (page_size - 1);
      const std::uint64_t chunk = std::min(n, page_size - in_page);
      auto& lines = m_code_lines[offset >> page_shift];
      if (lines & line_mask(offset, chunk)) {
        // The page's blocks are decoded again when next run, which marks their lines again. Until
        // then the page is data: its stores need not be seen (a page reused for data stays fast).
        changed = true;
        lines = 0;
        ++m_code_versions[offset >> page_shift];
        ++m_code_writes;
      }
      offset += chunk;
      n -= chunk;
    }
    return changed || table;
  }

  /// Changes whenever a host pointer from page_for_read may have gone stale (a page was
  /// allocated or copied on write, RAM was restored or cleared), so readers may cache them.
  [[nodiscard]] std::uint64_t generation() const noexcept { return m_generation; }

  /// Host pointer to the page containing `offset` for writing (allocated or copied on demand).
  [[nodiscard]] std::uint8_t* page_for_write(std::uint64_t offset) {
    const std::size_t i = offset >> page_shift, ci = i >> chunk_shift, j = i & (chunk_pages - 1);
    auto& c = m_chunks[ci];
    const auto* page_before = c ? c->pages[j].get() : nullptr;
    std::uint8_t* data = page_for_write_slow(c, ci, j);
    if (data != (page_before ? page_before->data() : nullptr)) ++m_generation;
    return data;
  }

private:
  std::uint8_t* page_for_write_slow(std::shared_ptr<Chunk>& c, std::size_t ci, std::size_t j) {
    if (!c) {
      c = std::make_shared<Chunk>();
      m_chunk_shared[ci] = 0;
    } else if (m_chunk_shared[ci]) { // a snapshot holds the chunk: copy it, its pages stay shared
      c = std::make_shared<Chunk>(*c);
      for (std::size_t k = 0; k < chunk_pages; ++k) c->shared[k] = c->pages[k] != nullptr;
      m_chunk_shared[ci] = 0;
    }
    auto& p = c->pages[j];
    if (!p) {
      p = std::make_shared<Page>(Page{});
      c->shared[j] = 0;
    } else if (c->shared[j]) {
      p = std::make_shared<Page>(*p);
      c->shared[j] = 0;
    }
    return p->data();
  }

public:
  /// Shares the contents with a new snapshot: O(number of chunks) pointer copies.
  [[nodiscard]] Snapshot snapshot() {
    ++m_generation; // pages become shared: pointers handed out for writing must be asked for again
    Snapshot s;
    s.chunks.assign(m_chunks.begin(), m_chunks.end());
    for (std::size_t c = 0; c < m_chunks.size(); ++c) m_chunk_shared[c] = m_chunks[c] != nullptr;
    return s;
  }
  /// Back to a snapshot's contents (chunks and pages stay shared until written).
  void restore(const Snapshot& s) {
    ++m_generation;
    forget_code();
    for (std::size_t c = 0; c < m_chunks.size(); ++c) {
      m_chunks[c] = c < s.chunks.size() ? std::const_pointer_cast<Chunk>(s.chunks[c]) : nullptr;
      m_chunk_shared[c] = m_chunks[c] != nullptr;
    }
  }

  /// Copies bytes out; [offset, offset+n) must be inside RAM.
  void read(std::uint64_t offset, void* dst, std::uint64_t n) const {
    auto* out = static_cast<std::uint8_t*>(dst);
    while (n) {
      const std::uint64_t in_page = offset & (page_size - 1);
      const std::uint64_t chunk = std::min(n, page_size - in_page);
      if (const auto* p = page_for_read(offset)) std::memcpy(out, p + in_page, chunk);
      else std::memset(out, 0, chunk);
      out += chunk;
      offset += chunk;
      n -= chunk;
    }
  }
  /// Copies bytes in; [offset, offset+n) must be inside RAM.
  void write(std::uint64_t offset, const void* src, std::uint64_t n) {
    const auto* in = static_cast<const std::uint8_t*>(src);
    while (n) {
      const std::uint64_t in_page = offset & (page_size - 1);
      const std::uint64_t chunk = std::min(n, page_size - in_page);
      std::memcpy(page_for_write(offset) + in_page, in, chunk);
      note_write(offset, chunk);
      in += chunk;
      offset += chunk;
      n -= chunk;
    }
  }
  /// Drops every page (all of RAM reads as zero again).
  void clear() {
    ++m_generation;
    forget_code();
    for (auto& c : m_chunks) c.reset();
    std::fill(m_chunk_shared.begin(), m_chunk_shared.end(), std::uint8_t{0});
  }
  /// Number of pages that have been written.
  [[nodiscard]] std::size_t pages_in_use() const noexcept {
    std::size_t n = 0;
    for (const auto& c : m_chunks)
      if (c)
        for (const auto& p : c->pages) n += p != nullptr;
    return n;
  }
  /// Number of pages still shared with a snapshot (not written since it was taken).
  [[nodiscard]] std::size_t pages_shared() const noexcept {
    std::size_t n = 0;
    for (std::size_t ci = 0; ci < m_chunks.size(); ++ci) {
      const auto& c = m_chunks[ci];
      if (!c) continue;
      for (std::size_t j = 0; j < chunk_pages; ++j) n += c->pages[j] && (m_chunk_shared[ci] || c->shared[j]);
    }
    return n;
  }
  /// Visits every written page in address order: f(page_offset, const uint8_t* data).
  template <class F>
  void for_each_page(F&& f) const {
    for (std::size_t ci = 0; ci < m_chunks.size(); ++ci)
      if (const auto& c = m_chunks[ci])
        for (std::size_t j = 0; j < chunk_pages; ++j)
          if (c->pages[j]) f(static_cast<std::uint64_t>((ci << chunk_shift) | j) << page_shift, c->pages[j]->data());
  }

private:
  // A write to a page a TLB entry depends on: every TLB entry goes (and with it every stamp).
  bool note_table_write(std::uint64_t offset, std::uint64_t n) noexcept {
    if (n == 0) return false;
    const std::uint64_t first = offset >> page_shift, last = (offset + n - 1) >> page_shift;
    for (std::uint64_t p = first; p <= last; ++p)
      if (m_table_stamps[p] == m_generation + 1) {
        ++m_generation;
        return true;
      }
    return false;
  }
  // Bit k: bytes [64k, 64k+64) of the page hold decoded instructions.
  static std::uint64_t line_mask(std::uint64_t offset, std::uint64_t n) noexcept {
    const unsigned first = static_cast<unsigned>((offset & (page_size - 1)) >> 6);
    const unsigned last = static_cast<unsigned>(((offset & (page_size - 1)) + n - 1) >> 6);
    const std::uint64_t upto_last = last >= 63 ? ~std::uint64_t{0} : ((std::uint64_t{2} << last) - 1);
    return upto_last & ~((std::uint64_t{1} << first) - 1);
  }
  void forget_code() noexcept {
    ++m_code_epoch;
    std::fill(m_code_lines.begin(), m_code_lines.end(), std::uint64_t{0});
  }

  std::uint64_t m_size;
  std::vector<std::uint64_t> m_code_lines; // per page, allocated when code is first marked
  std::vector<std::uint32_t> m_code_versions; // per page: moves when a marked line is written
  std::uint64_t m_code_epoch = 0;
  std::uint64_t m_code_writes = 0;
  std::uint64_t m_code_marks = 0;
  // Per page: generation()+1 when mark_table last marked it (stale once the generation moves).
  std::vector<std::uint64_t> m_table_stamps;
  std::vector<std::shared_ptr<Chunk>> m_chunks;
  std::vector<std::uint8_t> m_chunk_shared; // 1: a snapshot may hold this chunk
  std::uint64_t m_generation = 0;
};

} // namespace retrace
