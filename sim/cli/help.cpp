#include "sim/cli/help.h"

#include <algorithm>
#include <array>

namespace s2sim::sim {

namespace {

struct CommandHelp {
  const char* name;
  const char* summary;  // the overview's line
  const char* text;     // s2sim help NAME
};

const char* const kRunHelp =
    "usage: s2sim run [CONFIG.json | SCENARIO] [options]\n"
    "\n"
    "Runs one simulation and prints its report on stdout. Without CONFIG it runs the\n"
    "built-in default (identical to configs/default.json); a SCENARIO is the name of a\n"
    "shipped scenario (s2sim scenarios lists them), e.g. s2sim run database-zipf.\n"
    "\n"
    "options:\n"
    "  --set PATH=VALUE        override a config key, by dotted path or JSON pointer; VALUE\n"
    "                          is JSON or a bare word (a string); may be repeated\n"
    "  --seed N                replace the config's seed\n"
    "  --json FILE             write the result JSON (schema s2sim.result/1)\n"
    "  --csv FILE              write the run as one CSV row (headline metrics, times in\n"
    "                          ms and cycles; the same columns as a sweep's results.csv)\n"
    "  --host-time             add host_seconds to the result JSON (which is then not\n"
    "                          reproducible byte for byte)\n"
    "  --html FILE             write a self-contained HTML report with charts\n"
    "  --trace-events FILE     write the run's timeline as Chrome Trace Event JSON\n"
    "                          (open it in Perfetto or chrome://tracing)\n"
    "  --trace-events-limit N  keep at most N timeline events (default 200000)\n"
    "  --heartbeat SECONDS     when stderr is not a terminal, a progress line every\n"
    "                          SECONDS of host time (default 5; 0: none)\n"
    "  --quiet, -q             no progress and no report (output files are still written)\n"
    "  --help, -h              this text\n"
    "\n"
    "A trace workload reads \"path\": \"-\" from standard input, e.g.\n"
    "  valgrind --tool=lackey --trace-mem=yes PROG 2>&1 | \\\n"
    "    s2sim run CONFIG.json --set workload.path=-\n"
    "\n"
    "exit status: 0 ran (verification passed or was off); 1 lost writes, invariant\n"
    "violations or abandoned accesses; 2 bad usage, config or trace (one error: line)\n";

const char* const kCompareHelp =
    "usage: s2sim compare [CONFIG.json | SCENARIO] [options]\n"
    "\n"
    "Runs the same config once under each write-protect walker and prints one line per\n"
    "walker: dirty-log cycles, descriptor loads and stores, faults, lost writes, hazards.\n"
    "With --apis it runs once per dirty-log API instead (the config's walker) and prints\n"
    "what each did: migration and downtime, get/clear calls, ring harvests, soft-full\n"
    "exits, blocks split, write-protect faults, mmu_lock wait, lost writes. With\n"
    "--hw-dirty it runs once per hardware dirty-state mechanism (ARMv8 configs with\n"
    "dirty_log.api \"get\") and prints migration and downtime, pages sent, write-protect\n"
    "faults, hardware updates, sync time, pages HACDBS cleaned and its time, lost writes.\n"
    "\n"
    "options:\n"
    "  --walkers LIST          comma-separated walkers (default naive,v4,v4-fixed,range)\n"
    "  --apis LIST             comma-separated dirty_log.api values (get, clear, ring),\n"
    "                          run instead of the walkers\n"
    "  --hw-dirty LIST         comma-separated dirty_log.hw_dirty values (none, dbm,\n"
    "                          hdbss, hacdbs), run instead of the walkers\n"
    "  --set PATH=VALUE        override a config key (see s2sim help run); may be repeated\n"
    "  --seed N                replace the config's seed\n"
    "  --json FILE             write every run's result (schema s2sim.compare/1)\n"
    "  --csv FILE              write one CSV row per walker, API or mode (see s2sim help run)\n"
    "  --host-time             add host_seconds to each result (not reproducible)\n"
    "  --html FILE             write a self-contained HTML report: the walkers' headline\n"
    "                          metrics side by side, then each run's charts\n"
    "  --heartbeat SECONDS     progress lines when stderr is not a terminal (default 5)\n"
    "  --quiet, -q             no progress and no table\n"
    "  --help, -h              this text\n"
    "\n"
    "examples: s2sim compare configs/scenarios/misaligned-memslot.json --html walkers.html\n"
    "          s2sim compare dirty-log-apis --apis get,clear,ring\n"
    "          s2sim compare database-zipf --hw-dirty none,dbm,hdbss,hacdbs\n"
    "\n"
    "exit status: 0; 1 if any run failed verification; 2 bad usage or config\n";

const char* const kDecodeHelp =
    "usage: s2sim decode VALUE [options]\n"
    "\n"
    "Prints every field of a 64-bit LPAE stage-2 descriptor: type, output address, S2AP,\n"
    "MemAttr, SH, AF, XN. VALUE is hexadecimal (0x...), binary (0b...) or decimal.\n"
    "\n"
    "options:\n"
    "  --level 1|2|3           the table level it was read at (default 3, a pte)\n"
    "  --pa-bits 40|48         output address size (default 40)\n"
    "  --json                  print the fields as JSON\n"
    "  --help, -h              this text\n"
    "\n"
    "example: s2sim decode 0x801237FF --level 3\n";

const char* const kLabHelp =
    "usage: s2sim lab list\n"
    "       s2sim lab show N  [--seed S | --key K --student ID] [--level L] [--json | --config | --svg DIR]\n"
    "       s2sim lab solve N [--seed S | --key K --student ID] [--level L] [--config | --svg DIR]\n"
    "       s2sim lab check N [--seed S | --key K [--student ID]] [--level L] [--json] ANSWERS\n"
    "       s2sim lab grade N --roster ROSTER.csv --answers DIR [--key K] [--level L] --csv OUT.csv\n"
    "       s2sim lab show 8 --files DIR       (lab 8, a coding lab: the header and a starter walker.cpp)\n"
    "       s2sim lab build 8 walker.cpp [-o walker.so]\n"
    "\n"
    "The teaching labs (handouts in docs/labs/): a seed makes a problem, solve works it\n"
    "with the simulator's own code, check grades a file of answers with a hint for each\n"
    "typical mistake, grade grades a class to CSV.\n"
    "\n"
    "options:\n"
    "  --seed S                the problem's seed (default 1): self-study\n"
    "  --key K --student ID    instructor mode: the problem is made from the lecturer's key\n"
    "                          (12 characters or more) and the student id; without the key\n"
    "                          a student can neither make nor solve it, and its seed is never shown\n"
    "  --level L               easy, normal (default) or hard (labs 1-3)\n"
    "  --json                  show: the problem as JSON; check: the grade as JSON\n"
    "                          (lab, seed, score, max and each question's points and hint)\n"
    "  --config                show, solve: the config to run (labs 4 and 6)\n"
    "  --svg DIR               show, solve: write the problem's figures (SVG) to DIR\n"
    "  --files DIR             show (lab 8): write s2sim_walker.h and a starter walker.cpp to DIR\n"
    "  -o PLUGIN               build (lab 8): the shared object to write (default: the source's\n"
    "                          name with .so); compiled with $CXX, else g++, c++ or clang++ on PATH\n"
    "  ANSWERS                 check: a file of answers, or - for standard input (lab 6: a\n"
    "                          config; lab 8: walker.cpp or the shared object built from it); its\n"
    "                          \"lab:\", \"seed:\", \"student:\" and \"level:\" lines name the problem\n"
    "  --roster ROSTER.csv     grade: a CSV with a \"student\" column (optional \"seed\", \"level\")\n"
    "  --answers DIR           grade: one answer file a student, DIR/ID.txt (lab 6: DIR/ID.json,\n"
    "                          lab 8: DIR/ID.cpp)\n"
    "  --csv OUT.csv           grade: a row a student, points per question\n"
    "  --help, -h              this text\n"
    "\n"
    "environment:\n"
    "  S2SIM_LAB8_TIMEOUT_S    check (lab 8): seconds a walker may run before it is killed as an\n"
    "                          endless loop (default 120)\n"
    "\n"
    "example: s2sim lab show 3 --seed 42\n"
    "\n"
    "exit status: 0 every answer right; 1 a wrong or missing answer (lab 8: a point lost);\n"
    "2 bad usage, a malformed answer file (every error is reported) or a walker that does\n"
    "not compile (one error line, then the compiler's output); grade: 0 every student has full\n"
    "marks, 1 the CSV is written and some has not, 2 a bad roster, directory or output\n";

const char* const kSweepHelp =
    "usage: s2sim sweep SPEC.json [--out DIR] [--jobs N] [--csv FILE] [--html FILE] [--quiet]\n"
    "       s2sim sweep SPEC.json --out DIR --slurm [--submit]\n"
    "       s2sim sweep SPEC.json --out DIR --point I\n"
    "       s2sim sweep SPEC.json --out DIR --collect [--csv FILE] [--html FILE]\n"
    "\n"
    "Runs every point of a sweep spec: {\"base\": CONFIG-or-object, \"axes\": {PATH:\n"
    "[values...]}, \"seeds\": [...]} (axes are --set paths; the points are their\n"
    "cartesian product times the seeds), each as its own s2sim run process. Writes\n"
    "DIR/points/ (each point's result JSON and status), DIR/results.csv and\n"
    "DIR/results.jsonl. Re-running skips the points whose result exists.\n"
    "\n"
    "options:\n"
    "  --out DIR               the sweep's directory (default: the spec's name beside it)\n"
    "  --jobs N, -j N          points run at once (default: the CPUs this process may use)\n"
    "  --csv FILE              also write the results table to FILE\n"
    "  --html FILE             write the sweep's HTML report (headline metrics per point)\n"
    "  --slurm                 write DIR/sweep.sbatch, a Slurm job array of the points\n"
    "  --submit                --slurm, then submit it with sbatch\n"
    "  --point I               run point I only (what each array task does)\n"
    "  --collect               merge the points' results into the tables\n"
    "  --quiet, -q             no progress lines\n"
    "  --help, -h              this text\n"
    "\n"
    "example: s2sim sweep configs/sweeps/walker-vcpus-link.json --out sweep-out\n"
    "\n"
    "exit status: 0 every point ran and verified; 1 a point failed or lost writes (or,\n"
    "with --collect, has not run); 2 bad usage or spec\n";

const char* const kScenariosHelp =
    "usage: s2sim scenarios\n"
    "\n"
    "Lists the shipped scenarios (configs/scenarios/*.json) with the first sentence of\n"
    "each one's comment. Run one by name: s2sim run NAME (or compare NAME).\n"
    "\n"
    "options:\n"
    "  --help, -h              this text\n";

const char* const kHelpHelp =
    "usage: s2sim help [COMMAND]\n"
    "       s2sim COMMAND --help\n"
    "       s2sim --version\n"
    "\n"
    "Without COMMAND: the list of commands. With one: everything it takes.\n";

const char* const kPerfTestHelp =
    "usage: s2sim perf-test [options]\n"
    "\n"
    "A model of KVM's dirty_log_perf_test (tools/testing/selftests/kvm): each vCPU\n"
    "writes its own region page by page (memstress); iteration 0 populates it, then\n"
    "dirty logging is enabled and every iteration dirties the memory again and\n"
    "collects the dirty log. Prints the selftest's lines with simulated times:\n"
    "  Populate memory time              iteration 0, logging off, to the last vCPU\n"
    "  Enabling dirty logging time       KVM_SET_USER_MEMORY_REGION (+ write-protect with -g)\n"
    "  Iteration N dirty memory time     start of the pass to the last vCPU's end\n"
    "  Iteration N get dirty log time    KVM_GET_DIRTY_LOG\n"
    "  Iteration N clear dirty log time  KVM_CLEAR_DIRTY_LOG (without -g)\n"
    "  Disabling dirty logging time, and the totals over the iterations\n"
    "\n"
    "options:\n"
    "  -v VCPUS                vCPUs, 1-512 (default 1)\n"
    "  -b BYTES                memory per vCPU, with K, M, G or T (default 1G)\n"
    "  -i ITERATIONS           dirty-memory iterations after populate (>= 2, default 2)\n"
    "  -s BACKING              anonymous (default), anonymous_thp, anonymous_hugetlb_2mb\n"
    "                          (2 MiB blocks mapped at populate), anonymous_hugetlb_1gb\n"
    "  -w PERCENT              writes in each pass, 0-100 (default 100)\n"
    "  -g                      plain KVM_GET_DIRTY_LOG; without it, as the selftest:\n"
    "                          MANUAL_PROTECT2 (+ INITIALLY_SET) and KVM_CLEAR_DIRTY_LOG\n"
    "  --stride BYTES          one access every BYTES (default 4K, one guest page)\n"
    "  --eager-split-chunk BYTES  KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE (0: off; 6.5+ only)\n"
    "  --dirty-ring ENTRIES    each vCPU logs into a dirty ring of ENTRIES (a power of\n"
    "                          two, 256-65536) instead of GET/CLEAR: the driver\n"
    "                          harvests and resets when a ring fills and after\n"
    "                          each pass (our extension; arm64 6.1 and later)\n"
    "  --hw-dirty MODE         hardware dirty state: none (default, write protection),\n"
    "                          dbm (stage-2 DBM, leaf ptes scanned at get dirty log),\n"
    "                          hdbss (DBM + per-vCPU HDBSS buffers, drained there) or\n"
    "                          hacdbs (HDBSS + FEAT_HACDBS: the hardware cleans the\n"
    "                          pages get/clear dirty log harvest, from a list)\n"
    "  --machine NAME          a machine under configs/machines (default neoverse-n1)\n"
    "  --kernel PROFILE        a kernel profile (default linux-6.6-arm64; listed below)\n"
    "  --set PATH=VALUE        override a key of the generated config (see s2sim help\n"
    "                          run); may be repeated\n"
    "  --seed N                seeds the guest's read/write choices (default 1)\n"
    "  --json FILE             write the times and counts (schema s2sim.perf/1)\n"
    "  --quiet, -q             no progress lines on stderr\n"
    "  --help, -h              this text\n"
    "\n"
    "Kernel profiles: linux-6.6-arm64 (rwlock, every fault under read_lock, local TLBI\n"
    "after a relaxation, dirty ring, eager splitting), linux-5.18-arm64 (rwlock, only\n"
    "relaxations under read_lock, broadcast TLBI pair), linux-5.17-arm64 (spinlock,\n"
    "broadcast TLBI pair), linux-4.0-armv7 and seed-2014-armv7 (spinlock, TLBIALLIS,\n"
    "no CLEAR).\n"
    "\n"
    "Short options take their value attached too (-v4). A request the kernel profile\n"
    "cannot serve (CLEAR on ARMv7, eager splitting before 6.5) is refused with an error,\n"
    "never ignored.\n"
    "\n"
    "example (Jing Zhang's 2022 spinlock baseline on Ampere Altra, 2 MiB hugetlb, 4 vCPUs):\n"
    "  s2sim perf-test --kernel linux-5.17-arm64 -b 2G -i 2 -s anonymous_hugetlb_2mb -v 4\n"
    "\n"
    "exit status: 0 ran; 2 bad usage (one error: line)\n";

// The commands in the overview's order. A command added to the CLI adds its entry
// here (cli.cpp dispatches on the same names).
const std::array<CommandHelp, 8> kCommands{{
    {"run", "run one simulation (a config, a scenario name, or the default)", kRunHelp},
    {"compare", "the same run under each write-protect walker (or dirty-log API), side by side", kCompareHelp},
    {"decode", "every field of a stage-2 descriptor", kDecodeHelp},
    {"lab", "teaching labs: a seed makes a problem, solve works it, check and grade grade it", kLabHelp},
    {"scenarios", "list the shipped scenarios", kScenariosHelp},
    {"perf-test", "a model of KVM's dirty_log_perf_test, with its flags and output lines", kPerfTestHelp},
    {"sweep", "every point of a sweep spec, here in parallel or as a Slurm job array", kSweepHelp},
    {"help", "help on a command (or COMMAND --help); s2sim --version", kHelpHelp},
}};

std::string overview() {
  std::string s =
      "usage: s2sim <command> [options]      (s2sim help COMMAND, or COMMAND --help, for its options)\n"
      "\n"
      "commands:\n";
  for (const CommandHelp& c : kCommands) {
    std::string name = c.name;
    name.resize(12, ' ');
    s += "  " + name + c.summary + "\n";
  }
  s += "\n"
       "  --version   print the version\n"
       "\n"
       "exit status: 0 ok; 1 verification failed (or a wrong lab answer); 2 bad usage,\n"
       "config or trace, with one line \"error: FILE: /json/pointer: ...\" on stderr\n";
  return s;
}

}  // namespace

const char* usage_text() {
  static const std::string text = overview();
  return text.c_str();
}

const char* command_help(std::string_view command) {
  const auto it = std::find_if(kCommands.begin(), kCommands.end(), [&](const CommandHelp& c) { return c.name == command; });
  return it == kCommands.end() ? nullptr : it->text;
}

std::vector<std::string> help_commands() {
  std::vector<std::string> names;
  for (const CommandHelp& c : kCommands) names.emplace_back(c.name);
  return names;
}

bool wants_help(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
}

}  // namespace s2sim::sim
