"""Who an article is about (crawler.extraction.facets): partners, provinces after the merger,
relevance."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from crawler.extraction.facets import analyse, resolve_province, site_province, strip_credits
from crawler.extraction.facets.gazetteer import gazetteer
from tests.conftest import ROOT, clean_env


def partners(text: str, title: str = "", **kw: str) -> dict[str, set[str]]:
    found = analyse(title, None, text, **kw)["partners"]
    return {
        kind: {p["code"] for p in found if p["kind"] == kind}
        for kind in ("country", "subdivision", "organisation")
    }


def countries(text: str) -> set[str]:
    return partners(text)["country"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Đoàn khách từ Mỹ Tho và Mỹ Đình đến thăm cơ sở thẩm mỹ, mỹ nghệ.", set()),
        ("Bà Nguyễn Thị Mỹ cho biết giá tăng.", set()),
        ("Thị trường Bắc Mỹ và Mỹ Latinh phục hồi.", set()),
        ("Quan hệ Việt Nam - Mỹ và doanh nghiệp Mỹ tại Hà Nội.", {"US"}),
        ("Tỉnh Lào Cai giáp Vân Nam.", {"CN"}),
        ("Lưu học sinh Lào và các tỉnh Bắc Lào.", {"LA"}),
        ("Đoàn đại biểu nước CHDCND Lào thăm tỉnh.", {"LA"}),
        ("Cô Lò Thị Nga và thầy Nguyễn Minh Đức dạy ở Nga Sơn.", set()),
        ("Anh Đức và chị Nga đã về quê.", set()),
        ("Đức Phật, Đức Giáo hoàng và Đức cha giáo phận.", set()),
        ("Áo dài Việt Nam được yêu thích; Ý kiến của người dân.", set()),
        ("Giáo viên tiếng Anh, tiếng Nhật và tiếng Italy.", set()),
        ("Pháp luật quy định rõ.", set()),
        ("Các nước Mỹ, Anh, Pháp, Ý và Áo.", {"US", "GB", "FR", "IT", "AT"}),
        ("Đại sứ Anh tại Việt Nam thăm tỉnh.", {"GB"}),
        ("Hội hữu nghị Việt - Lào và hợp tác Việt - Trung.", {"LA", "CN"}),
        ("Hợp tác với Cộng hòa Liên bang Đức và Liên bang Nga.", {"DE", "RU"}),
        ("Khu vực châu Á - Thái Bình Dương và Ấn Độ Dương.", set()),
        ("Đài Loan (Trung Quốc), Hàn Quốc, Hoa Kỳ và Nhật Bản.", {"TW", "CN", "KR", "US", "JP"}),
    ],
)
def test_country_names_and_their_traps(text: str, expected: set[str]) -> None:
    assert countries(text) == expected


def test_variants_written_as_the_sites_write_them() -> None:
    found = partners(
        "tỉnh Luông Nậm Thà, tỉnh Gyeongsangbuk-do, tỉnh Tochigi, tỉnh Hủa Phăn, "
        "Ngân hàng Thế giới, ASEAN, JICA, KOICA và UNDP."
    )
    assert found["subdivision"] == {"LA-LM", "KR-47", "JP-09", "LA-HO"}
    assert found["organisation"] == {"WB", "ASEAN", "JICA", "KOICA", "UNDP"}
    # a sub-national partner or a national agency brings its country along, as implied
    rows = {p["code"]: p for p in analyse("", "", "tỉnh Tochigi và KOICA")["partners"]}
    assert rows["JP"]["mentions"] == 0 and rows["JP"]["implied"] == 1
    assert rows["KR"]["implied"] == 1


def test_tone_mark_placement_and_case_of_acronyms() -> None:
    assert countries("Cộng hoà Dân chủ Nhân dân Lào") == {"LA"}
    assert partners("Hiệp hội Asean và ASEAN")["organisation"] == {"ASEAN"}
    assert partners("who said the un was here")["organisation"] == set()


def test_where_and_how_often() -> None:
    facets = analyse(
        "Phú Thọ tiếp đoàn Hàn Quốc", "Đoàn doanh nghiệp Hàn Quốc đến Phú Thọ.",
        "Doanh nghiệp Hàn Quốc đầu tư. Hàn Quốc là đối tác lớn.",
    )
    [korea] = [p for p in facets["partners"] if p["code"] == "KR"]
    where = (korea["in_title"], korea["in_lead"], korea["in_text"], korea["mentions"])
    assert where == (1, 1, 2, 4)


def test_photo_credits_and_source_lines_are_not_partners() -> None:
    text = (
        "Lãnh đạo tỉnh làm việc với doanh nghiệp. (Ảnh: TTXVN)\n\nẢnh: Báo Lào Cai\n\n"
        "Sản lượng tăng 5%. Ảnh: Đại sứ quán Nhật Bản\n\nNguồn: Bộ Ngoại giao Hàn Quốc"
    )
    assert "Lào Cai" not in strip_credits(text)
    facets = analyse("Tin kinh tế", None, text)
    assert facets["partners"] == [] and facets["provinces"] == []


def test_provinces_after_the_2025_merger_keep_their_historical_name() -> None:
    gaz = gazetteer()
    before = resolve_province("26", "2021-05-05", gaz)
    after = resolve_province("26", "2025-08-01T10:00:00+07:00", gaz)
    for found in (before, after):  # Vĩnh Phúc belongs to today's Phú Thọ, named as it was
        assert (found["named"], found["named_code"], found["name"], found["code"]) == (
            "Vĩnh Phúc", "26", "Phú Thọ", "25"
        )
    # a name that survived means the new province from 1 July 2025 (Lào Cai: 10 → 15)
    assert resolve_province("10", "2025-06-30", gaz)["named_code"] == "10"
    new = resolve_province("10", "2025-07-01", gaz)
    assert (new["named_era"], new["named_code"], new["name"]) == (34, "15", "Lào Cai")
    # Quảng Bình (44, 63 units) and the new Quảng Trị (44, 34 units) share a code, not an era
    rows = analyse("Quảng Trị và Quảng Bình", None, None, published_at="2025-08-01")["provinces"]
    assert {(p["named_era"], p["named_code"], p["named"]) for p in rows} == {
        (34, "44", "Quảng Trị"), (63, "44", "Quảng Bình")
    }


def test_an_article_found_on_a_provinces_portal_is_about_that_province() -> None:
    gaz = gazetteer()
    assert site_province("https://vinhphuc.gov.vn/ct/cms/tintuc/x.aspx", gaz) == "26"
    assert site_province("https://songoaivu.quangninh.gov.vn/a", gaz) == "22"
    assert site_province("https://baothainguyen.vn/a", gaz) is None
    [row] = analyse("Tin nông nghiệp", None, "Lúa tốt.",
                    url="https://vinhphuc.gov.vn/a", published_at="2025-09-01")["provinces"]
    assert (row["named"], row["name"], row["site"], row["about"]) == (
        "Vĩnh Phúc", "Phú Thọ", True, True
    )


@pytest.mark.parametrize(
    "title, province, expected",
    [
        ("Hòa Bình và Xiêng Khoảng hợp tác", "Hòa Bình", True),
        ("Vì hòa bình, Hòa bình là khát vọng", "Hòa Bình", False),
        ("Khu vực Thái Bình Dương", "Thái Bình", False),
        ("Chiến thắng Điện Biên Phủ", "Điện Biên", False),
        ("Tư tưởng Hồ Chí Minh và Chủ tịch Hồ Chí Minh", "Hồ Chí Minh", False),
        ("Hội chợ tại TP. Hồ Chí Minh", "Hồ Chí Minh", True),
    ],
)
def test_province_names_that_are_also_words(title: str, province: str, expected: bool) -> None:
    named = {p["named"] for p in analyse(title, None, None)["provinces"]}
    assert (province in named) is expected


def test_relevance_is_explained_by_what_fired() -> None:
    facets = analyse(
        "Thái Nguyên và tỉnh Gyeongsangbuk-do (Hàn Quốc) ký kết biên bản ghi nhớ",
        "Công tác đối ngoại của tỉnh.", "Đại sứ Hàn Quốc dự lễ ký kết.",
        url="https://thainguyen.gov.vn/tin-quoc-te/x", section="tin-quoc-te",
    )
    relevance = facets["relevance"]
    fired = {s["signal"] for s in relevance["signals"]}
    assert {"section", "doi_ngoai", "dai_su", "activity:signing", "partner_in_title"} <= fired
    assert relevance["foreign_affairs"] and "signing" in relevance["activities"]
    assert relevance["score"] == sum(s["weight"] for s in relevance["signals"])
    sport = analyse("U23 Việt Nam thắng Kuwait", "Tại Qatar.", "Gặp Malaysia, tập ở Hàn Quốc.",
                    section="the-thao")["relevance"]
    assert not sport["foreign_affairs"]


def test_gazetteer_codes_are_iso_where_iso_has_one() -> None:
    gaz = gazetteer()
    for code, (kind, _name, country) in gaz.labels.items():
        if kind == "country":
            assert pycountry.countries.get(alpha_2=code) is not None, code
        elif kind == "subdivision":
            parent = code.split("/")[0]
            assert pycountry.subdivisions.get(code=parent) is not None or parent == country, code
            assert pycountry.countries.get(alpha_2=country) is not None, code
        if country:
            assert pycountry.countries.get(alpha_2=country) is not None, code


def test_province_table_matches_the_vietnamadminunits_package() -> None:
    """data/provinces.tsv (shipped, read at run time) says what the maintained package says."""
    database = pytest.importorskip("vietnamadminunits.database")
    converter = pytest.importorskip("vietnamadminunits.converter.converter_2025")
    old = database.query("SELECT DISTINCT provinceCode c, provinceShort s, provinceKey k"
                         " FROM admin_units_legacy")
    new = {r["k"]: r for r in database.query(
        "SELECT DISTINCT provinceCode c, provinceShort s, provinceKey k FROM admin_units")}
    becomes = {o: n for n, olds in converter.DICT_PROVINCE.items() for o in olds}
    expected = {(r["c"], r["s"], new[becomes[r["k"]]]["c"]) for r in old}
    ours = {(r["code"], r["name"], r["becomes_code"]) for r in gazetteer().provinces
            if r["era"] == "63"}
    assert ours == expected
    assert {(r["code"], r["name"]) for r in gazetteer().provinces if r["era"] == "34"} == {
        (r["c"], r["s"]) for r in new.values()
    }


def test_analysis_is_plain_data() -> None:
    import json
    import pickle

    facets = analyse("Phú Thọ và Gunma", "lead", "text", url="https://phutho.gov.vn/x")
    assert json.loads(json.dumps(facets)) == facets
    assert pickle.loads(pickle.dumps(facets)) == facets


def test_english_editions_write_provinces_without_diacritics() -> None:
    facets = analyse("Phu Tho and Gunma sign MoU", "Officials met in Hanoi.",
                     "Ho Chi Minh said. Ho Chi Minh City and Hue. A hue of blue.",
                     published_at="2024-01-01")
    assert {p["named"] for p in facets["provinces"]} == {"Phú Thọ", "Hà Nội", "Hồ Chí Minh",
                                                         "Huế"}
    hcm = next(p for p in facets["provinces"] if p["named"] == "Hồ Chí Minh")
    assert hcm["mentions"] == 1  # the city, not the president


def _gazetteer_in_a_process(cache: Path, **env: str) -> dict:
    """gazetteer() in a fresh process whose user cache is `cache`: its version, a scan, and
    whether it had to import Babel (that is, build)."""
    code = (
        "import json, sys\n"
        "from crawler.extraction.facets.gazetteer import gazetteer\n"
        "g = gazetteer()\n"
        "hits = [h.entry.code for h in g.scan('Quan hệ Việt Nam - Lào và Nhật Bản')]\n"
        "print(json.dumps({'version': g.version, 'hits': hits, 'built': 'babel' in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env={**clean_env(), "XDG_CACHE_HOME": str(cache), **env},
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def test_the_gazetteer_is_read_from_the_users_cache_once_built(tmp_path: Path):
    first = _gazetteer_in_a_process(tmp_path)
    again = _gazetteer_in_a_process(tmp_path)
    assert first["built"] and not again["built"]
    assert again == {**first, "built": False}
    assert first["version"] == gazetteer().version and {"LA", "JP"} <= set(first["hits"])


def test_another_gazetteer_file_is_built_not_read_from_the_cache(tmp_path: Path):
    _gazetteer_in_a_process(tmp_path / "cache")
    edited = tmp_path / "gazetteer.toml"
    shipped = Path(ROOT, "crawler/extraction/facets/data/gazetteer.toml").read_text("utf-8")
    edited.write_text(shipped + "\n# an operator's edit\n", "utf-8")
    other = _gazetteer_in_a_process(tmp_path / "cache", CRAWLER_GAZETTEER=str(edited))
    assert other["built"] and other["version"] != gazetteer().version


def test_a_broken_or_shared_cache_is_not_read(tmp_path: Path):
    _gazetteer_in_a_process(tmp_path)
    [cached] = (tmp_path / "vn-news-crawler").glob("gazetteer-*.pickle")
    cached.write_bytes(cached.read_bytes()[:1000])  # truncated
    assert _gazetteer_in_a_process(tmp_path)["built"]
    assert not _gazetteer_in_a_process(tmp_path)["built"]  # written whole again
    (tmp_path / "vn-news-crawler").chmod(0o777)  # others could have put any pickle there
    assert _gazetteer_in_a_process(tmp_path)["built"]


def _scan_walking_the_index(text: str) -> list:
    """The scan as a walk down `index` (every name starting at a token tried in turn): the
    reference that Gazetteer.scan, which tries only the names whose tokens follow, must equal."""
    from crawler.extraction.facets.gazetteer import TOKEN, Hit, key

    gaz = gazetteer()
    toks = TOKEN.findall(text)
    keys = [key(t) for t in toks]
    hits, end = [], 0
    for i, k in enumerate(keys):
        if i < end or k not in gaz.index:
            continue
        for entry in gaz.index[k]:
            size = len(entry.keys)
            if tuple(keys[i : i + size]) != entry.keys:
                continue
            if entry.kind != "blocked" and not gaz._case_ok(entry, toks, i):
                continue
            if entry.short and not gaz._alone(toks, keys, i, size):
                continue
            if entry.kind == "country" and i and keys[i - 1] == "tiếng":
                continue
            hits.append(Hit(entry, i, i + size))
            end = i + size
            break
    return [h for h in gaz._resolve_context(hits, toks, keys) if h.entry.kind != "blocked"]


def test_the_scan_finds_what_a_walk_down_the_index_finds() -> None:
    """On the corpus's articles and on every name of the gazetteer in a sentence (names that
    share their first tokens, blocked phrases, case variants)."""
    import json
    from pathlib import Path

    texts = []
    for path in sorted((Path(__file__).parent / "corpus").glob("*/*.json")):
        gold = json.loads(path.read_text("utf-8"))
        texts += [gold.get("title") or "", "\n".join(gold.get("paragraphs") or [])]
    names = [entry.name for entry in gazetteer().entries]
    texts += [f"Đoàn {name} và {name.upper()}, {name.lower()} - Việt Nam." for name in names]
    texts.append(", ".join(names))
    assert len(texts) > 1000
    for text in texts:
        assert gazetteer().scan(text) == _scan_walking_the_index(text), text[:80]
