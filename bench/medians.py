#!/usr/bin/env python3
"""Print hyperfine's median per command and each gobpftool/bpftool ratio,
pairing commands whose names differ only in the tool's name."""
import json
import sys

results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] * 1000 for r in results}
for name, ms in med.items():
    print(f"{name:40s} median {ms:8.1f} ms")
for name, ms in med.items():
    if name.startswith("gobpftool"):
        other = name.replace("gobpftool", "bpftool", 1)
        if other in med:
            print(f"ratio {name}: {ms / med[other]:.2f}")
