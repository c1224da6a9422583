"""Named points on the write, archive and mail paths where a test stops the process as a power cut would.

CRM_SHEETS_FAULT="<point>" (or "<point>:N", the Nth time) ends the process there at once with exit code EXIT: no
cleanup, no ``finally``.  "pause:<point>" waits there instead until the test frees the lock file
CRM_SHEETS_FAULT_GATE.  With CRM_SHEETS_FAULT_MARK naming a file, every point reached is appended to it as a line,
so the test knows which points the process passed; else the stopping point goes to stderr.  Unset: nothing.
"""

from __future__ import annotations

import os

FAULT, MARK, GATE = "CRM_SHEETS_FAULT", "CRM_SHEETS_FAULT_MARK", "CRM_SHEETS_FAULT_GATE"
EXIT = 86
_times: dict[str, int] = {}


def reached(point: str) -> None:
    wanted, mark = os.environ.get(FAULT, ""), os.environ.get(MARK, "")
    if not (wanted or mark):
        return
    _times[point] = _times.get(point, 0) + 1
    spec = wanted.removeprefix("pause:")
    name, colon, nth = spec.rpartition(":")
    here = (name, int(nth)) == (point, _times[point]) if colon and nth.isdigit() else spec == point
    if mark:
        with open(mark, "a", encoding="utf-8") as out:
            out.write(point + "\n")
    if not here:
        return
    if wanted.startswith("pause:"):
        from filelock import FileLock

        with FileLock(os.environ[GATE]):
            return
    if not mark:
        os.write(2, f"{FAULT}: {point}\n".encode())
    os._exit(EXIT)
