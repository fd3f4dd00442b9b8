"""A small self-contained SVG chart writer (Python 3 standard library only).

Two kinds of chart, enough for the studies under docs/: a line chart (numeric x, linear
or log, or categorical x; linear or log y) and a grouped bar chart (categories along x,
one bar a series). Each chart has a title, axis labels with their units, ticks, a legend
beside the plot area and a caption under it; the caption is also the SVG's <desc>, so
what was run travels with the picture. Output is deterministic: the same data give the
same bytes.
"""

import math
from xml.sax.saxutils import escape

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), and a
# marker shape each, so the series stay apart in grey too.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["circle", "square", "triangle", "diamond"]
DASHES = ["", "6,3", "2,2", "8,3,2,3"]

WIDTH, PLOT_LEFT, PLOT_TOP, PLOT_W, PLOT_H = 760, 78, 48, 470, 300  # the legend takes the rest
CAPTION_CHARS = 118


def _fmt(v):
    """A tick label: few digits, no exponent for the ranges these charts use."""
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g} M"
    if a < 1e-4:
        return f"{v:.0e}"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:g}"


def _nice_linear_ticks(lo, hi, count=6):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    # From the step at or below lo to the first at or above hi, so the data fit inside.
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def _log_ticks(lo, hi):
    """Decades, with 2 and 5 between them when the range spans few decades."""
    d0, d1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    mults = (1, 2, 5) if d1 - d0 <= 3 else (1,)
    ticks = [m * 10 ** d for d in range(d0, d1 + 1) for m in mults]
    return [t for t in ticks if lo * 0.999 <= t <= hi * 1.001] or [10 ** d0, 10 ** d1]


class _Axis:
    def __init__(self, values, log, ticks=None, zero=True):
        self.log = log
        vals = [v for v in values if v is not None and (v > 0 or not log)]
        if not vals:
            vals = [1.0]
        lo, hi = min(vals), max(vals)
        if log and ticks:
            lo, hi = min(lo, min(ticks)), max(hi, max(ticks))
            self.ticks = ticks
        elif log:
            lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))
            self.ticks = _log_ticks(lo, hi)
        else:
            if zero:
                lo = min(lo, 0.0)
            self.ticks = ticks or _nice_linear_ticks(lo, hi)
            lo, hi = min(lo, self.ticks[0]), max(hi, self.ticks[-1])
        self.lo, self.hi = lo, (hi if hi > lo else lo + 1)

    def frac(self, v):
        if self.log:
            return (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return (v - self.lo) / (self.hi - self.lo)


def _marker(shape, x, y, colour):
    r = 3.6
    if shape == "circle":
        return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - r:.2f}" y="{y - r:.2f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<polygon points="{x:.2f},{y - r - 0.8:.2f} {x - r:.2f},{y + r - 0.8:.2f} '
                f'{x + r:.2f},{y + r - 0.8:.2f}" fill="{colour}"/>')
    return (f'<polygon points="{x:.2f},{y - r - 0.6:.2f} {x + r + 0.6:.2f},{y:.2f} '
            f'{x:.2f},{y + r + 0.6:.2f} {x - r - 0.6:.2f},{y:.2f}" fill="{colour}"/>')


def _wrap(text, width):
    lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def _frame(title, xlabel, ylabel, caption, body, legend):
    cap_lines = _wrap(caption, CAPTION_CHARS)
    height = PLOT_TOP + PLOT_H + 56 + 14 * len(cap_lines)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>",
           f"<desc>{escape(caption)}</desc>",
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="{WIDTH / 2:.0f}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    out += body
    out.append(f'<rect x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{PLOT_LEFT + PLOT_W / 2:.0f}" y="{PLOT_TOP + PLOT_H + 38}" text-anchor="middle">{escape(xlabel)}</text>')
    cy = PLOT_TOP + PLOT_H / 2
    out.append(f'<text x="18" y="{cy:.0f}" text-anchor="middle" transform="rotate(-90 18 {cy:.0f})">{escape(ylabel)}</text>')
    lx, ly = PLOT_LEFT + PLOT_W + 16, PLOT_TOP + 8
    out.append('<g class="legend">')
    for i, (name, swatch) in enumerate(legend):
        y = ly + 20 * i
        out.append(swatch(lx, y))
        out.append(f'<text x="{lx + 30}" y="{y + 4}">{escape(name)}</text>')
    out.append("</g>")
    out.append('<g class="caption" font-size="11" fill="#333">')
    for i, line in enumerate(cap_lines):
        out.append(f'<text x="10" y="{PLOT_TOP + PLOT_H + 62 + 14 * i}">{escape(line)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _y_grid(yaxis):
    body = []
    for t in yaxis.ticks:
        y = PLOT_TOP + PLOT_H * (1 - yaxis.frac(t))
        body.append(f'<line x1="{PLOT_LEFT}" y1="{y:.2f}" x2="{PLOT_LEFT + PLOT_W}" y2="{y:.2f}" stroke="#ddd"/>')
        body.append(f'<text x="{PLOT_LEFT - 6}" y="{y + 4:.2f}" text-anchor="end">{_fmt(t)}</text>')
    return body


def line_chart(title, xlabel, ylabel, series, caption, xlog=False, ylog=False, xticks=None,
               categories=None, hline=None):
    """series: [(name, [(x, y), ...])], or (name, points, style) to keep a series' colour
    and marker (style i) the same across charts that leave some out. With categories
    (a list of x labels) the x values
    are indices into it, evenly spaced. On a log axis points at or below 0 are left out
    (the caption should say so). hline: a y value drawn as a dashed reference line."""
    ys = [y for _, pts, *_ in series for _, y in pts]
    if hline is not None:
        ys.append(hline)
    yaxis = _Axis(ys, ylog, zero=not ylog)
    body = _y_grid(yaxis)
    if categories is not None:
        n = len(categories)

        def xpos(x):
            return PLOT_LEFT + PLOT_W * (x + 0.5) / n
        for i, c in enumerate(categories):
            body.append(f'<text x="{xpos(i):.2f}" y="{PLOT_TOP + PLOT_H + 18}" text-anchor="middle">{escape(str(c))}</text>')
    else:
        xaxis = _Axis([x for _, pts, *_ in series for x, _ in pts], xlog, ticks=xticks, zero=False)

        def xpos(x):
            return PLOT_LEFT + 10 + (PLOT_W - 20) * xaxis.frac(x)
        last = None  # labels from the right; one too close to the last drawn is left out
        for t in reversed(xaxis.ticks):
            x = xpos(t)
            body.append(f'<line x1="{x:.2f}" y1="{PLOT_TOP + PLOT_H}" x2="{x:.2f}" y2="{PLOT_TOP + PLOT_H + 5}" stroke="#333"/>')
            if last is None or last - x >= 26:
                body.append(f'<text x="{x:.2f}" y="{PLOT_TOP + PLOT_H + 18}" text-anchor="middle">{_fmt(t)}</text>')
                last = x

    def ypos(y):
        return PLOT_TOP + PLOT_H * (1 - yaxis.frac(y))
    if hline is not None:
        body.append(f'<line x1="{PLOT_LEFT}" y1="{ypos(hline):.2f}" x2="{PLOT_LEFT + PLOT_W}" '
                    f'y2="{ypos(hline):.2f}" stroke="#555" stroke-dasharray="4,4"/>')
    legend = []
    for i, (name, pts, *style) in enumerate(series):
        i = style[0] if style else i
        colour, shape, dash = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)], DASHES[i % len(DASHES)]
        pts = [(x, y) for x, y in pts if y is not None and (y > 0 or not ylog)]
        coords = [(xpos(x), ypos(y)) for x, y in pts]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<g class="series" data-name="{escape(name)}">')
        if len(coords) > 1:
            path = " ".join(f"{x:.2f},{y:.2f}" for x, y in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        body += [_marker(shape, x, y, colour) for x, y in coords]
        body.append("</g>")

        def swatch(x, y, colour=colour, shape=shape, dash_attr=dash_attr):
            return (f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                    + _marker(shape, x + 12, y, colour))
        legend.append((name, swatch))
    return _frame(title, xlabel, ylabel, caption, body, legend)


def bar_chart(title, xlabel, ylabel, categories, series, caption, ylog=False, hline=None):
    """Grouped bars: series is [(name, [value per category])]; a None value draws no bar."""
    ys = [v for _, vals in series for v in vals]
    if hline is not None:
        ys.append(hline)
    yaxis = _Axis(ys, ylog, zero=not ylog)
    body = _y_grid(yaxis)

    def ypos(y):
        return PLOT_TOP + PLOT_H * (1 - yaxis.frac(y))
    base = PLOT_TOP + PLOT_H if ylog else ypos(max(yaxis.lo, 0.0))
    group = PLOT_W / len(categories)
    bar = group * 0.8 / max(1, len(series))
    for i, c in enumerate(categories):
        body.append(f'<text x="{PLOT_LEFT + group * (i + 0.5):.2f}" y="{PLOT_TOP + PLOT_H + 18}" '
                    f'text-anchor="middle">{escape(str(c))}</text>')
    legend = []
    for s, (name, vals) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        body.append(f'<g class="series" data-name="{escape(name)}">')
        for i, v in enumerate(vals):
            if v is None or (ylog and v <= 0):
                continue
            x = PLOT_LEFT + group * i + group * 0.1 + bar * s
            top = ypos(v)
            body.append(f'<rect x="{x:.2f}" y="{min(top, base):.2f}" width="{bar:.2f}" '
                        f'height="{abs(base - top):.2f}" fill="{colour}"><title>{escape(name)}: {_fmt(v)}</title></rect>')
        body.append("</g>")

        def swatch(x, y, colour=colour):
            return f'<rect x="{x + 4}" y="{y - 6}" width="16" height="12" fill="{colour}"/>'
        legend.append((name, swatch))
    if hline is not None:
        body.append(f'<line x1="{PLOT_LEFT}" y1="{ypos(hline):.2f}" x2="{PLOT_LEFT + PLOT_W}" '
                    f'y2="{ypos(hline):.2f}" stroke="#555" stroke-dasharray="4,4"/>')
    return _frame(title, xlabel, ylabel, caption, body, legend)
