"""A user's files on disk: read only regular files, replace them atomically, leave no temp behind.

Reading refuses a folder, a named pipe, a device or a socket before a read can
block on it: the path is checked before it is opened (opening some devices acts)
and again on the open descriptor, which is opened non-blocking (it may have been
swapped in between). Writing checks the target the same way (a missing path or
a regular file, through links), writes a hidden temp file beside it and renames
that over the target, so the target is all of the new file or the old one as it
was.

A temp file is named ``.NAME.visualgrad-save-XXXXXXXX.tmp`` and its save holds
an exclusive flock on it until the rename. A save killed outright (SIGKILL)
leaves its temp behind, and the kernel drops the lock when the process dies, so
the next save to NAME removes each such temp it can lock: exactly those no live
save is writing, however old or new. An age threshold could not tell a slow live
save from a dead one, and would keep a dead one's temp until it expired. Where
there is no flock (Windows), a file that a live save still holds open cannot be
removed, which plays the same part.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

MARK = ".visualgrad-save-"
RENAME_OPEN_FILES = os.name != "nt"  # Windows renames no file that is open
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_for_reading(path: str) -> BinaryIO:
    """``path`` opened to read bytes; an OSError, before anything blocks, unless a regular file."""
    _refuse_unless_regular(path, os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_target(path: str) -> str:
    """The file a write to ``path`` replaces (links followed), or an OSError saying why not.

    Refused: an empty path, a path ending in a separator, a folder, a named pipe,
    a device or a socket, and a folder that does not exist or cannot be written.
    """
    if not path:
        raise OSError(errno.ENOENT, "no file name given", path)
    if path.endswith(tuple(filter(None, (os.sep, os.altsep)))):
        raise OSError(errno.EISDIR, "it names a folder (it ends with a separator)", path)
    target = os.path.realpath(path)
    with contextlib.suppress(FileNotFoundError):  # a new file
        _refuse_unless_regular(path, os.stat(target).st_mode)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise OSError(errno.ENOENT, f"the folder {folder} does not exist", path)
    if not os.access(folder, os.W_OK):
        raise OSError(errno.EACCES, f"the folder {folder} cannot be written", path)
    return target


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` by a file holding ``data``: all of it, or the old file untouched.

    ``check_target`` refusals and write failures raise the OSError; whatever
    stops the write (an OSError, KeyboardInterrupt, SystemExit) leaves no temp.
    """
    target = check_target(path)
    folder, name = os.path.split(target)
    _remove_stale(folder, name)
    temp, fd = _create_beside(folder, name)
    try:
        with os.fdopen(fd, "wb") as file:  # closing it drops the lock
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
            if RENAME_OPEN_FILES:
                os.replace(temp, target)  # under the lock, so no other save takes it for stale
        if not RENAME_OPEN_FILES:
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _refuse_unless_regular(path: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((words for test, words in _KINDS if test(mode)), "a special file")
    code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
    raise OSError(code, f"it is {kind}, not a regular file", path)


def _create_beside(folder: str, name: str) -> tuple[str, int]:
    """A new temp file of our naming next to ``name``, open for writing and locked."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(folder, f".{name}{MARK}{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        if fcntl is None:
            return temp, fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken = not _still_named(temp, fd)  # removed as stale before the lock was ours
        except BlockingIOError:
            taken = True  # another save found it unlocked and is removing it
        except OSError:
            taken = False  # no locks on this file system, so no other save removes it either
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        if not taken:
            return temp, fd
        os.close(fd)


def _remove_stale(folder: str, name: str) -> None:
    """Remove the temp files of earlier saves to ``name`` that no live save holds."""
    prefix = f".{name}{MARK}"
    with contextlib.suppress(OSError):
        for entry in os.listdir(folder):
            ours = entry.startswith(prefix) and entry.endswith(".tmp")
            if ours and len(entry) == len(prefix) + 12:  # 8 hex digits and ".tmp"
                _remove_if_unlocked(os.path.join(folder, entry))


def _remove_if_unlocked(temp: str) -> None:
    if fcntl is None:  # a temp that a live save holds open cannot be removed
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return
    try:
        fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its save is alive
        if _still_named(temp, fd):
            os.unlink(temp)
    except OSError:
        pass  # held, or a file system without locks: leave it
    finally:
        os.close(fd)


def _still_named(path: str, fd: int) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except FileNotFoundError:
        return False


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the system allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
