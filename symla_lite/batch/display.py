"""What a running notebook shows on the terminal: a live line with its cell, time and last output."""

import re
import shutil
import sys
import threading
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Live:
    """A live progress line on a terminal (cell counter, elapsed time, the kernel's last line);
    plain start and end lines otherwise."""

    def __init__(self, prefix: str, stream=None):
        self.prefix, self.stream = prefix, stream or sys.stdout
        self.tty = self.stream.isatty()
        self.cell, self.kernel = "", ""
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True) if self.tty else None

    def __enter__(self):
        if self._thread:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join()
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def _loop(self):
        while not self._stop.wait(0.5):
            s = int(self.elapsed())
            text = f"{self.prefix}  {self.cell}  {s // 60}:{s % 60:02d}  {self.kernel}"
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + text[:width] + "\x1b[K")
            self.stream.flush()


class CellCounter:
    """A file for papermill's tqdm bar: keeps its last rendering ("cell 3/12")."""

    def __init__(self, live: Live):
        self.live = live

    def write(self, s: str):
        s = s.strip("\r\n ")
        if s:
            self.live.cell = s

    def flush(self):
        pass


class KernelLog:
    """A file for the kernel's stdout/stderr: writes the log, keeps the last line for the display."""

    def __init__(self, f, live: Live):
        self.f, self.live = f, live

    def write(self, s: str):
        self.f.write(s)
        lines = [x.strip() for x in re.split(r"[\r\n]", ANSI.sub("", s)) if x.strip()]
        if lines:
            self.live.kernel = lines[-1]

    def flush(self):
        self.f.flush()
