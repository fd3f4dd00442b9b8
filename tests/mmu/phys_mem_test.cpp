// PhysMem's table frames live in 2 MiB arenas of 512: with more tables than one
// arena holds, every frame must still have storage of its own, come back zeroed when
// reused, and keep its kind and table info straight.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "mmu/phys_mem.h"

using namespace s2sim::mmu;

namespace {

// A word no other (frame, word) pair holds, and never zero.
std::uint64_t pattern(std::uint64_t frame_id, unsigned word) {
  return (frame_id << 20) ^ (std::uint64_t{word} << 4) ^ 0xA5A5'0000'0000'0001ull;
}

struct Frame {
  phys_addr_t pa;
  std::uint64_t id;  // the pattern this frame holds
  level_t level;
  ipa_t ipa_base;
};

// Level and IPA base a test table i claims (any values: PhysMem only records them).
level_t level_of(std::uint64_t i) { return static_cast<level_t>(1 + i % 3); }
ipa_t base_of(std::uint64_t i) { return i << 30; }

void expect_frame(const PhysMem& mem, const Frame& f) {
  ASSERT_EQ(mem.kind(f.pa), FrameKind::PageTable) << std::hex << f.pa;
  EXPECT_EQ(mem.table_info(f.pa).level, f.level) << std::hex << f.pa;
  EXPECT_EQ(mem.table_info(f.pa).ipa_base, f.ipa_base) << std::hex << f.pa;
  const std::uint64_t* words = mem.table_words(f.pa);
  ASSERT_NE(words, nullptr);
  for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) {
    const std::uint64_t want = f.id == 0 ? 0 : pattern(f.id, w);
    ASSERT_EQ(mem.load64(f.pa + 8u * w), want) << std::hex << f.pa << " word " << std::dec << w;
    ASSERT_EQ(words[w], want) << std::hex << f.pa << " word " << std::dec << w;
  }
}

TEST(PhysMem, ManyTableFramesSpanSeveralArenas) {
  PhysMem mem;
  constexpr std::uint64_t kTables = 1500;  // three arenas of 512
  std::vector<Frame> frames;
  // Mostly single frames, with a concatenated pair now and then: its padding and its
  // two slots must not throw the others off.
  for (std::uint64_t i = 0; frames.size() < kTables; ++i) {
    const unsigned count = (i % 97 == 50) ? 2 : 1;
    const phys_addr_t pa = mem.alloc_table(level_of(i), base_of(i), count);
    EXPECT_EQ(pa % (PAGE_SIZE * count), 0u);
    for (unsigned p = 0; p < count; ++p) {
      // A concatenated table's second page covers the IPA after the first's 512 entries.
      const ipa_t base = base_of(i) + (static_cast<ipa_t>(p) * PTRS_PER_TABLE << (PAGE_SHIFT + 9u * (3u - level_of(i))));
      frames.push_back(Frame{pa + p * PAGE_SIZE, 0, level_of(i), base});
    }
  }
  EXPECT_EQ(mem.table_frames(), frames.size());
  // Fresh frames read as zero, whichever arena they are in.
  for (const Frame& f : frames) expect_frame(mem, f);

  // Distinct frames, distinct storage.
  std::set<phys_addr_t> pas;
  std::set<const std::uint64_t*> storage;
  for (const Frame& f : frames) {
    pas.insert(f.pa);
    storage.insert(mem.table_words(f.pa));
  }
  EXPECT_EQ(pas.size(), frames.size());
  EXPECT_EQ(storage.size(), frames.size());

  // Fill every frame with its own words, half through store64, half directly.
  for (std::uint64_t i = 0; i < frames.size(); ++i) {
    Frame& f = frames[i];
    f.id = i + 1;
    if (i % 2) {
      for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) mem.store64(f.pa + 8u * w, pattern(f.id, w));
    } else {
      std::uint64_t* words = mem.table_words(f.pa);
      for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) words[w] = pattern(f.id, w);
    }
  }
  for (const Frame& f : frames) expect_frame(mem, f);
  EXPECT_EQ(mem.stray_words(), 0u);  // every store landed in a table

  // Free every third frame (in all arenas): they stop being tables.
  std::vector<Frame> kept;
  std::size_t freed = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (i % 3 == 1) {
      mem.free_frame(frames[i].pa);
      EXPECT_EQ(mem.kind(frames[i].pa), FrameKind::Free);
      EXPECT_EQ(mem.table_words(frames[i].pa), nullptr);
      EXPECT_EQ(mem.load64(frames[i].pa + 8), 0u);
      ++freed;
    } else {
      kept.push_back(frames[i]);
    }
  }
  EXPECT_EQ(mem.table_frames(), kept.size());
  for (const Frame& f : kept) expect_frame(mem, f);

  // Reallocate as many plus some more: the reused ones come back zero-filled with
  // their new info, the extra ones open a new arena, and the kept ones are untouched.
  std::vector<Frame> fresh;
  for (std::uint64_t i = 0; i < freed + 600; ++i) {
    const std::uint64_t tag = 5000 + i;
    fresh.push_back(Frame{mem.alloc_table(level_of(tag), base_of(tag)), 0, level_of(tag), base_of(tag)});
  }
  EXPECT_EQ(mem.table_frames(), kept.size() + fresh.size());
  for (const Frame& f : fresh) expect_frame(mem, f);
  for (const Frame& f : kept) expect_frame(mem, f);

  // Now fill the fresh ones too, and check every frame once more.
  for (std::uint64_t i = 0; i < fresh.size(); ++i) {
    fresh[i].id = 100000 + i;
    for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) mem.store64(fresh[i].pa + 8u * w, pattern(fresh[i].id, w));
  }
  for (const Frame& f : fresh) expect_frame(mem, f);
  for (const Frame& f : kept) expect_frame(mem, f);
  std::set<phys_addr_t> all;
  for (const Frame& f : kept) all.insert(f.pa);
  for (const Frame& f : fresh) all.insert(f.pa);
  EXPECT_EQ(all.size(), kept.size() + fresh.size());
}

TEST(PhysMem, ReusedFrameIsZeroEvenAfterStrayStores) {
  // A frame freed and reused must not show its old table words, nor stores made into
  // it while it was free.
  PhysMem mem;
  std::vector<phys_addr_t> pas;
  for (int i = 0; i < 600; ++i) pas.push_back(mem.alloc_table(3, 0));  // into the second arena
  const phys_addr_t victim = pas[550];
  for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) mem.store64(victim + 8u * w, ~std::uint64_t{0});
  mem.free_frame(victim);
  mem.store64(victim + 16, 0x1234);  // a stray store into a free frame is kept aside
  EXPECT_EQ(mem.load64(victim + 16), 0x1234u);
  const phys_addr_t again = mem.alloc_table(2, 0x40000000);
  EXPECT_EQ(again, victim);  // the freed frame is reused first
  EXPECT_EQ(mem.kind(again), FrameKind::PageTable);
  EXPECT_EQ(mem.table_info(again).level, 2);
  EXPECT_EQ(mem.table_info(again).ipa_base, 0x40000000u);
  for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) ASSERT_EQ(mem.load64(again + 8u * w), 0u) << w;
  EXPECT_EQ(mem.table_frames(), 600u);
}

}  // namespace
