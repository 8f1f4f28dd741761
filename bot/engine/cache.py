"""A compiled copy of the engine, so a new process skips YAML, validation and indexing.

`cached_engine(directory)` returns the same Engine as `Engine(load(directory))`. The first
time it builds that engine and pickles it into the user's cache directory; later processes
unpickle it, which is several times faster than parsing and checking the YAML again.

When is a copy used? Only when it was made from the same directory (its resolved path),
from the same knowledge files (every *.yaml's name, size, modification and change time),
by the same engine code (every bot/engine/*.py's name, size and times), the same package
version and the same Python. Anything else and it is rebuilt: an edited, added or
removed knowledge file never gives an old answer.

Safety: unpickling runs code, so a copy is only read from a directory only we can write
(created with mode 0700), from a file we own that nobody else can write. A copy that is
unreadable, truncated or from another path is ignored and rebuilt; a cache directory
that cannot be written just means no cache.

Where: $DECLARATIEBOT_CACHE_DIR, else $XDG_CACHE_HOME/declaratiebot, else
~/.cache/declaratiebot. DECLARATIEBOT_CACHE=off turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot import __version__
from bot.engine.answer import Engine
from bot.engine.knowledge import load

ENGINE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Where compiled copies live, or None when caching is off."""
    if os.environ.get("DECLARATIEBOT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    if os.environ.get("DECLARATIEBOT_CACHE_DIR"):
        return Path(os.environ["DECLARATIEBOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "declaratiebot"


def fingerprint(directory: Path) -> tuple[Any, ...]:
    """Everything a compiled copy depends on; a copy is used only when this is equal."""

    def files(folder: Path, pattern: str) -> tuple[tuple[str, int, int, int], ...]:
        out = []
        for path in sorted(folder.glob(pattern)):
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        return tuple(out)

    return (
        str(directory),
        files(directory, "*.yaml"),
        files(ENGINE_DIR, "*.py"),
        __version__,
        sys.version,
    )


def cached_engine(directory: str | Path) -> Engine:
    """`Engine(load(directory))`, from the compiled copy when there is a valid one."""
    root = Path(directory).resolve()
    where = _where(root)
    if where is None:
        return build(root)  # no cache (or no directory: load() says so)
    engine = _read(*where)
    if engine is None:
        engine = build(root)  # raises KnowledgeError on a broken base: nothing is written
        _write(where[0], (where[1], engine))
    return engine


def build(directory: str | Path) -> Engine:
    """`Engine(load(directory))`, with the garbage collector paused while it runs."""
    with _gc_paused():
        return Engine(load(directory))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading makes millions of objects and no garbage; the cyclic collector would scan them
    again and again (3x slower at 20,000 entries). After loading, they are frozen: they live as
    long as the process, so later collections need not look at them either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def save(directory: str | Path, engine: Engine) -> None:
    """Store `engine`, built from `directory` now, as its compiled copy (the benchmarks use this)."""
    where = _where(Path(directory).resolve())
    if where is not None:
        _write(where[0], (where[1], engine))


def _where(root: Path) -> tuple[Path, tuple[Any, ...]] | None:
    """The copy's file and the fingerprint it must carry, or None when caching is off."""
    folder = cache_dir()
    if folder is None or not root.is_dir():
        return None
    name = hashlib.sha256(f"{root}\0{__version__}\0{sys.version}".encode()).hexdigest()[:32]
    return folder / f"engine-{name}.pickle", fingerprint(root)


def _trusted(path: Path) -> bool:
    """Ours and writable by nobody else (on systems that have owners)."""
    if not hasattr(os, "getuid"):
        return True
    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path, key: tuple[Any, ...]) -> Engine | None:
    try:
        if not (_trusted(path.parent) and _trusted(path)):
            return None
        with path.open("rb") as f, _gc_paused():
            stored_key, engine = pickle.load(f)
    except Exception:  # missing, unreadable, truncated, or from an older engine: rebuild
        return None
    if stored_key != key or not isinstance(engine, Engine):
        return None
    return engine


def _write(path: Path, payload: tuple[Any, Engine]) -> None:
    import tempfile  # only when writing: most runs read

    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(folder):
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".engine-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old copy or the new one
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only home or a full disk: answer without a cache
