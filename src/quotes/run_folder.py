"""The output folder of a training run: checked before any work, claimed with a marker, never emptied of others' files.

``RunFolder.check`` refuses, before data or model load, an output path that is empty, a file, under a file, not
writable, or a non-empty folder that no run of ours wrote (unless ``overwrite``). A run writes the marker
``.quotes-run.json`` when training starts and records there each checkpoint it saves, so that the clean-up at the
end removes only checkpoints we wrote, and an interrupted run can be resumed from the last complete one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from quotes import __version__
from quotes.config import ConfigError
from quotes.model_folder import QUOTES_FILE  # the one home of the name; re-exported for training

logger = logging.getLogger(__name__)

RUN_MARKER = ".quotes-run.json"
"""Written when training starts: says the folder is ours, and lists the checkpoints our runs saved in it."""

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_KEY = "training.output_dir"
_COMPLETE = "trainer_state.json"  # the Trainer writes it last into a checkpoint


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training; nothing half-written is left. ``checkpoint`` is the last complete one, or None."""

    def __init__(self, output_dir: Path, checkpoint: Path | None):
        self.output_dir = output_dir
        self.checkpoint = checkpoint
        where = f"the last checkpoint is {checkpoint}" if checkpoint else "no checkpoint was saved yet"
        super().__init__(f"training interrupted: {where}")


def _checkpoints(folder: Path) -> list[Path]:
    """``checkpoint-N`` folders, oldest step first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _CHECKPOINT.match(p.name)) and p.is_dir()]
    return [p for _, p in sorted(found)]


def is_our_run(folder: Path) -> bool:
    """A folder a run of ``quotes train`` wrote: it has our marker, or a finished run's ``quotes.json``."""
    return (folder / RUN_MARKER).is_file() or (folder / QUOTES_FILE).is_file()


def _check_writable_path(path: Path, key: str) -> None:
    if path.exists() and not path.is_dir():
        raise ConfigError([f"{key}: {path}: is a file, not a folder: choose another output folder"])
    ancestor = path
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise ConfigError([f"{key}: {path}: {ancestor} is a file, so no folder can be made under it"])
    if ancestor.exists() and not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError([f"{key}: {path}: {ancestor} is not writable: choose a folder you can write to"])


@dataclass
class RunFolder:
    """An output folder checked for this run; ``claim`` before training, ``finish`` after saving."""

    path: Path
    existing_checkpoints: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def check(
        cls,
        output_dir: str | Path,
        *,
        overwrite: bool = False,
        resume: bool | str = False,
        key: str = "training.output_dir",
    ) -> RunFolder:
        """Refuse, naming ``key``, any output folder this run must not or cannot write into.

        Raises:
            ConfigError: an empty path, a file, a path under a file, a folder that is not writable, a non-empty
                folder that is not a run of ours (without ``overwrite``), or ``resume`` with nothing to resume.
        """
        if not str(output_dir).strip():
            raise ConfigError([f"{key}: empty path (it would mean the current directory): name a folder"])
        path = Path(output_dir).expanduser()
        _check_writable_path(path, key)
        contents = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
        ours = bool(contents) and is_our_run(path)
        if contents and not ours:
            shown = ", ".join(contents[:5]) + (f" and {len(contents) - 5} more" if len(contents) > 5 else "")
            if resume:
                raise ConfigError([f"{key}: {path}: not a folder `quotes train` wrote ({shown}): nothing to resume"])
            if not overwrite:
                raise ConfigError(
                    [
                        f"{key}: {path}: the folder holds files `quotes train` did not write ({shown}): choose a new "
                        "or empty folder, or pass --overwrite (overwrite=True) to write into it (files of the same "
                        "name are replaced, nothing else is deleted)"
                    ]
                )
            foreign = [p.name for p in _checkpoints(path)]
            if foreign:  # the Trainer's checkpoint rotation deletes old checkpoint-* folders, ours or not
                raise ConfigError(
                    [f"{key}: {path}: holds checkpoint folders we did not write ({', '.join(foreign)}): move them away"]
                )
        if resume is True and not _checkpoints(path):
            raise ConfigError([f"{key}: {path}: no checkpoint-* folder to resume from (run without --resume)"])
        if isinstance(resume, str) and not (Path(resume) / _COMPLETE).is_file():
            raise ConfigError([f"--resume {resume}: not a complete checkpoint folder (no {_COMPLETE})"])
        return cls(path, frozenset(p.name for p in _checkpoints(path)))

    @property
    def marker(self) -> Path:
        return self.path / RUN_MARKER

    def _recorded(self) -> list[str]:
        try:
            return list(json.loads(self.marker.read_text(encoding="utf-8")).get("checkpoints", []))
        except (OSError, ValueError, AttributeError):
            return []

    def _write_marker(self, checkpoints: list[str]) -> None:
        data = {"quotes_version": __version__, "checkpoints": sorted(set(checkpoints))}
        temporary = self.marker.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.marker)

    def claim(self) -> None:
        """Create the folder and mark it as ours (keeping the checkpoints recorded by earlier runs)."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_marker(self._recorded())
        (self.path / QUOTES_FILE).unlink(missing_ok=True)  # written again last: its presence means a finished save

    def record_checkpoint(self, name: str) -> None:
        self._write_marker([*self._recorded(), name])

    def last_checkpoint(self) -> Path | None:
        complete = [p for p in _checkpoints(self.path) if (p / _COMPLETE).is_file()]
        return complete[-1] if complete else None

    def interrupted(self) -> TrainingInterrupted:
        """After Ctrl-C: remove the checkpoint being written when it came (ours, incomplete), say where to resume."""
        for checkpoint in _checkpoints(self.path):
            if checkpoint.name not in self.existing_checkpoints and not (checkpoint / _COMPLETE).is_file():
                logger.info("removing the half-written %s", checkpoint)
                shutil.rmtree(checkpoint, ignore_errors=True)
        return TrainingInterrupted(self.path, self.last_checkpoint())

    def remove_checkpoints(self) -> None:
        """Delete the checkpoint folders our runs recorded in the marker, and nothing else."""
        for name in self._recorded():
            if _CHECKPOINT.match(name) and (self.path / name).is_dir():
                shutil.rmtree(self.path / name)
        self._write_marker([])
