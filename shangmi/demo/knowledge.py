"""Demo knowledge and outreach: the laws and country guides from their data files, five service
institutions, a month of news in 江北区's publicity column, two typical cases approved by the
city bureau, the compliance reference text as a versioned document, and one public risk alert
delivered to the enterprise that exports to the US."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.accounts.models import User
from shangmi.core.calendar import local_midnight, program_now, program_today
from shangmi.knowledge import services
from shangmi.knowledge.loading import knowledge_load
from shangmi.knowledge.models import Article, GuideDocument, Institution, Law, NewsArticle
from shangmi.knowledge.pdfs import Section, document

INSTITUTIONS = [
    ("重庆知识产权司法鉴定所（演示）", "appraisal", "技术秘密非公知性、同一性鉴定；电子数据取证。", "023-6000 1001"),
    ("江北商业秘密律师服务团（演示）", "law_firm", "保密制度审查、竞业限制协议起草、侵权诉讼代理。", "023-6000 1002"),
    ("渝北知识产权保险服务中心（演示）", "insurer", "商业秘密被侵权损失保险、维权费用保险。", "023-6000 1003"),
    ("江北区知识产权纠纷人民调解委员会（演示）", "mediation", "商业秘密、竞业限制纠纷的诉前调解。", "023-6000 1004"),
    ("重庆仲裁委员会知识产权仲裁中心（演示）", "arbitration", "技术合同和保密协议纠纷仲裁。", "023-6000 1005"),
]

NEWS = [
    ("江北区启动商业秘密保护服务月活动", "区市场监管局联合各园区启动服务月，走访重点企业，开展“五落实、三到位”指导。"),
    ("港城工业园举办商业秘密保护培训", "培训围绕密点识别、涉密人员管理和离职交接，园区内企业商秘办负责人参加。"),
    (
        "区市场监管局发布企业商业秘密合规制度参考文本",
        "参考文本涵盖组织架构、定密流程、涉密载体和涉密区域管理，供企业结合行业特点修改使用。",
    ),
    ("联络点企业开展保密协议签订情况自查", "各联络点企业对照创建标准自查保密协议和竞业限制协议签订情况，建立台账。"),
    ("典型案例讲解走进长安汽车零部件企业", "执法人员结合近期查处的侵犯商业秘密案件，讲解证据固定和维权途径。"),
    ("涉外企业海外商业秘密保护座谈会召开", "座谈会介绍美国、欧盟、日本、韩国商业秘密保护制度和出口企业应对建议。"),
]

CASES = [
    (
        "某汽车零部件公司前工程师披露制动卡钳配方案",
        "当事人离职前将含有制动卡钳配方的技术文件拷贝至个人存储设备，入职竞争企业后使用该配方生产同类产品。权利人对配方采取了分级标记、访问控制和保密协议等措施。",
        "重庆市江北区市场监督管理局",
        datetime.date(2025, 11, 20),
        "责令停止违法行为，处罚款五十万元。",
        [("aucl", "9"), ("labour-contract-law", "23")],
    ),
    (
        "某新材料公司员工为境外公司收买商业秘密案",
        "被告人受境外公司指使，获取所在公司的工艺参数并非法提供给境外公司。",
        "重庆市江北区人民法院",
        datetime.date(2025, 8, 15),
        "以为境外收买、非法提供商业秘密罪判处有期徒刑，并处罚金。",
        [("criminal-law", "219-1")],
    ),
]


# The chapters of the compliance reference text (seed 001, task 3), following the clause
# structure of DB43/T 2652-2023; the demo ships the outline, which a bureau replaces with its text.
COMPLIANCE_CHAPTERS = [
    ("一般要求", "组织架构、商秘办和专（兼）职人员的职责。"),
    ("涉密节点", "定密、变更、解密和销毁的流程与审批。"),
    ("涉密人员", "保密协议、竞业限制、培训和离职交接。"),
    ("涉密载体", "标记、登记、借阅、复制和销毁。"),
    ("涉密区域", "区域划分、门禁和访客管理。"),
    ("涉密活动", "商务洽谈、委托加工和对外披露前的保密安排。"),
    ("维权救济", "证据固定、应急处置和维权途径。"),
    ("监督检查", "定期自查、整改和考核。"),
]


def _compliance_pdf() -> bytes:
    sections = [
        Section(f"第{i}章 {title}", "参考文本框架（演示）", [what])
        for i, (title, what) in enumerate(COMPLIANCE_CHAPTERS, 1)
    ]
    return document("企业商业秘密合规制度参考文本（框架）", "重庆市江北区市场监督管理局", sections, "")


def _article(code: str, number: str) -> Article | None:
    return Article.objects.filter(law__code=code, number=number).order_by("-effective_from").first()


def demo_knowledge_load() -> None:
    if NewsArticle.objects.filter(title=NEWS[0][0]).exists():
        return  # loaded before: the demo loads twice without change
    if not Law.objects.exists():
        knowledge_load()
    regulator = User.objects.get(username="jiangbei_regulator")
    reviewer = User.objects.get(username="cq_regulator")
    admin = User.objects.get(username="enterprise_admin")

    for name, kind, offered, contact in INSTITUTIONS:
        if not Institution.objects.filter(name=name).exists():
            services.institution_add(user=reviewer, name=name, kind=kind, services=offered, contact=contact)

    # A month of news: one article every five days, the last one today.
    today = program_today()
    for index, (title, body) in enumerate(NEWS):
        article = services.news_create(user=regulator, title=title, body=body)
        day = today - datetime.timedelta(days=5 * (len(NEWS) - 1 - index))
        # At 10:00 that day, or now for today's article before 10:00 (never in the future).
        at = min(local_midnight(day) + datetime.timedelta(hours=10), program_now())
        services.news_publish(user=regulator, article=article, at=at)
    services.news_create(user=regulator, title="（草稿）下季度宣传计划", body="尚未发布。")

    for title, summary, authority, decided_on, outcome, cited in CASES:
        data = services.CaseInput(
            title=title,
            summary=summary,
            authority=authority,
            decided_on=decided_on,
            outcome=outcome,
            articles=[a for code, number in cited if (a := _article(code, number)) is not None],
        )
        case = services.case_create(user=regulator, data=data)
        services.case_submit(user=regulator, case=case)
        services.case_review(user=reviewer, case=case, approve=True)

    # The compliance reference text the district offers its enterprises, as a versioned document.
    reference = services.document_create(
        user=regulator,
        title="企业商业秘密合规制度参考文本",
        kind=GuideDocument.Kind.COMPLIANCE_REFERENCE,
        description="结合企业商业秘密保护现状及需求制定，指导企业建立符合行业特点的内部管理制度。",
    )
    services.document_publish_version(
        user=regulator,
        document=reference,
        upload=SimpleUploadedFile("合规制度参考文本.pdf", _compliance_pdf()),
        note="首版（框架）",
    )

    # The demo enterprise exports to the US and Germany; the alert reaches its people.
    for country in ("US", "DE"):
        services.export_market_add(user=admin, country=country)
    alert = services.alert_create(
        user=regulator,
        data=services.AlertInput(
            title="关于美国337调查和商业秘密诉讼风险的提示",
            body=(
                "近期多家出口企业在美国被提起商业秘密民事诉讼或337调查。请出口美国的企业："
                "核查与在美员工的合同是否写明举报人豁免告知（18 U.S.C. §1833(b)）；"
                "向境外提供证据前遵守数据安全和司法协助规定；遇到纠纷及时联系区市场监管局。"
            ),
            countries=["US"],
            is_public=True,
        ),
    )
    services.alert_publish(user=regulator, alert=alert)
