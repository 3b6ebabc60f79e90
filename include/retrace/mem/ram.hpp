#pragma once
/// \file
/// Guest RAM, in 4 KiB pages allocated on first write (untouched pages read as zero). Paging
/// is what makes snapshots cheap: a snapshot shares the pages, and the first write to a shared
/// page after a snapshot copies that page (copy-on-write), so memory grows only by the pages
/// dirtied since.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace retrace {

/// Paged guest memory of a fixed size.
class Ram {
public:
  static constexpr unsigned page_shift = 12;
  static constexpr std::uint64_t page_size = 1ull << page_shift;
  using Page = std::array<std::uint8_t, page_size>;

  /// The pages in use at one moment, shared with the RAM they came from.
  struct Snapshot {
    std::vector<std::pair<std::uint32_t, std::shared_ptr<const Page>>> pages; ///< (page index, contents)
  };

  explicit Ram(std::uint64_t size)
      : m_size(size), m_pages((size + page_size - 1) >> page_shift), m_shared(m_pages.size(), 0) {}

  [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }

  /// Host pointer to the page containing `offset` for reading, or nullptr if it was never
  /// written (then it reads as zero).
  [[nodiscard]] const std::uint8_t* page_for_read(std::uint64_t offset) const noexcept {
    const auto& p = m_pages[offset >> page_shift];
    return p ? p->data() : nullptr;
  }
  /// Host pointer to the page containing `offset` for writing (allocated on demand).
  [[nodiscard]] std::uint8_t* page_for_write(std::uint64_t offset) {
    const std::size_t i = offset >> page_shift;
    auto& p = m_pages[i];
    if (!p) {
      p = std::make_shared<Page>(Page{});
      m_shared[i] = 0;
    } else if (m_shared[i]) { // a snapshot holds it: copy before the first write
      p = std::make_shared<Page>(*p);
      m_shared[i] = 0;
    }
    return p->data();
  }

  /// Shares every page in use with a new snapshot (O(pages in use), no page is copied).
  [[nodiscard]] Snapshot snapshot() {
    Snapshot s;
    for (std::size_t i = 0; i < m_pages.size(); ++i) {
      if (!m_pages[i]) continue;
      m_shared[i] = 1;
      s.pages.emplace_back(static_cast<std::uint32_t>(i), m_pages[i]);
    }
    return s;
  }
  /// Back to a snapshot's contents (pages stay shared until written).
  void restore(const Snapshot& s) {
    clear();
    for (const auto& [i, page] : s.pages) {
      if (i >= m_pages.size()) continue;
      m_pages[i] = std::const_pointer_cast<Page>(page);
      m_shared[i] = 1;
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
      in += chunk;
      offset += chunk;
      n -= chunk;
    }
  }
  /// Drops every page (all of RAM reads as zero again).
  void clear() {
    for (auto& p : m_pages) p.reset();
    std::fill(m_shared.begin(), m_shared.end(), std::uint8_t{0});
  }
  /// Number of pages still shared with a snapshot (not written since it was taken).
  [[nodiscard]] std::size_t pages_shared() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < m_pages.size(); ++i) n += m_pages[i] && m_shared[i];
    return n;
  }
  /// Number of pages that have been written.
  [[nodiscard]] std::size_t pages_in_use() const noexcept {
    std::size_t n = 0;
    for (const auto& p : m_pages) n += p != nullptr;
    return n;
  }
  /// Visits every written page in address order: f(page_offset, const uint8_t* data).
  template <class F>
  void for_each_page(F&& f) const {
    for (std::size_t i = 0; i < m_pages.size(); ++i)
      if (m_pages[i]) f(static_cast<std::uint64_t>(i) << page_shift, m_pages[i]->data());
  }

private:
  std::uint64_t m_size;
  std::vector<std::shared_ptr<Page>> m_pages;
  std::vector<std::uint8_t> m_shared; // 1: the page may be held by a snapshot
};

} // namespace retrace
