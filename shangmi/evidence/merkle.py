"""RFC 6962 / RFC 9162 Merkle tree hashing for an append-only log whose inner nodes are stored.

The log keeps every *complete* subtree hash it ever computed, addressed by ``(level, index)``:
the node covers leaves ``[index * 2**level, (index + 1) * 2**level)`` and level 0 holds the leaf
hashes. A complete subtree never changes once its last leaf is appended, so the stored value is
final. Every hash an RFC tree of any size needs is either such a node or a right-to-left fold of a
few of them (the right edge of the tree), so proofs and roots are read from storage in one fetch of
O(log n) nodes instead of being recomputed from the leaves.

Pure Python on ``hashlib``: no Django here, so the verifier side can run anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

# RFC 6962 section 2.1: distinct prefixes keep a leaf from ever hashing like an inner node
# (second-preimage resistance).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

NodeId = tuple[int, int]
"""``(level, index)`` of a complete, aligned subtree."""

NodeFetcher = Callable[[Collection[NodeId]], Mapping[NodeId, bytes]]
"""Reads many stored nodes at once, so each proof or root costs the caller one query."""


class ProofError(ValueError):
    """A proof, its arguments or the hashes it is checked against do not hold; the message says which."""


class MissingNodeError(LookupError):
    """Storage did not return a node that a tree of the requested size must contain."""


# --- hashing ---------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of a log entry (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an inner node (RFC 9162 section 2.1.1).

    Lengths are not checked here; callers validate untrusted input once, up front.
    """
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes, level by level.

    Pairing neighbours and promoting an odd last node unchanged gives the same tree as the RFC's
    "largest power of two smaller than n" split, without recursion. Used to build trees from
    scratch and as an independent cross-check of the stored-node path.
    """
    if not hashes:
        return EMPTY_ROOT
    level = [_hash_arg(h, f"leaf hash {i}", ValueError) for i, h in enumerate(hashes)]
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


# --- node addressing -------------------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2): where the RFC splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def range_node_ids(start: int, end: int) -> list[NodeId]:
    """The complete aligned subtrees that make up the RFC subtree over leaves ``[start, end)``.

    Such a range starts on a multiple of its largest power-of-two part, so it is one node per set
    bit of ``end - start``, largest (leftmost) first. Any other range is not a subtree of an RFC
    tree and is refused rather than silently hashed differently.
    """
    if start < 0 or end < start:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    size = end - start
    if size == 0:
        return []
    top = size.bit_length() - 1
    if start % (1 << top):
        raise ValueError(f"leaf range [{start}, {end}) is not a subtree: start is not a multiple of {1 << top}")
    ids: list[NodeId] = []
    position = start
    for level in range(top, -1, -1):
        if size >> level & 1:
            ids.append((level, position >> level))
            position += 1 << level
    return ids


def root_node_ids(size: int) -> list[NodeId]:
    """The stored nodes whose fold is the root of a tree of ``size`` leaves (its right edge)."""
    if size < 0:
        raise ValueError(f"invalid tree size {size}")
    return range_node_ids(0, size)


def _stored(nodes: Mapping[NodeId, bytes], node_id: NodeId) -> bytes:
    """One node out of a fetch result, as ``bytes`` (databases may hand back memoryviews)."""
    try:
        value = nodes[node_id]
    except KeyError:
        raise MissingNodeError(f"stored node {node_id} is missing") from None
    return _hash_arg(value, f"stored node {node_id}", ValueError)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine subtree hashes right to left: the RFC's left subtree is always the complete one."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for value in reversed(hashes[:-1]):
        acc = node_hash(value, acc)
    return acc


def hash_from_nodes(node_ids: Sequence[NodeId], nodes: Mapping[NodeId, bytes]) -> bytes:
    """The RFC subtree hash of a decomposition from ``range_node_ids``.

    An empty decomposition is the empty tree, whose MTH is ``EMPTY_ROOT``.
    """
    return _fold([_stored(nodes, node_id) for node_id in node_ids])


# --- proof shapes ----------------------------------------------------------------------------


def inclusion_proof_node_ids(index: int, size: int) -> list[list[NodeId]]:
    """The stored nodes behind each element of PATH(index, D[size]) (RFC 9162 section 2.1.3.1).

    Walks the RFC recursion from the root down, noting the sibling subtree at each split, then
    reverses so the leaf's sibling comes first, as the RFC orders the path. Only the first step
    that turns left can leave an incomplete right sibling, so all groups together hold O(log n)
    nodes.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    groups: list[list[NodeId]] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            groups.append(range_node_ids(middle, end))
            end = middle
        else:
            groups.append(range_node_ids(start, middle))
            start = middle
    groups.reverse()
    return groups


def consistency_proof_node_ids(size1: int, size2: int) -> list[list[NodeId]]:
    """The stored nodes behind each element of PROOF(size1, D[size2]) (RFC 9162 section 2.1.4.1).

    Follows SUBPROOF from the root down. ``known`` is the RFC's flag ``b``: while the walk stays on
    the left edge, D[0:size1] is the old root the verifier already holds, so it is left out. An
    empty tree or an unchanged one needs no proof at all.
    """
    if not 0 <= size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}: need 0 <= size1 <= size2")
    if size1 in (0, size2):
        return []
    groups: list[list[NodeId]] = []
    start, end = 0, size2
    known = True
    while end != size1:
        middle = start + _split(end - start)
        if size1 <= middle:
            groups.append(range_node_ids(middle, end))
            end = middle
        else:
            groups.append(range_node_ids(start, middle))
            start = middle
            known = False
    if not known:
        groups.append(range_node_ids(start, end))
    groups.reverse()
    return groups


# --- reading from storage --------------------------------------------------------------------


def _hashes_of(groups: Sequence[Sequence[NodeId]], fetch: NodeFetcher) -> list[bytes]:
    """Fetch every node of every group in a single call, then fold each group.

    ``fetch`` is not called when nothing is needed (empty proofs, the empty tree).
    """
    wanted = sorted({node_id for group in groups for node_id in group})
    if not wanted:
        return [EMPTY_ROOT for _ in groups]
    nodes = fetch(wanted)
    return [hash_from_nodes(group, nodes) for group in groups]


def inclusion_proof(index: int, size: int, fetch: NodeFetcher) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from storage."""
    return _hashes_of(inclusion_proof_node_ids(index, size), fetch)


def consistency_proof(size1: int, size2: int, fetch: NodeFetcher) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of ``size1`` leaves to ``size2``, from storage."""
    return _hashes_of(consistency_proof_node_ids(size1, size2), fetch)


def tree_root(size: int, fetch: NodeFetcher) -> bytes:
    """The root of the tree of ``size`` leaves, from its stored right edge."""
    return _hashes_of([root_node_ids(size)], fetch)[0]


# --- verification ----------------------------------------------------------------------------


def _hash_arg(value: bytes, what: str, error: type[ValueError] = ProofError) -> bytes:
    """``value`` as bytes if it has the length of a SHA-256 hash; a truncated hash never verifies."""
    if len(value) != HASH_SIZE:
        raise error(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")
    return bytes(value)


def _proof_hashes(proof: Sequence[bytes], expected: int, what: str) -> list[bytes]:
    """Check the proof has exactly the length its sizes imply, so a wrong one fails with a clear reason."""
    if len(proof) != expected:
        raise ProofError(f"{what} has {len(proof)} hashes, expected {expected}")
    return [_hash_arg(value, f"proof hash {i}") for i, value in enumerate(proof)]


def root_from_inclusion_proof(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` (RFC 9162 section 2.1.3.2, steps 1-4).

    ``fn`` and ``sn`` track the node's and the last node's positions at each level; whether the
    proof hash goes left or right of the running hash follows from them alone.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    running = _hash_arg(leaf_hash, "leaf hash")
    path = _proof_hashes(proof, len(inclusion_proof_node_ids(index, size)), "inclusion proof")
    fn, sn = index, size - 1
    for value in path:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            running = node_hash(value, running)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            running = node_hash(running, value)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    return running


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``leaf_hash`` at ``index`` in the tree with ``root``."""
    expected = _hash_arg(root, "root")
    if root_from_inclusion_proof(leaf_hash, index, size, proof) != expected:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the root of tree size {size}")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows tree ``size2`` (``root2``) extends tree ``size1`` (``root1``).

    RFC 9162 section 2.1.4.2 for 0 < size1 < size2. Around it: equal sizes need an empty proof
    and equal roots; the empty tree has the fixed root ``EMPTY_ROOT`` and is extended by any
    tree, with an empty proof.
    """
    if size1 < 0 or size2 < 0:
        raise ProofError(f"tree sizes must not be negative: {size1}, {size2}")
    if size1 > size2:
        raise ProofError(f"tree size {size2} is smaller than {size1}: a log cannot shrink")
    if size1 == 0 or size1 == size2:
        _verify_trivial_consistency(size1, size2, proof, root1, root2)
        return
    first = _hash_arg(root1, "root1")
    second = _hash_arg(root2, "root2")
    path = _proof_hashes(proof, len(consistency_proof_node_ids(size1, size2)), "consistency proof")
    if size1 & (size1 - 1) == 0:
        # The old tree is a complete subtree the proof leaves out: its root is the starting point.
        path.insert(0, first)
    old, new = _roots_from_consistency_path(size1, size2, path)
    if old != first:
        raise ProofError(f"consistency proof does not lead to root1 of tree size {size1}")
    if new != second:
        raise ProofError(f"consistency proof does not lead to root2 of tree size {size2}")


def _verify_trivial_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """The cases around RFC 9162's algorithm: from the empty tree, or between trees of equal size."""
    if proof:
        raise ProofError(f"consistency proof from size {size1} to {size2} must be empty, got {len(proof)} hashes")
    if size1 == 0 and bytes(root1) != EMPTY_ROOT:
        raise ProofError("root1 is not the root of the empty tree")
    if size1 == size2:
        if bytes(root1) != bytes(root2):
            raise ProofError(f"trees of equal size {size1} have different roots")
    else:
        _hash_arg(root2, "root2")


def _roots_from_consistency_path(size1: int, size2: int, path: list[bytes]) -> tuple[bytes, bytes]:
    """The roots of trees ``size1`` and ``size2`` that ``path`` leads to (RFC 9162 2.1.4.2, 0 < size1 < size2)."""
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old = new = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            old = node_hash(value, old)
            new = node_hash(value, new)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            new = node_hash(new, value)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    return old, new


# --- appending -------------------------------------------------------------------------------


class CompactRange:
    """The right edge of a tree of `size` leaves: the hashes of its complete subtrees (one per set
    bit of size), enough to append leaves and compute the root without reading storage.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self, size: int, peaks: Sequence[bytes]) -> None:
        """``peaks`` are the hashes of ``root_node_ids(size)``, left to right."""
        if size < 0:
            raise ValueError(f"invalid tree size {size}")
        if len(peaks) != size.bit_count():
            raise ValueError(f"a tree of size {size} has {size.bit_count()} peaks, got {len(peaks)}")
        self._size = size
        self._peaks = [_hash_arg(peak, f"peak {i}", ValueError) for i, peak in enumerate(peaks)]

    @classmethod
    def from_fetch(cls, size: int, fetch: NodeFetcher) -> CompactRange:
        """Resume appending to a stored tree, reading its right edge in one fetch."""
        ids = root_node_ids(size)
        nodes = fetch(ids) if ids else {}
        return cls(size, [_stored(nodes, node_id) for node_id in ids])

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def peaks(self) -> tuple[bytes, ...]:
        """The hashes of ``root_node_ids(size)``, left to right."""
        return tuple(self._peaks)

    def append(self, leaf_hash: bytes) -> list[tuple[NodeId, bytes]]:
        """Add one leaf; return every node this completed, the leaf (level 0) first, for storage.

        Each trailing 1 bit of the old size is a peak that the new leaf's subtree now pairs with,
        like a carry in binary addition; the merged result becomes a new, larger peak.
        """
        value = _hash_arg(leaf_hash, "leaf hash", ValueError)
        level, index = 0, self._size
        completed: list[tuple[NodeId, bytes]] = [((level, index), value)]
        while index & 1:
            value = node_hash(self._peaks.pop(), value)
            level += 1
            index >>= 1
            completed.append(((level, index), value))
        self._peaks.append(value)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """The root of the tree so far (``EMPTY_ROOT`` when empty)."""
        return _fold(self._peaks)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"
