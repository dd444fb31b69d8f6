"""Instructions counted by valgrind's callgrind around chosen parts of a bench, so two trees
can be compared whatever the machine's load.

A bench run with ``--callgrind`` starts itself again under
``valgrind --tool=callgrind --instr-atstart=no`` (``PYTHONHASHSEED=0``): nothing is counted
until the process asks. Around each measured part it issues callgrind's client requests
itself, through a ten-line C library built with ``cc`` on first use (the same requests
``callgrind_control -i on/off`` and ``--dump`` send, but synchronous, so no instruction of
the waiting is counted): start instrumenting, zero the counts, run the part, dump the
counts under the part's name, stop instrumenting. The parent reads the dumps' totals.

Instructions are guest instructions executed by the process (Python, SQLite, the C
extensions): they do not see I/O waits, cache misses or other processes, so they are the
load-independent figure; seconds stay the figure users feel.

    with callgrind.counted("first sweep"):
        run_sweep(...)
"""
import ctypes
import os
import re
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

SOURCE = r"""
#include <valgrind/callgrind.h>
int vr_running(void) { return RUNNING_ON_VALGRIND; }
void vr_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void vr_stop(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""
_library = None


def _load():
    global _library
    if _library is None:
        folder = Path(tempfile.mkdtemp(prefix="vr-callgrind-"))
        (folder / "requests.c").write_text(SOURCE)
        subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(folder / "requests.so"),
                        str(folder / "requests.c")], check=True)
        _library = ctypes.CDLL(str(folder / "requests.so"))
        _library.vr_stop.argtypes = [ctypes.c_char_p]
    return _library


def under_callgrind() -> bool:
    """Whether this process runs under valgrind (then ``counted`` counts)."""
    return os.environ.get("VR_CALLGRIND_DIR") is not None and bool(_load().vr_running())


@contextmanager
def counted(name: str):
    """Count the instructions of the block under ``name`` (nothing outside callgrind)."""
    if not under_callgrind():
        yield
        return
    library = _load()
    library.vr_start()
    try:
        yield
    finally:
        library.vr_stop(name.encode())


def run_under_callgrind(argv: list[str]) -> dict[str, list[int]]:
    """Run ``python argv...`` under callgrind (its output passed through); return the
    instructions of each counted part, by name, in the order counted."""
    folder = Path(tempfile.mkdtemp(prefix="vr-callgrind-out-"))
    env = dict(os.environ, VR_CALLGRIND_DIR=str(folder), PYTHONHASHSEED="0")
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--quiet",
               f"--callgrind-out-file={folder}/callgrind.out", sys.executable, *argv]
    subprocess.run(command, env=env, check=True)
    found: dict[str, list[int]] = {}
    dumps = sorted(folder.glob("callgrind.out.*"), key=lambda p: int(p.name.rpartition(".")[2]))
    for dump in dumps:
        text = dump.read_text(errors="replace")
        name = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if name and total:
            found.setdefault(name.group(1), []).append(int(total.group(1)))
    return found


def report(found: dict[str, list[int]]) -> None:
    """Print each counted part's instructions (the median when it was counted several times)."""
    print("instructions (callgrind, load-independent):")
    for name, counts in found.items():
        median = statistics.median(counts)
        spread = f" (median of {len(counts)}, {min(counts):,}–{max(counts):,})" if len(counts) > 1 else ""
        print(f"  {name}: {median / 1e6:,.1f} M instructions{spread}")
