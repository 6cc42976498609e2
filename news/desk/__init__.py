"""The desk's rules, pure (no database): when a source has gone quiet, and the hourly chart.

A source's usual interval is learned from its own recent posts: the span of its last ``RECENT``
posts divided by the gaps between them. It has gone quiet when it has not posted for
``QUIET_FACTOR`` times that, and at least ``QUIET_AT_LEAST`` — so a source that posts every ten
minutes is named after an hour, one that posts once a day after six days, and nobody is named
for a lull of minutes. A source with fewer than three recent posts has no usual interval yet.
"""
import datetime
import html

RECENT = 10
QUIET_FACTOR = 6
QUIET_AT_LEAST = datetime.timedelta(hours=1)


def usual_interval(latest, earliest, posts):
    """The mean gap between a source's last ``posts`` posts, the newest at ``latest`` and the
    oldest of them at ``earliest``; None with fewer than three."""
    if latest is None or earliest is None or posts < 3:
        return None
    return (latest - earliest) / (posts - 1)


def quiet_after(interval):
    return max(interval * QUIET_FACTOR, QUIET_AT_LEAST)


def is_quiet(latest, interval, now):
    """Whether a source whose last post was at ``latest`` has gone quiet by ``now``."""
    return interval is not None and now - latest > quiet_after(interval)


def duration(delta):
    """A span as editors read it: 12 分钟, 3 小时 20 分, 2 天 5 小时."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分钟"


def bar_chart(counts, labels, title, tick_every=3, tick=slice(-5, None), width=720, height=160):
    """An accessible SVG bar chart of ``counts`` (one bar each, ``labels`` naming them: each bar
    has its own ``<title>``, the chart a ``role="img"`` name and a summary), as markup; every
    ``tick_every``-th bar is labelled below with ``label[tick]``."""
    top = max(counts, default=0) or 1
    step = width / max(len(counts), 1)
    bars = []
    for index, (count, label) in enumerate(zip(counts, labels, strict=True)):
        tall = round((height - 20) * count / top, 1)
        bars.append(f'<rect x="{index * step:.1f}" y="{height - 20 - tall}" width="{max(step - 1, 1):.1f}" '
                    f'height="{tall}"><title>{html.escape(label)}：{count} 篇</title></rect>')
    summary = f"{title}：共 {sum(counts)} 篇，最多一小时 {max(counts, default=0)} 篇"
    ticks = "".join(f'<text x="{index * step:.1f}" y="{height - 4}">{html.escape(label[tick])}</text>'
                    for index, label in enumerate(labels) if index % tick_every == 0)
    return (f'<svg class="desk-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(summary)}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}{ticks}</svg>')
