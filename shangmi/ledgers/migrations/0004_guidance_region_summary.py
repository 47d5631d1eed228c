"""Per-region summaries of the half-year rule, kept by triggers (see the comment above
GuidanceRegionCount in shangmi/ledgers/models.py): the guided enterprises of each region, the
enterprises each officer follows there, and per year those covered in each half and in both.

Two sources feed them:

- ledgers_guidancehalfcount (itself kept from the visits by migration 0003's triggers): a row
  is inserted when an enterprise gets its first visit of a half and deleted when its last one
  goes, so its INSERT and DELETE are exactly the changes of "covered in this half";
- enterprises_enterprise: created, deleted, or updated in its region, its two officers or its
  liaison point, the enterprise's contribution is taken from the old row's region and given
  to the new one's (SQLite: row triggers guarded by WHEN; PostgreSQL: statement triggers over
  the transition tables, so that the import's COPY of 100,000 rows is three grouped statements).

The statements are the same on both databases but for how the written rows are named.
"""

from django.db import migrations, models
import django.db.models.deletion
from django.conf import settings

ENTERPRISES = "enterprises_enterprise"
COUNTS = "ledgers_guidancehalfcount"
REGIONS = "ledgers_guidanceregioncount"
OFFICERS = "ledgers_guidanceofficercount"
HALVES = "ledgers_guidanceregionhalf"
# The columns of an enterprise the summaries depend on.
COLUMNS = ("id", "region_id", "liaison_officer_id", "guidance_officer_id", "is_liaison_point")


def guided(ref):
    return f"({ref}.guidance_officer_id IS NOT NULL OR {ref}.liaison_officer_id IS NOT NULL OR {ref}.is_liaison_point)"


def upsert(table, keys, values, select):
    """Add ``select``'s values to ``table``'s rows of the same keys (``select`` has a WHERE:
    SQLite needs one before ON CONFLICT)."""
    sets = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    return (
        f"INSERT INTO {table} ({', '.join((*keys, *values))}) {select} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def enterprise_delta(rows, sign):
    """Statements adding (sign "+1") or taking away ("-1") the enterprises of the relation
    ``rows`` (columns COLUMNS) from the three summaries."""
    regions = upsert(
        REGIONS,
        ["region_id"],
        ["enterprises"],
        f"SELECT r.region_id, {sign} * COUNT(*) FROM {rows} r WHERE {guided('r')} GROUP BY r.region_id",
    )
    officers = upsert(
        OFFICERS,
        ["officer_id", "region_id"],
        ["enterprises"],
        f"SELECT o.officer_id, o.region_id, {sign} * COUNT(*) FROM ("
        f"SELECT r.id, r.region_id, r.liaison_officer_id AS officer_id FROM {rows} r "
        f"WHERE r.liaison_officer_id IS NOT NULL UNION "
        f"SELECT r.id, r.region_id, r.guidance_officer_id FROM {rows} r WHERE r.guidance_officer_id IS NOT NULL"
        f") o WHERE o.officer_id IS NOT NULL GROUP BY o.officer_id, o.region_id",
    )
    other_half = (
        f"EXISTS (SELECT 1 FROM {COUNTS} o WHERE o.enterprise_id = h.enterprise_id AND o.year = h.year AND o.half = 2)"
    )
    halves = upsert(
        HALVES,
        ["region_id", "year"],
        ["first_half", "second_half", "both_halves"],
        f"SELECT r.region_id, h.year, "
        f"{sign} * SUM(CASE WHEN h.half = 1 THEN 1 ELSE 0 END), "
        f"{sign} * SUM(CASE WHEN h.half = 2 THEN 1 ELSE 0 END), "
        f"{sign} * SUM(CASE WHEN h.half = 1 AND {other_half} THEN 1 ELSE 0 END) "
        f"FROM {rows} r JOIN {COUNTS} h ON h.enterprise_id = r.id WHERE {guided('r')} GROUP BY r.region_id, h.year",
    )
    return [regions, officers, halves]


def half_delta(ref, sign):
    """The region-and-year row of the summary when the half-count row ``ref`` appears (sign
    "1") or goes ("-1"): covered in its half, and in both when the other half is covered."""
    other_half = (
        f"EXISTS (SELECT 1 FROM {COUNTS} o WHERE o.enterprise_id = {ref}.enterprise_id "
        f"AND o.year = {ref}.year AND o.half = 3 - {ref}.half)"
    )
    return upsert(
        HALVES,
        ["region_id", "year"],
        ["first_half", "second_half", "both_halves"],
        f"SELECT e.region_id, {ref}.year, "
        f"{sign} * (CASE WHEN {ref}.half = 1 THEN 1 ELSE 0 END), "
        f"{sign} * (CASE WHEN {ref}.half = 2 THEN 1 ELSE 0 END), "
        f"{sign} * (CASE WHEN {other_half} THEN 1 ELSE 0 END) "
        f"FROM {ENTERPRISES} e WHERE e.id = {ref}.enterprise_id AND {guided('e')}",
    )


def backfill():
    """The three summaries counted afresh from the enterprises and the half counts."""
    regions = (
        f"INSERT INTO {REGIONS} (region_id, enterprises) SELECT e.region_id, COUNT(*) FROM {ENTERPRISES} e "
        f"WHERE {guided('e')} GROUP BY e.region_id"
    )
    officers = (
        f"INSERT INTO {OFFICERS} (officer_id, region_id, enterprises) SELECT o.officer_id, o.region_id, COUNT(*) FROM ("
        f"SELECT e.id, e.region_id, e.liaison_officer_id AS officer_id FROM {ENTERPRISES} e "
        f"WHERE e.liaison_officer_id IS NOT NULL UNION "
        f"SELECT e.id, e.region_id, e.guidance_officer_id FROM {ENTERPRISES} e WHERE e.guidance_officer_id IS NOT NULL"
        f") o GROUP BY o.officer_id, o.region_id"
    )
    halves = (
        f"INSERT INTO {HALVES} (region_id, year, first_half, second_half, both_halves) "
        f"SELECT e.region_id, h.year, SUM(h.first), SUM(h.second), SUM(h.first * h.second) FROM ("
        f"SELECT enterprise_id, year, MAX(CASE WHEN half = 1 THEN 1 ELSE 0 END) AS first, "
        f"MAX(CASE WHEN half = 2 THEN 1 ELSE 0 END) AS second FROM {COUNTS} GROUP BY enterprise_id, year"
        f") h JOIN {ENTERPRISES} e ON e.id = h.enterprise_id WHERE {guided('e')} GROUP BY e.region_id, h.year"
    )
    return [regions, officers, halves]


def _sqlite_sql():
    def row(ref):
        return "(SELECT " + ", ".join(f"{ref}.{c} AS {c}" for c in COLUMNS) + ")"

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS[1:])
    tidy = (
        f"DELETE FROM {REGIONS} WHERE region_id = OLD.region_id AND enterprises = 0; "
        f"DELETE FROM {OFFICERS} WHERE region_id = OLD.region_id "
        f"AND officer_id IN (OLD.liaison_officer_id, OLD.guidance_officer_id) AND enterprises = 0; "
        f"DELETE FROM {HALVES} WHERE region_id = OLD.region_id AND first_half = 0 AND second_half = 0;"
    )

    def body(statements):
        return " ".join(s + ";" for s in statements)

    return [
        f"CREATE TRIGGER guidance_region_half_insert AFTER INSERT ON {COUNTS} BEGIN {half_delta('NEW', '1')}; END",
        f"CREATE TRIGGER guidance_region_half_delete AFTER DELETE ON {COUNTS} BEGIN {half_delta('OLD', '-1')}; "
        f"DELETE FROM {HALVES} WHERE region_id = (SELECT region_id FROM {ENTERPRISES} WHERE id = OLD.enterprise_id) "
        f"AND year = OLD.year AND first_half = 0 AND second_half = 0; END",
        f"CREATE TRIGGER guidance_summary_enterprise_insert AFTER INSERT ON {ENTERPRISES} WHEN {guided('NEW')} "
        f"BEGIN {body(enterprise_delta(row('NEW'), '1'))} END",
        f"CREATE TRIGGER guidance_summary_enterprise_delete AFTER DELETE ON {ENTERPRISES} WHEN {guided('OLD')} "
        f"BEGIN {body(enterprise_delta(row('OLD'), '-1'))} {tidy} END",
        f"CREATE TRIGGER guidance_summary_enterprise_update AFTER UPDATE OF {', '.join(COLUMNS[1:])} ON {ENTERPRISES} "
        f"WHEN ({changed}) AND ({guided('OLD')} OR {guided('NEW')}) "
        f"BEGIN {body(enterprise_delta(row('OLD'), '-1'))} {body(enterprise_delta(row('NEW'), '1'))} {tidy} END",
    ]


def _postgresql_sql():
    differ = f"({', '.join('o.' + c for c in COLUMNS[1:])}) IS DISTINCT FROM ({', '.join('n.' + c for c in COLUMNS[1:])})"

    def changed(side):
        return (
            f"(SELECT {', '.join(side + '.' + c + ' AS ' + c for c in COLUMNS)} "
            f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differ})"
        )

    def body(statements):
        return "\n".join(s + ";" for s in statements)

    tidy = (
        f"DELETE FROM {REGIONS} WHERE enterprises = 0;\n"
        f"DELETE FROM {OFFICERS} WHERE enterprises = 0;\n"
        f"DELETE FROM {HALVES} WHERE first_half = 0 AND second_half = 0;"
    )
    return [
        f"""
        CREATE FUNCTION guidance_region_half() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {half_delta('NEW', '1')};
            ELSE
                {half_delta('OLD', '-1')};
                DELETE FROM {HALVES} h USING {ENTERPRISES} e
                 WHERE e.id = OLD.enterprise_id AND h.region_id = e.region_id AND h.year = OLD.year
                   AND h.first_half = 0 AND h.second_half = 0;
            END IF;
            RETURN NULL;
        END $$
        """,
        f"CREATE TRIGGER guidance_region_half AFTER INSERT OR DELETE ON {COUNTS} "
        "FOR EACH ROW EXECUTE FUNCTION guidance_region_half()",
        f"""
        CREATE FUNCTION guidance_summary_enterprise() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {body(enterprise_delta("new_rows", "1"))}
            ELSIF TG_OP = 'DELETE' THEN
                {body(enterprise_delta("old_rows", "-1"))}
                {tidy}
            ELSE
                IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differ}) THEN
                    RETURN NULL;
                END IF;
                {body(enterprise_delta(changed("o"), "-1"))}
                {body(enterprise_delta(changed("n"), "1"))}
                {tidy}
            END IF;
            RETURN NULL;
        END $$
        """,
        # One trigger per event: PostgreSQL names transition tables for a single event only.
        f"CREATE TRIGGER guidance_summary_enterprise_insert AFTER INSERT ON {ENTERPRISES} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION guidance_summary_enterprise()",
        f"CREATE TRIGGER guidance_summary_enterprise_update AFTER UPDATE ON {ENTERPRISES} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION guidance_summary_enterprise()",
        f"CREATE TRIGGER guidance_summary_enterprise_delete AFTER DELETE ON {ENTERPRISES} "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION guidance_summary_enterprise()",
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite_sql, "postgresql": _postgresql_sql}[vendor]()
    for sql in [*backfill(), *statements]:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS guidance_summary_enterprise_{name} ON {ENTERPRISES}", params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS guidance_region_half ON {COUNTS}", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS guidance_summary_enterprise()", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS guidance_region_half()", params=None)
    else:
        for name in ("insert", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS guidance_region_half_{name}", params=None)
        for name in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS guidance_summary_enterprise_{name}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0002_enterprise_guidance_officer_and_more"),
        ("regions", "0001_initial"),
        ("ledgers", "0003_guidance_half_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GuidanceRegionCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enterprises", models.IntegerField(default=0)),
                (
                    "region",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="GuidanceOfficerCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enterprises", models.IntegerField(default=0)),
                (
                    "officer",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("officer", "region"), name="guidance_officer_count_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="GuidanceRegionHalf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField()),
                ("first_half", models.IntegerField(default=0)),
                ("second_half", models.IntegerField(default=0)),
                ("both_halves", models.IntegerField(default=0)),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("region", "year"), name="guidance_region_half_unique")],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
