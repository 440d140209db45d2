"""Foreign-affairs relevance: which words and facts make an article one, and how much.

Each signal fires once per article (its count is kept for the explanation); the score is the
sum of the weights that fired, and an article is foreign affairs from THRESHOLD on. The weights
were set on the labelled corpus (tests/corpus, `foreign_affairs`) and the hand-labelled texts of
tests/facets; bench/bench_facets.py prints how the flag agrees with those labels.

Activities are what the article reports the province doing with a partner (a delegation, a
signing, investment, aid, twinning): the questions readers ask ("how often did Phú Thọ receive
Korean delegations", "what did Thái Nguyên sign") filter on them.
"""

from __future__ import annotations

import re

# signal → phrases (matched as words, tone placement and case folded)
PHRASES: dict[str, tuple[str, ...]] = {
    "doi_ngoai": ("đối ngoại",),
    "ngoai_giao": ("ngoại giao", "Bộ Ngoại giao", "Sở Ngoại vụ"),
    "hop_tac_quoc_te": ("hợp tác quốc tế", "hội nhập quốc tế", "quan hệ quốc tế"),
    "huu_nghi": ("hữu nghị", "tình hữu nghị", "kết nghĩa", "hữu nghị và hợp tác"),
    "dai_su": ("Đại sứ", "Đại sứ quán", "Tổng Lãnh sự", "Tổng Lãnh sự quán", "Lãnh sự quán",
               "Trưởng Đại diện"),
    "ban_be_quoc_te": ("bạn bè quốc tế", "người nước ngoài", "kiều bào", "nước ngoài"),
    "phi_chinh_phu": ("phi chính phủ nước ngoài", "tổ chức phi chính phủ", "PCPNN"),
    "quoc_te": ("quốc tế",),
    # activities
    "activity:delegation": ("đoàn công tác", "đoàn đại biểu", "tiếp đoàn", "đón đoàn",
                            "tiếp xã giao", "chào xã giao", "thăm và làm việc", "làm việc với đoàn",
                            "chúc Tết", "thăm chính thức"),
    "activity:signing": ("ký kết", "ký biên bản", "biên bản ghi nhớ", "bản ghi nhớ", "MOU", "MoU",
                         "thỏa thuận hợp tác", "ký thỏa thuận", "trao biên bản", "ký thỏa thuận"),
    "activity:investment": ("FDI", "đầu tư nước ngoài", "đầu tư trực tiếp nước ngoài",
                            "xúc tiến đầu tư", "nhà đầu tư nước ngoài", "vốn đầu tư nước ngoài"),
    "activity:aid": ("viện trợ", "tài trợ", "ODA", "vốn vay ưu đãi", "khoản viện trợ"),
}

WEIGHTS: dict[str, float] = {
    "section": 3,
    "section_other": -3,
    "doi_ngoai": 3,
    "ngoai_giao": 2,
    "hop_tac_quoc_te": 2,
    "huu_nghi": 1.5,
    "dai_su": 2,
    "ban_be_quoc_te": 1,
    "phi_chinh_phu": 2,
    "quoc_te": 0.5,
    "activity:delegation": 1,
    "activity:signing": 1,
    "activity:investment": 1,
    "activity:aid": 0.5,
    "partners": 1,  # per distinct foreign partner, up to PARTNERS_CAP
    "partner_in_title": 2,
    "partner_in_lead": 1,
}
PARTNERS_CAP = 3
THRESHOLD = 4.0

# A section (name or URL path) that the site itself files foreign affairs under.
SECTION = re.compile(
    r"doi[- ]?ngoai|ngoai[- ]?giao|ngoai[- ]?vu|quoc[- ]?te|huu[- ]?nghi|hop[- ]?tac|"
    r"ket[- ]?ban|diplomacy|friendship|foreign|international",
    re.IGNORECASE,
)
# Sections whose foreign names are teams, artists or markets, not partners.
OTHER_SECTION = re.compile(
    r"the[- ]?thao|bong[- ]?da|giai[- ]?tri|showbiz|thoi[- ]?trang|"
    r"sport|entertainment",
    re.IGNORECASE,
)
