#!/usr/bin/env python3
"""The hardware dirty-tracking study of docs/hw-dirty-tracking.md: sweeps of
`s2sim perf-test` and `s2sim run` over the dirty-tracking mechanisms, printed as
Markdown tables (stdout) and drawn as SVG charts (--out). scripts/hw_dirty_study.sh
runs it; its --help lists the options.

Three sweeps, each for every mechanism (--modes; by default every mode the binary
accepts) and for 4 KiB and 2 MiB (hugetlb) backing:
  scaling    perf-test at 1..152 vCPUs, all of each vCPU's memory written each pass
  rate       perf-test at a fixed vCPU count, the share of each pass that writes
             (-w) from 0 % (a guest that only reads) to 100 % (streaming writes)
  migration  whole migrations (s2sim run) of a guest writing at random pages, its
             compute between writes (think time) from idle to streaming
Ratios are against write protection (mode none). Nothing is timed on the host: every
number is simulated time or a count from the JSON s2sim writes.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svgplot  # noqa: E402

MACHINE, KERNEL = "neoverse-n1", "linux-6.6-arm64"
CLOCK_HZ = 3.0e9  # neoverse-n1's clock: turns think time into writes a second
# The migrations' link and stop rule: a full 32 MiB round takes 27 ms, and the rates
# where a round's dirty pages approach the pages it sends fall inside a short run.
LINK_GBPS, DOWNTIME_LIMIT_MS, MAX_ROUNDS = 10, 2, 10
BACKINGS = [("4k", "anonymous", "4 KiB (anonymous)", False),
            ("2m", "anonymous_hugetlb_2mb", "2 MiB (hugetlb)", True)]
CANDIDATE_MODES = ["none", "dbm", "hdbss", "hacdbs"]
ITERATIONS = 3  # 1: after enabling (nothing protected yet, INITIALLY_SET); 2: the first
# pass after a CLEAR (2 MiB blocks split here); 3: the steady state of a full rewrite.
SHOWN_ITERATIONS = (2, 3)

FULL = {"vcpus": [1, 2, 4, 8, 16, 32, 64, 128, 152], "bytes": "64M",
        "rate_vcpus": 8, "write_percents": [0, 1, 5, 10, 25, 50, 100],
        "mig_vcpus": 4, "mig_pages": 8192, "mig_seconds": 0.4,
        "mig_think": [3000000, 300000, 100000, 30000, 10000, 3000]}
QUICK = {"vcpus": [1, 2], "bytes": "4M",
         "rate_vcpus": 2, "write_percents": [0, 100],
         "mig_vcpus": 2, "mig_pages": 1024, "mig_seconds": 0.02,
         "mig_think": [300000, 3000]}


def probe_modes(s2sim):
    """Every --hw-dirty mode the binary accepts: read from its refusal of an unknown one
    ("... (expected none, dbm or hdbss)"); failing that, each candidate tried on a tiny run."""
    p = subprocess.run([s2sim, "perf-test", "--hw-dirty", "no-such-mode"], capture_output=True, text=True)
    m = re.search(r"expected ([a-z0-9_, -]+?)\)", p.stderr)
    if m:
        modes = [w for w in re.split(r",\s*|\s+or\s+|\s+", m.group(1)) if w and w != "or"]
        if "none" in modes:
            return modes
    ok = []
    for mode in CANDIDATE_MODES:
        r = subprocess.run([s2sim, "perf-test", "-q", "-v", "1", "-b", "4K", "-i", "2", "--machine", MACHINE,
                            "--kernel", KERNEL, "--hw-dirty", mode], capture_output=True, text=True)
        if r.returncode == 0:
            ok.append(mode)
    return ok


class Runner:
    """Runs s2sim commands, each writing its JSON into the work directory under a name
    derived from the arguments and the config file's content; a JSON already there
    (--work kept from an earlier run of the same binary) is read instead of running
    again."""

    def __init__(self, s2sim, work, jobs):
        self.s2sim, self.work, self.jobs = s2sim, work, jobs
        self.refusals = {}  # s2sim's error line -> the first command it answered

    def path(self, args):
        h = hashlib.sha1("\0".join(args).encode())
        for a in args:  # a config file's content is part of the run
            if a.endswith(".json") and os.path.isfile(a):
                with open(a, "rb") as f:
                    h.update(f.read())
        return os.path.join(self.work, h.hexdigest()[:16] + ".json")

    def _run(self, args):
        out = self.path(args)
        if not os.path.exists(out):
            cmd = [self.s2sim] + args[:1] + ["-q"] + args[1:] + ["--json", out + ".tmp"]
            p = subprocess.run(cmd, capture_output=True, text=True)
            # Exit 2 is a refusal (a mode that cannot run this point: the contract's one
            # error: line); the tables say so and the charts leave the point out.
            if p.returncode == 2 and p.stderr.startswith("error:"):
                line = p.stderr.strip().splitlines()[0]
                self.refusals.setdefault(line, " ".join(cmd[:-2]))
                return {"refused": line}
            # run exits 1 when the verifier finds a lost write: the JSON is still the
            # result, and the table shows the count.
            if p.returncode not in (0, 1) or not os.path.exists(out + ".tmp"):
                raise SystemExit(f"error: hw_dirty_study: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
            os.replace(out + ".tmp", out)
        with open(out) as f:
            return json.load(f)

    def run_all(self, arg_lists):
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as pool:
            return list(pool.map(self._run, arg_lists))


def perf_args(vcpus, nbytes, backing, mode, write_percent=100):
    return ["perf-test", "--machine", MACHINE, "--kernel", KERNEL, "-v", str(vcpus), "-b", nbytes,
            "-i", str(ITERATIONS), "-s", backing, "-w", str(write_percent), "--hw-dirty", mode]


def ms(seconds):
    return 1000.0 * seconds


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.3g}×" if r < 100 else f"{r:,.0f}×"


def iteration_point(result, k):
    """One iteration's times (ms) and counts, or None for a refused run."""
    if "refused" in result:
        return None
    it = result["iterations"][k - 1]
    hw = it.get("hw_dirty", {})
    p = {"dirty": ms(it["dirty_memory_s"]), "get": ms(it["get_dirty_log_s"]), "clear": ms(it["clear_dirty_log_s"]),
         "wp": it["faults"]["write_protect"], "translation": it["faults"]["translation"], "split": it["faults"]["split"],
         "hw": hw.get("hw_updates", 0), "traps": hw.get("hdbss_full_traps", 0)}
    p["collect"] = p["get"] + p["clear"]
    p["total"] = p["dirty"] + p["collect"]
    return p


def perf_table(title, key_name, keys, modes, points):
    """points[(key, mode)] -> iteration_point; ratios against mode none at the same key."""
    lines = [f"#### {title}", "",
             f"| {key_name} | mode | dirty memory (ms) | get (ms) | clear (ms) | per iteration (ms) | "
             "dirty ÷ none | get+clear ÷ none | per iteration ÷ none | write-protect faults | translation faults | "
             "split faults | hardware updates | HDBSS full traps |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key in keys:
        base = points.get((key, "none"))
        for mode in modes:
            p = points[(key, mode)]
            if p is None:
                lines.append(f"| {key} | {mode} | refused |" + " — |" * 11)
                continue
            r = [fmt_ratio(ratio(p[f], base[f] if base else None)) for f in ("dirty", "collect", "total")]
            lines.append(f"| {key} | {mode} | {p['dirty']:.3f} | {p['get']:.3f} | {p['clear']:.3f} | {p['total']:.3f} | "
                         f"{r[0]} | {r[1]} | {r[2]} | {p['wp']:,} | {p['translation']:,} | {p['split']:,} | {p['hw']:,} | "
                         f"{p['traps']:,} |")
    return "\n".join(lines) + "\n"


def write_svg(out_dir, name, text, written):
    with open(os.path.join(out_dir, name), "w") as f:
        f.write(text)
    written.append(name)


def perf_plots(out_dir, prefix, what, xlabel, xs, modes, points, caption, written, categorical):
    """Three charts of one sweep: dirty memory time, get + clear time, and the iteration's
    total as a ratio to write protection."""
    def series(field, only=None):
        out = []
        for style, mode in enumerate(modes):
            if only and mode == "none":
                continue
            pts = []
            for i, x in enumerate(xs):
                p, base = points[(x, mode)], points[(x, "none")] if "none" in modes else None
                if p is None or (only and base is None):
                    v = None
                else:
                    v = p[field] if not only else ratio(p[field], base[field])
                pts.append((i if categorical else x, v))
            out.append((mode, pts, style))
        return out
    common = {"categories": [str(x) for x in xs] if categorical else None,
              "xlog": not categorical, "xticks": None if categorical else xs}
    write_svg(out_dir, f"{prefix}-dirty.svg", svgplot.line_chart(
        f"Guest dirtying time, {what}", xlabel, "dirty memory time per pass (ms, log)",
        series("dirty"), caption, ylog=True, **common), written)
    write_svg(out_dir, f"{prefix}-collect.svg", svgplot.line_chart(
        f"Get + clear dirty log time, {what}", xlabel, "KVM_GET + KVM_CLEAR_DIRTY_LOG (ms, log)",
        series("collect"), caption + " Points at 0 ms are not drawn on the log axis.", ylog=True, **common), written)
    if "none" in modes and len(modes) > 1:
        write_svg(out_dir, f"{prefix}-ratio.svg", svgplot.line_chart(
            f"Iteration time vs write protection, {what}", xlabel,
            "(dirty + get + clear) ÷ same with none (log)", series("total", only=True),
            caption + " Dashed line: 1, write protection's own time; below it the mechanism is faster.",
            ylog=True, hline=1.0, **common), written)


PERF_API = "perf-test's default MANUAL_PROTECT2 + INITIALLY_SET, one CLEAR of the slot after each GET"
RUN_API = "plain KVM_GET_DIRTY_LOG, dirty_log.api get, the one hardware dirty state runs with"


def caption_for(cmd, api, extra):
    return (f"Simulated by {cmd}; machine {MACHINE} (Ampere Altra-like, 3.0 GHz), kernel profile {KERNEL} "
            f"({api}). {extra} Simulated time, not a hardware "
            "measurement; made by scripts/hw_dirty_study.sh, costs and their sources in docs/hw-dirty-tracking.md.")


def scaling(runner, cfg, modes, out_dir, written):
    print("### vCPU scaling\n")
    vcpus = cfg["vcpus"]
    for tag, backing, label, _ in BACKINGS:
        keys = [(n, m) for n in vcpus for m in modes]
        results = runner.run_all([perf_args(n, cfg["bytes"], backing, m) for n, m in keys])
        for k in SHOWN_ITERATIONS:
            points = {key: iteration_point(r, k) for key, r in zip(keys, results)}
            print(perf_table(f"{label}, iteration {k}: `s2sim perf-test -v N -b {cfg['bytes']} -i {ITERATIONS} "
                             f"-s {backing} --hw-dirty MODE`", "vCPUs", vcpus, modes, points))
            cap = caption_for(f"s2sim perf-test -v N -b {cfg['bytes']} -i {ITERATIONS} -s {backing} --hw-dirty MODE "
                              f"(N = {', '.join(map(str, vcpus))}; MODE = {', '.join(modes)})", PERF_API,
                              f"Iteration {k}; each vCPU writes all of its {cfg['bytes']} each pass.")
            perf_plots(out_dir, f"scaling-{tag}-it{k}", f"{label}, iteration {k}", "vCPUs (log)", vcpus, modes,
                       points, cap, written, categorical=False)


def rate(runner, cfg, modes, out_dir, written):
    print("### Dirty rate: the share of each pass that writes\n")
    n, ws = cfg["rate_vcpus"], cfg["write_percents"]
    for tag, backing, label, _ in BACKINGS:
        keys = [(w, m) for w in ws for m in modes]
        results = runner.run_all([perf_args(n, cfg["bytes"], backing, m, w) for w, m in keys])
        for k in SHOWN_ITERATIONS:
            points = {key: iteration_point(r, k) for key, r in zip(keys, results)}
            print(perf_table(f"{label}, {n} vCPUs, iteration {k}: `s2sim perf-test -v {n} -b {cfg['bytes']} "
                             f"-i {ITERATIONS} -s {backing} -w W --hw-dirty MODE`", "writes (-w %)", ws, modes, points))
            cap = caption_for(f"s2sim perf-test -v {n} -b {cfg['bytes']} -i {ITERATIONS} -s {backing} -w W "
                              f"--hw-dirty MODE (W = {', '.join(map(str, ws))}; MODE = {', '.join(modes)})", PERF_API,
                              f"Iteration {k}; each vCPU touches every page of its {cfg['bytes']} each pass, "
                              "writing W % of them (the rest are reads).")
            perf_plots(out_dir, f"rate-{tag}-it{k}", f"{label}, {n} vCPUs, iteration {k}",
                       "pages written per pass (-w, %)", ws, modes, points, cap, written, categorical=True)


def migration_config(cfg, hugepages, think):
    return {"comment": "scripts/hw_dirty_study.sh: a whole migration of a guest writing random pages",
            "seed": 1, "machine": MACHINE, "geometry": "armv8-3level", "kernel": KERNEL, "vcpus": cfg["mig_vcpus"],
            "memslots": [{"id": 0, "base_gfn": 262144, "npages": cfg["mig_pages"], "hugepages": hugepages,
                          "populate": True}],
            "workload": {"kind": "uniform", "ops": max(1, round(cfg["mig_seconds"] * CLOCK_HZ / think)),
                         "write_ratio": 1.0, "think_cycles": think},
            "dirty_log": {"walker": "range"},
            "migration": {"enabled": True, "start_ms": 0, "link_gbps": LINK_GBPS, "max_rounds": MAX_ROUNDS,
                          "stop_rule": {"kind": "qemu", "downtime_limit_ms": DOWNTIME_LIMIT_MS}},
            "verify": {"enabled": True}}


def migration(runner, cfg, modes, out_dir, written):
    print("### Whole migrations\n")
    thinks, n = cfg["mig_think"], cfg["mig_vcpus"]
    print("Each point is `s2sim run CONFIG --set dirty_log.hw_dirty=MODE` of this config (here the 4 KiB one at "
          f"think time {thinks[0]:,} cycles; the others differ only in `hugepages`, `think_cycles`, and `ops`, "
          f"enough to keep writing for {cfg['mig_seconds']} s of simulated time):\n")
    print("```json\n" + json.dumps(migration_config(cfg, False, thinks[0])) + "\n```\n")
    rate_of = {t: n * CLOCK_HZ / t for t in thinks}
    offered = {t: f"{rate_of[t]:,.0f}" for t in thinks}
    for tag, _, label, huge in BACKINGS:
        keys, arg_lists = [], []
        for t in thinks:
            conf = os.path.join(runner.work, f"migration-{tag}-{t}.json")
            with open(conf, "w") as f:
                json.dump(migration_config(cfg, huge, t), f, indent=1)
            for m in modes:
                keys.append((t, m))
                arg_lists.append(["run", conf, "--set", f"dirty_log.hw_dirty={m}"])
        results = runner.run_all(arg_lists)
        pts = {}
        for key, r in zip(keys, results):
            if "refused" in r:
                pts[key] = None
                continue
            mig = r["migration"]
            pts[key] = {"total": r["time_ms"]["total"], "downtime": mig["downtime_ms"], "sent": mig["pages_sent_total"],
                        "dt_pages": mig["downtime_pages"], "rounds": len(mig["rounds"]), "converged": mig["converged"],
                        "wp": r["faults"]["write_protect"], "writes": r["guest"]["writes"],
                        "lost": r["verify"]["lost_writes"]}
        print(f"#### {label}: `s2sim run CONFIG --set dirty_log.hw_dirty=MODE`"
              + (" (the slot's `hugepages` true)" if huge else "") + "\n")
        print("| think (cycles) | offered writes/s | mode | total (ms) | downtime (ms) | pages sent | downtime pages | "
              "rounds | converged | guest writes | write-protect faults | lost writes | total ÷ none | "
              "downtime ÷ none | pages sent ÷ none |")
        print("|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        for t in thinks:
            base = pts.get((t, "none"))
            for m in modes:
                p = pts[(t, m)]
                if p is None:
                    print(f"| {t:,} | {offered[t]} | {m} | refused |" + " — |" * 11)
                    continue
                r = [fmt_ratio(ratio(p[f], base[f] if base else None)) for f in ("total", "downtime", "sent")]
                print(f"| {t:,} | {offered[t]} | {m} | {p['total']:.3f} | {p['downtime']:.3f} | {p['sent']:,} | "
                      f"{p['dt_pages']:,} | {p['rounds']} | {'yes' if p['converged'] else 'no'} | {p['writes']:,} | "
                      f"{p['wp']:,} | {p['lost']} | {r[0]} | {r[1]} | {r[2]} |")
        print()
        cats = [offered[t] for t in thinks]
        cap = caption_for(f"s2sim run --set dirty_log.hw_dirty=MODE (MODE = {', '.join(modes)}) of a config with "
                          f"{n} vCPUs writing uniformly random pages of a {cfg['mig_pages']}-page "
                          f"({label}) slot, think time {', '.join(f'{t:,}' for t in thinks)} cycles", RUN_API,
                          f"{LINK_GBPS} Gbit/s link, QEMU's stop rule with a {DOWNTIME_LIMIT_MS} ms downtime limit, "
                          f"at most {MAX_ROUNDS} pre-copy rounds; x: the writes per second the guest would issue if "
                          "no write ever faulted.")
        for field, name, unit in (("total", "Total migration time", "total migration time (ms, log)"),
                                  ("downtime", "Downtime", "stop-and-copy downtime (ms, log)"),
                                  ("sent", "Pages sent", "pages sent in all rounds (log)")):
            # x: the offered rate itself, on a log axis (the rates are not evenly spaced).
            series = [(m, [(rate_of[t], pts[(t, m)][field] if pts[(t, m)] else None) for t in thinks])
                      for m in modes]
            write_svg(out_dir, f"migration-{tag}-{field}.svg", svgplot.line_chart(
                f"{name}, {label}", "offered guest writes per second (all vCPUs, log)", unit, series, cap,
                xlog=True, ylog=True, xticks=[rate_of[t] for t in thinks]), written)
        if "none" in modes and len(modes) > 1:
            bars = [(f"{m} {name}", [ratio(pts[(t, m)][field], pts[(t, "none")][field])
                                     if pts[(t, m)] and pts[(t, "none")] else None for t in thinks])
                    for m in modes if m != "none"
                    for field, name in (("total", "total"), ("downtime", "downtime"), ("sent", "pages sent"))]
            write_svg(out_dir, f"migration-{tag}-ratio.svg", svgplot.bar_chart(
                f"Migration vs write protection, {label}", "offered guest writes per second (all vCPUs)",
                "÷ same with none", cats, bars,
                cap + " Dashed line: 1, write protection's own figure.", hline=1.0), written)


SWEEPS = {"scaling": scaling, "rate": rate, "migration": migration}


def main():
    ap = argparse.ArgumentParser(prog="hw_dirty_study.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--s2sim", default="build/release/s2sim", help="the binary (default build/release/s2sim)")
    ap.add_argument("--out", default="docs/img/hw-dirty", help="directory for the SVG charts (default docs/img/hw-dirty)")
    ap.add_argument("--modes", help="comma-separated --hw-dirty modes (default: every mode the binary accepts)")
    ap.add_argument("--only", default="scaling,rate,migration", help="sweeps to run (default all: scaling,rate,migration)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and two points a sweep (the test's mode)")
    ap.add_argument("--work", help="keep each run's JSON here and reuse what is already there (default: a temporary directory)")
    ap.add_argument("--jobs", type=int, default=1, help="s2sim runs at a time (default 1)")
    args = ap.parse_args()

    cfg = QUICK if args.quick else FULL
    modes = args.modes.split(",") if args.modes else probe_modes(args.s2sim)
    if not modes:
        raise SystemExit("error: hw_dirty_study: no --hw-dirty mode accepted by " + args.s2sim)
    modes = sorted(modes, key=lambda m: m != "none")  # write protection first: the baseline
    sweeps = args.only.split(",")
    for s in sweeps:
        if s not in SWEEPS:
            raise SystemExit(f"error: hw_dirty_study: unknown sweep \"{s}\" (expected {', '.join(SWEEPS)})")
    os.makedirs(args.out, exist_ok=True)
    tmp = None
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        work = args.work
    else:
        tmp = tempfile.TemporaryDirectory()
        work = tmp.name
    runner = Runner(args.s2sim, work, args.jobs)
    written = []
    print(f"Modes: {', '.join(modes)}. Machine {MACHINE}, kernel profile {KERNEL}. All times simulated.\n")
    for s in SWEEPS:
        if s in sweeps:
            SWEEPS[s](runner, cfg, modes, args.out, written)
    for line, cmd in runner.refusals.items():
        print(f"Refused: `{cmd}`: {line}")
    print(f"Charts in {args.out}: {', '.join(written)}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
