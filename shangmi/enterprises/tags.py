"""The enterprise tags named by the programs (DESIGN.md §1)."""

from shangmi.enterprises.models import Tag

PROGRAM_TAGS = [
    ("knowledge_intensive", "知识密集型", "Knowledge-intensive"),
    ("technology_intensive", "技术密集型", "Technology-intensive"),
    ("innovative", "创新型", "Innovative"),
    ("time_honoured", "老字号", "Time-honoured brand"),
    ("specialised_sme", "专精特新", "Specialised and innovative SME"),
    ("single_champion", "单项冠军", "Single champion"),
    ("high_tech", "高新技术企业", "High-tech enterprise"),
]


def tags_load() -> int:
    created = 0
    for order, (code, zh, en) in enumerate(PROGRAM_TAGS):
        _, was_created = Tag.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "order": order}
        )
        created += was_created
    return created
