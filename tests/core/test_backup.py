"""The backup drill: a world with data backed up, wiped, restored; every table's rows equal,
the uploaded files and the evidence signer state back, the evidence log's audit clean."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from shangmi.core.backup import (
    KEY_MEMBER,
    PASSPHRASE_TOO_SHORT,
    WRONG_PASSPHRASE,
    backup_create,
    backup_restore,
    database_counts,
)
from shangmi.core.errors import AppError
from shangmi.evidence.audit import audit_log
from shangmi.evidence.log import log_sequence, log_signer
from shangmi.jobs.models import Job
from tests.evidence.factories import deposit_many

PASSPHRASE = "correct horse battery staple"


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def populated(world, tmp_media, tmp_path, settings):
    settings.SHANGMI_EVIDENCE_KEY_FILE = tmp_path / "keys" / "evidence-log.key"
    log_signer()  # creates the key in its file, as evidence_init does
    # The signer's state beside the key (issue 13 keeps one there): archived like any file of the folder.
    (tmp_path / "keys" / "signer-state.json").write_text('{"last_size": 7}')
    deposit_many(world.ent_admin_in, 7)
    log_sequence()
    job = Job(kind="enterprise_import", title="导入", created_by=world.regulator_in)
    job.input_file.save("企业名单.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"))
    return world


def wipe(settings) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for root in (Path(settings.MEDIA_ROOT), Path(settings.SHANGMI_EVIDENCE_KEY_FILE).parent):
        for path in sorted(root.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_everything(populated, tmp_path, settings):
    key_dir = Path(settings.SHANGMI_EVIDENCE_KEY_FILE).parent
    counts, media, keys = database_counts(), files_of(Path(settings.MEDIA_ROOT)), files_of(key_dir)
    assert counts["evidence_deposit"] == 7 and counts["jobs_job"] == 1 and len(media) == 1
    archive = tmp_path / "backup.tar.gz"

    manifest = backup_create(output=archive, passphrase=PASSPHRASE)

    assert manifest.tables == counts
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        sealed = tar.extractfile(KEY_MEMBER).read()
    assert "evidence/signer-state.json" in names
    # The key travels only sealed: neither its file nor its bytes are in the archive in clear.
    assert "evidence/evidence-log.key" not in names
    assert keys["evidence-log.key"] not in sealed

    wipe(settings)
    assert database_counts()["evidence_deposit"] == 0
    assert not files_of(Path(settings.MEDIA_ROOT)) and not files_of(key_dir)

    backup_restore(archive=archive, passphrase=PASSPHRASE)

    assert database_counts() == counts
    assert files_of(Path(settings.MEDIA_ROOT)) == media
    assert files_of(key_dir) == keys
    assert (Path(settings.SHANGMI_EVIDENCE_KEY_FILE).stat().st_mode & 0o777) == 0o600
    audit = audit_log()
    assert audit.ok and audit.size == 7, audit.problems
    call_command("audit_evidence_log")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_passphrase_restores_nothing(populated, tmp_path, settings):
    archive = tmp_path / "backup.tar.gz"
    backup_create(output=archive, passphrase=PASSPHRASE)
    wipe(settings)
    with pytest.raises(AppError) as refused:
        backup_restore(archive=archive, passphrase="not the passphrase at all")
    assert refused.value.message is WRONG_PASSPHRASE
    assert database_counts()["evidence_deposit"] == 0
    assert not files_of(Path(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_a_short_passphrase_is_refused_before_anything_is_written(populated, tmp_path):
    with pytest.raises(AppError) as refused:
        backup_create(output=tmp_path / "b.tar.gz", passphrase="short")
    assert refused.value.message is PASSPHRASE_TOO_SHORT
    assert not list(tmp_path.glob("b.tar.gz*"))


@pytest.mark.django_db(transaction=True)
def test_the_commands(populated, tmp_path, settings, monkeypatch, capsys):
    monkeypatch.setenv("SHANGMI_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "nightly.tar.gz"
    counts = database_counts()
    call_command("backup", output=str(archive))
    assert "signing key encrypted" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    wipe(settings)
    call_command("restore", str(archive), yes=True)
    assert database_counts() == counts
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("hello")
    with pytest.raises(CommandError, match=r"不是商秘的备份文件.* / .*is not a Shangmi backup archive"):
        call_command("restore", str(not_an_archive), yes=True)
