"""Evidence deposit: an enterprise's deposits (private) and the public append-only log.

Two worlds live here on purpose. ``Deposit`` is the enterprise's own record (title, file
name, digests, salt) and is readable by that enterprise alone. ``LogEntry``, ``LogNode``
and ``Checkpoint`` are the published log: they hold salted commitments only, which reveal
nothing about the files, and anyone may mirror them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope


class Deposit(models.Model):
    """One file's digests, deposited by an enterprise; the file itself never reaches us."""

    class Source(models.TextChoices):
        BROWSER = "browser", _("Browser")
        CLIENT = "client", _("Command-line client")
        API = "api", _("API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="deposits", verbose_name=_("enterprise")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("depositor")
    )
    title = models.CharField(_("title"), max_length=200)
    secret_point = models.CharField(_("secret point"), max_length=200, blank=True, db_index=True)
    project = models.CharField(_("project"), max_length=200, blank=True, db_index=True)
    version_note = models.CharField(_("version note"), max_length=500, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    file_name = models.CharField(_("file name"), max_length=500, blank=True)
    file_size = models.BigIntegerField(_("file size"), null=True, blank=True)
    # The file's digests and the salt are kept only when the enterprise escrows them with the
    # platform (escrowed); otherwise they stay in the enterprise's receipt, the salt derived
    # from the enterprise's own deposit key, and a copy of this table confirms no guess.
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True, blank=True)
    sm3 = models.CharField("SM3", max_length=64, blank=True)
    salt = models.CharField(_("salt"), max_length=64, blank=True)
    escrowed = models.BooleanField(_("salt and digests escrowed"), default=False)
    # When a complete (sequenced) receipt last left the platform: escrowed secrets may be
    # forgotten only after that, or the enterprise could be left with nothing to prove with.
    receipt_exported_at = models.DateTimeField(_("receipt exported at"), null=True, blank=True)
    commitment = models.CharField(_("commitment"), max_length=64)
    sm3_commitment = models.CharField(_("SM3 commitment"), max_length=64, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.BROWSER)
    leaf_index = models.BigIntegerField(_("log index"), null=True, blank=True, unique=True)
    sequenced_at = models.DateTimeField(_("sequenced at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(
        enterprises=("enterprise",),
        enterprise_private=True,
        grants={
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW, ADD}),
        },
    )

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        indexes = [
            # The sequencer's question: which deposits have no index yet, oldest first.
            models.Index(fields=["leaf_index", "accepted_at"], name="evidence_pending_idx"),
            models.Index(fields=["enterprise", "-accepted_at"], name="evidence_ent_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sequenced(self) -> bool:
        return self.leaf_index is not None


class LogState(models.Model):
    """The one row that says how big the log is; sequencers lock it to take turns."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    origin = models.CharField(max_length=200)
    size = models.BigIntegerField(default=0)
    root = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("log state")

    def __str__(self) -> str:
        return f"{self.origin} ({self.size})"


class LogEntry(models.Model):
    """Leaf ``index`` of the log: the exact bytes that were hashed (docs/evidence-log.md)."""

    index = models.BigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["index"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"entry {self.index}"


# A node's key packs (level, index) into one integer so a proof's O(log n) nodes come back
# by primary key in one query. 2**48 leaves is far beyond any deposit volume.
NODE_INDEX_BITS = 48


def node_key(level: int, index: int) -> int:
    return (level << NODE_INDEX_BITS) | index


def node_id(key: int) -> tuple[int, int]:
    return key >> NODE_INDEX_BITS, key & ((1 << NODE_INDEX_BITS) - 1)


class LogNode(models.Model):
    """The hash of one complete subtree: level L, index i covers leaves [i*2^L, (i+1)*2^L)."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"

    @property
    def level(self) -> int:
        return node_id(self.key)[0]

    @property
    def index(self) -> int:
        return node_id(self.key)[1]


class Checkpoint(models.Model):
    """A signed statement of the log's size and root, published after each batch."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    timestamp_token = models.BinaryField(null=True, blank=True)
    timestamp_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["size"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class DepositAccess(models.Model):
    """Every read of an enterprise's private records: a deposit (page, receipt, certificate,
    export) or, through ``record_read``, a record of the apps above (the protection system's
    secret points, people and carriers), named by ``record_type`` and ``record_id`` with the
    name it had when it was read (the apps above are out of this app's sight)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, null=True, blank=True, related_name="accesses")
    record_type = models.CharField(max_length=64, blank=True)  # a model's label, "protection.SecretPoint"
    record_id = models.CharField(max_length=64, blank=True)
    record_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    # The enterprise's admins read who read its deposits (the access log page); no one else.
    scope = Scope(
        enterprises=("enterprise",),
        enterprise_private=True,
        grants={Role.ENTERPRISE_ADMIN: frozenset({VIEW})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class KeyRotation(models.Model):
    """A new signing key, announced in a checkpoint note signed by the old key and the new one.

    Public like the checkpoints: whoever pinned the first key follows these to the current one.
    """

    size = models.BigIntegerField()
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("key rotation")
        verbose_name_plural = _("key rotations")

    def __str__(self) -> str:
        return f"key rotation at {self.size}"
