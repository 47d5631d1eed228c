"""The public portal: every page opens without an account, shows what is published, and never
a draft, an alert that is not public, or anything private."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.knowledge import services
from shangmi.knowledge.loading import knowledge_load
from shangmi.knowledge.models import CountryGuide, Law

pytestmark = pytest.mark.django_db


def _world_of_drafts_and_published(world: Any) -> dict[str, Any]:
    knowledge_load()
    regulator, reviewer = world.regulator_in, world.city_regulator

    def case(title: str) -> Any:
        data = services.CaseInput(
            title=title, summary=f"{title}的案情", authority="江北区市场监管局",
            decided_on=datetime.date(2026, 5, 1), outcome="罚款", articles=[],
        )  # fmt: skip
        return services.case_create(user=regulator, data=data)

    published_case = case("公开的典型案例甲")
    services.case_submit(user=regulator, case=published_case)
    services.case_review(user=reviewer, case=published_case, approve=True)
    submitted_case = case("待审核的案例乙")
    services.case_submit(user=regulator, case=submitted_case)
    case("草稿案例丙")
    news = services.news_create(user=regulator, title="已发布的新闻丁", body="宣传月活动启动。")
    services.news_publish(user=regulator, article=news)
    services.news_create(user=regulator, title="草稿新闻戊", body="尚未发布。")
    public_alert = services.alert_create(
        user=regulator,
        data=services.AlertInput(title="公开风险提示己", body="注意。", countries=["US"], is_public=True),
    )
    services.alert_publish(user=regulator, alert=public_alert)
    private_alert = services.alert_create(
        user=regulator, data=services.AlertInput(title="内部风险提示庚", body="仅对企业。", countries=["US"])
    )
    services.alert_publish(user=regulator, alert=private_alert)
    services.alert_create(
        user=regulator,
        data=services.AlertInput(title="草稿风险提示辛", body="草稿。", countries=["US"], is_public=True),
    )
    services.export_market_add(user=world.ent_admin_in, country="US")
    return {
        "shown": ["公开的典型案例甲", "已发布的新闻丁", "公开风险提示己"],
        "hidden": ["待审核的案例乙", "草稿案例丙", "草稿新闻戊", "内部风险提示庚", "草稿风险提示辛", world.ent_in.name],
        "case": published_case,
        "news": news,
        "alert": public_alert,
        "drafts": [submitted_case],
    }


def _portal_pages(rows: dict[str, Any]) -> list[str]:
    law = Law.objects.get(code="criminal-law")
    guide = CountryGuide.objects.get(code="US")
    return [
        reverse("portal:home"),
        reverse("portal:law_list"),
        reverse("portal:law_detail", args=[law.pk]),
        reverse("portal:country_list"),
        reverse("portal:country_detail", args=[guide.pk]),
        reverse("portal:country_compare") + "?c=US&c=DE&c=KR",
        reverse("portal:case_list"),
        reverse("portal:case_detail", args=[rows["case"].pk]),
        reverse("portal:alert_list"),
        reverse("portal:alert_detail", args=[rows["alert"].pk]),
        reverse("portal:news_list"),
        reverse("portal:news_detail", args=[rows["news"].pk]),
        reverse("portal:institution_list"),
        reverse("portal:search") + "?q=案例",
        reverse("portal:search") + "?q=风险提示",
        reverse("portal:search") + "?q=新闻",
        reverse("sitemap_xml"),
        reverse("robots_txt"),
    ]


def test_the_portal_shows_the_published_and_never_a_draft(world: Any, client: Any) -> None:
    rows = _world_of_drafts_and_published(world)
    seen = ""
    for url in _portal_pages(rows):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for hidden in rows["hidden"]:
            assert hidden not in text, f"{url} shows {hidden!r}"
        seen += text
    for shown in rows["shown"]:
        assert shown in seen
    # A draft's public page is a 404, like a row that does not exist.
    for draft in rows["drafts"]:
        assert client.get(reverse("portal:case_detail", args=[draft.pk])).status_code == 404


def test_public_pages_are_indexable(world: Any, client: Any) -> None:
    rows = _world_of_drafts_and_published(world)
    home = client.get(reverse("portal:home")).content.decode()
    assert '<meta name="description"' in home and "<title>" in home
    assert "cdn" not in home.lower()
    case_page = client.get(reverse("portal:case_detail", args=[rows["case"].pk])).content.decode()
    assert "<title>公开的典型案例甲" in case_page
    sitemap = client.get(reverse("sitemap_xml")).content.decode()
    assert f"/portal/cases/{rows['case'].pk}/" in sitemap
    assert "/portal/cases/" + str(rows["drafts"][0].pk) + "/" not in sitemap
    robots = client.get(reverse("robots_txt")).content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /\n" in robots


def test_the_law_page_shows_the_articles_in_force_on_a_date(world: Any, client: Any) -> None:
    knowledge_load()
    law = Law.objects.get(code="criminal-law")
    url = reverse("portal:law_detail", args=[law.pk])
    before = client.get(url + "?on=2020-06-01").content.decode()
    after = client.get(url + "?on=2022-06-01").content.decode()
    assert "三年以上七年以下" in before and "三年以上十年以下" not in before
    assert "三年以上十年以下" in after and "三年以上七年以下" not in after
    assert "summary, not the official text" in after or "摘要" in after
    bad = client.get(url + "?on=2020-13-45").content.decode()
    assert "2020-13-45" in bad


def _pdf_text_and_png(content: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / name)], check=True)
    assert list(tmp_path.glob(f"{name}*.png"))
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_bulletin_and_the_compilation_are_pdfs_in_chinese(world: Any, client: Any, tmp_path: Path) -> None:
    rows = _world_of_drafts_and_published(world)
    month = program_today().strftime("%Y-%m")
    bulletin = client.get(reverse("portal:bulletin") + f"?month={month}")
    assert bulletin["Content-Type"] == "application/pdf"
    text = _pdf_text_and_png(bulletin.content, tmp_path, "bulletin")
    assert "已发布的新闻丁" in text and "草稿新闻戊" not in text
    compilation = client.get(reverse("portal:case_compilation") + "?region=500105")
    text = _pdf_text_and_png(compilation.content, tmp_path, "cases")
    assert "公开的典型案例甲" in text and "草稿案例丙" not in text and "待审核的案例乙" not in text
    assert client.get(reverse("portal:bulletin") + "?month=2026-13").status_code == 404
    assert client.get(reverse("portal:case_compilation") + "?region=999999").status_code == 404
    assert rows["case"].pk
