#include "util/strict_json.h"

#include <set>
#include <vector>

#include "util/input_error.h"
#include "util/json_reader.h"

namespace s2sim {

namespace {

// Where the parser is, as a JSON pointer: one frame per open object or array.
class Position {
 public:
  explicit Position(std::string file) : file_(std::move(file)) {}

  bool event(nlohmann::json::parse_event_t e, const nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (e) {
      case E::object_start:
      case E::array_start:
        if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth))
          throw InputError(file_ + ": " + pointer(),
                           "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        frames_.push_back({e == E::array_start, 0, {}, {}});
        break;
      case E::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) throw InputError(file_ + ": " + pointer(), "duplicate key");
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        next_element();
        break;
      case E::value:
        next_element();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
  };

  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) p += "/" + (f.array ? std::to_string(f.index) : json_pointer_escape(f.key));
    return p.empty() ? "/" : p;
  }

  std::string file_;
  std::vector<Frame> frames_;
};

}  // namespace

nlohmann::json parse_strict_json(const std::string& text, const std::string& file) {
  Position where(file);
  return nlohmann::json::parse(
      text, [&where](int, nlohmann::json::parse_event_t e, nlohmann::json& parsed) { return where.event(e, parsed); });
}

}  // namespace s2sim
