"""Knowledge that can change under a running bot.

`LiveKnowledge` holds the engine the bot answers with. It reloads the knowledge directory
when a file changes (a polling watcher thread, every few seconds) or on SIGHUP. A reload
that fails validation keeps the last good knowledge base and logs every problem as
`file:line: field: message`; a later good edit is picked up. The first load at start-up
must succeed: a bot with broken knowledge does not start.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from bot.engine.answer import Engine
from bot.engine.knowledge import KnowledgeError, load

log = logging.getLogger("declaratiebot.knowledge")

Stamp = tuple[tuple[str, int, int], ...]


def _stamp(directory: Path) -> Stamp:
    """What the directory looks like: every YAML file's name, size and modification time."""
    out = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class LiveKnowledge:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._stamp = _stamp(self.directory)
        self._engine = Engine(load(self.directory))  # raises KnowledgeError: fail fast
        self._stop = threading.Event()

    @property
    def engine(self) -> Engine:
        return self._engine

    def reload(self) -> bool:
        """Load the directory again; True when the new knowledge is in use."""
        with self._lock:
            self._stamp = _stamp(self.directory)
            try:
                engine = Engine(load(self.directory))
            except KnowledgeError as exc:
                for problem in exc.problems:
                    log.error("knowledge reload refused: %s", problem)
                log.error(
                    "still answering with the last good knowledge base (%d problems)", len(exc.problems)
                )
                return False
            except OSError as exc:
                log.error("knowledge reload failed: %s; keeping the last good knowledge base", exc)
                return False
            self._engine = engine
            log.info("knowledge reloaded: %d entries from %s", len(engine.kb.entries), self.directory)
            return True

    def check(self) -> bool | None:
        """Reload when a file changed since the last look; None when nothing changed."""
        if _stamp(self.directory) == self._stamp:
            return None
        return self.reload()

    def watch(self, interval: float = 2.0) -> threading.Thread:
        """Poll the directory in a daemon thread until `stop()`."""

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.check()
                except Exception:  # the watcher must never die
                    log.exception("knowledge watcher error")

        thread = threading.Thread(target=loop, name="knowledge-watcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def install_sighup(self) -> None:
        """`kill -HUP <pid>` reloads the knowledge (main thread only, where signals are)."""
        if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda *_: self.reload())
