"""A small SVG chart for syd-bench-run: Mpps and Gbit/s against frame size, one line
per switch.  No dependency beyond the standard library."""
from xml.sax.saxutils import escape

COLOURS = {"testpmd": "#888888", "switchyard": "#d62728", "ovs": "#1f77b4",
           "tunnel": "#d62728", "local": "#ff9896"}  # overlay: Switchyard's two paths
W, H, ML, MR, MT, MB = 460, 300, 60, 20, 40, 50


def _nice_max(v):
    if v <= 0:
        return 1.0
    m = 1.0
    while m * 10 <= v:
        m *= 10
    while m > v * 1.0001:
        m /= 10
    for f in (1, 2, 2.5, 5, 10):
        if m * f >= v:
            return m * f
    return m * 10


def _panel(x0, title, sizes, series, unit):
    """series: {switch: [value or None per size]}"""
    top = _nice_max(max([v for vs in series.values() for v in vs if v is not None] + [0]))
    pw, ph = W - ML - MR, H - MT - MB
    out = ['<g transform="translate(%d,0)">' % x0,
           '<text x="%d" y="22" font-size="14" text-anchor="middle">%s</text>'
           % (ML + pw // 2, escape(title))]
    for i in range(6):
        v = top * i / 5
        y = MT + ph - ph * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                   % (ML, ML + pw, y, y))
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%g</text>'
                   % (ML - 5, y + 4, round(v, 3)))
    out.append('<text x="14" y="%d" font-size="11" transform="rotate(-90 14 %d)" '
               'text-anchor="middle">%s</text>' % (MT + ph // 2, MT + ph // 2, escape(unit)))
    n = len(sizes)

    def xpos(i):
        return ML + (pw * (i + 0.5) / n)
    for i, s in enumerate(sizes):
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'
                   % (xpos(i), MT + ph + 16, escape(str(s))))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">frame bytes</text>'
               % (ML + pw // 2, MT + ph + 34))
    for sw, vals in series.items():
        c = COLOURS.get(sw, "#2ca02c")
        pts = [(xpos(i), MT + ph - ph * v / top) for i, v in enumerate(vals) if v is not None]
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                       % (c, " ".join("%.1f,%.1f" % p for p in pts)))
        for x, y in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x, y, c))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>'
               % (ML, MT, pw, ph))
    out.append("</g>")
    return out


def write_svg(path, title, sizes, mpps, gbps, labels):
    """mpps, gbps: {switch: [value or None per size]}; labels: {switch: legend text}."""
    width = 2 * W
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (width, H + 30),
           '<rect width="100%" height="100%" fill="white"/>']
    out += _panel(0, title + ": Mpps", sizes, mpps, "Mpps (both directions)")
    out += _panel(W, title + ": Gbit/s on the wire", sizes, gbps, "Gbit/s")
    x = ML
    for sw in mpps:
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   % (x, H + 8, COLOURS.get(sw, "#2ca02c")))
        out.append('<text x="%d" y="%d" font-size="12">%s</text>'
                   % (x + 16, H + 18, escape(labels.get(sw, sw))))
        x += 20 + 8 * len(labels.get(sw, sw))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
