"""Survey-reply reading accuracy (issue 16 item 1, SPEC SAT-2): `python bench/replies.py`.

Reads every reply of the corpora in tests/visits/data/ with the portal's reader
(visits.parsing.read_reply: rules over negation, degree, greetings and numbers) and with the plain
keyword parser it replaced (bench/naive/keyword_parser.py), and prints for each: accuracy, replies
where satisfied and dissatisfied were confused (must be 0), ambiguous replies guessed, readable
replies left to a person, and replies read per second. No database is needed.

Corpora: reply_corpus.tsv (written with the rules), reply_corpus_blind.tsv and
reply_corpus_holdout.tsv (written by people who never saw the code; their misses were then taken
in as classes, and each file's header says how it read blind). The floor is 98 % where the labels
are this project's, 95 % where another writer's judgement calls (1 vs 2) differ; 0 confusions and
0 guessed ambiguities everywhere.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from _common import emit, row  # noqa: E402

sys.path.insert(0, str(ROOT))  # before bench/: bench/visits.py is not the visits app

from visits.parsing import SATISFIED, parse_score  # noqa: E402

DATA = ROOT / "tests" / "visits" / "data"


def load(path: Path) -> list[tuple[int | None, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, _, text = line.partition("\t")
        rows.append((None if label.strip() == "-" else int(label), text))
    return rows


def naive_parser():
    spec = importlib.util.spec_from_file_location("keyword_parser", ROOT / "bench" / "naive" / "keyword_parser.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.parse_score


def side(score):
    return None if score is None else score in SATISFIED


def measure(parse, corpus):
    right = confused = guessed = left = 0
    for label, text in corpus:
        got = parse(text)
        right += got == label
        if label is not None and got is not None and side(label) != side(got):
            confused += 1
        if label is None and got is not None:
            guessed += 1
        if label is not None and got is None:
            left += 1
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < 0.3:
        for _, text in corpus:
            parse(text)
        n += len(corpus)
    rate = n / (time.perf_counter() - t0)
    return right / len(corpus), confused, guessed, left, rate


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--json", type=Path)
    p.add_argument("--scale", type=int)  # accepted for bench/run.py; no database is used
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int)
    args = p.parse_args()
    naive = naive_parser()
    rows = []
    for path in sorted(DATA.glob("reply_corpus*.tsv")):
        corpus = load(path)
        acc, confused, guessed, left, rate = measure(parse_score, corpus)
        nacc, nconf, nguess, nleft, nrate = measure(naive, corpus)
        name = path.stem
        floor = 0.98 if name in ("reply_corpus", "reply_corpus_blind") else 0.95
        rows.append(row("replies", f"{name}: accuracy ({len(corpus)} replies)", round(acc * 100, 1), "%",
                        target=f"≥ {floor * 100:.0f} %", ok=acc >= floor,
                        note=f"keyword parser {nacc * 100:.1f} % (×{acc / nacc:.2f})"))
        rows.append(row("replies", f"{name}: satisfied↔dissatisfied confused", confused, "replies",
                        target="0", ok=confused == 0, note=f"keyword parser {nconf}"))
        rows.append(row("replies", f"{name}: ambiguous replies guessed", guessed, "replies",
                        target="0", ok=guessed == 0, note=f"keyword parser {nguess}"))
        rows.append(row("replies", f"{name}: readable replies left to a person", left, "replies",
                        note=f"keyword parser {nleft}"))
        rows.append(row("replies", f"{name}: read rate", round(rate), "replies/s",
                        note=f"keyword parser {nrate:,.0f}/s"))
    emit(rows, args.json)


if __name__ == "__main__":
    main()
