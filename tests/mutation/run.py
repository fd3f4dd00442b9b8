#!/usr/bin/env python3
"""Mutation harness: breaks the logic that matters one named way at a time and checks
that the test suite notices.

Each mutant (mutants.py; the ones in sim/engine/ in engine_mutants.py) names a file, an
exact snippet of it that must occur exactly once, its replacement, and the tests that
must fail once it is applied. The harness copies the source tree to a scratch
directory, configures one optimized build there (-O1) (reused across mutants and across runs,
so each mutant rebuilds only what it touched), checks that the chosen tests pass on the
unmutated copy, then for each mutant: applies it, builds, runs its tests (stopping at
the first that fails), and restores the file. It prints the score and the survivors.

Exit status: 0 every mutant was killed; 1 a mutant survived, a snippet was not found
exactly once, a mutant did not compile, or the unmutated tests failed; 2 bad usage.

  tests/mutation/run.sh [--only NAME]... [--slice today|K/N] [--list] [--check-anchors] [--work DIR] [--jobs J]

`--check-anchors` builds nothing: it checks that every mutant's snippet occurs exactly
once in its file, that the mutant changes it, and that its test commands name targets
the build defines (the CTest `mutation_anchors`, so that a refactor which moves a
mutant's code fails the suite at once instead of at the mutant's day of the week).
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from mutants import MUTANTS  # noqa: E402
from engine_mutants import ENGINE_MUTANTS  # noqa: E402

# Folders of the source tree the build needs (build/ and .git are not copied).
TREE = ["CMakeLists.txt", "CMakePresets.json", "configs", "mmu", "sim", "tests", "util", "workloads", "bench", "docs"]
TEST_TIMEOUT_S = 600

# Days of the ISO week: CI runs the slice of the day, so every mutant runs once a week.
WEEK_SLICES = 7


def all_mutants():
    out = []
    for m in MUTANTS:
        out.append(dict(m, list="mutants.py"))
    for m in ENGINE_MUTANTS:
        out.append(dict(m, list="engine_mutants.py"))
    names = [m["name"] for m in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit("duplicate mutant names: " + ", ".join(sorted(dup)))
    return out


def pick_slice(mutants, spec):
    """`today`: slice ISO weekday - 1 of 7; `K/N`: slice K of N (0-based). Mutant i (in
    name order) belongs to slice i mod N."""
    if spec == "today":
        k, n = datetime.date.today().isoweekday() - 1, WEEK_SLICES
    else:
        k, n = (int(x) for x in spec.split("/"))
        if not 0 <= k < n:
            raise SystemExit("--slice K/N needs 0 <= K < N")
    ordered = sorted(mutants, key=lambda m: m["name"])
    return [m for i, m in enumerate(ordered) if i % n == k], k, n


def defined_targets():
    """The executables the build defines: add_executable() names in every CMakeLists.txt,
    and s2sim-tests-<layer> for each tests/<layer>/ holding a *_test.cpp (tests/CMakeLists.txt
    makes one GoogleTest executable per such folder)."""
    names = {"s2sim"}
    tests = os.path.join(ROOT, "tests")
    for layer in os.listdir(tests):
        d = os.path.join(tests, layer)
        if os.path.isdir(d) and any(f.endswith("_test.cpp") for f in os.listdir(d)):
            names.add("s2sim-tests-" + layer)
    for d, sub, files in os.walk(ROOT):
        sub[:] = [s for s in sub if s not in ("build", ".git", "__pycache__")]
        if "CMakeLists.txt" in files:
            with open(os.path.join(d, "CMakeLists.txt")) as fh:
                names |= set(re.findall(r"add_executable\(\s*([\w-]+)", fh.read()))
    return names


def anchor_errors(mutants):
    """What keeps a mutant from being applied as written, one line each."""
    errors = []
    targets = defined_targets()
    for m in mutants:
        path = os.path.join(ROOT, m["file"])
        if not os.path.isfile(path):
            errors.append("%s: its file %s does not exist (re-anchor it)" % (m["name"], m["file"]))
            continue
        with open(path) as fh:
            n = fh.read().count(m["original"])
        if n != 1:
            errors.append("%s: its snippet occurs %d times in %s (re-anchor it)" % (m["name"], n, m["file"]))
        if m["mutant"] == m["original"]:
            errors.append("%s: the mutant does not change its snippet" % m["name"])
        if not m["tests"]:
            errors.append("%s: no test is named to kill it" % m["name"])
        for t in m["tests"]:
            if t["exe"] not in targets:
                errors.append("%s: names %s, which the build does not define" % (m["name"], t["exe"]))
    return errors


def sync_tree(dst):
    """Copies the source tree into dst, rewriting only files whose bytes changed (so
    that an incremental build rebuilds only what changed since the last run) and
    removing files that are gone."""
    seen = set()
    for top in TREE:
        src = os.path.join(ROOT, top)
        if os.path.isfile(src):
            entries = [(ROOT, [], [top])]
        else:
            entries = ((d, sub, files) for d, sub, files in os.walk(src))
        for d, sub, files in entries:
            sub[:] = [s for s in sub if s not in ("build", ".git", "__pycache__")]
            for f in files:
                s = os.path.join(d, f)
                rel = os.path.relpath(s, ROOT)
                t = os.path.join(dst, rel)
                seen.add(rel)
                with open(s, "rb") as fh:
                    data = fh.read()
                if os.path.exists(t):
                    with open(t, "rb") as fh:
                        if fh.read() == data:
                            continue
                os.makedirs(os.path.dirname(t), exist_ok=True)
                with open(t, "wb") as fh:
                    fh.write(data)
                shutil.copymode(s, t)
    # Only inside the tree's own folders: dst may hold other things (a build directory).
    for top in TREE:
        for d, sub, files in os.walk(os.path.join(dst, top)):
            sub[:] = [s for s in sub if s not in ("build", ".git", "__pycache__")]
            for f in files:
                rel = os.path.relpath(os.path.join(d, f), dst)
                if rel not in seen:
                    os.remove(os.path.join(d, f))


def run(cmd, cwd=None, timeout=None, quiet=True):
    try:
        p = subprocess.run(cmd, cwd=cwd, timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except subprocess.TimeoutExpired:
        return 124, "timed out after %s s" % timeout
    if not quiet:
        sys.stdout.write(p.stdout)
    return p.returncode, p.stdout


class Build:
    def __init__(self, work, jobs):
        self.src = os.path.join(work, "src")
        self.dir = os.path.join(work, "build")
        self.jobs = jobs

    def configure(self):
        os.makedirs(self.src, exist_ok=True)
        sync_tree(self.src)
        if not os.path.exists(os.path.join(self.dir, "build.ninja")):
            rc, out = run(["cmake", "-S", self.src, "-B", self.dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                           # Every step here is a build: -O1 compiles about 40 % faster than -O3,
                           # and the tests a mutant must fail run for seconds either way.
                           "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG",
                           "-DS2SIM_BUILD_BENCH=OFF", "-DS2SIM_WERROR=OFF"])
            if rc != 0:
                raise SystemExit("configure failed:\n" + out)

    def build(self, targets):
        return run(["cmake", "--build", self.dir, "-j", str(self.jobs), "--target"] + sorted(targets))

    def command(self, test):
        """A test spec: {"exe": name, "filter": gtest filter} or {"exe": name, "args": [...]}."""
        exe = test["exe"]
        path = os.path.join(self.dir, exe) if exe == "s2sim" else os.path.join(self.dir, "tests", exe)
        cmd = [path]
        if "filter" in test:
            cmd.append("--gtest_filter=" + test["filter"])
        cmd += test.get("args", [])
        return cmd


def targets_of(mutant):
    t = {test["exe"] for test in mutant["tests"]}
    if "s2sim-tests-cli" in t or "s2sim-tests-labs" in t:
        t.add("s2sim")
    return t


def spec_text(test):
    s = test["exe"]
    if "filter" in test:
        s += " --gtest_filter=" + test["filter"]
    if test.get("args"):
        s += " " + " ".join(test["args"])
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", default=[], help="run this mutant (repeatable)")
    ap.add_argument("--slice", help="run one slice: 'today' (ISO weekday, 7 slices) or K/N")
    ap.add_argument("--list", action="store_true", help="list the mutants and their tests, then exit")
    ap.add_argument("--check-anchors", action="store_true",
                    help="check every mutant's snippet and test targets without building, then exit")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "release", "mutation"),
                    help="scratch directory: the tree copy and its build (default build/release/mutation, "
                         "the one the release preset's CTest entry uses)")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()

    mutants = all_mutants()
    if a.only:
        unknown = set(a.only) - {m["name"] for m in mutants}
        if unknown:
            ap.error("unknown mutant(s): " + ", ".join(sorted(unknown)))
        mutants = [m for m in mutants if m["name"] in a.only]
    label = "all %d mutants" % len(mutants)
    if a.slice:
        mutants, k, n = pick_slice(mutants, a.slice)
        label = "slice %d of %d: %d mutants" % (k, n, len(mutants))
    # Mutants of one file run back to back, headers last: a header mutant rebuilds
    # everything that includes it, and so does restoring it, which then falls to the
    # next run's first build.
    mutants.sort(key=lambda m: (m["file"].endswith(".h"), m["file"], m["name"]))

    if a.list:
        for m in mutants:
            print("%-40s %-32s (%s) %s" % (m["name"], m["file"], m["list"], "; ".join(spec_text(t) for t in m["tests"])))
        return 0

    started = time.monotonic()
    # Every snippet must occur exactly once in the tree as it is.
    errors = anchor_errors(mutants)
    if errors:
        for e in errors:
            print("ERROR " + e)
        return 1
    if a.check_anchors:
        print("mutation anchors: %s, each snippet found exactly once in its file" % label)
        return 0

    b = Build(a.work, a.jobs)
    b.configure()
    targets = set()
    for m in mutants:
        targets |= targets_of(m)
    rc, out = b.build(targets)
    if rc != 0:
        print(out)
        print("ERROR the unmutated tree does not build")
        return 1
    # The tests must pass before anything is mutated, or a failure proves nothing.
    baseline = {}
    for m in mutants:
        for t in m["tests"]:
            baseline[spec_text(t)] = t
    for text, t in sorted(baseline.items()):
        rc, out = run(b.command(t), cwd=b.dir, timeout=TEST_TIMEOUT_S)
        if rc != 0:
            print(out[-4000:])
            print("ERROR fails without any mutant: " + text)
            return 1
    print("mutation: %s; unmutated tree built and its %d test commands pass (%.0f s)" %
          (label, len(baseline), time.monotonic() - started))

    killed, survivors = [], []
    for i, m in enumerate(mutants, 1):
        t0 = time.monotonic()
        path = os.path.join(b.src, m["file"])
        with open(path) as fh:
            original = fh.read()
        if original.count(m["original"]) != 1:
            errors.append("%s: snippet not found exactly once in the copy" % m["name"])
            continue
        with open(path, "w") as fh:
            fh.write(original.replace(m["original"], m["mutant"], 1))
        try:
            rc, out = b.build(targets_of(m))
            built = time.monotonic()
            if rc != 0:
                errors.append("%s: does not compile:\n%s" % (m["name"], out[-3000:]))
                verdict = "DOES NOT COMPILE"
            else:
                verdict = "SURVIVED"
                for t in m["tests"]:
                    rc, _ = run(b.command(t), cwd=b.dir, timeout=TEST_TIMEOUT_S)
                    if rc != 0:
                        verdict = "killed by " + spec_text(t)
                        break
        finally:
            with open(path, "w") as fh:
                fh.write(original)
        if verdict.startswith("killed"):
            killed.append(m["name"])
        elif verdict == "SURVIVED":
            survivors.append(m["name"])
        print("[%2d/%d] %-40s %s (build %.0f s, tests %.0f s)" %
              (i, len(mutants), m["name"], verdict, built - t0, time.monotonic() - built), flush=True)

    total = len(killed) + len(survivors)
    print("mutation score: %d of %d killed (%s); %.0f s" % (len(killed), total, label, time.monotonic() - started))
    if survivors:
        print("survivors: " + ", ".join(survivors))
    for e in errors:
        print("ERROR " + e)
    return 0 if not survivors and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
