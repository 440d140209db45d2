"""The six mirrored sites: hosts, sections, page sizes and the shared site clock."""

from __future__ import annotations

from datetime import datetime

from .model import Section, Site

# The "today" every site shows in its header clock. No article is published on that day.
SITE_CLOCK = datetime(2026, 11, 23, 9, 41)

# Liferay asset-publisher portlet instance per thainguyen.gov.vn section page.
LIFERAY_INSTANCES = {
    "tin-quoc-te": "aB3dE5fG7hJ9",
    "thoi-su": "Kx7LmN2pQr4s",
    "tin-hoat-dong-cua-tinh": "Tz9YwV3uS1oR",
}
LIFERAY_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_"

THOIDAI = Site(
    key="thoidai",
    platform="mastercms",
    main_host="thoidai.com.vn",
    aliases=("www.thoidai.com.vn", "tacnghiep.thoidai.com.vn"),
    name="Tạp chí Thời Đại",
    page_size=16,
    sections=(
        Section("huu-nghi", "Hữu nghị", True),
        Section("huu-nghi/bon-phuong-ket-ban", "Bốn phương kết bạn", True),
        Section("huu-nghi/hoat-dong-huu-nghi", "Hoạt động hữu nghị", True),
        Section("viet-nam-hom-nay", "Việt Nam hôm nay", True),
        Section("chuyen-ngoai-giao", "Chuyện ngoại giao", True),
        Section("chuyen-ngoai-giao/doi-ngoai-dia-phuong", "Đối ngoại địa phương", True),
        Section("the-thao", "Thể thao", False),
        Section("giai-tri", "Giải trí", False),
    ),
)

VIETNAMTIMES = Site(
    key="vietnamtimes",
    platform="mastercms",
    main_host="vietnamtimes.thoidai.com.vn",
    aliases=(),
    name="Vietnam Times",
    page_size=16,
    sections=(
        Section("friendship", "Friendship", True),
        Section("diplomacy", "Diplomacy", True),
        Section("travel", "Travel", False),
    ),
)

BAOQUOCTE = Site(
    key="baoquocte",
    platform="mastercms",
    main_host="baoquocte.vn",
    aliases=("www.baoquocte.vn",),
    name="Báo Thế giới và Việt Nam",
    page_size=15,
    sections=(
        Section("ngoai-giao", "Ngoại giao", True),
        Section("ngoai-giao/tin-tuc", "Tin tức", True),
        Section("ngoai-giao/doi-ngoai-dia-phuong", "Đối ngoại địa phương", True),
        Section("thoi-su", "Thời sự", True),
        Section("kinh-te", "Kinh tế", False),
        Section("kinh-te/ngoai-giao-kinh-te", "Ngoại giao kinh tế", True),
        Section("kinh-te/doanh-nghiep", "Doanh nghiệp", False),
        Section("van-hoa", "Văn hóa", False),
    ),
)

VINHPHUC = Site(
    key="vinhphuc",
    platform="sharepoint",
    main_host="vinhphuc.gov.vn",
    aliases=("www.vinhphuc.gov.vn",),
    name="Cổng thông tin điện tử tỉnh Vĩnh Phúc",
    page_size=5,
    # No list is "foreign affairs" by name: the flag follows each article's topic.
    sections=(
        Section("ThoiSuChinhTri", "Thời sự chính trị", True),
        Section("KinhTe", "Kinh tế", True),
    ),
)

THAINGUYEN = Site(
    key="thainguyen",
    platform="liferay",
    main_host="thainguyen.gov.vn",
    aliases=("www.thainguyen.gov.vn",),
    name="Cổng thông tin điện tử tỉnh Thái Nguyên",
    page_size=3,
    sections=(
        Section("tin-quoc-te", "Tin quốc tế", True),
        Section("thoi-su", "Thời sự", False),
        Section("tin-hoat-dong-cua-tinh", "Tin hoạt động của tỉnh", False),
    ),
)

PHUTHO = Site(
    key="phutho",
    platform="drupal",
    main_host="phutho.gov.vn",
    aliases=("www.phutho.gov.vn",),
    name="Cổng thông tin điện tử tỉnh Phú Thọ",
    page_size=3,
    sections=(
        Section("doi-ngoai", "Đối ngoại", True),
        Section("kinh-te-xa-hoi", "Kinh tế - Xã hội", False),
    ),
)

SITES: dict[str, Site] = {
    s.key: s for s in (THOIDAI, VIETNAMTIMES, BAOQUOCTE, VINHPHUC, THAINGUYEN, PHUTHO)
}

HOST_TO_SITE: dict[str, str] = {host: s.key for s in SITES.values() for host in s.hosts}
