"""What this engine last wrote at each path, to tell its own writes from the user's."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaultfollow.store.vault import Vault


class OwnWrites:
    """Path -> sha256 of what this engine last wrote there (drafts, the
    calendar and the dashboard), shared by the index, which reads drafts,
    and the outputs, which write them."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._digests: dict[str, str] = {}

    def digest(self, rel: str) -> str | None:
        return self._digests.get(rel)

    def wrote(self, rel: str, data: bytes) -> None:
        self._digests[rel] = sha(data)

    def assume(self, rel: str, digest: str) -> None:
        """`digest` is what this engine wrote at `rel`, unless it knows better."""
        self._digests.setdefault(rel, digest)

    def claim(self, rel: str, data: bytes | None) -> None:
        """`data` (None: no file) is at `rel` now, and may be written over."""
        self._digests[rel] = sha(data) if data is not None else ""

    def forget(self, rel: str) -> None:
        self._digests.pop(rel, None)

    def holds(self, rel: str) -> bool:
        """The file holds exactly what this engine last wrote there."""
        digest = self._digests.get(rel)
        if digest is None:
            return False
        data = self._vault.read_bytes(rel)
        return data is not None and sha(data) == digest


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
