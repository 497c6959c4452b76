"""Import time: `import mindhunters_async` against `import httpx, attrs, cattrs, anyio`.

    python benchmarks/imports.py           # 40 interleaved runs of each
    python benchmarks/imports.py --smoke   # 5 runs, for CI

Each command runs in a fresh interpreter, the three commands interleaved, and
the median wall time of each is reported: whole processes (what a user waits
for) and, with the time of `python -c pass` taken off, the imports alone. The
SDK's own modules are then listed by their `-X importtime` self time.

The commands run with bytecode caching on, whatever PYTHONDONTWRITEBYTECODE
says, as for an installed package (pip compiles a wheel's modules when it
installs it): otherwise the SDK would be compiled from source on every run
while its dependencies load their cached bytecode.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

COMMANDS = {
    "python": "pass",
    "dependencies": "import httpx, attrs, cattrs, anyio",
    "sdk": "import mindhunters_async",
}


def _run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


def _own_modules() -> list[tuple[int, str]]:
    """(self microseconds, module) of the SDK's modules, from `-X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", COMMANDS["sdk"]],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=ENV,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2].startswith("mindhunters_async"):
            rows.append((int(parts[0]), parts[2]))
    return sorted(rows, reverse=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="5 runs, for CI")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    args = parser.parse_args(argv)
    runs = 5 if args.smoke else args.runs

    for code in COMMANDS.values():  # warm the file system cache, write .pyc files
        _run(code)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, code in COMMANDS.items():
            times[name].append(_run(code))
    median = {name: statistics.median(values) for name, values in times.items()}
    whole = median["sdk"] / median["dependencies"]
    own = (median["sdk"] - median["python"]) / (median["dependencies"] - median["python"])

    print(f"median of {runs} interleaved runs, each in a fresh interpreter")
    for name, code in COMMANDS.items():
        print(f"  {name:<13} {median[name] * 1e3:7.1f} ms  python -c {code!r}")
    print(f"whole process: {whole:.2f}x the dependencies")
    print(f"imports alone: {own:.2f}x the dependencies (python -c pass taken off)")
    print("the SDK's own modules by self time (-X importtime, one run):")
    for micros, module in _own_modules()[:8]:
        print(f"  {micros / 1e3:6.2f} ms  {module}")
    if args.json:
        result = {"median_s": median, "ratio_whole": whole, "ratio_imports": own, "runs": runs}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
