"""RFC 9162's Merkle tree hash, audit paths and consistency proofs, against the RFC's own
example tree (section 2.1.5) computed by hand, and as properties over every pair of sizes."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.web import merkle


def H(data: bytes) -> bytes:  # the RFC's name
    return hashlib.sha256(data).digest()


def leaf(d: bytes) -> bytes:
    return H(b"\x00" + d)


def node(left: bytes, right: bytes) -> bytes:
    return H(b"\x01" + left + right)


D = [bytes([i]) * 3 for i in range(7)]
# The RFC's example (2.1.5): seven leaves d0..d6.
a, b, c, d, e, f, j = (leaf(x) for x in D)
g, h, i = node(a, b), node(c, d), node(e, f)
k, l_ = node(g, h), node(i, j)
ROOT7 = node(k, l_)


def test_the_tree_hash_by_hand() -> None:
    assert merkle.root([]) == H(b"")
    assert merkle.root(D[:1]) == a
    assert merkle.root(D[:2]) == g
    assert merkle.root(D[:3]) == node(g, c)
    assert merkle.root(D[:4]) == k
    assert merkle.root(D[:5]) == node(k, e)
    assert merkle.root(D[:6]) == node(k, i)
    assert merkle.root(D) == ROOT7


def test_the_rfcs_audit_paths() -> None:
    assert merkle.audit_path(0, D) == [b, h, l_]
    assert merkle.audit_path(3, D) == [c, g, l_]
    assert merkle.audit_path(4, D) == [f, j, k]
    assert merkle.audit_path(6, D) == [i, k]
    for index in range(7):
        assert merkle.verify_inclusion(index, 7, D[index], merkle.audit_path(index, D), ROOT7)
    assert not merkle.verify_inclusion(1, 7, D[0], merkle.audit_path(0, D), ROOT7)


def test_the_rfcs_consistency_proofs() -> None:
    assert merkle.consistency_proof(3, D) == [c, d, g, l_]
    assert merkle.consistency_proof(4, D) == [l_]
    assert merkle.consistency_proof(6, D) == [i, j, k]
    assert merkle.consistency_proof(7, D) == []
    assert merkle.verify_consistency(3, 7, node(g, c), ROOT7, [c, d, g, l_])
    assert merkle.verify_consistency(4, 7, k, ROOT7, [l_])
    assert merkle.verify_consistency(6, 7, node(k, i), ROOT7, [i, j, k])
    # The kept root of size 3 is not what a different third leaf gives.
    assert not merkle.verify_consistency(3, 7, node(g, leaf(b"x")), ROOT7, [c, d, g, l_])
    assert not merkle.verify_consistency(4, 7, k, ROOT7, [])
    assert not merkle.verify_consistency(5, 4, k, ROOT7, [])


trees = st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=70)


@settings(max_examples=200, deadline=None)
@given(trees, st.data())
def test_every_pair_of_sizes_verifies_and_tampered_proofs_fail(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n), label="m")
    assert merkle.root(leaves) == merkle._mth(leaves)
    first, second = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(m, leaves)
    assert merkle.verify_consistency(m, n, first, second, proof)
    index = data.draw(st.integers(0, n - 1), label="index")
    path = merkle.audit_path(index, leaves)
    assert merkle.verify_inclusion(index, n, leaves[index], path, second)
    if m < n:
        # A wrong kept root, a wrong newer root, any changed node, a dropped or an extra
        # node: each fails.
        assert not merkle.verify_consistency(m, n, H(first), second, proof)
        assert not merkle.verify_consistency(m, n, first, H(second), proof)
        if proof:
            at = data.draw(st.integers(0, len(proof) - 1), label="at")
            changed = [*proof[:at], H(proof[at]), *proof[at + 1 :]]
            assert not merkle.verify_consistency(m, n, first, second, changed)
            assert not merkle.verify_consistency(m, n, first, second, proof[:-1])
        assert not merkle.verify_consistency(m, n, first, second, [*proof, first])
        # A leaf changed among the first m: the newer tree no longer extends the kept one.
        at = data.draw(st.integers(0, m - 1), label="changed leaf")
        other = [*leaves[:at], leaves[at] + b"!", *leaves[at + 1 :]]
        assert not merkle.verify_consistency(
            m, n, first, merkle.root(other), merkle.consistency_proof(m, other)
        )
