#!/usr/bin/env python3
"""Compare the write-protect walkers from an s2sim-bench JSON result.

Reads the output of

    s2sim-bench --benchmark_format=json > IN.json
    s2sim-bench --benchmark_out=IN.json --benchmark_out_format=json

and writes a Markdown table (walker x pattern x alignment x bits x mapping for
BM_WpMasked, walker x size x dirty fraction for BM_DirtyLog, plus the baselines) and
a hand-written SVG bar chart of BM_WpMasked: one panel per alignment/bits (rows) and
mapping (columns), bars grouped by mask pattern, one bar per walker.

Each walker's figures are also given relative to `naive` in the same group (the
walker that does a full walk per set bit), so "0.50x" means half of naive's cost.

Host time is CPU time per call: the benchmark machine may be shared, and wall time
then includes waiting for a CPU, which says nothing about the walker.

Usage:
    compare_walkers.py IN.json [--markdown OUT.md] [--svg OUT.svg]
                       [--metric sim_cycles|ns]

Without --markdown and --svg the table goes to standard output. Benchmarks that are
missing from the input leave empty cells or are left out; unrecognised names are
listed with the other benchmarks. Exit status 0 on success, 2 with one line
"error: FILE: ..." on standard error for unreadable or malformed input or an
unwritable output.

Python 3 standard library only.
"""

import argparse
import json
import math
import sys

# Walker families and the meaning of each '/'-separated field after the family name.
FAMILIES = {
    "BM_WpMasked": ("walker", "pattern", "alignment", "bits", "mapping"),
    "BM_DirtyLog": ("walker", "size", "dirty"),
}
WALKER_ORDER = ["naive", "v4", "v4-fixed", "range"]
BASELINE = "naive"
COLORS = {"naive": "#8c8c8c", "v4": "#d95f02", "v4-fixed": "#1b9e77", "range": "#7570b3"}
EXTRA_COLORS = ["#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4"]
TIME_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Name fields Google Benchmark appends that are not ours.
DECORATIONS = {"real_time", "process_time", "manual_time"}


class InputError(Exception):
    """A problem with a named file, reported as `error: FILE: message`."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")


# --- reading -----------------------------------------------------------------------


def base_name(entry):
    """The benchmark's own name: run_name if given, minus Google Benchmark's
    decorations (min_time:..., repeats:..., real_time, ...)."""
    name = entry.get("run_name") or entry.get("name")
    if not isinstance(name, str) or not name:
        return None
    parts = [p for p in name.split("/") if p not in DECORATIONS and ":" not in p]
    return "/".join(parts)


def load_results(path):
    """Returns {name: {"ns": cpu ns per iteration, counters...}} in input order."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"not valid JSON: line {e.lineno} column {e.colno}: {e.msg}")
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise InputError(path, 'not a Google Benchmark JSON result: no "benchmarks" array')

    sums = {}  # name -> (sum dict, count); repetitions without aggregates are averaged
    means = {}  # name -> dict from a "mean" aggregate, preferred when present
    for i, entry in enumerate(doc["benchmarks"]):
        where = f"benchmarks[{i}]"
        if not isinstance(entry, dict):
            raise InputError(path, f"{where}: not an object")
        if entry.get("error_occurred"):
            continue  # skipped by the benchmark itself: nothing to compare
        run_type = entry.get("run_type", "iteration")
        if run_type == "aggregate" and entry.get("aggregate_name") != "mean":
            continue
        name = base_name(entry)
        if name is None:
            raise InputError(path, f"{where}: missing \"name\"")
        unit = entry.get("time_unit", "ns")
        if unit not in TIME_TO_NS:
            raise InputError(path, f"{where} ({name}): unknown time_unit {unit!r}")
        t = entry.get("cpu_time", entry.get("real_time"))
        if not isinstance(t, (int, float)) or isinstance(t, bool):
            raise InputError(path, f"{where} ({name}): missing or non-numeric cpu_time")
        row = {"ns": float(t) * TIME_TO_NS[unit]}
        for key, value in entry.items():
            if key in ("cpu_time", "real_time", "iterations", "repetitions", "repetition_index", "threads",
                       "family_index", "per_family_instance_index"):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = float(value)
        if run_type == "aggregate":
            means[name] = row
        else:
            acc, n = sums.get(name, ({}, 0))
            for k, v in row.items():
                acc[k] = acc.get(k, 0.0) + v
            sums[name] = (acc, n + 1)

    results = {}
    for name, (acc, n) in sums.items():
        results[name] = {k: v / n for k, v in acc.items()}
    for name, row in means.items():
        results[name] = row
    return doc.get("context", {}) if isinstance(doc.get("context"), dict) else {}, results


def split_families(results):
    """Groups walker benchmarks: {family: {group tuple: {walker: row}}} plus others."""
    families = {}
    others = {}
    for name, row in results.items():
        parts = name.split("/")
        fields = FAMILIES.get(parts[0])
        if fields is None or len(parts) != len(fields) + 1:
            others[name] = row
            continue
        walker, group = parts[1], tuple(parts[2:])
        families.setdefault(parts[0], {}).setdefault(group, {})[walker] = row
    return families, others


def walker_sort_key(w):
    return (WALKER_ORDER.index(w), "") if w in WALKER_ORDER else (len(WALKER_ORDER), w)


# --- Markdown ----------------------------------------------------------------------


def fmt(v, digits):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.{digits}f}"


def ratio(v, base):
    if v is None or base is None or base == 0:
        return "–"
    return f"{v / base:.2f}×"


def metric_columns(family):
    """(label, key, scale, digits) of each compared figure."""
    if family == "BM_DirtyLog":
        return [("host µs/call", "ns", 1e-3, 1), ("sim cycles/call", "sim_cycles", 1.0, 0),
                ("upper-level loads/call", "upper_level_loads", 1.0, 0)]
    return [("host ns/call", "ns", 1.0, 1), ("sim cycles/call", "sim_cycles", 1.0, 1),
            ("upper-level loads/call", "upper_level_loads", 1.0, 2)]


TITLES = {
    "BM_WpMasked": "BM_WpMasked: one bitmap word, kvm_mmu_write_protect_pt_masked()",
    "BM_DirtyLog": "BM_DirtyLog: KVM_GET_DIRTY_LOG over a whole slot",
}


def family_table(family, groups):
    fields = FAMILIES[family][1:]
    cols = metric_columns(family)
    head = list(fields) + ["walker"]
    for label, _, _, _ in cols:
        head += [label, "× naive"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * (len(fields) + 1) + "---:|" * (2 * len(cols))]
    for group, walkers in groups.items():
        base = walkers.get(BASELINE)
        for walker in sorted(walkers, key=walker_sort_key):
            row = walkers[walker]
            cells = list(group) + [walker]
            for _, key, scale, digits in cols:
                v = row.get(key)
                b = base.get(key) if base else None
                cells.append(fmt(None if v is None else v * scale, digits))
                cells.append(ratio(v, b))
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def baseline_lines(others):
    if not others:
        return []
    lines = ["| benchmark | host time/iteration | items/s | sim cycles |", "|---|---:|---:|---:|"]
    for name, row in others.items():
        ns = row.get("ns")
        t = "–" if ns is None else (f"{ns / 1e6:,.3f} ms" if ns >= 1e6 else f"{ns / 1e3:,.3f} µs" if ns >= 1e3
                                    else f"{ns:,.1f} ns")
        items = row.get("items_per_second")
        lines.append(f"| {name} | {t} | {fmt(items, 0)} | {fmt(row.get('sim_cycles'), 0)} |")
    flat = others.get("BM_Baseline_FlatWp1M", {}).get("items_per_second")
    walk = others.get("BM_RangeWp4GiBFull", {}).get("items_per_second")
    if flat and walk:
        lines += ["", f"stage2_wp_range over 4 GiB protects {walk:,.0f} descriptors/s; a flat pass over 1M "
                      f"descriptors {flat:,.0f}/s: walking the tables is {flat / walk:.1f}× slower per descriptor "
                      f"(BM_Baseline_FlatWp1M ÷ BM_RangeWp4GiBFull)."]
    ops = others.get("BM_Baseline_GuestOpsBitmap", {}).get("items_per_second")
    if ops:
        lines += ["", f"Guest-op ceiling: {ops:,.0f} ops/s for a bare uniform generator setting dirty bits "
                      f"(BM_Baseline_GuestOpsBitmap)."]
    # Simulator throughput against the same operation stream with nothing simulated.
    for name in sorted(n for n in others if n.startswith("BM_EngineRun/")):
        workload = name[len("BM_EngineRun/"):]
        sim = others[name].get("items_per_second")
        ceiling = others.get("BM_Baseline_OpStream/" + workload, {}).get("items_per_second")
        if sim and ceiling:
            lines += ["", f"Simulator throughput, {workload}: {sim:,.0f} guest ops/s, {100 * sim / ceiling:.1f} % of "
                          f"the same operation stream with nothing simulated ({ceiling:,.0f} ops/s, "
                          f"BM_Baseline_OpStream/{workload})."]
    return lines


def markdown(in_path, context, families, others):
    out = ["# s2sim-bench: write-protect walkers compared", ""]
    ctx = []
    for key in ("date", "host_name", "num_cpus", "mhz_per_cpu", "library_build_type"):
        if key in context:
            ctx.append(f"{key} {context[key]}")
    out.append(f"Input: `{in_path}`" + (f" ({', '.join(ctx)})" if ctx else "") + ".")
    out += ["", "Host times are CPU time per call. `× naive` is the walker's figure over naive's in the "
                "same row group (below 1 is cheaper). Simulated cycles are the walker's descriptor "
                "accesses priced by the Cortex-A15 cache model, starting from cold caches.", ""]
    for family in FAMILIES:
        if family not in families:
            continue
        out += [f"## {TITLES.get(family, family)}", ""]
        out += family_table(family, families[family])
        out.append("")
    rest = baseline_lines(others)
    if rest:
        out += ["## Baselines and other benchmarks", ""] + rest + [""]
    if not families and not others:
        out += ["No benchmarks in the input.", ""]
    return "\n".join(out)


# --- SVG ---------------------------------------------------------------------------


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def nice_ceiling(v):
    """A round axis maximum at or above v (1, 2, 2.5, 5 x 10^k)."""
    if v <= 0:
        return 1.0
    exp = math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        top = m * 10 ** exp
        if top >= v * (1 - 1e-12):
            return float(top)
    return float(10 ** (exp + 1))


def fmt_axis(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def svg_chart(groups, metric):
    """groups: {(pattern, alignment, bits, mapping): {walker: row}} of BM_WpMasked.

    Small multiples: one panel per (alignment, bits) row and mapping column, each
    with its own y scale; inside a panel, one group of bars per mask pattern and one
    bar per walker, in a fixed slot and colour so that panels read alike."""
    key = "ns" if metric == "ns" else "sim_cycles"
    unit = "host ns per call (CPU time)" if metric == "ns" else "simulated cycles per call (Cortex-A15, cold caches)"
    panels = {}  # (alignment, bits, mapping) -> {pattern: {walker: value}}
    walkers = set()
    for (pattern, alignment, bits, mapping), by_walker in groups.items():
        for walker, row in by_walker.items():
            if key in row:
                panels.setdefault((alignment, bits, mapping), {}).setdefault(pattern, {})[walker] = row[key]
                walkers.add(walker)
    walkers = sorted(walkers, key=walker_sort_key)
    colors = {w: COLORS.get(w, EXTRA_COLORS[i % len(EXTRA_COLORS)]) for i, w in enumerate(walkers)}
    rows, cols = [], []
    for alignment, bits, mapping in panels:
        if (alignment, bits) not in rows:
            rows.append((alignment, bits))
        if mapping not in cols:
            cols.append(mapping)

    bar_w, bar_gap, group_gap = 16, 2, 26
    left, right, top = 60, 20, 80  # panel margins; top leaves room for title and legend
    plot_h, panel_h = 130, 200
    max_groups = max((len(p) for p in panels.values()), default=1)
    slots = max(len(walkers), 1)
    group_w = slots * (bar_w + bar_gap) + group_gap
    panel_w = left + max_groups * group_w + right
    width = max(len(cols), 1) * panel_w + 10
    height = top + max(len(rows), 1) * panel_h + 10
    width = max(width, 640)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<title>Write-protect walkers: {esc(unit)}</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">'
           'kvm_mmu_write_protect_pt_masked(), one bitmap word per call</text>',
           f'<text x="10" y="38" font-size="12">{esc(unit)}; bars grouped by mask pattern</text>']
    x = 10
    for w in walkers:  # legend
        out.append(f'<rect class="legend" x="{x}" y="50" width="12" height="12" fill="{colors[w]}"/>')
        out.append(f'<text x="{x + 16}" y="60">{esc(w)}</text>')
        x += 28 + 7 * len(w)
    if not panels:
        out.append(f'<text x="10" y="{top + 20}">no BM_WpMasked results with {esc(key)}</text>')

    for (alignment, bits, mapping), by_pattern in panels.items():
        x0 = cols.index(mapping) * panel_w
        y0 = top + rows.index((alignment, bits)) * panel_h
        px, base_y = x0 + left, y0 + 30 + plot_h
        vmax = nice_ceiling(max(v for vals in by_pattern.values() for v in vals.values()))
        out.append('<g class="panel">')
        out.append(f'<text x="{px}" y="{y0 + 16}" font-weight="bold">{esc(alignment)}, '
                   f'{esc(bits)}-bit words, {esc(mapping)}</text>')
        for k in range(5):  # y axis: 0, 1/4 ... max
            yy = base_y - plot_h * k / 4
            out.append(f'<line x1="{px}" y1="{yy:.1f}" x2="{x0 + panel_w - right}" y2="{yy:.1f}" '
                       'stroke="#dddddd"/>')
            out.append(f'<text x="{px - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt_axis(vmax * k / 4)}</text>')
        for gi, (pattern, vals) in enumerate(by_pattern.items()):
            gx = px + gi * group_w + group_gap / 2
            for bi, w in enumerate(walkers):
                if w not in vals:
                    continue
                v = vals[w]
                h = plot_h * v / vmax if vmax > 0 else 0
                bx = gx + bi * (bar_w + bar_gap)
                out.append(f'<rect class="bar" x="{bx:.1f}" y="{base_y - h:.1f}" width="{bar_w}" '
                           f'height="{h:.1f}" fill="{colors[w]}"><title>{esc(w)} {esc(pattern)} '
                           f'{esc(alignment)}/{esc(bits)}/{esc(mapping)}: {v:,.1f}</title></rect>')
            cx = gx + slots * (bar_w + bar_gap) / 2
            out.append(f'<text x="{cx:.1f}" y="{base_y + 14}" text-anchor="middle">{esc(pattern)}</text>')
        out.append(f'<line x1="{px}" y1="{base_y}" x2="{x0 + panel_w - right}" y2="{base_y}" stroke="black"/>')
        out.append('</g>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


# --- main --------------------------------------------------------------------------


def write_file(path, text):
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise InputError(path, f"cannot write: {e.strerror or e}")


def main(argv):
    ap = argparse.ArgumentParser(description="Compare write-protect walkers from s2sim-bench JSON output.")
    ap.add_argument("input", metavar="IN.json")
    ap.add_argument("--markdown", metavar="OUT.md", help="write the Markdown table here")
    ap.add_argument("--svg", metavar="OUT.svg", help="write the SVG bar chart here")
    ap.add_argument("--metric", choices=("sim_cycles", "ns"), default="sim_cycles",
                    help="what the bars show (default: sim_cycles)")
    args = ap.parse_args(argv)
    try:
        context, results = load_results(args.input)
        families, others = split_families(results)
        md = markdown(args.input, context, families, others)
        if args.markdown:
            write_file(args.markdown, md)
        if args.svg:
            write_file(args.svg, svg_chart(families.get("BM_WpMasked", {}), args.metric))
        if not args.markdown and not args.svg:
            sys.stdout.write(md)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
