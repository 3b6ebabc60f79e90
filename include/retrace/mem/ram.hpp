#pragma once
/// \file
/// Guest RAM, in 4 KiB pages allocated on first write (untouched pages read as zero). Paging
/// is what makes snapshots cheap: a snapshot shares pages and only pages dirtied since are
/// copied (see the replay layer).

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

  explicit Ram(std::uint64_t size) : m_size(size), m_pages((size + page_size - 1) >> page_shift) {}

  [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }

  /// Host pointer to the page containing `offset` for reading, or nullptr if it was never
  /// written (then it reads as zero).
  [[nodiscard]] const std::uint8_t* page_for_read(std::uint64_t offset) const noexcept {
    const auto& p = m_pages[offset >> page_shift];
    return p ? p->data() : nullptr;
  }
  /// Host pointer to the page containing `offset` for writing (allocated on demand).
  [[nodiscard]] std::uint8_t* page_for_write(std::uint64_t offset) {
    auto& p = m_pages[offset >> page_shift];
    if (!p) p = std::make_unique<Page>(Page{});
    return p->data();
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
  std::vector<std::unique_ptr<Page>> m_pages;
};

} // namespace retrace
