"""Writing export files so that a failure leaves nothing half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from replenlib.errors import ReplenError


class ExportError(ReplenError):
    """An export could not be written; nothing was written and the store is unchanged."""

    exit_code = 9


def check_folder(folder: Path) -> None:
    """Raise :class:`ExportError` unless ``folder`` is an existing folder we can create files in.

    The check creates and removes a probe file, because permission bits do not tell the whole
    story (read-only mounts, root, ACLs).
    """
    if not folder.exists():
        raise ExportError(f"export folder {folder} does not exist")
    if not folder.is_dir():
        raise ExportError(f"export folder {folder} is not a folder")
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".replen-probe-")
    except OSError as exc:
        raise ExportError(f"export folder {folder} is not writable: {exc.strerror}") from exc
    os.close(handle)
    Path(name).unlink(missing_ok=True)


def write_atomic(files: dict[Path, str | bytes]) -> None:
    """Write every file to a hidden temporary sibling, then rename them all into place.

    A failure while writing removes the temporaries and touches no target; a failure while
    renaming removes the targets this call had created. Raises :class:`ExportError`.
    """
    temps: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for target, content in files.items():
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            temps.append((Path(name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
                stream.flush()
                os.fsync(stream.fileno())
        for temp, target in temps:
            existed = target.exists()
            temp.replace(target)
            if not existed:
                placed.append(target)
    except OSError as exc:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        for target in placed:
            target.unlink(missing_ok=True)
        raise ExportError(
            f"cannot write {exc.filename or 'the export files'}: {exc.strerror}; nothing written"
        ) from exc
