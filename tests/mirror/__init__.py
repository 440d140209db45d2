"""Local mirror of the crawled sites (URL schemes, page templates, faults) for end-to-end tests.

    from tests.mirror import MirrorServer, EXPECTED

    with MirrorServer(vinhphuc_mode="redirect") as mirror:
        mirror.hosts_map()          # {"thoidai.com.vn": "127.0.0.1:PORT", ...}
        MirrorServer.expected("thoidai")

See tests/mirror/README.md for the URL scheme of each site and the content set.
"""

from .content import ARTICLES, BY_KEY, EXPECTED, REPUBLICATION, expected
from .server import MirrorServer
from .sites import SITE_CLOCK, SITES

__all__ = [
    "ARTICLES",
    "BY_KEY",
    "EXPECTED",
    "REPUBLICATION",
    "SITES",
    "SITE_CLOCK",
    "MirrorServer",
    "expected",
]
