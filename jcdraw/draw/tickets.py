"""Step 1 of the draw: tickets, the SHA-256 numbers that order entities and inspectors.

Specified in ``jcdraw.draw.algorithm``; the ``>>>`` examples here are the published test vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

SEPARATOR = "|"


def ticket_prefix(seed: str, plan_id: str, task: int | str, round_no: int) -> str:
    """Return the part of the ticket text shared by every entity of one draw.

    Args:
        seed: The seed digits (from ``parse_seed`` or ``random_seed``).
        plan_id: The plan's identifier.
        task: The task number.
        round_no: The round within the year, from 1.

    Returns:
        ``{seed}|{plan}|{task}|{round}|``.

    Example:
        >>> ticket_prefix("12345678901234567890", "2024-joint", 1, 1)
        '12345678901234567890|2024-joint|1|1|'
    """
    return SEPARATOR.join((seed, plan_id, str(task), str(round_no), ""))


def sha256_hex(text: str) -> str:
    """Return the SHA-256 of the UTF-8 bytes of ``text`` as 64 lower-case hexadecimal digits.

    Example:
        >>> sha256_hex("abc")
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket(seed: str, plan_id: str, task: int | str, round_no: int, uscc: str) -> str:
    """Return an entity's ticket.

    Args:
        seed: The seed digits.
        plan_id: The plan's identifier.
        task: The task number.
        round_no: The round within the year, from 1.
        uscc: The entity's normalised credit code.

    Returns:
        SHA-256 of ``{seed}|{plan}|{task}|{round}|{code}``, 64 lower-case hexadecimal digits.

    Example:
        >>> ticket("12345678901234567890", "2024-joint", 1, 1, "911405005635962824")
        '9580bca61f147781a986629346790cd1e6cb2f0af731e8d3ba67eac4e9c0f221'
    """
    return sha256_hex(ticket_prefix(seed, plan_id, task, round_no) + uscc)


def tickets_for(seed: str, plan_id: str, task: int | str, round_no: int, usccs: Sequence[str]) -> list[str]:
    """Return the tickets of many entities at once (well under 1 s per million codes).

    Args:
        seed, plan_id, task, round_no: As for ``ticket``.
        usccs: Normalised credit codes.

    Returns:
        ``[ticket(seed, plan_id, task, round_no, code) for code in usccs]``.

    Example:
        >>> tickets_for("12345678901234567890", "2024-joint", 1, 1, ["911405005635962824"])
        ['9580bca61f147781a986629346790cd1e6cb2f0af731e8d3ba67eac4e9c0f221']
    """
    return [digest.hex() for digest in _digests(ticket_prefix(seed, plan_id, task, round_no), usccs)]


def _digests(prefix: str, usccs: Sequence[str]) -> list[bytes]:
    """Raw 32-byte tickets; ``bytes.hex`` turns one into the written ticket."""
    head = prefix.encode("utf-8")
    sha256 = hashlib.sha256
    return [sha256(head + code.encode("utf-8")).digest() for code in usccs]


def inspector_ticket(seed: str, plan_id: str, task: int | str, round_no: int, badge: str, load: int) -> str:
    """Return an inspector's ticket at one load level.

    Args:
        seed, plan_id, task, round_no: As for ``ticket``.
        badge: The inspector's badge number (执法证号).
        load: How many entities the inspector already carries in this draw (0, 1, 2 …).

    Returns:
        SHA-256 of ``{seed}|{plan}|{task}|{round}|{badge}|{load}``, 64 lower-case hexadecimal digits.

    Example:
        >>> inspector_ticket("12345678901234567890", "2024-joint", 1, 1, "1405001001", 0)
        'e5e82238b7fa81a6ae841abdba59c7ef56ffb00e3eaca0411379b55056a291a2'
    """
    return sha256_hex(ticket_prefix(seed, plan_id, task, round_no) + badge + SEPARATOR + str(load))


def ticket_order(tickets: Sequence[str], usccs: Sequence[str]) -> npt.NDArray[np.intp]:
    """Return the positions of entities sorted by (ticket, code).

    Args:
        tickets: The entities' tickets.
        usccs: Their codes, in the same order.

    Returns:
        Positions into both sequences, smallest ticket first; equal tickets by code.

    Example:
        >>> ticket_order(["b0", "a0", "b0"], ["Y", "Z", "X"]).tolist()
        [1, 2, 0]

    Notes:
        Tickets all have the same length, so sorting ``ticket + code`` sorts by ticket and then by
        code. UTF-8 bytes sort in code-point order, and numpy sorts bytes several times faster than
        Python objects.
    """
    keys = np.array(
        [(t + code).encode("utf-8") for t, code in zip(tickets, usccs, strict=True)], dtype=np.bytes_
    )
    return np.argsort(keys, kind="stable")


def _order_by_digest(digests: Sequence[bytes], usccs: Sequence[str]) -> npt.NDArray[np.intp]:
    """``ticket_order`` for raw tickets, sorting 64-bit integers instead of text.

    The first 8 bytes of a ticket order it unless two tickets share them, which for a million
    entities happens about once in 40 million draws; then the full tickets and codes decide.
    """
    if not digests:
        return np.empty(0, dtype=np.intp)
    leading = np.frombuffer(b"".join(digests), dtype=">u8")[::4]
    order = np.argsort(leading, kind="stable")
    ranked = leading[order]
    if bool(np.any(ranked[1:] == ranked[:-1])):
        return ticket_order([digest.hex() for digest in digests], usccs)
    return order
