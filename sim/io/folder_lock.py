"""One writer at a time in a results folder, and no reader while it writes (see :mod:`sim.io.outputs`)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import time
from pathlib import Path

from ..errors import InputError, OutputError, flag
from .files import hidden_prefix


def lock_path(target: Path) -> Path:
    """The lock file of ``target``: a hidden file beside it (named after it) in its parent folder."""
    return target.parent / f"{hidden_prefix(target.name)}.lock"


class FolderLock:
    """An exclusive lock on a results folder, taken before anything is written into it.

    ``fcntl.flock`` on a hidden file beside the folder: the lock goes when
    the process does, however it ends, so a killed writer never leaves the
    folder locked. A second writer does not wait: it stops with an
    :class:`~sim.errors.InputError` naming the process that holds the folder.
    The lock file is removed on release.
    """

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        self.path = lock_path(self.target)
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            try:
                # Not through a link (it was followed: the file it named was truncated and given our pid), and not
                # waiting on a pipe: whatever is there must be a lock file of ours (_refuse_foreign).
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                    raise self._foreign() from None
                raise OutputError(self.target, f"cannot create its lock file {self.path.name} ({exc.strerror})") from None
            if not _ours(fd):
                os.close(fd)
                raise self._foreign()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise _busy(self.target, holder, writing=True) from None
            # The holder before us may have removed the file as it let go: lock the file that is there now.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return self
            os.close(fd)
        raise OutputError(self.target, "its lock file keeps changing")

    def _foreign(self) -> InputError:
        return InputError(self.target, f"its lock file {self.path} is there and is not a lock file of the simulator "
                          "(a link, a folder or a file of other content: not ours to use or remove); move it, or "
                          f"choose another {flag('out')}")

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            os.close(self.fd)
            self.fd = None


def _ours(fd: int) -> bool:
    """Whether ``fd`` is a lock file the simulator may take: a plain file that is new or holds a writer's pid alone
    (one killed leaves its lock file), never one of the user's that happens to have its name."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return False
    if info.st_size > 32:
        return False
    return re.fullmatch(rb"(\d+\n)?", os.pread(fd, 32, 0)) is not None


def _holder(fd: int) -> str:
    try:
        pid = int(os.pread(fd, 32, 0).split()[0])
    except (OSError, ValueError, IndexError):
        return ""
    return f" (pid {pid})"


def _busy(folder: Path, holder: str, *, writing: bool) -> InputError:
    """The error for ``folder`` being written by the process ``holder`` names, said to a reader or a writer."""
    if writing:
        return InputError(folder, f"is being written by another simulator process{holder}; wait for it to finish, or "
                          f"choose another {flag('out')}", key=flag("out"))
    return InputError(folder, f"is being written by another simulator process{holder}; read it once that has finished")


def check_not_being_written(folder: Path, *, writing: bool = False) -> None:
    """Refuse to read ``folder`` while another process holds its lock (a shared probe that creates nothing).

    With ``writing``, refuse to start writing it: a command looks before its slow part (loading the model, running),
    and takes the lock itself when it writes, which refuses a writer that came meanwhile.
    """
    path = lock_path(folder)
    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a pipe there would hang the read
        except OSError:
            return  # no lock file: nobody is writing (or we may not look, and read as we would anyway)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
        except OSError as exc:
            if exc.errno in (errno.ENOLCK, errno.EINVAL):
                return  # a file system without locks
            raise
        finally:
            os.close(fd)
        if holder:
            raise _busy(folder, holder, writing=writing)
        time.sleep(0.01)  # the writer has the lock but has not written its pid yet
