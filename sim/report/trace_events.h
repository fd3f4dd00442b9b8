// A run's timeline in the Chrome Trace Event format (`s2sim run --trace-events FILE`),
// for Perfetto (ui.perfetto.dev) or chrome://tracing:
//
//   {"traceEvents": [ {"name": ..., "ph": "X", "ts": µs, "dur": µs, "pid": 1, "tid": N,
//                      "args": {"begin_cycle": ..., "dur_cycles": ..., ...}}, ... ],
//    "displayTimeUnit": "ns", "otherData": {...}}
//
// One process (pid 1), one track (tid) per agent of the engine — vCPU i, the
// migration thread, the host — named by "thread_name" metadata events ("ph": "M").
// Timeline events are "X" (complete: ts + dur), "i" (instant) and "C" (counter).
// Times are simulated cycles turned into whole nanoseconds at the machine's clock
// (ns = round(cycles / clock_hz * 1e9), Perfetto's own resolution) and printed in
// microseconds with 3 decimals; an X event's dur is ns(end) - ns(begin), so that
// spans that nest or touch in cycles nest or touch exactly in the file (a child never
// ends after its parent). The exact cycles ride along in each event's args
// ("begin_cycle", "dur_cycles") so that tools and tests need not round-trip floats.
//
// Bounded: at most `limit` timeline events are kept (metadata not counted), except on
// the tracks named by keep_track() (the migration thread's and the rounds': round,
// get_dirty_log and send phases, a few events a round) and counters (one a round),
// which are always kept. The first other event past the limit is replaced by one
// global instant event, "trace event limit reached", and every other event after it
// is dropped (counted in dropped()). Events are serialized as they are recorded (X
// events when they end), in the engine's deterministic step order: the same run gives
// the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/timeline.h"

namespace s2sim::sim {

class TraceEvents final : public Timeline {
 public:
  static constexpr std::uint64_t kDefaultLimit = 200'000;
  static constexpr int kPid = 1;
  static constexpr const char* kLimitEventName = "trace event limit reached";

  // Throws std::invalid_argument for a clock that is not positive or a zero limit.
  explicit TraceEvents(double clock_hz, std::uint64_t limit = kDefaultLimit);

  // Metadata: the process name and one named track per agent; `sort_index` orders the
  // tracks in the viewer. Not counted against the limit.
  void process_name(std::string_view name) override;
  void thread_name(int tid, std::string_view name, int sort_index) override;
  void keep_track(int tid) override;

  // "X": [begin, end] on track `tid` (end >= begin; a zero-length span is kept).
  void complete(int tid, std::string_view name, std::uint64_t begin, std::uint64_t end, TraceArgs args = {}) override;
  // "i": a thread-scoped instant at `at`.
  void instant(int tid, std::string_view name, std::uint64_t at, TraceArgs args = {}) override;
  // "C": counter values at `at` (one series per numeric arg), on the process.
  void counter(std::string_view name, std::uint64_t at, TraceArgs args) override;

  // True once the limit was hit: callers may skip work that only feeds the trace.
  bool full() const { return truncated_; }
  bool truncated() const { return truncated_; }
  std::uint64_t limit() const { return limit_; }
  double clock_hz() const { return clock_hz_; }
  // Timeline events kept (the limit marker included), and metadata events.
  std::uint64_t events() const { return events_; }
  // Events dropped past the limit, and the cycle of the first one.
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t limit_cycle() const { return limit_cycle_; }
  std::uint64_t metadata_events() const { return metadata_; }

  // The whole document, newline-terminated.
  std::string json() const;

 private:
  bool admit(std::uint64_t at, bool kept);  // false: drop the event (the marker may be added)
  bool kept(int tid) const;
  std::uint64_t ns(std::uint64_t cycles) const;
  void begin_event(std::string_view name, char ph, std::uint64_t at, int tid);
  void add_args(TraceArgs args, std::uint64_t begin, const std::uint64_t* dur);
  void append_us(std::uint64_t nanos);
  void append_string(std::string_view s);

  double clock_hz_;
  std::uint64_t limit_;
  std::uint64_t events_ = 0, metadata_ = 0, dropped_ = 0, limit_cycle_ = 0;
  bool truncated_ = false;
  std::vector<int> kept_tracks_;
  std::string meta_;  // metadata events, serialized
  std::string body_;  // timeline events, serialized, comma-separated
};

}  // namespace s2sim::sim
