"""RFC 6962 / RFC 9162 Merkle hashing over stored nodes: public vectors, a naive reference, properties."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shangmi.evidence.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    MissingNodeError,
    NodeId,
    ProofError,
    consistency_proof,
    consistency_proof_node_ids,
    hash_from_nodes,
    inclusion_proof,
    inclusion_proof_node_ids,
    leaf_hash,
    node_hash,
    range_node_ids,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    root_node_ids,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "merkle"
VECTOR_FILES = sorted(
    path.relative_to(VECTORS).as_posix()
    for kind in ("inclusion", "consistency")
    for path in (VECTORS / kind).rglob("*.json")
)
VECTOR_COUNT = 196


# --- naive reference, straight from the RFC 9162 definitions --------------------------------------


def ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = ref_split(len(hashes))
    return node_hash(ref_mth(hashes[:k]), ref_mth(hashes[k:]))


def ref_path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) <= 1:
        return []
    k = ref_split(len(hashes))
    if m < k:
        return [*ref_path(m, hashes[:k]), ref_mth(hashes[k:])]
    return [*ref_path(m - k, hashes[k:]), ref_mth(hashes[:k])]


def ref_subproof(m: int, hashes: list[bytes], known: bool) -> list[bytes]:
    if m == len(hashes):
        return [] if known else [ref_mth(hashes)]
    k = ref_split(len(hashes))
    if m <= k:
        return [*ref_subproof(m, hashes[:k], known), ref_mth(hashes[k:])]
    return [*ref_subproof(m - k, hashes[k:], False), ref_mth(hashes[:k])]


def ref_consistency(m: int, hashes: list[bytes]) -> list[bytes]:
    return ref_subproof(m, hashes, True) if 0 < m < len(hashes) else []


# --- a log built by appending, with its stored nodes ----------------------------------------------


@dataclass
class Log:
    leaves: list[bytes] = field(default_factory=list)
    nodes: dict[NodeId, bytes] = field(default_factory=dict)
    roots: list[bytes] = field(default_factory=lambda: [EMPTY_ROOT])  # roots[s] = root of the first s leaves
    completed: list[list[tuple[NodeId, bytes]]] = field(default_factory=list)  # what each append returned


def build_log(leaves: list[bytes]) -> Log:
    log = Log(leaves=list(leaves))
    compact = CompactRange(0, [])
    for value in leaves:
        done = compact.append(value)
        log.completed.append(done)
        for node_id, node in done:
            assert node_id not in log.nodes
            log.nodes[node_id] = node
        log.roots.append(compact.root())
    assert compact.size == len(leaves)
    return log


def make_leaves(count: int) -> list[bytes]:
    return [leaf_hash(b"entry %d" % i) for i in range(count)]


class Fetcher:
    """Counts calls and refuses nodes a tree of ``size`` leaves would not have stored yet."""

    def __init__(self, nodes: Mapping[NodeId, bytes], size: int) -> None:
        self.nodes, self.size, self.calls, self.fetched = nodes, size, 0, 0

    def __call__(self, ids: Collection[NodeId]) -> dict[NodeId, bytes]:
        self.calls += 1
        self.fetched += len(ids)
        for level, index in ids:
            assert (index + 1) << level <= self.size, f"node {(level, index)} is not in a tree of {self.size}"
        return {node_id: self.nodes[node_id] for node_id in ids}


BIG = 5000


@functools.cache
def big_log() -> Log:
    return build_log(make_leaves(BIG + 100))


def flip(value: bytes, position: int, mask: int) -> bytes:
    changed = bytearray(value)
    changed[position % len(changed)] ^= mask
    return bytes(changed)


# --- public vectors -------------------------------------------------------------------------------


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_vector_count() -> None:
    assert len(VECTOR_FILES) == VECTOR_COUNT, f"expected {VECTOR_COUNT} vector files under {VECTORS}"


@pytest.mark.parametrize("name", VECTOR_FILES)
def test_vector(name: str) -> None:
    data = json.loads((VECTORS / name).read_text())
    proof = [b64(value) for value in data["proof"] or []]
    if name.startswith("inclusion/"):

        def check() -> None:
            verify_inclusion(b64(data["leafHash"]), data["leafIdx"], data["treeSize"], proof, b64(data["root"]))
    else:

        def check() -> None:
            verify_consistency(data["size1"], data["size2"], proof, b64(data["root1"]), b64(data["root2"]))

    if data["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


def test_reference_tree() -> None:
    reference = json.loads((VECTORS / "reference-tree.json").read_text())
    leaves = [leaf_hash(bytes.fromhex(text)) for text in reference["leaf_inputs_hex"]]
    roots = [bytes.fromhex(text) for text in reference["root_by_tree_size_hex"]]
    assert len(roots) == 9
    for size, root in enumerate(roots):
        assert root_from_leaf_hashes(leaves[:size]) == root
        log = build_log(leaves[:size])
        assert log.roots[size] == root
        fetch = Fetcher(log.nodes, size)
        assert tree_root(size, fetch) == root
        assert fetch.calls == (1 if size else 0)


# --- hashing and addressing -----------------------------------------------------------------------


def test_hash_primitives() -> None:
    assert HASH_SIZE == 32
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert node_hash(b"a", b"b") != node_hash(b"b", b"a")
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    with pytest.raises(ValueError):
        root_from_leaf_hashes([b"short"])


def test_range_node_ids() -> None:
    assert range_node_ids(3, 3) == []
    assert range_node_ids(0, 7) == [(2, 0), (1, 2), (0, 6)]
    assert range_node_ids(4, 7) == [(1, 2), (0, 6)]
    assert range_node_ids(8, 13) == [(2, 2), (0, 12)]
    assert range_node_ids(16, 32) == [(4, 1)]
    assert root_node_ids(0) == []
    assert root_node_ids(8) == [(3, 0)]
    assert root_node_ids(13) == [(3, 0), (2, 2), (0, 12)]
    for start, end in ((2, 6), (1, 3), (-1, 2), (5, 4)):
        with pytest.raises(ValueError):
            range_node_ids(start, end)


def test_hash_from_nodes() -> None:
    log = build_log(make_leaves(13))
    assert hash_from_nodes([], log.nodes) == EMPTY_ROOT
    assert hash_from_nodes(range_node_ids(8, 13), log.nodes) == ref_mth(log.leaves[8:13])
    assert hash_from_nodes(root_node_ids(13), log.nodes) == log.roots[13]
    with pytest.raises(MissingNodeError):
        hash_from_nodes([(0, 13)], log.nodes)
    with pytest.raises(ValueError):
        hash_from_nodes([(0, 0)], {(0, 0): b"short"})


def test_rfc_9162_examples() -> None:
    # The seven-leaf tree of RFC 9162 section 2.1.5: a-b-c-d-e-f-g are leaves, h = (a,b), i = (c,d) ...
    assert inclusion_proof_node_ids(0, 7) == [[(0, 1)], [(1, 1)], [(1, 2), (0, 6)]]  # [b, h, l]
    assert inclusion_proof_node_ids(3, 7) == [[(0, 2)], [(1, 0)], [(1, 2), (0, 6)]]  # [c, g, l]
    assert inclusion_proof_node_ids(4, 7) == [[(0, 5)], [(0, 6)], [(2, 0)]]  # [f, j, k]
    assert inclusion_proof_node_ids(6, 7) == [[(1, 2)], [(2, 0)]]  # [i, k]
    assert consistency_proof_node_ids(3, 7) == [[(0, 2)], [(0, 3)], [(1, 0)], [(1, 2), (0, 6)]]  # [c, d, g, l]
    assert consistency_proof_node_ids(4, 7) == [[(1, 2), (0, 6)]]  # [l]
    assert consistency_proof_node_ids(6, 7) == [[(1, 2)], [(0, 6)], [(2, 0)]]  # [i, j, k]


def test_proof_shape_arguments() -> None:
    for index, size in ((0, 0), (5, 5), (-1, 3)):
        with pytest.raises(ProofError):
            inclusion_proof_node_ids(index, size)
    for size1, size2 in ((3, 2), (-1, 2), (1, 0)):
        with pytest.raises(ProofError):
            consistency_proof_node_ids(size1, size2)
    assert consistency_proof_node_ids(0, 5) == []
    assert consistency_proof_node_ids(5, 5) == []
    assert consistency_proof_node_ids(0, 0) == []


# --- CompactRange ---------------------------------------------------------------------------------


def test_compact_range_append_returns_completed_nodes() -> None:
    leaves = make_leaves(4)
    compact = CompactRange(0, [])
    assert compact.root() == EMPTY_ROOT
    assert [node_id for node_id, _ in compact.append(leaves[0])] == [(0, 0)]
    assert [node_id for node_id, _ in compact.append(leaves[1])] == [(0, 1), (1, 0)]
    assert [node_id for node_id, _ in compact.append(leaves[2])] == [(0, 2)]
    done = compact.append(leaves[3])
    assert [node_id for node_id, _ in done] == [(0, 3), (1, 1), (2, 0)]
    assert done[0][1] == leaves[3]
    assert done[-1][1] == compact.root() == ref_mth(leaves)
    assert compact.size == 4
    assert compact.peaks == (compact.root(),)


def test_compact_range_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        CompactRange(3, [EMPTY_ROOT])
    with pytest.raises(ValueError):
        CompactRange(1, [b"short"])
    with pytest.raises(ValueError):
        CompactRange(-1, [])
    with pytest.raises(ValueError):
        CompactRange(0, []).append(b"short")


def test_compact_range_from_fetch_small() -> None:
    log = build_log(make_leaves(140))
    for size in range(71):
        fetch = Fetcher(log.nodes, size)
        resumed = CompactRange.from_fetch(size, fetch)
        assert fetch.calls == (1 if size else 0)
        assert resumed.size == size
        assert resumed.root() == log.roots[size]
        for index in range(size, size + 70):
            assert resumed.append(log.leaves[index]) == log.completed[index]
            assert resumed.root() == log.roots[index + 1]


def test_compact_range_from_fetch_missing_node() -> None:
    with pytest.raises(MissingNodeError):
        CompactRange.from_fetch(3, lambda ids: {})


def test_memoryview_nodes_come_back_as_bytes() -> None:
    log = build_log(make_leaves(11))
    views = {node_id: memoryview(value) for node_id, value in log.nodes.items()}
    proof = inclusion_proof(9, 11, lambda ids: {i: views[i] for i in ids})
    assert all(type(value) is bytes for value in proof)
    assert proof == ref_path(9, log.leaves)


# --- generated proofs against the naive reference -------------------------------------------------


@pytest.mark.parametrize("size", range(1, 71))
def test_generated_inclusion_proofs(size: int) -> None:
    log = build_log(make_leaves(size))
    root = log.roots[size]
    assert root == ref_mth(log.leaves) == root_from_leaf_hashes(log.leaves)
    assert tree_root(size, Fetcher(log.nodes, size)) == root
    for index in range(size):
        fetch = Fetcher(log.nodes, size)
        proof = inclusion_proof(index, size, fetch)
        assert fetch.calls == (1 if proof else 0)
        assert fetch.fetched <= 2 * size.bit_length()
        assert proof == ref_path(index, log.leaves)
        verify_inclusion(log.leaves[index], index, size, proof, root)
        assert root_from_inclusion_proof(log.leaves[index], index, size, proof) == root


@pytest.mark.parametrize("size2", range(1, 71))
def test_generated_consistency_proofs(size2: int) -> None:
    log = build_log(make_leaves(size2))
    for size1 in range(size2 + 1):
        fetch = Fetcher(log.nodes, size2)
        proof = consistency_proof(size1, size2, fetch)
        assert fetch.calls == (1 if proof else 0)
        assert fetch.fetched <= 2 * size2.bit_length()
        assert proof == ref_consistency(size1, log.leaves)
        verify_consistency(size1, size2, proof, log.roots[size1], log.roots[size2])


# --- properties over large trees ------------------------------------------------------------------


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, BIG))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, BIG))
    return draw(st.integers(0, size2)), size2


flips = st.tuples(st.integers(0, 10**6), st.integers(0, HASH_SIZE - 1), st.integers(1, 255))


@settings(max_examples=300, deadline=None)
@given(tree_and_index(), flips)
def test_inclusion_property(case: tuple[int, int], change: tuple[int, int, int]) -> None:
    size, index = case
    element, position, mask = change
    log = big_log()
    fetch = Fetcher(log.nodes, size)
    proof = inclusion_proof(index, size, fetch)
    assert fetch.calls == (1 if proof else 0)
    assert fetch.fetched <= 2 * size.bit_length()
    root, leaf = log.roots[size], log.leaves[index]
    verify_inclusion(leaf, index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(flip(leaf, position, mask), index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip(root, position, mask))
    if proof:
        tampered = list(proof)
        tampered[element % len(proof)] = flip(tampered[element % len(proof)], position, mask)
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, tampered, root)
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, [*proof, root], root)


@settings(max_examples=300, deadline=None)
@given(two_sizes(), flips)
def test_consistency_property(sizes: tuple[int, int], change: tuple[int, int, int]) -> None:
    size1, size2 = sizes
    element, position, mask = change
    log = big_log()
    fetch = Fetcher(log.nodes, size2)
    proof = consistency_proof(size1, size2, fetch)
    assert fetch.calls == (1 if proof else 0)
    assert fetch.fetched <= 2 * size2.bit_length()
    root1, root2 = log.roots[size1], log.roots[size2]
    verify_consistency(size1, size2, proof, root1, root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, flip(root1, position, mask), root2)
    if size1:  # an empty tree is extended by every tree: root2 is then unconstrained
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root1, flip(root2, position, mask))
    if proof:
        tampered = list(proof)
        tampered[element % len(proof)] = flip(tampered[element % len(proof)], position, mask)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, tampered, root1, root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof[:-1], root1, root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, [*proof, root1], root1, root2)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, BIG), st.integers(1, 100))
def test_compact_range_from_fetch_property(size: int, steps: int) -> None:
    log = big_log()
    fetch = Fetcher(log.nodes, size)
    resumed = CompactRange.from_fetch(size, fetch)
    assert fetch.calls == (1 if size else 0)
    assert resumed.root() == log.roots[size] == tree_root(size, Fetcher(log.nodes, size))
    for index in range(size, size + steps):
        assert resumed.append(log.leaves[index]) == log.completed[index]
    assert resumed.root() == log.roots[size + steps]
