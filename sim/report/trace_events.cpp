#include "sim/report/trace_events.h"

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

void TraceEvents::append_ts(std::uint64_t cycles) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(cycles) / clock_hz_ * 1e6);
  body_ += buf;
}

void TraceEvents::begin_event(std::string_view name, char ph, std::uint64_t at, int tid) {
  if (!body_.empty()) body_ += ",\n";
  body_ += "{\"name\":";
  append_string(name);
  body_ += ",\"ph\":\"";
  body_ += ph;
  body_ += "\",\"ts\":";
  append_ts(at);
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

bool TraceEvents::admit(std::uint64_t at) {
  if (truncated_) return false;
  if (events_ < limit_) {
    ++events_;
    return true;
  }
  // The first event past the limit: one global instant says so, then nothing more.
  truncated_ = true;
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
  if (!admit(begin)) return;
  const std::uint64_t dur = end >= begin ? end - begin : 0;
  begin_event(name, 'X', begin, tid);
  body_ += ",\"dur\":";
  // dur is printed as end - begin of the printed timestamps, so that a child never
  // pokes out of its parent by a rounding step.
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3f",
                static_cast<double>(begin + dur) / clock_hz_ * 1e6 - static_cast<double>(begin) / clock_hz_ * 1e6);
  body_ += buf[0] == '-' ? "0.000" : buf;
  add_args(args, begin, &dur);
}

void TraceEvents::instant(int tid, std::string_view name, std::uint64_t at, TraceArgs args) {
  if (!admit(at)) return;
  begin_event(name, 'i', at, tid);
  body_ += ",\"s\":\"t\"";
  add_args(args, at, nullptr);
}

void TraceEvents::counter(std::string_view name, std::uint64_t at, TraceArgs args) {
  if (!admit(at)) return;
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
         ",\"truncated\":" + (truncated_ ? "true" : "false") + "}}\n";
  return out;
}

}  // namespace s2sim::sim
