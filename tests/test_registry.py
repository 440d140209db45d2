"""The registry: the real entries load, and a broken entry names the file, site and field."""

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import RegistryError, load_registry


def test_real_registry_has_the_sites():
    sites = load_registry()
    assert {"thoidai", "baoquocte", "vinhphuc", "thainguyen", "phutho", "vietnamtimes"} <= set(
        sites
    )
    thoidai = sites["thoidai"]
    assert thoidai.canonical_host == "thoidai.com.vn"
    assert "tacnghiep.thoidai.com.vn" in thoidai.hosts
    assert thoidai.page_url("huu-nghi", 3) == "https://thoidai.com.vn/huu-nghi&s_cond=&BRSR=32"
    assert sites["baoquocte"].page_url("ngoai-giao", 2).endswith("ngoai-giao&s_cond=&BRSR=15")
    assert sites["phutho"].page_url("tin-tuc", 2) == "https://phutho.gov.vn/tin-tuc?page=1"
    assert sites["vinhphuc"].api is not None
    assert sites["vinhphuc"].is_article_url(
        "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KinhTe/View_Detail.aspx?ItemID=12"
    )
    assert not sites["vinhphuc"].is_article_url("https://vinhphuc.gov.vn/Pages/default.aspx")
    tn = sites["thainguyen"]
    assert tn.is_article_url(
        "https://thainguyen.gov.vn/tin-quoc-te/-/asset_publisher/aB3dE5/content/don-doan-nhat-ban"
    )
    assert tn.is_article_url("https://thainguyen.gov.vn/tin-quoc-te/don-doan-nhat-ban-12345")
    assert not thoidai.is_article_url("https://vietnamtimes.thoidai.com.vn/x-1.html")


def test_family_member_is_a_few_lines(tmp_path: Path):
    """A new MasterCMS magazine inherits discovery and extraction from its family."""
    text = (Path(load_registry.__code__.co_filename).with_name("sites.toml")).read_text("utf-8")
    text += '\n[sites.huunghi]\nlabel = "Hữu nghị Việt Lào"\nfamily = "mastercms"\n'
    text += 'root = "https://huunghivietlao.thoidai.com.vn/"\nsections = ["tin-tuc"]\n'
    registry = tmp_path / "sites.toml"
    registry.write_text(text, "utf-8")
    site = load_registry(registry)["huunghi"]
    assert site.profile.body == load_registry()["thoidai"].profile.body
    assert site.is_article_url("https://huunghivietlao.thoidai.com.vn/le-ky-niem-123.html")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('family = "nope"', "field 'family': unknown family 'nope'"),
        ('famliy = "mastercms"', "field 'famliy': unknown field"),
        ('family = "mastercms"\nmax_pages = "3"', "field 'max_pages': expected int"),
        ('family = "mastercms"\narticle = "(["', "field 'article': invalid regular expression"),
        ('family = "mastercms"\npaging = "{nope}"', "field 'templates': bad URL template"),
    ],
)
def test_bad_entry_names_file_site_and_field(tmp_path: Path, entry: str, message: str):
    registry = tmp_path / "sites.toml"
    registry.write_text(
        '[families.mastercms]\narticle = "x"\n'
        f'[sites.bad]\nlabel = "B"\nroot = "https://b.vn/"\n{entry}\n',
        "utf-8",
    )
    with pytest.raises(RegistryError) as info:
        load_registry(registry)
    assert str(registry) in str(info.value)
    assert "site 'bad'" in str(info.value)
    assert message in str(info.value)


def test_a_bad_registry_stops_commands_with_a_clear_message(tmp_path: Path):
    from tests.conftest import ROOT, clean_env

    bad = tmp_path / "sites.toml"
    text = (ROOT / "crawler" / "sites.toml").read_text("utf-8")
    bad.write_text(text.replace("page_size = 15", 'page_size = "15"'), "utf-8")
    env = {**clean_env(), "CRAWLER_REGISTRY": str(bad)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{bad}: site 'baoquocte', field 'page_size': expected int" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'family = "mastercms"\narticle = "^/(a+)+$"',
            "field 'article': regular expression '^/(a+)+$' nests a repeat in a repeat",
        ),
        (
            'family = "mastercms"\narticle_query = "^(?:id=\\\\d*)*$"',
            "field 'article_query': regular expression",
        ),
        ('family = "mastercms"\npage_size = 0', "field 'page_size': expected a positive integer"),
        ('family = "mastercms"\nmax_pages = -1', "field 'max_pages': expected a positive integer"),
        (
            'family = "mastercms"\n[sites.bad.api]\nkind = "sharepoint_dstintuc"\nurl = "{root}a"\n'
            'list_path = "/l/{section}"\narticle_url = "{root}d?id={id}"\npage_size = 0',
            "field 'api.page_size': expected a positive integer, got 0",
        ),
    ],
)
def test_dangerous_entries_are_refused(tmp_path: Path, entry: str, message: str):
    """A catastrophic regex hangs the crawl on one near-miss link; a page size of 0 divides by
    zero in the middle of the crawl: both are refused when the registry is read."""
    test_bad_entry_names_file_site_and_field(tmp_path, entry, message)


@pytest.mark.parametrize("name", ["../../tmp/x", "Bao Quoc Te", "báo", "a-b"])
def test_site_names_are_lower_case_letters_digits_and_underscores(tmp_path: Path, name: str):
    """The name becomes the spider name and the lock and cache file names: `../` would put a
    lock file outside locks/."""
    registry = tmp_path / "sites.toml"
    registry.write_text(
        f'[families.mastercms]\narticle = "x"\n[sites."{name}"]\nlabel = "B"\n'
        'root = "https://b.vn/"\nfamily = "mastercms"\n',
        "utf-8",
    )
    with pytest.raises(RegistryError, match=r"field 'name': a site name is lower-case"):
        load_registry(registry)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[sites.baoquocte]", '[sites."../baoquocte"]', "site '../baoquocte', field 'name'"),
        ("page_size = 15", "page_size = 0", "site 'baoquocte', field 'page_size'"),
        (
            "article = '^/[a-z0-9-]+-\\d+\\.html$'",
            "article = '^/([a-z0-9-]+)+-\\d+\\.html$'",
            "field 'article': regular expression",
        ),
    ],
)
def test_dangerous_registry_stops_commands_with_exit_2(
    tmp_path: Path, old: str, new: str, message: str
):
    from tests.conftest import ROOT, clean_env

    text = (ROOT / "crawler" / "sites.toml").read_text("utf-8")
    assert old in text
    bad = tmp_path / "sites.toml"
    bad.write_text(text.replace(old, new, 1), "utf-8")
    env = {**clean_env(), "CRAWLER_REGISTRY": str(bad)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "baoquocte",
            "-s",
            f"SQLITE_PATH={tmp_path}/n.db",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"registry error: {bad}: ") and message in line
    assert not (tmp_path / "locks").exists() and not (tmp_path.parent / "baoquocte.lock").exists()


def test_overlong_links_are_not_matched():
    site = load_registry()["baoquocte"]
    assert site.is_article_url("https://baoquocte.vn/" + "a-" * 100 + "1.html")
    assert not site.is_article_url("https://baoquocte.vn/" + "a-" * 3000 + "1.html")
