"""THE isolation test: every URL of the project, walked with a user inside and one outside.

Nothing here lists the pages by hand. The URL patterns are read from the resolver, the
model of each page is read from its view (``model`` on the view class or viewset), and
the objects are made by a factory keyed by model. A page added tomorrow is walked
tomorrow; a page whose model cannot be found, or a model with no factory, fails with a
message saying what to declare.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shangmi.core.scoping import VIEW
from shangmi.jobs.workers import heartbeat_beat

# URLs that need no model: signing in and out, the language switch, the API's own
# machinery. Everything else must say which model it shows. Keep this list short.
PUBLIC = {
    "home:home",
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    # The owner of a locked account asks for an unlock link, then follows it (no account is
    # named by the URL; the answer never says whether one exists).
    "accounts:unlock_request",
    "accounts:unlock_link",
    # One's own API token: the page reads request.user's token and nothing else.
    "accounts:tokens",
    "set_language",
    "api-root",
    "api-token",
    "api-schema",
    "api-docs",
    # The evidence log is public on purpose: commitments only, for mirrors and auditors.
    "evidence:log_key",
    "evidence:log_keys",
    "evidence:log_checkpoint",
    "evidence:log_checkpoints",
    "evidence:log_entries",
    "evidence:log_inclusion",
    "evidence:log_consistency",
    "evidence:verify",
    "evidence:verify_check",
    # States and a count only, for the proxy and the monitor (shangmi/home/health.py).
    "home:health",
    # The public portal's front page and what search engines read: published rows only.
    "portal:home",
    "robots_txt",
    "sitemap_xml",
}
# Public URLs an anonymous visitor may open (the rest of PUBLIC still needs a sign-in).
ANONYMOUS_OK = {
    "accounts:login",
    "accounts:logout",
    "accounts:unlock_request",
    "accounts:unlock_link",
    "set_language",
    "api-token",
    "api-schema",
    "api-docs",
    *(name for name in PUBLIC if name.startswith("evidence:")),
    # Titles are announced publicly; the plaque's QR code leads to the title's public page.
    "creation:announcements",
    "creation:title_public",
    "home:health",
    # Anyone reports an infringement and follows it by its tracking code (shangmi/enforcement).
    "enforcement:clue_report",
    "enforcement:clue_track",
    # The public portal (shangmi/portal): laws, country guides, published cases, news and public
    # alerts, institutions, search over published entries; tests/knowledge/test_portal.py
    # checks that no draft and nothing private shows there.
    "portal:home",
    "portal:search",
    "portal:law_list",
    "portal:law_detail",
    "portal:country_list",
    "portal:country_compare",
    "portal:country_detail",
    "portal:case_list",
    "portal:case_compilation",
    "portal:case_detail",
    "portal:alert_list",
    "portal:alert_detail",
    "portal:news_list",
    "portal:bulletin",
    "portal:news_detail",
    "portal:institution_list",
    "robots_txt",
    "sitemap_xml",
}

ROLE_PAIRS = ["regulator", "ent_admin", "ent_staff", "park_operator", "officer", "expert"]
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass
class Endpoint:
    route: str
    name: str | None
    callback: Callable[..., Any]
    kwargs: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", self.route)
        return "/" + route.replace("^", "").replace("$", "").replace("\\", "")

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def object_kwargs(self) -> list[str]:
        return [k for k in self.kwargs if k != "format"]

    def url(self, **kwargs: Any) -> str:
        if "format" in self.kwargs:
            kwargs["format"] = "json"
        return reverse(self.name, kwargs=kwargs or None)

    def write_methods(self) -> list[str]:
        actions = getattr(self.callback, "actions", None)
        cls = self.view_class
        if cls is None:
            return []
        allowed = [m.lower() for m in getattr(cls, "http_method_names", [])]
        if actions is not None:  # a DRF viewset route: the methods it maps
            return [m for m in WRITE_METHODS if m in actions and m in allowed]
        return [m for m in WRITE_METHODS if m in allowed and hasattr(cls, m)]


def _walk(
    patterns: list[Any], prefix: str = "", namespaces: tuple[str, ...] = (), kwargs: tuple[str, ...] = ()
) -> Iterator[Endpoint]:
    for pattern in patterns:
        groups = tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns, kwargs + groups)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield Endpoint(prefix + str(pattern.pattern), name, pattern.callback, list(kwargs + groups))


ENDPOINTS = list(_walk(get_resolver().url_patterns))
ENDPOINT_IDS = [e.id for e in ENDPOINTS]


def view_model(endpoint: Endpoint) -> type[models.Model] | None:
    cls = endpoint.view_class
    if cls is None:
        return None
    model = getattr(cls, "model", None)
    if model is None:
        model = getattr(getattr(cls, "queryset", None), "model", None)
    return model


def view_action(endpoint: Endpoint) -> str:
    if getattr(endpoint.callback, "actions", None) is not None:
        return VIEW  # GET on a viewset
    action = getattr(endpoint.view_class, "action", VIEW)
    return action if isinstance(action, str) else VIEW


# --- objects per model: (world, side user, "in"/"out") -> object of that side --------------


def _job(world: Any, user: Any, side: str) -> Any:
    from shangmi.jobs.models import Job

    job = Job.objects.create(
        kind="export", title=f"job of {user.username}", created_by=user, status=Job.Status.SUCCEEDED
    )
    job.output_file.save(f"{side}.txt", ContentFile(b"output"), save=True)
    return job


def _deposit(world: Any, user: Any, side: str) -> Any:
    """A deposit of the side's enterprise, made by its admin whatever the walking role."""
    from shangmi.evidence.models import Deposit
    from shangmi.evidence.services import DepositInput, deposits_create

    title = f"{side}-side secret formula 配方"
    existing = Deposit.objects.filter(title=title).first()
    if existing:
        return existing
    admin = getattr(world, f"ent_admin_{side}")
    digest = ("a1" if side == "in" else "b2") * 32
    return deposits_create(user=admin, items=[DepositInput(title=title, sha256=digest, sm3=digest)])[0]


def _standard() -> Any:
    """A two-item standard made directly, so the walk does not depend on the data files."""
    from shangmi.standards.models import Category, Criterion, Item, Standard

    standard, created = Standard.objects.get_or_create(
        code="walk-standard",
        version="1",
        defaults={"title": "walk standard", "kind": Standard.Kind.POINTS, "max_total": 100, "content_sha256": "0" * 64},
    )
    if created:
        category = Category.objects.create(standard=standard, number=1, title="组织机构健全", points=5)
        criterion = Criterion.objects.create(category=category, number=1, code="1.1", title="领导小组", points=5)
        for order, (code, points) in enumerate((("1.1.a", 3), ("1.1.b", 2))):
            Item.objects.create(
                standard=standard, criterion=criterion, code=code, text=f"item {code}", points=points, order=order
            )
    return standard


def _round(world: Any) -> Any:
    import datetime

    from shangmi.creation.models import DemoType, Level, Round

    existing = Round.objects.filter(title="walk round").first()
    if existing:
        return existing
    round_ = Round.objects.create(
        title="walk round",
        year=2026,
        demo_type=DemoType.UNIT,
        level=Level.MUNICIPAL,
        standard=_standard(),
        region=world.chongqing,
        deadline=datetime.date(2026, 9, 30),
        created_by=world.city_regulator,
    )
    round_.covered_regions.add(world.chongqing)
    return round_


def _application(world: Any, user: Any, side: str) -> Any:
    """The side's enterprise applies (a draft with one evidence file), whatever the walking role."""
    import datetime

    from shangmi.creation.models import Application, EvidenceFile, ExpertAssignment, Stage

    enterprise = getattr(world, f"ent_{side}")
    existing = Application.objects.filter(enterprise=enterprise).first()
    if existing:
        return existing
    round_ = _round(world)
    application = Application.objects.create(
        round=round_,
        standard=round_.standard,
        applicant_kind=Application.ApplicantKind.ENTERPRISE,
        enterprise=enterprise,
        park=enterprise.park,
        region=enterprise.region,
        applicant_name=enterprise.name,
        created_by=getattr(world, f"ent_admin_{side}"),
    )
    evidence = EvidenceFile(
        application=application,
        original_name=f"{side}-side 保密制度.pdf",
        content_type="application/pdf",
        size=6,
        sha256="c3" * 32,
        uploaded_by=getattr(world, f"ent_admin_{side}"),
    )
    evidence.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    # The side's expert is asked to judge it at its first stage (the expert pair's insider).
    stage = Stage.objects.create(application=application, index=0, region=enterprise.region, kind=Stage.Kind.INITIAL)
    ExpertAssignment.objects.create(
        application=application,
        stage=stage,
        expert=getattr(world, f"expert_{side}"),
        due_on=datetime.date(2026, 12, 31),
        assigned_by=getattr(world, f"regulator_{side}"),
    )
    return application


def _expert_assignment(world: Any, user: Any, side: str) -> Any:
    return _application(world, user, side).expert_assignments.get()


def _expert_profile(world: Any, user: Any, side: str) -> Any:
    """The side's expert in the pool, with one declared conflict."""
    from shangmi.experts.models import Conflict, Expertise, ExpertProfile

    expert = getattr(world, f"expert_{side}")
    profile, created = ExpertProfile.objects.get_or_create(
        user=expert, defaults={"registered_by": getattr(world, f"regulator_{side}")}
    )
    if created:
        Expertise.objects.create(profile=profile, field="law")
        Conflict.objects.create(
            profile=profile, uscc=world.ent_out.uscc, name=world.ent_out.name, reason="顾问", declared_by=expert
        )
    return profile


def _evidence_file(world: Any, user: Any, side: str) -> Any:
    return _application(world, user, side).evidence.first()


def _title(world: Any, user: Any, side: str) -> Any:
    import datetime

    from shangmi.creation.models import Title

    application = _application(world, user, side)
    title, _created = Title.objects.get_or_create(
        application=application,
        defaults={
            "number": f"CQ-2026-{side}",
            "holder_name": application.applicant_name,
            "demo_type": application.round.demo_type,
            "level": application.round.level,
            # Awarded by the side's own district, so the outsider may not revoke it.
            "awarding_region": application.region,
            "holder_region": application.region,
            "year": 2026,
            "awarded_on": datetime.date(2026, 11, 1),
            "valid_until": datetime.date(2029, 10, 31),
        },
    )
    return title


def _target(world: Any, user: Any, side: str) -> Any:
    from shangmi.targets.models import Target

    region = world.jiangbei if side == "in" else world.jiangjin
    return Target.objects.get_or_create(
        region=region, year=2026, metric="demonstration", demo_type="unit", levels="municipal", defaults={"minimum": 5}
    )[0]


def _target_program(world: Any, user: Any, side: str) -> Any:
    from shangmi.targets.models import TargetProgram

    region = world.jiangbei if side == "in" else world.jiangjin
    return TargetProgram.objects.get_or_create(
        region=region,
        title=f"{side} three-year stations",
        defaults={
            "demo_type": "station",
            "levels": "municipal",
            "total": 10,
            "start_year": 2026,
            "shares": [20, 40, 40],
            "created_by": world.admin,
        },
    )[0]


def _coaching(world: Any, user: Any, side: str) -> Any:
    from shangmi.targets.models import CoachingEnrolment

    return CoachingEnrolment.objects.get_or_create(
        enterprise=getattr(world, f"ent_{side}"), year=2026, defaults={"added_by": world.admin}
    )[0]


def _notification(world: Any, user: Any, side: str) -> Any:
    from shangmi.notices.models import Notification

    return Notification.objects.create(recipient=user, title=f"notice for {user.username}")


def _station(world: Any, user: Any, side: str) -> Any:
    from shangmi.network.models import Station

    enterprise = getattr(world, f"ent_{side}")
    station, created = Station.objects.get_or_create(
        name=f"{side}-side 指导站",
        region=enterprise.region,
        defaults={"park": enterprise.park, "officer": getattr(world, f"officer_{side}")},
    )
    if created:
        station.enterprises.add(enterprise)
    return station


def _visit(world: Any, user: Any, side: str) -> Any:
    import datetime

    from django.utils import timezone

    from shangmi.ledgers.models import GuidanceVisit, VisitAttachment

    enterprise = getattr(world, f"ent_{side}")
    existing = GuidanceVisit.objects.filter(enterprise=enterprise).first()
    if existing:
        return existing
    officer = getattr(world, f"officer_{side}")
    visit = GuidanceVisit.objects.create(
        enterprise=enterprise,
        officer=officer,
        visited_at=timezone.make_aware(datetime.datetime(2026, 3, 12, 10, 0)),
        place=f"{side}-side 会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content=f"{side}-side guidance content 指导内容",
        created_by=officer,
    )
    attachment = VisitAttachment(
        visit=visit, original_name=f"{side}-side 现场.jpg", content_type="image/jpeg", size=4, sha256="d4" * 32,
        uploaded_by=officer,
    )  # fmt: skip
    attachment.file.save(f"{side}.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    return visit


def _visit_attachment(world: Any, user: Any, side: str) -> Any:
    return _visit(world, user, side).attachments.first()


def _activity(world: Any, user: Any, side: str) -> Any:
    import datetime

    from django.utils import timezone

    from shangmi.ledgers.models import Activity, ActivityMaterial, ActivityParticipant

    enterprise = getattr(world, f"ent_{side}")
    existing = Activity.objects.filter(name=f"{side}-side 培训").first()
    if existing:
        return existing
    creator = getattr(world, f"regulator_{side}")
    activity = Activity.objects.create(
        kind=Activity.Kind.TRAINING,
        name=f"{side}-side 培训",
        starts_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 9, 0)),
        place="区市场监管局",
        organiser="区市场监管局",
        region=enterprise.region,
        park=enterprise.park,
        content="商业秘密保护培训",
        created_by=creator,
    )
    activity.enterprises.add(enterprise)
    ActivityParticipant.objects.create(
        activity=activity, enterprise=enterprise, name=f"{side}-side 学员", person_key=f"{side}-1"
    )
    material = ActivityMaterial(
        activity=activity, original_name=f"{side}-side 课件.pdf", content_type="application/pdf", size=6,
        sha256="e5" * 32, uploaded_by=creator,
    )  # fmt: skip
    material.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return activity


def _rate_target(world: Any, user: Any, side: str) -> Any:
    from shangmi.ledgers.models import RateTarget

    region = world.jiangbei if side == "in" else world.jiangjin
    return RateTarget.objects.get_or_create(region=region, year=2026, metric="training", defaults={"percent": 100})[0]


def _questionnaire(world: Any, user: Any, side: str) -> Any:
    from shangmi.surveys.models import Question, Questionnaire

    questionnaire, created = Questionnaire.objects.get_or_create(
        code="walk-questionnaire", defaults={"title": "walk questionnaire"}
    )
    if created:
        Question.objects.create(questionnaire=questionnaire, code="secrets", text="商业秘密数量", kind="integer")
    return questionnaire


def _survey(world: Any, user: Any, side: str) -> Any:
    import datetime

    from shangmi.surveys.models import Answer, Survey, SurveyAssignment

    enterprise = getattr(world, f"ent_{side}")
    title = f"{side}-side survey"
    existing = Survey.objects.filter(title=title).first()
    if existing:
        return existing
    questionnaire = _questionnaire(world, user, side)
    survey = Survey.objects.create(
        questionnaire=questionnaire,
        title=title,
        region=enterprise.region,
        deadline=datetime.date(2026, 12, 31),
        issued_by=getattr(world, f"regulator_{side}"),
    )
    assignment = SurveyAssignment.objects.create(survey=survey, enterprise=enterprise)
    Answer.objects.create(assignment=assignment, question=questionnaire.questions.first(), value=7345)
    return survey


def _survey_assignment(world: Any, user: Any, side: str) -> Any:
    return _survey(world, user, side).assignments.first()


def _demand(world: Any, user: Any, side: str) -> Any:
    """A demand of the side's enterprise with one attachment, handled by the side's officer."""
    import datetime

    from shangmi.enforcement.models import Demand, DemandAttachment, DemandEvent

    enterprise = getattr(world, f"ent_{side}")
    existing = Demand.objects.filter(enterprise=enterprise).first()
    if existing:
        return existing
    admin = getattr(world, f"ent_admin_{side}")
    demand = Demand.objects.create(
        enterprise=enterprise, region=enterprise.region, kind=Demand.Kind.COMPLAINT, title=f"{side}-side 诉求",
        description=f"{side}-side 诉求内容", handler=getattr(world, f"officer_{side}"), filed_by=admin,
        filed_on=datetime.date(2026, 5, 6), due_on=datetime.date(2026, 5, 15), status=Demand.Status.ASSIGNED,
    )  # fmt: skip
    DemandEvent.objects.create(demand=demand, kind=DemandEvent.Kind.FILED, actor=admin)
    attachment = DemandAttachment(
        demand=demand, original_name=f"{side}-side 合同.pdf", content_type="application/pdf", size=6,
        sha256="f6" * 32, uploaded_by=admin,
    )  # fmt: skip
    attachment.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return demand


def _calendar_year(world: Any, user: Any, side: str) -> Any:
    from shangmi.enforcement.models import CalendarYear

    return CalendarYear.objects.get_or_create(year=2026, defaults={"source_title": "国务院办公厅通知"})[0]


def _clue(world: Any, user: Any, side: str) -> Any:
    """A clue reported by name to the side's district, with one attachment."""
    import datetime

    from shangmi.enforcement.models import Clue, ClueAttachment

    region = world.jiangbei if side == "in" else world.jiangjin
    existing = Clue.objects.filter(region=region).first()
    if existing:
        return existing
    clue = Clue.objects.create(
        region=region, tracking_hash=("a" if side == "in" else "b") * 64, real_name=True,
        reporter_name=f"{side}-side 举报人", against=f"{side}-side 被举报企业", description=f"{side}-side 线索",
        received_on=datetime.date(2026, 5, 6), screening_due=datetime.date(2026, 5, 26),
    )  # fmt: skip
    attachment = ClueAttachment(
        clue=clue, original_name=f"{side}-side 图纸.pdf", content_type="application/pdf", size=6, sha256="a7" * 32
    )
    attachment.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return clue


def _case(world: Any, user: Any, side: str) -> Any:
    """A case opened from the side's clue, investigated by the side's regulator and officer."""
    import datetime

    from shangmi.enforcement.models import Case, Clue

    clue = _clue(world, user, side)
    existing = Case.objects.filter(clue=clue).first()
    if existing:
        return existing
    Clue.objects.filter(pk=clue.pk).update(status=Clue.Status.OPENED)
    case = Case.objects.create(
        region=clue.region, clue=clue, party=f"{side}-side 当事人", act_date=datetime.date(2026, 3, 1),
        opened_on=datetime.date(2026, 6, 1), opened_by=getattr(world, f"regulator_{side}"),
        decision_due=datetime.date(2026, 8, 31),
    )  # fmt: skip
    case.officers.set([getattr(world, f"regulator_{side}"), getattr(world, f"officer_{side}")])
    # Its papers: an item of evidence, and the notice served with its proof (a file).
    from shangmi.enforcement.models import EvidenceItem, ServiceRecord

    item = EvidenceItem.objects.create(
        case=case, number=1, kind=EvidenceItem.Kind.ELECTRONIC, title=f"{side}-side 涉案服务器镜像",
        source=f"{side}-side 当事人机房", obtained_on=case.opened_on, fixing=EvidenceItem.Fixing.FORENSIC,
        fixing_detail="SHA-256", recorded_by=case.opened_by,
    )  # fmt: skip
    from shangmi.enforcement.models import EvidenceAttachment

    scan = EvidenceAttachment(
        item=item, original_name=f"{side}-side 镜像哈希清单.pdf", content_type="application/pdf", size=6,
        sha256="b1" * 32, uploaded_by=case.opened_by,
    )  # fmt: skip
    scan.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    record = ServiceRecord(
        case=case, document=ServiceRecord.Document.NOTICE, mode=ServiceRecord.Mode.DIRECT,
        recipient=f"{side}-side 受送达人", delivered_on=case.opened_on, served_on=case.opened_on,
        original_name=f"{side}-side 送达回证.pdf", content_type="application/pdf", size=6, sha256="a9" * 32,
        uploaded_by=case.opened_by,
    )  # fmt: skip
    record.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return case


def _transfer(world: Any, user: Any, side: str) -> Any:
    """The side's case sent to the police; the inside one to the walk's judicial liaison."""
    from django.utils import timezone

    from shangmi.enforcement.models import Transfer

    case = _case(world, user, side)
    existing = Transfer.objects.filter(case=case).first()
    if existing:
        return existing
    return Transfer.objects.create(
        case=case, organ=Transfer.Organ.POLICE, receiver=world.judicial if side == "in" else world.admin,
        reason=f"{side}-side 移送理由", status=Transfer.Status.SENT, proposed_by=case.opened_by,
        proposed_on=case.opened_on, decide_by=case.opened_on, sent_at=timezone.now(),
    )  # fmt: skip


def _incoming(world: Any, user: Any, side: str) -> Any:
    """A case the police sent to the side's district for administrative handling, with its letter."""
    import datetime

    from shangmi.enforcement.models import Clue, IncomingCase, IncomingDocument

    region = world.jiangbei if side == "in" else world.jiangjin
    existing = IncomingCase.objects.filter(region=region).first()
    if existing:
        return existing
    clue = Clue.objects.create(
        region=region, tracking_hash=("c" if side == "in" else "d") * 64, against=f"{side}-side 移送当事人",
        description=f"{side}-side 公安机关认定", received_on=datetime.date(2026, 6, 2),
    )  # fmt: skip
    incoming = IncomingCase.objects.create(
        region=region, kind=IncomingCase.Kind.FOR_HANDLING, organ="police", organ_name=f"{side}-side 公安分局",
        document_number=f"{side}-side 移字1号", received_on=datetime.date(2026, 6, 2), party=f"{side}-side 移送当事人",
        summary=f"{side}-side 公安机关认定", clue=clue, recorded_by=getattr(world, f"regulator_{side}"),
    )  # fmt: skip
    document = IncomingDocument(
        incoming=incoming, original_name=f"{side}-side 移送函.pdf", content_type="application/pdf", size=6,
        sha256="c3" * 32, uploaded_by=incoming.recorded_by,
    )  # fmt: skip
    document.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return incoming


def _mediation(world: Any, user: Any, side: str) -> Any:
    from shangmi.enforcement.models import Mediation

    enterprise = getattr(world, f"ent_{side}")
    return Mediation.objects.get_or_create(
        enterprise=enterprise,
        defaults={"region": enterprise.region, "route": "mediation", "counterparty": f"{side}-side 对方",
                  "recorded_by": getattr(world, f"regulator_{side}")},
    )[0]  # fmt: skip


def _people(world: Any, side: str) -> tuple[Any, Any]:
    """The side's enterprise's responsible person and its staff member's own record."""
    from shangmi.protection.models import Person

    enterprise = getattr(world, f"ent_{side}")
    responsible, _ = Person.objects.get_or_create(enterprise=enterprise, name=f"{side}-side 总工程师")
    staff, _ = Person.objects.get_or_create(
        enterprise=enterprise, name=f"{side}-side 研发员", defaults={"account": getattr(world, f"ent_staff_{side}")}
    )
    return responsible, staff


def _secret_point(world: Any, user: Any, side: str) -> Any:
    """A secret point of the side's enterprise, its staff member in the circle of knowledge."""
    from shangmi.protection.models import SecretPoint
    from shangmi.protection.services import SecretPointInput, secret_point_propose

    name = f"{side}-side 密点 电机控制算法"
    existing = SecretPoint.objects.filter(name=name).first()
    if existing:
        return existing
    responsible, staff = _people(world, side)
    data = SecretPointInput(
        name=name, subject="tech.algorithm", grade="core", term_kind="long_term", department="研发部",
        responsible=responsible, circle=(staff,), location=f"{side}-side 机房",
    )  # fmt: skip
    return secret_point_propose(user=getattr(world, f"ent_admin_{side}"), data=data)


def _agreement(world: Any, user: Any, side: str) -> Any:
    """The side's staff member's confidentiality agreement."""
    import datetime

    from shangmi.protection.models import Agreement

    _responsible, staff = _people(world, side)
    agreement, _ = Agreement.objects.get_or_create(
        person=staff,
        kind=Agreement.Kind.CONFIDENTIALITY,
        defaults={
            "signed_on": datetime.date(2025, 1, 2), "starts_on": datetime.date(2025, 1, 2),
            "scope_text": f"{side}-side 保密范围", "recorded_by": getattr(world, f"ent_admin_{side}"),
        },
    )  # fmt: skip
    return agreement


def _carrier(world: Any, user: Any, side: str) -> Any:
    """A carrier of the side's secret point, in its staff member's custody."""
    from shangmi.protection.models import Carrier
    from shangmi.protection.services import CarrierInput, carrier_register

    name = f"{side}-side 载体 算法说明书"
    existing = Carrier.objects.filter(name=name).first()
    if existing:
        return existing
    point = _secret_point(world, user, side)
    _responsible, staff = _people(world, side)
    data = CarrierInput(
        name=name, secret_points=[point], form="paper", grade_mark="core", custodian=staff,
        location=f"{side}-side 保密柜",
    )  # fmt: skip
    return carrier_register(user=getattr(world, f"ent_admin_{side}"), data=data)


def _plan_task(world: Any, user: Any, side: str) -> Any:
    """A plan of the side's district whose one task is led by a unit the side's officer acts
    for, with a report (and its file) and a request for more time."""
    import datetime

    from shangmi.plans.models import Extension, Plan, PlanUnit, Report, ReportFile, Task

    region = world.jiangbei if side == "in" else world.jiangjin
    existing = Task.objects.filter(plan__region=region).first()
    if existing:
        return existing
    plan = Plan.objects.create(
        code=f"walk-{side}", title=f"{side}-side 方案", issuer="区市场监管局", region=region,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    unit = PlanUnit.objects.create(plan=plan, name=f"{side}-side 责任单位")
    unit.members.add(getattr(world, f"officer_{side}"))
    task = Task.objects.create(
        plan=plan, number=1, area_number=1, area="机制", text=f"{side}-side 督查任务", lead_unit=unit,
        due_on=datetime.date(2026, 11, 30),
    )  # fmt: skip
    officer = getattr(world, f"officer_{side}")
    report = Report.objects.create(
        task=task, unit=unit, progress=30, text=f"{side}-side 进展", reported_by=officer,
        reported_on=datetime.date(2026, 6, 1),
    )  # fmt: skip
    stored = ReportFile(
        report=report, original_name=f"{side}-side 成果.pdf", content_type="application/pdf", size=6,
        sha256="b1" * 32, uploaded_by=officer,
    )  # fmt: skip
    stored.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    Extension.objects.create(
        task=task, reason=f"{side}-side 延期理由", old_due=task.due_on, new_due=datetime.date(2026, 12, 31),
        asked_by=officer, asked_on=datetime.date(2026, 6, 1),
    )  # fmt: skip
    return task


def _engagement(world: Any, user: Any, side: str) -> Any:
    """An outsourcing engagement of the side, under an agreement, with its secret point disclosed."""
    import datetime

    from shangmi.protection.models import Engagement
    from shangmi.protection.services import DisclosureInput, EngagementInput, engagement_disclose, engagement_record

    existing = Engagement.objects.filter(counterparty=f"{side}-side 外包方").first()
    if existing:
        return existing
    admin = getattr(world, f"ent_admin_{side}")
    engagement = engagement_record(
        user=admin,
        data=EngagementInput(
            kind="outsourcing", counterparty=f"{side}-side 外包方", purpose="委托测试",
            starts_on=datetime.date(2025, 3, 1), agreement_signed_on=datetime.date(2025, 3, 1),
        ),
    )  # fmt: skip
    point = _secret_point(world, user, side)
    engagement_disclose(
        user=admin, engagement=engagement,
        data=DisclosureInput(secret_point=point, what="测试样品", approver="总经理", on=datetime.date(2025, 3, 2)),
    )  # fmt: skip
    return engagement


def _area(world: Any, user: Any, side: str) -> Any:
    """A restricted area of the side keeping its secret point, its staff member allowed in."""
    from shangmi.protection.models import Area
    from shangmi.protection.services import AreaInput, area_create

    existing = Area.objects.filter(name=f"{side}-side 研发实验室").first()
    if existing:
        return existing
    _responsible, staff = _people(world, side)
    data = AreaInput(
        name=f"{side}-side 研发实验室", grade="core", access_rule="门禁刷卡，禁止拍照", allowed=[staff],
        secret_points=[_secret_point(world, user, side)],
    )  # fmt: skip
    return area_create(user=getattr(world, f"ent_admin_{side}"), data=data)


def _law(world: Any, user: Any, side: str) -> Any:
    import datetime

    from shangmi.knowledge.models import Article, Law

    law, created = Law.objects.get_or_create(
        code="walk-law", defaults={"title": "walk law 法", "kind": Law.Kind.LAW, "source": "walk"}
    )
    if created:
        Article.objects.create(
            law=law, number="1", title="一", text="条文摘要", effective_from=datetime.date(2020, 1, 1), source="walk"
        )
    return law


def _country_guide(world: Any, user: Any, side: str) -> Any:
    import datetime

    from shangmi.knowledge.models import CountryGuide

    return CountryGuide.objects.get_or_create(
        code="XW", defaults={"name": "walk国", "name_en": "Walkland", "updated_on": datetime.date(2026, 1, 1)}
    )[0]


def _export_market(world: Any, user: Any, side: str) -> Any:
    from shangmi.knowledge.models import ExportMarket

    return ExportMarket.objects.get_or_create(enterprise=getattr(world, f"ent_{side}"), country="US")[0]


def _risk_alert(world: Any, user: Any, side: str) -> Any:
    from shangmi.knowledge.models import RiskAlert

    regulator = getattr(world, f"regulator_{side}")
    return RiskAlert.objects.get_or_create(
        title=f"{side}-side 风险提示草稿",
        defaults={
            "region": regulator.region,
            "body": f"{side}-side 提示内容",
            "countries": ["US"],
            "created_by": regulator,
        },
    )[0]


def _alert_delivery(world: Any, user: Any, side: str) -> Any:
    from django.utils import timezone

    from shangmi.knowledge.models import AlertDelivery

    return AlertDelivery.objects.get_or_create(
        alert=_risk_alert(world, user, side),
        user=user,
        defaults={"enterprise": getattr(world, f"ent_{side}"), "delivered_at": timezone.now()},
    )[0]


def _news(world: Any, user: Any, side: str, *, published: bool = False) -> Any:
    from django.utils import timezone

    from shangmi.knowledge.models import NewsArticle, PublishedNews, Status

    regulator = getattr(world, f"regulator_{side}")
    status = Status.PUBLISHED if published else Status.DRAFT
    article = NewsArticle.objects.get_or_create(
        title=f"{side}-side 新闻{status}",
        defaults={
            "region": regulator.region, "body": f"{side}-side 新闻正文", "created_by": regulator, "status": status,
            "published_at": timezone.now() if published else None,
        },
    )[0]  # fmt: skip
    return PublishedNews.objects.get(pk=article.pk) if published else article


def _typical_case(world: Any, user: Any, side: str, *, published: bool = False) -> Any:
    import datetime

    from shangmi.knowledge.models import PublishedCase, Status, TypicalCase

    regulator = getattr(world, f"regulator_{side}")
    status = Status.PUBLISHED if published else Status.DRAFT
    case = TypicalCase.objects.get_or_create(
        title=f"{side}-side 典型案例{status}",
        defaults={
            "region": regulator.region, "summary": f"{side}-side 案情", "authority": "区市场监管局",
            "decided_on": datetime.date(2026, 5, 1), "outcome": "罚款", "created_by": regulator, "status": status,
        },
    )[0]  # fmt: skip
    return PublishedCase.objects.get(pk=case.pk) if published else case


def _public_alert(world: Any, user: Any, side: str) -> Any:
    from django.utils import timezone

    from shangmi.knowledge.models import PublicAlert, RiskAlert, Status

    regulator = getattr(world, f"regulator_{side}")
    alert = RiskAlert.objects.get_or_create(
        title=f"{side}-side 公开风险提示",
        defaults={
            "region": regulator.region, "body": "公开", "countries": ["US"], "created_by": regulator,
            "status": Status.PUBLISHED, "is_public": True, "published_at": timezone.now(),
        },
    )[0]  # fmt: skip
    return PublicAlert.objects.get(pk=alert.pk)


def _guide_document(world: Any, user: Any, side: str) -> Any:
    from django.utils import timezone

    from shangmi.knowledge.models import DocumentVersion, GuideDocument

    regulator = getattr(world, f"regulator_{side}")
    document, created = GuideDocument.objects.get_or_create(
        title=f"{side}-side 工作指引",
        defaults={"region": regulator.region, "kind": "work_guide", "created_by": regulator},
    )
    if created:
        version = DocumentVersion(
            document=document, number=1, original_name=f"{side}.pdf", content_type="application/pdf", size=6,
            sha256="f6" * 32, uploaded_by=regulator, published_at=timezone.now(),
        )  # fmt: skip
        version.file.save(f"{side}.pdf", ContentFile(b"%PDF-1"), save=True)
    return document


FACTORIES: dict[str, Callable[[Any, Any, str], Any]] = {
    "evidence.Deposit": _deposit,
    "enterprises.Enterprise": lambda w, u, side: getattr(w, f"ent_{side}"),
    "regions.Park": lambda w, u, side: getattr(w, f"park_{side}"),
    # An account is always visible to its owner, and to whoever manages its region.
    "accounts.User": lambda w, u, side: u,
    "jobs.Job": _job,
    # Public reference data: every signed-in user may read every region.
    "regions.Region": lambda w, u, side: w.jiangbei,
    # Published reference documents and public calls: readable by every signed-in user.
    "standards.Standard": lambda w, u, side: _standard(),
    "creation.Round": lambda w, u, side: _round(w),
    "creation.Application": _application,
    "creation.EvidenceFile": _evidence_file,
    "creation.Title": _title,
    "creation.ExpertAssignment": _expert_assignment,
    "experts.ExpertProfile": _expert_profile,
    "targets.Target": _target,
    "targets.TargetProgram": _target_program,
    "targets.CoachingEnrolment": _coaching,
    "network.Station": _station,
    "ledgers.GuidanceVisit": _visit,
    "ledgers.VisitAttachment": _visit_attachment,
    "ledgers.Activity": _activity,
    "ledgers.ActivityParticipant": lambda w, u, side: _activity(w, u, side).participants.first(),
    "ledgers.ActivityMaterial": lambda w, u, side: _activity(w, u, side).materials.first(),
    "ledgers.RateTarget": _rate_target,
    # Questionnaires are blank forms: readable by every signed-in user.
    "surveys.Questionnaire": _questionnaire,
    "surveys.Survey": _survey,
    # Rights protection: demands (with their files); the working-day calendar is public reference data.
    "enforcement.Demand": _demand,
    "enforcement.DemandAttachment": lambda w, u, side: _demand(w, u, side).attachments.first(),
    "enforcement.CalendarYear": _calendar_year,
    "enforcement.Clue": _clue,
    "enforcement.Case": _case,
    "enforcement.Transfer": _transfer,
    "enforcement.Mediation": _mediation,
    "enforcement.ClueAttachment": lambda w, u, side: _clue(w, u, side).attachments.first(),
    # A case's papers: the proof of a service is served through the case's scope.
    "enforcement.ServiceRecord": lambda w, u, side: _case(w, u, side).services.first(),
    "enforcement.IncomingCase": _incoming,
    "enforcement.IncomingDocument": lambda w, u, side: _incoming(w, u, side).documents.first(),
    "enforcement.EvidenceAttachment": lambda w, u, side: _case(w, u, side).evidence.first().files.first(),
    "surveys.SurveyAssignment": _survey_assignment,
    # A notification is its recipient's alone.
    "notices.Notification": _notification,
    # The enterprise's protection system: its own alone, a staff member reads what names them.
    "protection.SecretPoint": _secret_point,
    "protection.Person": lambda w, u, side: _people(w, side)[1],
    "protection.Agreement": _agreement,
    "protection.Carrier": _carrier,
    # Plan supervision: the owner bureau reads its plans, a responsible unit's members their tasks.
    "plans.Plan": lambda w, u, side: _plan_task(w, u, side).plan,
    "plans.Task": _plan_task,
    "plans.Extension": lambda w, u, side: _plan_task(w, u, side).extensions.first(),
    "plans.ReportFile": lambda w, u, side: _report_file_of(_plan_task(w, u, side)),
    "protection.Engagement": _engagement,
    "protection.Area": _area,
    # Knowledge: laws and country guides are public reference data; what a bureau writes is its
    # region's until published (the Published*/PublicAlert proxies are what the portal shows).
    "knowledge.Law": _law,
    "knowledge.CountryGuide": _country_guide,
    "knowledge.ExportMarket": _export_market,
    "knowledge.RiskAlert": _risk_alert,
    "knowledge.AlertDelivery": _alert_delivery,
    "knowledge.NewsArticle": _news,
    "knowledge.TypicalCase": _typical_case,
    "knowledge.PublishedNews": lambda w, u, side: _news(w, u, side, published=True),
    "knowledge.PublishedCase": lambda w, u, side: _typical_case(w, u, side, published=True),
    "knowledge.PublicAlert": _public_alert,
    # Guides and templates: offered to every signed-in reader; versions published by the bureau.
    "knowledge.GuideDocument": _guide_document,
    "knowledge.DocumentVersion": lambda w, u, side: _guide_document(w, u, side).versions.first(),
}


def _report_file_of(task: Any) -> Any:
    from shangmi.plans.models import ReportFile

    return ReportFile.objects.filter(report__task=task).first()


def factory_for(model: type[models.Model]) -> Callable[[Any, Any, str], Any]:
    label = model._meta.label
    if label not in FACTORIES:
        pytest.fail(
            f"tests/test_scope_walk.py has no factory for {label}: add one to FACTORIES that makes an object "
            f"inside and one outside the scope, so its pages can be walked."
        )
    return FACTORIES[label]


def require_model(endpoint: Endpoint) -> type[models.Model] | None:
    if endpoint.name is None:
        pytest.fail(f"URL {endpoint.id} has no name: name it so the scope walk can reverse it.")
    if endpoint.name in PUBLIC:
        return None
    model = view_model(endpoint)
    if model is None:
        pytest.fail(
            f"URL {endpoint.id} ({endpoint.name}) has no model: declare `model = ...` on its view "
            "(ScopedViewMixin / ScopedModelViewSet) so the scope walk can check it, or if it is truly "
            "public add its name to PUBLIC in tests/test_scope_walk.py."
        )
    if not hasattr(model, "scope") or not hasattr(model._default_manager, "restrict"):
        pytest.fail(f"{model._meta.label} (URL {endpoint.id}) has no Scope / restrict(): declare one on the model.")
    return model


# --- reading responses ---------------------------------------------------------------------


def body_text(response: Any) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type or raw[:2] == b"PK":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        cells = []
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                cells.extend(str(cell) for cell in row)
        return "\n".join(cells)
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def secrets_of_inside(world: Any) -> list[str]:
    from shangmi.creation.models import EvidenceFile
    from shangmi.evidence.models import Deposit

    deposits = Deposit.objects.filter(enterprise=world.ent_in).values_list("title", "sha256")
    from shangmi.ledgers.models import ActivityParticipant, GuidanceVisit

    evidence = EvidenceFile.objects.filter(application__enterprise=world.ent_in).values_list("original_name", "sha256")
    visits = GuidanceVisit.objects.filter(enterprise=world.ent_in).values_list("content", flat=True)
    trained = ActivityParticipant.objects.filter(enterprise=world.ent_in).values_list("name", flat=True)
    from shangmi.enforcement.models import Demand

    demands = Demand.objects.filter(enterprise=world.ent_in).values_list("title", "description")
    from shangmi.enforcement.models import Clue

    clues = Clue.objects.filter(region=world.jiangbei).values_list("reporter_name", "description")
    from shangmi.protection.models import Area, Carrier, Engagement, Person, SecretPoint

    protection = [
        *Area.objects.filter(enterprise=world.ent_in).values_list("name", flat=True),
        *Engagement.objects.filter(enterprise=world.ent_in).values_list("counterparty", flat=True),
        *SecretPoint.objects.filter(enterprise=world.ent_in).values_list("name", flat=True),
        *Person.objects.filter(enterprise=world.ent_in).values_list("name", flat=True),
        *Carrier.objects.filter(enterprise=world.ent_in).values_list("name", flat=True),
    ]
    from shangmi.enforcement.models import EvidenceAttachment, EvidenceItem, IncomingCase, ServiceRecord
    from shangmi.plans.models import Report, Task

    plans = [
        *Task.objects.filter(plan__region=world.jiangbei).values_list("text", flat=True),
        *Report.objects.filter(task__plan__region=world.jiangbei).values_list("text", flat=True),
    ]
    papers = [
        *EvidenceItem.objects.filter(case__region=world.jiangbei).values_list("title", "source"),
        *ServiceRecord.objects.filter(case__region=world.jiangbei).values_list("recipient", "original_name"),
        *EvidenceAttachment.objects.filter(item__case__region=world.jiangbei).values_list("original_name", "sha256"),
        *IncomingCase.objects.filter(region=world.jiangbei).values_list("organ_name", "document_number"),
    ]
    from shangmi.knowledge.models import NewsArticle, RiskAlert, Status, TypicalCase

    drafts = [
        *RiskAlert.objects.filter(region=world.jiangbei, is_public=False).values_list("title", flat=True),
        *NewsArticle.objects.filter(region=world.jiangbei)
        .exclude(status=Status.PUBLISHED)
        .values_list("title", flat=True),
        *TypicalCase.objects.filter(region=world.jiangbei)
        .exclude(status=Status.PUBLISHED)
        .values_list("title", flat=True),
    ]
    values = [
        *drafts,
        *protection,
        *plans,
        world.ent_in.name,
        world.ent_in.uscc,
        *(value for row in deposits for value in row),
        *(value for row in evidence for value in row),
        *visits,
        *trained,
        *(value for row in demands for value in row),
        *(value for row in clues for value in row),
        *(value for row in papers for value in row),
    ]
    # An empty field (a clue a judicial organ sent has no reporter) is no secret.
    return [value for value in values if value]


def users_of(world: Any, pair: str) -> tuple[Any, Any]:
    return getattr(world, f"{pair}_in"), getattr(world, f"{pair}_out")


def fetch(client: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(url)
    data = data or {}
    return (
        getattr(client, method)(url, data=data, content_type="application/json")
        if url.startswith("/api/")
        else (getattr(client, method)(url, data=data))
    )


def aimed_at_inside(world: Any) -> dict[str, Any]:
    """A form's usual fields, all pointing at the insider's enterprise, district, park and people."""
    return {
        "enterprise": world.ent_in.pk,
        "enterprises": [world.ent_in.pk],
        "region": world.jiangbei.pk,
        "park": world.park_in.pk,
        "officer": world.officer_in.pk,
        "user": world.ent_admin_in.pk,
        "action": "liaison_point",
        "name": "外来写入",
        "title": "外来写入",
        "year": 2026,
        "role": "enterprise_admin",
        "username": "planted_by_outsider",
        "uscc": world.ent_in.uscc,
    }


def insider_world(world: Any, insider: Any) -> dict[str, Any]:
    """What the insider's world holds: every scoped model's rows the insider sees (by count and
    latest id), and the insider's enterprise row itself."""
    from django.apps import apps

    seen: dict[str, Any] = {"enterprise": type(world.ent_in).objects.filter(pk=world.ent_in.pk).values().first()}
    for model in apps.get_models():
        if hasattr(model, "scope") and hasattr(model._default_manager, "restrict"):
            rows = model._default_manager.restrict(insider, VIEW).order_by()
            seen[model._meta.label] = (rows.count(), max(rows.values_list("pk", flat=True), default=None))
    return seen


# --- the walk ------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", ROLE_PAIRS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_outsider_never_sees_insider_data(
    endpoint: Endpoint, pair: str, world: Any, client: Any, tmp_media: Any
) -> None:
    model = require_model(endpoint)
    insider, outsider = users_of(world, pair)

    if not endpoint.object_kwargs:
        # A list (or form, or public) page: whatever it answers the outsider, nothing of the
        # insider's enterprise may be in it: HTML, JSON or a spreadsheet. Private records
        # (deposits) exist on both sides so a leak of them would show.
        _deposit(world, world.ent_admin_in, "in")
        _deposit(world, world.ent_admin_out, "out")
        for make in (
            _application, _visit, _activity, _survey, _demand, _clue, _case, _incoming, _secret_point, _carrier,
            _plan_task, _risk_alert, _news, _typical_case,
        ):  # fmt: skip
            make(world, world.ent_admin_in, "in")
            make(world, world.ent_admin_out, "out")
        if endpoint.name == "home:health":
            # Without a job worker it answers 503 by design; with one, 200 and only a count.
            heartbeat_beat(worker_id="walk", started_at=timezone.now())
        client.force_login(outsider)
        response = client.get(endpoint.url())
        assert response.status_code < 500, f"{endpoint.id} as {outsider.username}: {response.status_code}"
        text = body_text(response)
        for secret in secrets_of_inside(world):
            assert secret not in text, f"{endpoint.id} shows {secret!r} to {outsider.username} (outside the scope)"
        # The writes of a form or action page that takes no row (a new row, an import, a bulk
        # assignment): the outsider aims them at the insider's world, which must not change.
        before = insider_world(world, insider)
        for method in endpoint.write_methods():
            response = fetch(client, method, endpoint.url(), data=aimed_at_inside(world))
            assert response.status_code < 500, f"{method.upper()} {endpoint.id} as {outsider.username}: 5xx"
        assert insider_world(world, insider) == before, f"{endpoint.id}: {outsider.username} changed the insider's rows"
        return

    if model is None:
        pytest.fail(f"{endpoint.id} is public but takes arguments: the walk cannot build them; declare its model")
    factory = factory_for(model)
    obj_in = factory(world, insider, "in")
    kwargs = {name: obj_in.pk for name in endpoint.object_kwargs}
    url = endpoint.url(**kwargs)
    action = view_action(endpoint)
    manager = model._default_manager
    public = model.scope.public_view and action == VIEW

    # The insider: the page works if restrict() lets them do the view's action, else 404.
    client.force_login(insider)
    response = client.get(url)
    if manager.restrict(insider, action).filter(pk=obj_in.pk).exists():
        assert response.status_code in (200, 302, 405), (
            f"{endpoint.id} as insider {insider.username}: {response.status_code}"
        )
    else:
        assert response.status_code == 404, (
            f"{endpoint.id} as {insider.username} (no {action} right): {response.status_code}"
        )
    if public:
        return

    # The outsider: 404 (never 403, which would tell that the row exists) for every method.
    # A public row (a round, a title) is readable by all; what the outsider must lack is the
    # page's own right (closing the round, revoking the title).
    check_action = action if model.scope.public_view else VIEW
    assert not manager.restrict(outsider, check_action).filter(pk=obj_in.pk).exists(), (
        f"factory for {model._meta.label} made an object the outsider {outsider.username} may see"
    )
    client.force_login(outsider)
    before = model._default_manager.filter(pk=obj_in.pk).values().first()
    for method in ("get", *endpoint.write_methods()):
        response = fetch(client, method, url)
        assert response.status_code == 404, (
            f"{method.upper()} {endpoint.id} as outsider {outsider.username}: {response.status_code}, expected 404"
        )
        if method == "get":
            text = body_text(response)
            for secret in secrets_of_inside(world):
                assert secret not in text
    assert model._default_manager.filter(pk=obj_in.pk).values().first() == before, f"{endpoint.id} changed a row"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_anonymous_is_sent_to_sign_in(endpoint: Endpoint, world: Any, client: Any, tmp_media: Any) -> None:
    model = require_model(endpoint)
    if endpoint.name in ANONYMOUS_OK:
        return
    kwargs = {}
    if endpoint.object_kwargs:
        if model is None:
            pytest.fail(f"{endpoint.id} is public but takes arguments: the walk cannot build them; declare its model")
        obj = factory_for(model)(world, world.regulator_in, "in")
        kwargs = {name: obj.pk for name in endpoint.object_kwargs}
    url = endpoint.url(**kwargs)
    response = client.get(url)
    if endpoint.is_api:
        assert response.status_code in (401, 403), f"anonymous GET {url}: {response.status_code}"
    else:
        assert response.status_code == 302, f"anonymous GET {url}: {response.status_code}"
        assert response.url.startswith(reverse("accounts:login")), response.url
    for secret in secrets_of_inside(world):
        assert secret not in body_text(response)


def test_walk_found_the_known_pages() -> None:
    """A guard on the walker itself: if it finds nothing, it checks nothing."""
    names = {e.name for e in ENDPOINTS}
    for expected in (
        "enterprises:list",
        "enterprises:detail",
        "enterprises:update",
        "enterprise-detail",
        "jobs:detail",
    ):
        assert expected in names
    assert any(e.route.startswith("api/v1/") and e.object_kwargs for e in ENDPOINTS)


def test_the_expert_insider_sees_the_application_assigned_to_them(world: Any, client: Any, tmp_media: Any) -> None:
    """The expert pair's half of the check below: experts read no enterprise registry, but the
    application they were assigned is on their list (and the other side's is not)."""
    inside, outside = _application(world, world.ent_admin_in, "in"), _application(world, world.ent_admin_out, "out")
    client.force_login(world.expert_in)
    page = client.get(reverse("creation:application_list")).content.decode()
    assert inside.applicant_name in page and outside.applicant_name not in page
    assert client.get(reverse("creation:application_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("creation:application_detail", args=[outside.pk])).status_code == 404


# Experts read no enterprise registry (their own insider check is the one above).
@pytest.mark.parametrize("pair", [pair for pair in ROLE_PAIRS if pair != "expert"])
def test_insider_lists_show_their_own_enterprise(pair: str, world: Any, client: Any) -> None:
    """The other half of the walk: the leak check is not vacuous, the insider does see it."""
    insider, _outsider = users_of(world, pair)
    client.force_login(insider)
    page = client.get(reverse("enterprises:list")).content.decode()
    api = body_text(client.get("/api/v1/enterprises/"))
    assert world.ent_in.name in page
    assert world.ent_in.uscc in api
    assert world.ent_out.name not in page
    assert world.ent_out.uscc not in api
    # The spreadsheet export is read cell by cell: the walk's check of it is not vacuous.
    if "enterprises:export" in {e.name for e in ENDPOINTS}:
        sheet = body_text(client.get(reverse("enterprises:export")))
        assert world.ent_in.uscc in sheet
        assert world.ent_out.uscc not in sheet


def test_city_regulator_sees_both_districts(world: Any, client: Any) -> None:
    client.force_login(world.city_regulator)
    page = client.get(reverse("enterprises:list")).content.decode()
    assert world.ent_in.name in page and world.ent_out.name in page
    api = client.get("/api/v1/enterprises/").json()
    assert {row["uscc"] for row in api["results"]} == {world.ent_in.uscc, world.ent_out.uscc}
    for ent in (world.ent_in, world.ent_out):
        assert client.get(reverse("enterprises:detail", args=[ent.pk])).status_code == 200
        assert client.get(reverse("enterprises:update", args=[ent.pk])).status_code == 200
    assert client.get(reverse("regions:park_detail", args=[world.park_out.pk])).status_code == 200
    assert client.get(reverse("accounts:user_detail", args=[world.regulator_out.pk])).status_code == 200


def test_a_page_without_model_fails_with_a_clear_message() -> None:
    from django.views.generic import TemplateView

    class SecretReport(TemplateView):
        template_name = "home/home.html"

    endpoint = Endpoint("reports/secret/", "reports:secret", SecretReport.as_view())
    with pytest.raises(pytest.fail.Exception, match=re.escape("declare `model = ...`")):
        require_model(endpoint)

    def function_view(request: Any) -> Any:
        return None

    with pytest.raises(pytest.fail.Exception, match="has no model"):
        require_model(Endpoint("reports/fn/", "reports:fn", function_view))
    with pytest.raises(pytest.fail.Exception, match="has no name"):
        require_model(Endpoint("reports/anon/", None, function_view))


def test_a_model_without_factory_fails_with_a_clear_message() -> None:
    from shangmi.enterprises.models import Tag

    with pytest.raises(pytest.fail.Exception, match=re.escape("no factory for enterprises.Tag")):
        factory_for(Tag)


def test_drf_viewset_model_is_found() -> None:
    by_name = {e.name: e for e in ENDPOINTS}
    from shangmi.enterprises.models import Enterprise

    assert view_model(by_name["enterprise-detail"]) is Enterprise
    assert set(by_name["enterprise-detail"].write_methods()) == {"put", "patch"}
    assert "post" in by_name["enterprises:update"].write_methods()


# --- around the scope: an account made for an enterprise -------------------------------------


def test_an_account_made_for_an_enterprise_reads_nothing_until_its_admin_approves(world: Any, client: Any) -> None:
    """A regulator cannot give itself an enterprise's secrets by making an admin account there:
    the account waits for the enterprise's own admin, and no one else can approve it."""
    from shangmi.accounts.models import User
    from shangmi.core.roles import Role

    deposit = _deposit(world, world.ent_admin_in, "in")
    client.force_login(world.regulator_in)
    password = "Borrowed-key-2026"
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "planted", "password": password, "role": Role.ENTERPRISE_ADMIN, "enterprise": world.ent_in.pk},
    )
    assert response.status_code == 302
    planted = User.objects.get(username="planted")

    def signs_in_and_reads() -> bool:
        c = type(client)()
        c.post(reverse("accounts:login"), {"username": "planted", "password": password})
        if "_auth_user_id" not in c.session:
            return False
        c.post(
            reverse("accounts:password_change"),
            {"old_password": password, "new_password1": "Own-choice-2027x", "new_password2": "Own-choice-2027x"},
        )
        return deposit.title in body_text(c.get(reverse("evidence:list")))

    assert not signs_in_and_reads()
    # Not by force either: a session for it sees nothing.
    client.force_login(planted)
    assert deposit.title not in body_text(client.get(reverse("evidence:list")))
    # A stranger enterprise's admin, the regulator, the platform administrator: 404.
    for stranger in (world.ent_admin_out, world.regulator_in, world.admin):
        client.force_login(stranger)
        url = reverse("accounts:user_decide", args=[planted.pk])
        assert client.post(url, {"decision": "approve"}).status_code == 404
    planted.refresh_from_db()
    assert planted.awaiting_approval and not planted.is_active
    # Its own enterprise's admin approves: now it works.
    client.force_login(world.ent_admin_in)
    client.post(reverse("accounts:user_decide", args=[planted.pk]), {"decision": "approve"})
    assert signs_in_and_reads()


def test_the_write_walk_sees_a_row_planted_in_the_insiders_world(world: Any) -> None:
    """The walk of list-level writes compares insider_world before and after: a row an outsider
    managed to put inside the insider's scope must show there."""
    before = insider_world(world, world.regulator_in)
    _visit(world, world.regulator_in, "in")
    assert insider_world(world, world.regulator_in) != before


@pytest.mark.parametrize("name", ["enforcement:figures", "enforcement:figures_export"])
@pytest.mark.parametrize("pair", ROLE_PAIRS)
def test_a_region_page_answers_404_on_the_insiders_region(name: str, pair: str, world: Any, client: Any) -> None:
    """The walk opens a page that takes ?region= on the reader's own region; asked for the
    insider's district, an outsider gets 404, never the figures of a region not theirs."""
    assert name in {e.name for e in ENDPOINTS}
    _case(world, world.ent_admin_in, "in")
    outsider = users_of(world, pair)[1]
    client.force_login(outsider)
    response = client.get(reverse(name), {"region": world.jiangbei.code, "year": 2026})
    assert response.status_code == 404, f"{name} on 江北 as {outsider.username}: {response.status_code}"
