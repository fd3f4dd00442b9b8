// What the engine tells a timeline recorder as it runs: named spans, instants and
// counters on one track per agent, in simulated cycles. The engine only calls this
// interface; the Chrome Trace Event writer behind `--trace-events` lives in
// sim/report/trace_events.h. Recording never changes what the engine does.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace s2sim::sim {

// One argument of an event: a number or a short string.
struct TraceArg {
  TraceArg(std::string_view k, std::uint64_t v) : key(k), value(v) {}
  TraceArg(std::string_view k, int v) : key(k), value(static_cast<std::uint64_t>(v)) {}
  TraceArg(std::string_view k, unsigned v) : key(k), value(std::uint64_t{v}) {}
  TraceArg(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  TraceArg(std::string_view k, std::string_view v) : key(k), value(v) {}
  std::string_view key;
  std::variant<std::uint64_t, std::string_view> value;
};
using TraceArgs = std::initializer_list<TraceArg>;

class Timeline {
 public:
  virtual ~Timeline() = default;
  // Metadata: the process name and one named track per agent; `sort_index` orders the
  // tracks in a viewer.
  virtual void process_name(std::string_view name) = 0;
  virtual void thread_name(int tid, std::string_view name, int sort_index) = 0;
  // Events on track `tid` (the migration thread's, the rounds') are few -- a handful
  // a round -- and what a timeline is read for: a recorder with an event limit keeps
  // them past it, in preference to the per-access events of the other tracks.
  virtual void keep_track(int tid) = 0;
  // A span [begin, end] on track `tid` (end >= begin; a zero-length span is kept).
  virtual void complete(int tid, std::string_view name, std::uint64_t begin, std::uint64_t end,
                        TraceArgs args = {}) = 0;
  // A thread-scoped instant at `at`.
  virtual void instant(int tid, std::string_view name, std::uint64_t at, TraceArgs args = {}) = 0;
  // Counter values at `at` (one series per numeric arg).
  virtual void counter(std::string_view name, std::uint64_t at, TraceArgs args) = 0;
};

}  // namespace s2sim::sim
