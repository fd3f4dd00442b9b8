#!/usr/bin/env python3
"""scripts/hw_dirty_study.sh in its quick mode (tiny sizes, two points a sweep) against
the binary built here: every chart it names is well-formed SVG with one series per
mechanism (and its caption says what was run), the tables have a row per point and
mechanism, and the counts in them are the ones the mechanisms must give. Then the mode
probe's fallback against a stand-in binary whose refusal names no modes. Nothing is
timed.

    hw_dirty_study_test.py --s2sim PATH --source DIR
"""

import argparse
import os
import re
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def table_rows(text, heading_start):
    """The data rows of the Markdown table under the first heading that starts so."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(heading_start))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]  # without the header


def num(cell):
    return float(cell.replace(",", "").rstrip("×"))


def check_svg(path, expect_series, expect_in_desc):
    root = ET.parse(path).getroot()
    check(root.tag == SVG + "svg", f"{path}: root is {root.tag}")
    desc = root.find(SVG + "desc")
    check(desc is not None and expect_in_desc in (desc.text or ""), f"{path}: <desc> does not name {expect_in_desc!r}")
    check(root.find(SVG + "title") is not None, f"{path}: no <title>")
    series = [g.get("data-name") for g in root.iter(SVG + "g") if g.get("class") == "series"]
    check(series == expect_series, f"{path}: series {series}, expected {expect_series}")
    for g in root.iter(SVG + "g"):
        if g.get("class") == "series":
            check(len(list(g)) > 0, f"{path}: series {g.get('data-name')} draws nothing")
    legend = [t.text for g in root.iter(SVG + "g") if g.get("class") == "legend" for t in g.iter(SVG + "text")]
    check(legend == expect_series, f"{path}: legend {legend}, expected {expect_series}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--s2sim", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    script = os.path.join(args.source, "scripts", "hw_dirty_study.sh")

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "img")
        p = subprocess.run([script, "--quick", "--s2sim", args.s2sim, "--out", out], capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stdout, p.stderr, sep="\n")
            print("FAIL: the quick study exited", p.returncode)
            return 1
        text = p.stdout
        modes = re.match(r"Modes: ([a-z0-9_, ]+)\.", text).group(1).split(", ")
        check(modes[0] == "none" and {"dbm", "hdbss"} <= set(modes), f"modes probed: {modes}")
        # The probe reads the binary's own list: every mode it names is one it runs.
        refusal = subprocess.run([args.s2sim, "perf-test", "--hw-dirty", "no-such-mode"], capture_output=True, text=True)
        for m in modes:
            check(m in refusal.stderr, f"mode {m} is not in the binary's list: {refusal.stderr.strip()}")

        pages = {1: 1024, 2: 2048}  # 4 MiB per vCPU
        for backing in ("4 KiB (anonymous)", "2 MiB (hugetlb)"):
            for k in (2, 3):
                rows = table_rows(text, f"#### {backing}, iteration {k}:")
                check([(r[0], r[1]) for r in rows] == [(str(n), m) for n in (1, 2) for m in modes],
                      f"scaling {backing} iteration {k}: rows {[(r[0], r[1]) for r in rows]}")
                for r in rows:
                    n, mode, wp, split, hw = int(r[0]), r[1], num(r[9]), num(r[11]), num(r[12])
                    if mode == "none":
                        check(r[6:9] == ["1×"] * 3 and hw == 0, f"scaling row {r}: none is its own baseline, no hw updates")
                        # Every page faults once a pass; a hugetlb pass after CLEAR splits each block instead.
                        if backing.startswith("2") and k == 2:
                            check(wp == 0 and split == n * 2, f"scaling row {r}: one split fault per 2 MiB block")
                        else:
                            check(wp == pages[n] and split == 0, f"scaling row {r}: one write-protect fault a page")
                    if mode == "dbm" and not (backing.startswith("2") and k == 2):
                        check(wp == 0 and hw == pages[n], f"scaling row {r}: DBM dirties every page without a fault")
                    if mode == "hdbss" and k == 3:
                        check(wp == 0 and hw == pages[n], f"scaling row {r}: HDBSS dirties every page without a fault")
            rows = table_rows(text, f"#### {backing}, 2 vCPUs, iteration 3:")
            check([(r[0], r[1]) for r in rows] == [(w, m) for w in ("0", "100") for m in modes],
                  f"rate {backing}: rows {[(r[0], r[1]) for r in rows]}")
            for r in rows:
                if r[0] == "0":
                    check(num(r[9]) == 0 and num(r[12]) == 0, f"rate row {r}: a pass of reads dirties nothing")
            rows = table_rows(text, f"#### {backing}: `s2sim run")
            check([(r[0], r[2]) for r in rows] == [(t, m) for t in ("300,000", "3,000") for m in modes],
                  f"migration {backing}: rows {[(r[0], r[2]) for r in rows]}")
            for r in rows:
                check(r[11] == "0", f"migration row {r}: lost writes")
                check(num(r[5]) >= 1024, f"migration row {r}: fewer pages sent than the slot holds")

        named = re.search(r"Charts in [^:]+: (.*)", text).group(1).split(", ")
        check(sorted(named) == sorted(os.listdir(out)), f"charts named {named}, written {sorted(os.listdir(out))}")
        for name in named:
            path = os.path.join(out, name)
            expect = modes
            if name.endswith("-ratio.svg"):
                expect = [m for m in modes if m != "none"]
                if name.startswith("migration"):
                    expect = [f"{m} {what}" for m in expect for what in ("total", "downtime", "pages sent")]
            check_svg(path, expect, "s2sim run" if name.startswith("migration") else "s2sim perf-test")
        for sweep, count in (("scaling", 12), ("rate", 12), ("migration", 8)):
            check(sum(n.startswith(sweep + "-") for n in named) == count, f"{sweep}: not {count} charts")

        # A mode the binary refuses (as a new mode may refuse some points) leaves its
        # rows saying so and the other modes' numbers as they were.
        out2 = os.path.join(tmp, "img2")
        p = subprocess.run([script, "--quick", "--s2sim", args.s2sim, "--out", out2, "--only", "scaling",
                            "--modes", "none,no-such-mode"], capture_output=True, text=True)
        check(p.returncode == 0, f"a refused mode stops the study: {p.stderr.strip()}")
        rows = table_rows(p.stdout, "#### 4 KiB (anonymous), iteration 3:")
        check([r[1:3] for r in rows if r[1] != "none"] == [["no-such-mode", "refused"]] * 2, f"refused rows: {rows}")
        check([r for r in rows if r[1] == "none"] == [r for r in table_rows(text, "#### 4 KiB (anonymous), iteration 3:")
                                                       if r[1] == "none"], "none's rows change with the modes run")
        check(re.search(r"^Refused: `.*--hw-dirty no-such-mode.*`: error: ", p.stdout, re.M) is not None,
              "the refusal's error line is not printed")

        # The probe's fallback: a binary whose refusal names no list gets each candidate tried.
        sys.path.insert(0, os.path.join(args.source, "scripts"))
        import hw_dirty_study
        fake = os.path.join(tmp, "fake-s2sim")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\n'
                    'case " $* " in *" --hw-dirty none "*|*" --hw-dirty hdbss "*) exit 0 ;; esac\n'
                    'echo "error: perf-test: no" >&2; exit 2\n')
        os.chmod(fake, stat.S_IRWXU)
        got = hw_dirty_study.probe_modes(fake)
        check(got == ["none", "hdbss"], f"fallback probe gave {got}")

    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
