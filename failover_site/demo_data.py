"""A small sample data directory for the demo's primary-to-be, so the first
sync and Sync now show real figures: a few hundred files, a few megabytes,
in nested folders, of the kinds a real data directory holds."""

import json
import random
from pathlib import Path

FOLDERS = ("reports/2025", "reports/2026", "uploads/images", "uploads/documents", "logs", "db")


def fill_sample(data_dir: Path, *, seed: int = 7) -> int:
    """Write the sample into an empty ``data_dir``; returns the files written
    (none when it already holds something: a demo keeps its data)."""
    if data_dir.exists() and any(data_dir.iterdir()):
        return 0
    rng = random.Random(seed)
    written = 0
    for folder in FOLDERS:
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
    for number in range(120):
        report = {"id": number, "totals": [rng.randint(0, 10**6) for _ in range(200)]}
        (data_dir / FOLDERS[number % 2] / f"report-{number:03}.json").write_text(json.dumps(report))
        written += 1
    for number in range(100):
        blob = rng.randbytes(rng.randint(4_000, 40_000))
        (data_dir / "uploads/images" / f"photo-{number:03}.jpg").write_bytes(blob)
        written += 1
    for number in range(60):
        text = " ".join(rng.choice(("failover", "primary", "backup", "sync")) for _ in range(800))
        (data_dir / "uploads/documents" / f"note-{number:03}.txt").write_text(text)
        written += 1
    lines = (f"2026-11-{1 + i % 28:02} event {i} ok\n" for i in range(20_000))
    (data_dir / "logs" / "app.log").write_text("".join(lines))
    (data_dir / "db" / "store.bin").write_bytes(rng.randbytes(2 * 1024 * 1024))
    return written + 2
