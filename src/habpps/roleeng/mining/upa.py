"""The user–permission assignment (UPA) a miner starts from, and the text format it is read from.

The format is the one of the HP Labs role-mining datasets: one ``user permission`` pair per line, two
whitespace-separated tokens (leading blanks allowed). Blank lines are skipped, and so is any line whose first
non-blank character is ``#`` — a comment, never a user name. A repeated pair counts once. Users and permissions
are two separate namespaces: user ``1`` and permission ``1`` are different things.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class UpaFormatError(ValueError):
    """A UPA file that cannot be read; ``line`` is 1-based, or ``None`` when the whole file is at fault."""

    def __init__(self, message: str, line: int | None = None, source: str = "") -> None:
        self.line = line
        self.source = source
        self.message = message
        where = source
        if line is not None:
            where = f"{source}, ligne {line}" if source else f"ligne {line}"
        super().__init__(f"{where} : {message}" if where else message)


@dataclass(frozen=True)
class UserPermissionAssignment:
    """Users, permissions (each named by its token, in order of first appearance) and who holds what.

    ``user_permissions[u]`` is the set of permission indices held by user ``u``; every user holds at least one
    permission and every permission is held by at least one user, since both come from the pairs.
    """

    users: tuple[str, ...]
    permissions: tuple[str, ...]
    user_permissions: tuple[frozenset[int], ...]

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> UserPermissionAssignment:
        """Build the assignment from ``(user, permission)`` names; repeated pairs count once."""
        user_index: dict[str, int] = {}
        permission_index: dict[str, int] = {}
        rows: list[set[int]] = []
        for user, permission in pairs:
            u = user_index.setdefault(user, len(user_index))
            if u == len(rows):
                rows.append(set())
            rows[u].add(permission_index.setdefault(permission, len(permission_index)))
        return cls(
            users=tuple(user_index),
            permissions=tuple(permission_index),
            user_permissions=tuple(frozenset(row) for row in rows),
        )

    @property
    def edge_count(self) -> int:
        """Number of distinct (user, permission) pairs."""
        return sum(len(row) for row in self.user_permissions)

    def permission_users(self) -> tuple[frozenset[int], ...]:
        """``permission_users()[p]``: the users holding permission ``p`` (the transpose)."""
        columns: list[set[int]] = [set() for _ in self.permissions]
        for u, row in enumerate(self.user_permissions):
            for p in row:
                columns[p].add(u)
        return tuple(frozenset(c) for c in columns)

    def pairs(self) -> Iterable[tuple[str, str]]:
        """The assignment as ``(user, permission)`` names, users in order."""
        for u, row in enumerate(self.user_permissions):
            for p in sorted(row):
                yield self.users[u], self.permissions[p]


def parse_upa(lines: Iterable[str], source: str = "") -> UserPermissionAssignment:
    """Parse UPA text; raise :class:`UpaFormatError` at the first malformed line, naming its number."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            continue
        if len(tokens) != 2:
            raise UpaFormatError(
                f"{len(tokens)} élément(s) trouvé(s), 2 attendus (« utilisateur permission ») : {line.strip()!r}",
                line=number,
                source=source,
            )
        pairs.append((tokens[0], tokens[1]))
    return UserPermissionAssignment.from_pairs(pairs)


def read_upa(path: str | Path) -> UserPermissionAssignment:
    """Read a UPA file (UTF-8); unreadable files and malformed lines raise :class:`UpaFormatError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UpaFormatError(f"lecture impossible ({error.strerror or error})", source=str(path)) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UpaFormatError("caractères illisibles : le fichier doit être en UTF-8", line, str(path)) from error
    # Split on "\n" only, so that line numbers match what an editor shows (str.splitlines knows more breaks).
    return parse_upa(text.split("\n"), source=str(path))
