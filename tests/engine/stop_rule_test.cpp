// Migration stop rules chosen by name: the registry, each rule's decisions and the
// exact stop_reason it writes (the result JSON and the report print it), and the
// max_rounds safety net every rule shares.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/stop_rule.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

const Clock kClock(1.7e9);

StopRuleConfig rule(const std::string& kind) {
  StopRuleConfig c;
  c.kind = kind;
  return c;
}

RoundStats round(unsigned n, std::uint64_t pages_sent, std::uint64_t cycles) {
  RoundStats r;
  r.round = n;
  r.pages_sent = pages_sent;
  r.cycles = cycles;
  return r;
}

// Progress after round `n`'s get_dirty_log with `pending` pages to send.
MigrationProgress progress(unsigned n, std::uint64_t pending, const std::vector<RoundStats>& rounds,
                           std::uint64_t sent_total = 0, std::uint64_t slot_pages = 4096,
                           std::uint64_t page_send_cycles = 2500) {
  return MigrationProgress{n, pending, &rounds, sent_total, slot_pages, page_send_cycles};
}

TEST(StopRuleRegistry, KnowsTheBuiltInRulesByName) {
  EXPECT_EQ(stop_rule_registry().names(), (std::vector<std::string>{"qemu", "xen", "threshold"}));
  for (const std::string& name : stop_rule_registry().names()) {
    EXPECT_NE(make_stop_rule(rule(name), kClock), nullptr) << name;
    EXPECT_FALSE(stop_rule_registry().entry(name)->description.empty()) << name;
  }
}

TEST(StopRuleRegistry, AnUnknownNameIsRefusedWithASuggestion) {
  try {
    (void)make_stop_rule(rule("threshhold"), kClock);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unknown stop rule \"threshhold\"; did you mean \"threshold\"?");
  }
  EXPECT_THROW((void)make_stop_rule(rule("kvm-forever"), kClock), std::invalid_argument);
}

// The config loader (a layer below the engine) checks migration.stop_rule.kind
// against its own list: every registered name must pass it and build its rule.
TEST(StopRuleRegistry, TheConfigAcceptsEveryRegisteredRule) {
  auto parse = [](const std::string& kind) {
    nlohmann::json j = {{"memslots", {{{"id", 0}, {"base_gfn", 262144}, {"npages", 512}}}},
                        {"workload", {{"kind", "uniform"}, {"ops", 1}}},
                        {"migration", {{"stop_rule", {{"kind", kind}}}}}};
    return parse_config(j, "stop_rule_test.json", configs_dir());
  };
  for (const std::string& name : stop_rule_registry().names()) {
    const SimConfig cfg = parse(name);
    EXPECT_EQ(cfg.migration.stop.kind, name);
    EXPECT_NE(make_stop_rule(cfg.migration.stop, cfg.machine.clock()), nullptr) << name;
  }
  EXPECT_THROW(parse("never"), InputError);
}

TEST(StopRuleRegistry, ARuleRegistersOnce) {
  StopRuleRegistry r;
  register_qemu_stop_rule(r);
  EXPECT_THROW(register_qemu_stop_rule(r), std::logic_error);
}

TEST(QemuStopRule, StopsWhenThePendingPagesFitTheDowntimeLimit) {
  StopRuleConfig c = rule("qemu");
  c.downtime_limit_ms = 300;  // 300 ms at 1.7 GHz: 510,000,000 cycles
  const auto r = make_stop_rule(c, kClock);
  const std::vector<RoundStats> none;
  // Before any round: at the link's rate, 2,500 cycles a page -> 204,000 pages fit.
  EXPECT_FALSE(r->decide(progress(0, 204001, none)).stop);
  const StopDecision d = r->decide(progress(0, 204000, none));
  EXPECT_TRUE(d.stop);
  EXPECT_FALSE(d.forced());
  EXPECT_EQ(d.kind, kStopConverged);
  EXPECT_EQ(d.reason, "qemu: 204000 pending pages fit the 300 ms downtime limit");
  // After a round: at its measured rate, 1,000,000 cycles for 100 pages.
  const std::vector<RoundStats> one = {round(0, 100, 1000000)};
  EXPECT_TRUE(r->decide(progress(1, 51000, one)).stop);
  EXPECT_FALSE(r->decide(progress(1, 51001, one)).stop);
  // A round that sent nothing measures no rate: the link's is used.
  const std::vector<RoundStats> idle = {round(0, 0, 1000000)};
  EXPECT_TRUE(r->decide(progress(1, 204000, idle)).stop);
}

TEST(QemuStopRule, TheLimitIsNotRounded) {
  // At 3 Hz a 500 ms limit is 1.5 cycles: a page that takes 2 cycles does not fit
  // (rounded to whole cycles the limit would be 2, and it would).
  StopRuleConfig c = rule("qemu");
  c.downtime_limit_ms = 500;
  const auto r = make_stop_rule(c, Clock(3.0));
  const std::vector<RoundStats> none;
  EXPECT_FALSE(r->decide(progress(0, 1, none, 0, 4096, 2)).stop);
  const StopDecision d = r->decide(progress(0, 1, none, 0, 4096, 1));
  EXPECT_TRUE(d.stop);
  EXPECT_EQ(d.reason, "qemu: 1 pending pages fit the 500 ms downtime limit");
  // Nor is it rounded in the reason: a sub-millisecond limit reads as written, not "0 ms".
  c.downtime_limit_ms = 0.005;
  const auto small = make_stop_rule(c, Clock(1.7e9));
  EXPECT_EQ(small->decide(progress(0, 1, none, 0, 4096, 1)).reason, "qemu: 1 pending pages fit the 0.005 ms downtime limit");
}

TEST(XenStopRule, IterationsPagesAndFactor) {
  StopRuleConfig c = rule("xen");
  c.max_iterations = 5;
  c.min_pages = 50;
  c.max_factor = 3.0;
  const auto r = make_stop_rule(c, kClock);
  const std::vector<RoundStats> none;
  EXPECT_FALSE(r->decide(progress(0, 10, none)).stop);  // no round yet: nothing was sent too little

  const std::vector<RoundStats> busy = {round(0, 4096, 1)};
  EXPECT_FALSE(r->decide(progress(1, 10, busy, 4096)).stop);

  StopDecision d = r->decide(progress(5, 10, busy, 4096));
  EXPECT_TRUE(d.stop);
  EXPECT_TRUE(d.forced());
  EXPECT_EQ(d.kind, kStopRoundsLimit);
  EXPECT_EQ(d.reason, "xen: 5 iterations");

  const std::vector<RoundStats> quiet = {round(0, 4096, 1), round(1, 49, 1)};
  d = r->decide(progress(2, 10, quiet, 4145));
  EXPECT_TRUE(d.stop);
  EXPECT_FALSE(d.forced());
  EXPECT_EQ(d.kind, kStopConverged);
  EXPECT_EQ(d.reason, "xen: fewer than 50 pages sent in the last round");

  d = r->decide(progress(2, 10, busy, 3 * 4096 + 1));
  EXPECT_TRUE(d.stop);
  EXPECT_TRUE(d.forced());
  EXPECT_EQ(d.kind, kStopDataLimit);
  // The factor as a person writes it, not printf's "3.000000".
  EXPECT_EQ(d.reason, "xen: more than 3x memory sent");
  EXPECT_FALSE(r->decide(progress(2, 10, busy, 3 * 4096)).stop);
  c.max_factor = 2.5;
  EXPECT_EQ(make_stop_rule(c, kClock)->decide(progress(2, 10, busy, 3 * 4096)).reason, "xen: more than 2.5x memory sent");
}

TEST(ThresholdStopRule, DirtyPagesOrRounds) {
  StopRuleConfig c = rule("threshold");
  c.dirty_pages = 8;
  const auto r = make_stop_rule(c, kClock);
  const std::vector<RoundStats> none;
  EXPECT_FALSE(r->decide(progress(100, 9, none)).stop);  // rounds 0: no round limit
  const StopDecision d = r->decide(progress(1, 8, none));
  EXPECT_TRUE(d.stop);
  EXPECT_FALSE(d.forced());
  EXPECT_EQ(d.reason, "threshold: 8 dirty pages <= 8");

  c.rounds = 3;
  const auto limited = make_stop_rule(c, kClock);
  EXPECT_FALSE(limited->decide(progress(2, 100, none)).stop);
  const StopDecision at_limit = limited->decide(progress(3, 100, none));
  EXPECT_EQ(at_limit.reason, "threshold: 3 rounds");
  // A round limit is not convergence: the pages pending were still above the threshold.
  EXPECT_EQ(at_limit.kind, kStopRoundsLimit);
  EXPECT_TRUE(at_limit.forced());
}

TEST(DecideStop, MaxRoundsForcesStopAndCopyWhateverTheRule) {
  StopRuleConfig c = rule("threshold");
  c.dirty_pages = 0;
  const auto r = make_stop_rule(c, kClock);
  const std::vector<RoundStats> none;
  EXPECT_FALSE(decide_stop(*r, 30, progress(29, 100, none)).stop);
  const StopDecision d = decide_stop(*r, 30, progress(30, 100, none));
  EXPECT_TRUE(d.stop);
  EXPECT_TRUE(d.forced());
  EXPECT_EQ(d.kind, kStopRoundsLimit);
  EXPECT_EQ(d.reason, "max_rounds (30) reached");
  // Below the limit the rule decides.
  EXPECT_EQ(decide_stop(*r, 30, progress(4, 0, none)).reason, "threshold: 0 dirty pages <= 0");
}

}  // namespace
}  // namespace s2sim::sim
