"""Synthetic fact bases of any size, for the benchmark (and nothing else).

Facts are spread over topics of 100, cite a rotating set of sources with short
quotes, carry dates, tags and handling levels, and every topic has one judgment.
"""

from __future__ import annotations

from pathlib import Path

SOURCES = 20
PER_TOPIC = 100

CONFIG = """title: Synthetic brief of {count} facts
author: briefgen bench
name: synthetic
handling: [public, internal]
audiences:
  analyst:
    handling: internal
    changes: true
  public:
    handling: public
  executive:
    priority: 1
    show_quotes: false
    tables: false
    contents: false
    chronology: false
"""


def write_base(root: Path, count: int) -> Path:
    """Write a brief of `count` facts under `root`; return its configuration file."""
    facts = root / "facts"
    facts.mkdir(parents=True, exist_ok=True)
    (root / "briefgen.yaml").write_text(CONFIG.format(count=count), encoding="utf-8")
    sources = [
        f"- id: source-{n}\n  type: report\n  title: Report Number {n} on the Subject\n"
        f"  author:\n    - {{family: Author{n}, given: Ann}}\n  issued: {2000 + n % 20}\n"
        for n in range(SOURCES)
    ]
    (facts / "sources.yaml").write_text("\n".join(sources), encoding="utf-8")
    topics = (count + PER_TOPIC - 1) // PER_TOPIC
    for t in range(topics):
        first, last = t * PER_TOPIC, min(count, (t + 1) * PER_TOPIC)
        lines = [f"id: topic-{t}", f"title: Topic number {t}", f"order: {t}",
                 f"summary: What topic {t} covers, in two short sentences. It is synthetic.",
                 "facts:"]  # fmt: skip
        for n in range(first, last):
            internal = n % 10 == 0
            text = (
                f"Desk note {n}, kept inside; source {n % SOURCES} privately expects change {n}."
                if internal
                else f"Fact {n} states that event {n} happened in year {1990 + n % 30}, "
                f"according to the report; it is *synthetic* and sourced."
            )
            lines += [
                f"  - id: fact-{n}",
                f"    text: {text}",
                f"    date: {1990 + n % 30}-{1 + n % 12:02d}",
                f"    tags: [tag-{n % 5}]",
                f"    handling: {'internal' if internal else 'public'}",
                f"    priority: {1 + n % 3}",
                "    reviewed: 2026-01-01",
                "    citations:",
                f"      - source: source-{n % SOURCES}",
                f"        locator: para. {1 + n % 40}",
                f"        quote: the words of the source that support fact {n}",
            ]
        lines += [
            f"  - id: judgment-{t}",
            "    kind: judgment",
            f"    text: Topic {t} will likely continue as it has.",
            "    confidence: likely",
            "    handling: public",
            "    priority: 1",
            f"    basis: [fact-{first + 1}, fact-{first + 2}]",  # public facts
        ]
        (facts / f"topic-{t:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "briefgen.yaml"
