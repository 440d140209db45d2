"""Exact and near duplicates: the hash key, MinHash/LSH, and links in a real store.

Near duplicates are tested both ways: near copies of the corpus articles (an added paragraph,
a dropped one, an edited sentence, another tone-mark convention, a source line) must be linked,
and different articles must not, including two pairs of different reports of one event.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
import zlib
from pathlib import Path

import pytest

from crawler.store import Store
from crawler.store import minhash as dedupe
from crawler.text.normalise import (
    comparison_key,
    content_hash,
    fold,
    normalise_tones,
    syllables,
)

CORPUS = Path(__file__).parent / "corpus"
FETCHED = "2026-11-23T08:00:00+00:00"

# Two different reports of one delegation visit (a portal's and a magazine's), twice.
VISIT_PORTAL = "\n\n".join(
    [
        "Chiều 14/3, tại Trụ sở UBND tỉnh, Phó Chủ tịch UBND tỉnh Trần Minh Khoa đã tiếp đoàn"
        " công tác của tỉnh Tochigi (Nhật Bản) do ông Sato Kenji, Phó Thống đốc tỉnh Tochigi "
        "dẫn đầu, nhân dịp đoàn sang thăm và tìm hiểu môi trường đầu tư tại Vĩnh Phúc.",
        "Phát biểu chào mừng đoàn, Phó Chủ tịch UBND tỉnh Trần Minh Khoa cho biết, những năm "
        "qua quan hệ hợp tác giữa Vĩnh Phúc và các địa phương của Nhật Bản không ngừng được "
        "củng cố. Hiện trên địa bàn tỉnh có 78 dự án đầu tư của doanh nghiệp Nhật Bản với "
        "tổng vốn đăng ký gần 1,2 tỷ USD, tập trung chủ yếu trong lĩnh vực công nghiệp chế "
        "tạo và linh kiện điện tử.",
        "Tỉnh Vĩnh Phúc mong muốn tỉnh Tochigi tiếp tục giới thiệu các doanh nghiệp có tiềm "
        "lực đến tìm hiểu, đầu tư; đồng thời tăng cường hợp tác trong đào tạo nguồn nhân lực "
        "chất lượng cao, tiếp nhận thực tập sinh và lao động kỹ thuật của tỉnh sang làm việc "
        "tại Nhật Bản.",
        "Ông Sato Kenji cảm ơn sự đón tiếp chu đáo của lãnh đạo tỉnh và bày tỏ ấn tượng trước"
        " tốc độ phát triển của Vĩnh Phúc. Ông cho biết, tỉnh Tochigi sẽ tổ chức đoàn doanh "
        "nghiệp sang khảo sát các khu công nghiệp của tỉnh trong năm nay, đồng thời nghiên "
        "cứu khả năng ký kết biên bản ghi nhớ hợp tác giữa hai địa phương.",
        "Dịp này, hai bên đã trao đổi về kế hoạch tổ chức các hoạt động giao lưu văn hóa, "
        "nông nghiệp công nghệ cao và du lịch nhằm tăng cường hiểu biết giữa nhân dân hai "
        "tỉnh.",
    ]
)

VISIT_MAGAZINE = "\n\n".join(
    [
        "Ngày 14/3, đoàn đại biểu tỉnh Tochigi (Nhật Bản) do Phó Thống đốc Sato Kenji làm "
        "trưởng đoàn đã có buổi làm việc với lãnh đạo tỉnh Vĩnh Phúc. Tiếp đoàn có Phó Chủ "
        "tịch UBND tỉnh Trần Minh Khoa cùng đại diện các sở, ngành của tỉnh.",
        "Tại buổi làm việc, Giám đốc Sở Kế hoạch và Đầu tư đã giới thiệu tiềm năng, thế mạnh "
        "và các chính sách ưu đãi của tỉnh. Tính đến nay, Nhật Bản là một trong những nhà đầu"
        " tư lớn nhất tại Vĩnh Phúc với 78 dự án còn hiệu lực, nhiều tập đoàn lớn đã có nhà "
        "máy sản xuất trên địa bàn tỉnh.",
        "Phó Thống đốc Sato Kenji đánh giá cao môi trường đầu tư thông thoáng và sự hỗ trợ "
        "tích cực của chính quyền tỉnh đối với các nhà đầu tư nước ngoài. Theo ông, doanh "
        "nghiệp Tochigi đặc biệt quan tâm đến lĩnh vực cơ khí chính xác, nông nghiệp sạch và "
        "chế biến thực phẩm.",
        "Phó Chủ tịch UBND tỉnh Trần Minh Khoa khẳng định tỉnh luôn tạo điều kiện thuận lợi "
        "nhất để doanh nghiệp Nhật Bản yên tâm đầu tư lâu dài. Tỉnh đề nghị hai bên sớm xây "
        "dựng chương trình hợp tác cụ thể, trước hết trong các lĩnh vực đào tạo nghề, trao "
        "đổi thực tập sinh và xúc tiến thương mại nông sản.",
        "Sau buổi làm việc, đoàn đã đi thăm một khu công nghiệp và một số doanh nghiệp Nhật "
        "Bản đang hoạt động tại tỉnh.",
    ]
)

TET_PORTAL = "\n\n".join(
    [
        "Ngày 20/1, đoàn đại biểu tỉnh Hủa Phăn (Lào) do đồng chí Viêng Khăm, Phó Bí thư Tỉnh"
        " ủy, Phó Tỉnh trưởng tỉnh Hủa Phăn làm trưởng đoàn đã đến thăm, chúc Tết Đảng bộ, "
        "chính quyền và nhân dân tỉnh Phú Thọ nhân dịp Tết Nguyên đán.",
        "Thay mặt lãnh đạo tỉnh, đồng chí Lê Thanh Hải, Phó Chủ tịch UBND tỉnh Phú Thọ nhiệt "
        "liệt chào mừng đoàn và thông tin về tình hình kinh tế - xã hội năm qua của tỉnh, "
        "trong đó tăng trưởng kinh tế đạt 7,2%, thu ngân sách vượt dự toán.",
        "Đồng chí Lê Thanh Hải khẳng định, Phú Thọ luôn trân trọng mối quan hệ hữu nghị "
        "truyền thống với tỉnh Hủa Phăn và sẽ tiếp tục hỗ trợ tỉnh bạn trong đào tạo cán bộ, "
        "phát triển nông nghiệp và chăm sóc sức khỏe nhân dân.",
        "Đồng chí Viêng Khăm chúc mừng những thành tựu Phú Thọ đạt được, cảm ơn sự giúp đỡ "
        "quý báu của tỉnh trong thời gian qua và mong muốn hai tỉnh tiếp tục phối hợp triển "
        "khai hiệu quả các thỏa thuận hợp tác đã ký.",
    ]
)

TET_NEWSPAPER = "\n\n".join(
    [
        "Nhân dịp đón Tết cổ truyền của dân tộc Việt Nam, chiều 20/1, Phó Chủ tịch UBND tỉnh "
        "Lê Thanh Hải đã tiếp đoàn đại biểu cấp cao tỉnh Hủa Phăn, nước Cộng hòa Dân chủ Nhân"
        " dân Lào, sang thăm và chúc Tết.",
        "Tại buổi tiếp, đồng chí Viêng Khăm, Phó Tỉnh trưởng tỉnh Hủa Phăn gửi lời chúc Tết "
        "tốt đẹp nhất tới lãnh đạo và nhân dân Phú Thọ. Đồng chí cho biết, năm qua tỉnh Hủa "
        "Phăn đã vượt qua nhiều khó khăn, đời sống nhân dân từng bước được cải thiện, trong "
        "đó có sự giúp đỡ không nhỏ của tỉnh Phú Thọ.",
        "Phó Chủ tịch UBND tỉnh Lê Thanh Hải cảm ơn tình cảm của đoàn và đề nghị hai bên tăng"
        " cường trao đổi đoàn các cấp, mở rộng hợp tác trong các lĩnh vực giáo dục, y tế, "
        "thương mại; đồng thời phối hợp tổ chức tốt các hoạt động kỷ niệm ngày thiết lập quan"
        " hệ ngoại giao Việt Nam - Lào.",
        "Dịp này, lãnh đạo tỉnh Phú Thọ đã trao tặng tỉnh Hủa Phăn 500 triệu đồng hỗ trợ xây "
        "dựng trường học tại huyện biên giới.",
    ]
)

ADDED = (
    "Theo kế hoạch, trong quý III, hai bên sẽ tổ chức hội nghị xúc tiến đầu tư và giao lưu "
    "văn hóa tại Hà Nội, với sự tham gia của khoảng 200 doanh nghiệp và đại diện các cơ quan "
    "ngoại giao."
)


def corpus_bodies() -> dict[str, str]:
    """The labelled corpus's article bodies, one per distinct text."""
    bodies: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(CORPUS.glob("*/*.json")):
        paragraphs = json.loads(path.read_text(encoding="utf-8")).get("paragraphs") or []
        body = "\n\n".join(paragraphs)
        if len(body) >= 300 and content_hash(body) not in seen:
            seen.add(content_hash(body))
            bodies[f"{path.parent.name}-{path.stem}"] = body
    return bodies


def old_style(text: str) -> str:
    """The other tone-mark convention, decomposed, as some sites serve it."""
    swaps = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oạ": "ọa", "uỷ": "ủy", "uý": "úy", "oẻ": "ỏe"}
    for new, old in swaps.items():
        text = text.replace(new, old)
    return unicodedata.normalize("NFD", text)


def near_copies(body: str) -> dict[str, str]:
    paras = body.split("\n\n")
    first_sentence = paras[0].split(". ")[0]
    return {
        "added-paragraph": body + "\n\n" + ADDED,
        "dropped-last-paragraph": "\n\n".join(paras[:-1]) if len(paras) > 3 else body + " Hết.",
        "edited-sentence": body.replace(first_sentence, first_sentence + ", theo thông báo mới", 1),
        "other-convention-and-source": old_style(body) + "\n\nNguồn: Báo Thế giới và Việt Nam",
        "inline-caption": paras[0]
        + "\n\nẢnh: Quang cảnh buổi làm việc.\n\n"
        + "\n\n".join(paras[1:]),
    }


def item(url: str, text: str, site: str = "thoidai") -> dict:
    return {
        "url": url,
        "site": site,
        "title": "Tiêu đề",
        "text": text,
        "content_hash": content_hash(text),
        "fetched_at": FETCHED,
    }


# -- the hash key ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("hòa bình, thủy chung, văn hóa", "hoà bình, thuỷ chung, văn hoá"),
        ("Khỏe mạnh, Ủy ban, tùy ý", "Khoẻ mạnh, Uỷ ban, tuỳ ý"),
        ("HÒA GIẢI", "HOÀ GIẢI"),
        ("qúa trình", "quá trình"),  # a stray placement some editors type
        ("Đoàn đại biểu", unicodedata.normalize("NFD", "Đoàn đại biểu")),
        ("hai\u200b bên  ký\n\nkết", "hai bên ký kết"),
    ],
)
def test_spelling_variants_share_the_hash(one: str, other: str):
    assert one != other
    assert comparison_key(one) == comparison_key(other)
    assert content_hash(one) == content_hash(other)


def test_distinct_words_keep_distinct_keys():
    # the tone mark is normalised, never removed: these are different words
    for one, other in [("hòa", "hóa"), ("bàn", "bản"), ("đối", "đội"), ("thủy", "thùy")]:
        assert content_hash(one) != content_hash(other)


def test_tone_placement_is_the_main_vowel_and_keeps_case():
    assert normalise_tones("Hòa Bình hòe thủy QÙY người giữa quốc hoàn") == (
        "Hoà Bình hoè thuỷ QUỲ người giữa quốc hoàn"
    )
    assert syllables("Hòa  BÌNH, 2024!") == ["hoà", "bình", "2024"]
    assert fold("Đối ngoại Thủy") == "Doi ngoai Thuy"


# -- MinHash and LSH ------------------------------------------------------------------------


def test_signature_is_deterministic_and_estimates_jaccard():
    a, b = VISIT_PORTAL, VISIT_PORTAL + "\n\n" + ADDED
    sig_a, sig_b = dedupe.signature(a), dedupe.signature(b)
    assert sig_a == dedupe.signature(a) and len(sig_a) == dedupe.PERMUTATIONS
    assert dedupe.unpack(dedupe.pack(sig_a)) == sig_a
    sa, sb = dedupe.shingles(a), dedupe.shingles(b)
    exact = len(sa & sb) / len(sa | sb)
    assert abs(dedupe.similarity(sig_a, sig_b) - exact) < 0.1
    assert dedupe.signature("") is None and dedupe.shingles("Ngắn.") == {"ngắn"}


def test_fingerprint_is_the_hash_and_the_sketch_and_survives_json(tmp_path: Path):
    """What the pipeline computes in a worker is what the store would compute itself, and it
    comes back whole from a trip through JSON (distributed mode carries items through Redis)."""
    found = dedupe.fingerprint(VISIT_PORTAL)
    assert found == {
        "content_hash": content_hash(VISIT_PORTAL),
        "near_sketch": dedupe.sketch(VISIT_PORTAL),
    }
    assert dedupe.fingerprint("  ")["near_sketch"] is None
    copy = VISIT_PORTAL + "\n\n" + ADDED
    carried = json.loads(json.dumps(dedupe.fingerprint(copy)))
    assert dedupe.as_sketch(carried["near_sketch"]) == dedupe.sketch(copy)
    store = Store(tmp_path / "news.db")
    store.write([{**item("https://vinhphuc.gov.vn/visit-1", VISIT_PORTAL, "vinhphuc"), **found}])
    store.write([{**item("https://baoquocte.vn/visit-3.html", copy, "baoquocte"), **carried}])
    assert store.db.execute("SELECT article_id, other_id FROM near_duplicates").fetchall() == [
        (2, 1)
    ]
    store.close()


def test_same_event_reports_are_far_apart():
    for one, other in [(VISIT_PORTAL, VISIT_MAGAZINE), (TET_PORTAL, TET_NEWSPAPER)]:
        score = dedupe.similarity(dedupe.signature(one), dedupe.signature(other))
        assert score < 0.2


def test_store_links_near_copies_and_not_same_event_reports(tmp_path: Path):
    store = Store(tmp_path / "news.db")
    outcomes = store.write(
        [
            item("https://vinhphuc.gov.vn/visit-1", VISIT_PORTAL, "vinhphuc"),
            item("https://thoidai.com.vn/visit-2.html", VISIT_MAGAZINE),
            item("https://phutho.gov.vn/tet-1", TET_PORTAL, "phutho"),
            item("https://baoquocte.vn/tet-2.html", TET_NEWSPAPER, "baoquocte"),
            item("https://baoquocte.vn/visit-3.html", VISIT_PORTAL + "\n\n" + ADDED, "baoquocte"),
        ]
    )
    assert outcomes == ["new"] * 5
    links = store.db.execute(
        "SELECT article_id, other_id, similarity FROM near_duplicates"
    ).fetchall()
    assert [(a, o) for a, o, _ in links] == [(5, 1)]
    assert 0.75 < links[0][2] < 1
    # the copy is its own article, its text as published
    assert store.db["articles"].get(5)["text"].endswith(ADDED)
    store.close()


def test_edit_relinks_the_edited_article(tmp_path: Path):
    store = Store(tmp_path / "news.db")
    store.write([item("https://vinhphuc.gov.vn/visit-1", VISIT_PORTAL, "vinhphuc")])
    store.write([item("https://thoidai.com.vn/visit-2.html", VISIT_MAGAZINE)])
    assert store.db["near_duplicates"].count == 0
    # the magazine replaces its report with the portal's release plus a paragraph: now linked
    edited = item("https://thoidai.com.vn/visit-2.html", VISIT_PORTAL + "\n\n" + ADDED)
    assert store.write([edited]) == ["updated"]
    assert store.db.execute("SELECT article_id, other_id FROM near_duplicates").fetchall() == [
        (2, 1)
    ]
    # and back: the link goes
    assert store.write([item("https://thoidai.com.vn/visit-2.html", VISIT_MAGAZINE)]) == ["updated"]
    assert store.db["near_duplicates"].count == 0
    store.close()


def test_near_duplicate_precision_and_recall_on_the_corpus(tmp_path: Path):
    """Every corpus article plus five near copies of each, in one store.

    Ground truth: texts derived from one article are near copies of each other (any two of the
    family); everything else is a different article (the corpus has several same-topic pairs:
    people-to-people diplomacy in Vĩnh Phúc, Thái Nguyên and Phú Thọ), plus the two hand-
    written pairs of reports of one event.
    """
    bodies = corpus_bodies()
    assert len(bodies) >= 20, "the labelled corpus is missing"
    texts: dict[str, tuple[str, str]] = {}  # url -> (family, text)
    for name, body in bodies.items():
        texts[f"https://thoidai.com.vn/{name}-1.html"] = (name, body)
        for n, (kind, copy) in enumerate(near_copies(body).items(), 2):
            texts[f"https://baoquocte.vn/{name}-{kind}-{n}.html"] = (name, copy)
    for family, text in [
        ("visit-portal", VISIT_PORTAL),
        ("visit-magazine", VISIT_MAGAZINE),
        ("tet-portal", TET_PORTAL),
        ("tet-newspaper", TET_NEWSPAPER),
    ]:
        texts[f"https://phutho.gov.vn/{family}"] = (family, text)
    store = Store(tmp_path / "news.db")
    outcomes = store.write([item(url, text) for url, (_, text) in texts.items()])
    assert outcomes.count("new") == len(texts)
    family_of = {
        article_id: texts[url][0]
        for article_id, url in store.db.execute("SELECT id, url FROM articles").fetchall()
    }
    links = {
        (a, b) for a, b in store.db.execute("SELECT article_id, other_id FROM near_duplicates")
    }
    truth = {
        (max(a, b), min(a, b))
        for a, b in itertools.combinations(family_of, 2)
        if family_of[a] == family_of[b]
    }
    true_links = links & truth
    precision = len(true_links) / len(links)
    recall = len(true_links) / len(truth)
    print(
        f"\nnear duplicates: {len(family_of)} articles, {len(truth)} near-copy pairs, "
        f"{len(family_of) * (len(family_of) - 1) // 2 - len(truth)} different pairs; "
        f"{len(links)} links, precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision == 1.0
    assert recall >= 0.97
    store.close()


def test_candidate_lookup_uses_the_index_not_a_scan(tmp_path: Path):
    store = Store(tmp_path / "news.db")
    store.write([item("https://vinhphuc.gov.vn/visit-1", VISIT_PORTAL, "vinhphuc")])
    buckets = dedupe.buckets(dedupe.signature(VISIT_MAGAZINE))
    marks = ", ".join("?" * len(buckets))
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT s.article_id, s.minhash FROM article_signatures s "
        f"WHERE s.version = ? AND s.article_id IN (SELECT DISTINCT article_id FROM article_lsh "
        f"WHERE bucket IN ({marks}) LIMIT ?)",
        [1, *buckets, 500],
    ).fetchall()
    details = " | ".join(row[-1] for row in plan)
    assert "SCAN s" not in details and "SCAN article_signatures" not in details, details
    assert "SEARCH article_lsh" in details, details
    store.close()


def _corpus_bodies() -> list[str]:
    bodies = []
    for path in sorted((Path(__file__).parent / "corpus").glob("*/*.json")):
        gold = json.loads(path.read_text("utf-8"))
        bodies.append("\n\n".join(gold.get("paragraphs") or []))
    return bodies


def _sketch_v2(text: str) -> dedupe.Sketch | None:
    """SIGNATURE_VERSION 2 spelled out with Python integers: CRC-32 of each syllable, FNV-1
    combination of SHINGLE of them, folded to 32 bits, then min over the distinct keys of
    ((a·x + b) mod 2⁶⁴) >> 32 per hash function. The stored signatures are these values."""
    words = syllables(text)
    if not words:
        return None
    multipliers, increments, combine = (
        [int(v) for v in part] if hasattr(part, "__len__") else int(part)
        for part in dedupe._hash_family()
    )
    hashes = [zlib.crc32(w.encode()) for w in words]
    span = min(dedupe.SHINGLE, len(words))
    keys = set()
    for i in range(len(words) - span + 1):
        key = hashes[i]
        for offset in range(1, span):
            key = (key * combine + hashes[i + offset]) % 2**64
        keys.add((key ^ (key >> 32)) & 0xFFFFFFFF)
    signature = tuple(
        min(((a * x + b) % 2**64) >> 32 for x in keys)
        for a, b in zip(multipliers, increments, strict=True)
    )
    return signature, len(keys)


def test_the_sketch_is_signature_version_2_on_the_corpus():
    """The values stored under SIGNATURE_VERSION 2 must never change with the code computing
    them (the store compares new signatures with old ones)."""
    assert dedupe.SIGNATURE_VERSION == 2
    bodies = _corpus_bodies()[::6] + ["Ngắn.", "Một hai ba", VISIT_PORTAL]
    for body in bodies:
        assert dedupe.sketch(body) == _sketch_v2(body)
        assert dedupe.fingerprint(body)["near_sketch"] == _sketch_v2(body)



def test_the_token_memo_gives_the_functions_values_and_stays_bounded():
    """Memo (the comparison key's and the gazetteer scan's cache): the function's own values,
    and never more than `size` of them, however many distinct tokens a crawl sees."""
    from crawler.text.normalise import Memo

    memo = Memo(normalise_tones, size=64)
    words = [w for body in _corpus_bodies()[:20] for w in body.split()]
    assert len(set(words)) > 200
    for word in words + words:
        assert memo[word] == normalise_tones(word)
        assert len(memo) <= 64
