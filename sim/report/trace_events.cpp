#include "sim/report/trace_events.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace s2sim::sim {

TraceEvents::TraceEvents(double clock_hz, std::uint64_t limit) : clock_hz_(clock_hz), limit_(limit) {
  if (!(clock_hz > 0)) throw std::invalid_argument("trace events: the clock must be positive");
  if (limit == 0) throw std::invalid_argument("trace events: the event limit must be at least 1");
}

void TraceEvents::append_string(std::string_view s) {
  body_ += '"';
  for (const char c : s) {
    switch (c) {
      case '"': body_ += "\\\""; break;
      case '\\': body_ += "\\\\"; break;
      case '\n': body_ += "\\n"; break;
      case '\t': body_ += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          body_ += buf;
        } else {
          body_ += c;
        }
    }
  }
  body_ += '"';
}

std::uint64_t TraceEvents::ns(std::uint64_t cycles) const {
  // Rounding a monotonic function stays monotonic: a later cycle never gets an
  // earlier nanosecond.
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(cycles) * 1e9 / clock_hz_));
}

void TraceEvents::append_us(std::uint64_t nanos) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(nanos / 1000),
                static_cast<unsigned long long>(nanos % 1000));
  body_ += buf;
}

void TraceEvents::begin_event(std::string_view name, char ph, std::uint64_t at, int tid) {
  if (!body_.empty()) body_ += ",\n";
  body_ += "{\"name\":";
  append_string(name);
  body_ += ",\"ph\":\"";
  body_ += ph;
  body_ += "\",\"ts\":";
  append_us(ns(at));
  body_ += ",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(tid);
}

void TraceEvents::add_args(TraceArgs args, std::uint64_t begin, const std::uint64_t* dur) {
  body_ += ",\"args\":{\"begin_cycle\":" + std::to_string(begin);
  if (dur) body_ += ",\"dur_cycles\":" + std::to_string(*dur);
  for (const TraceArg& a : args) {
    body_ += ',';
    append_string(a.key);
    body_ += ':';
    if (const auto* n = std::get_if<std::uint64_t>(&a.value)) body_ += std::to_string(*n);
    else append_string(std::get<std::string_view>(a.value));
  }
  body_ += "}}";
}

bool TraceEvents::kept(int tid) const {
  return std::find(kept_tracks_.begin(), kept_tracks_.end(), tid) != kept_tracks_.end();
}

void TraceEvents::keep_track(int tid) {
  if (!kept(tid)) kept_tracks_.push_back(tid);
}

bool TraceEvents::admit(std::uint64_t at, bool keep) {
  if (events_ < limit_ || keep) {
    ++events_;
    return true;
  }
  ++dropped_;
  if (truncated_) return false;
  // The first event dropped: one global instant says so.
  truncated_ = true;
  limit_cycle_ = at;
  ++events_;
  begin_event(kLimitEventName, 'i', at, 0);
  body_ += ",\"s\":\"g\",\"args\":{\"limit\":" + std::to_string(limit_) + ",\"at_cycle\":" + std::to_string(at) + "}}";
  return false;
}

void TraceEvents::process_name(std::string_view name) {
  std::string saved;
  saved.swap(body_);
  body_ = "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(kPid) + ",\"tid\":0,\"args\":{\"name\":";
  append_string(name);
  body_ += "}}";
  meta_ += (meta_.empty() ? "" : ",\n") + body_;
  body_.swap(saved);
  ++metadata_;
}

void TraceEvents::thread_name(int tid, std::string_view name, int sort_index) {
  std::string saved;
  saved.swap(body_);
  body_ = "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(kPid) + ",\"tid\":" + std::to_string(tid) +
          ",\"args\":{\"name\":";
  append_string(name);
  body_ += "}},\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":" + std::to_string(kPid) +
           ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"sort_index\":" + std::to_string(sort_index) + "}}";
  meta_ += (meta_.empty() ? "" : ",\n") + body_;
  body_.swap(saved);
  metadata_ += 2;
}

void TraceEvents::complete(int tid, std::string_view name, std::uint64_t begin, std::uint64_t end, TraceArgs args) {
  if (!admit(begin, kept(tid))) return;
  const std::uint64_t dur = end >= begin ? end - begin : 0;
  begin_event(name, 'X', begin, tid);
  body_ += ",\"dur\":";
  // In whole nanoseconds, the end's minus the begin's: spans nest exactly.
  append_us(ns(begin + dur) - ns(begin));
  add_args(args, begin, &dur);
}

void TraceEvents::instant(int tid, std::string_view name, std::uint64_t at, TraceArgs args) {
  if (!admit(at, kept(tid))) return;
  begin_event(name, 'i', at, tid);
  body_ += ",\"s\":\"t\"";
  add_args(args, at, nullptr);
}

void TraceEvents::counter(std::string_view name, std::uint64_t at, TraceArgs args) {
  if (!admit(at, true)) return;
  begin_event(name, 'C', at, 0);
  // Counter args are the plotted series: numbers only, no cycle bookkeeping.
  body_ += ",\"args\":{";
  bool first = true;
  for (const TraceArg& a : args) {
    const auto* n = std::get_if<std::uint64_t>(&a.value);
    if (!n) continue;
    if (!first) body_ += ',';
    first = false;
    append_string(a.key);
    body_ += ':' + std::to_string(*n);
  }
  body_ += "}}";
}

std::string TraceEvents::json() const {
  std::string out = "{\"traceEvents\":[\n";
  out += meta_;
  if (!meta_.empty() && !body_.empty()) out += ",\n";
  out += body_;
  char hz[40];
  std::snprintf(hz, sizeof hz, "%.17g", clock_hz_);
  out += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"s2sim\",\"clock_hz\":";
  out += hz;
  out += ",\"events\":" + std::to_string(events_) + ",\"event_limit\":" + std::to_string(limit_) +
         ",\"truncated\":" + (truncated_ ? "true" : "false") + ",\"dropped\":" + std::to_string(dropped_) + "}}\n";
  return out;
}

}  // namespace s2sim::sim
