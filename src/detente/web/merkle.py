"""Merkle trees over an agreement's ledger entries, as RFC 9162 (Certificate Transparency
2.0, section 2.1) defines them: the tree hash, audit paths and consistency proofs.

The leaves are the entries' hashes (32 bytes each), in chain order. With SHA-256:

* MTH({}) = SHA-256() ; MTH({d0}) = SHA-256(0x00 || d0) ;
* MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two
  smaller than n.

A consistency proof between a tree of size m kept earlier and the tree of size n now
shows that the first m leaves are unchanged: the newer ledger extends the kept one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over the leaves' data (RFC 9162, 2.1.1)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [leaf_hash(d) for d in leaves]
    # Pairing left to right, an odd node carried up unchanged, gives the same tree as the
    # recursive split on the largest power of two (the tree is left-balanced).
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _mth(leaves: Sequence[bytes]) -> bytes:
    """MTH by the RFC's recursion, kept for the proofs below and for the tests."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(leaves[0])
    k = _split(n)
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def audit_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162, 2.1.3.1): the siblings from leaf ``index`` up to the root."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*audit_path(index, leaves[:k]), _mth(leaves[k:])]
    return [*audit_path(index - k, leaves[k:]), _mth(leaves[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root_hash: bytes
) -> bool:
    """The RFC's inclusion verification (2.1.3.2) of leaf data ``leaf`` at ``index``."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def consistency_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162, 2.1.4.1) for 0 < m <= n; empty when m == n."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from a tree of {m} to one of {n}")
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """The RFC's consistency verification (2.1.4.2): does the tree of size ``second`` with
    root ``second_root`` extend the tree of size ``first`` with root ``first_root``?"""
    if first < 0 or second < first:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # every tree extends the empty one
    path = list(proof)
    # 1. If first is an exact power of two, prepend first_hash to the path.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    # 2-3. fn = first - 1, sn = second - 1; while LSB(fn) is set, shift both right.
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 4. fr and sr start at the first value in the path.
    fr = sr = path[0]
    # 5. For each subsequent value c in the path:
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 6. Compare fr with first_hash and sr with second_hash; sn must be 0.
    return sn == 0 and fr == first_root and sr == second_root
