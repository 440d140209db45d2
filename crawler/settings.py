"""Scrapy settings: polite by default, one place for the contact address."""

from scrapy.settings import default_settings

from crawler import feeds

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# SPIDER_MODULES' classes plus one spider per enabled registry site
SPIDER_LOADER_CLASS = "crawler.spiders.loader.RegistrySpiderLoader"
COMMANDS_MODULE = "crawler.commands"

CONTACT = "https://github.com/vn-news-crawler (ops@vn-news-crawler.invalid)"
USER_AGENT = f"vn-news-crawler/0.1 (+{CONTACT}; news research crawler)"

# Politeness: robots.txt, AutoThrottle, at most 2 requests per host, retries with backoff.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# Per response, not global: Scrapy starts this many asyncio tasks for every callback's output.
# A callback here yields one article, or a listing's requests: 8 is plenty, and the default
# (100) cost a third of the reactor's time in task churn on the crawl benchmark.
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's RemoteControl: an HTTP endpoint that runs code, with token files left in the
# user's state directory (they pile up after killed runs). Nothing here needs it.
REMOTE_CONTROL_ENABLED = False

# Government hosts that still need legacy TLS name it in the registry (`tls_ciphers`): it
# applies to their hosts only (crawler/discovery/tls.py); every other host gets Scrapy's default.
DOWNLOAD_HANDLERS = {"https": "crawler.discovery.tls.SiteTLSDownloadHandler"}

# Tests and benchmarks map real hosts onto local mirror servers: {"host": "127.0.0.1:PORT"};
# set, the mirror add-on (crawler/testing/mirror.py) installs its download handler. Empty in
# production, where Scrapy's own handler downloads.
MIRROR_HOSTS: dict[str, str] = {}

DOWNLOADER_MIDDLEWARES = {
    "crawler.discovery.middlewares.HostBoundsMiddleware": 40,  # before Scrapy's offsite filter (50)
    "crawler.discovery.middlewares.HostWatchMiddleware": 650,
    "crawler.extensions.gone_links.GoneLinksMiddleware": 640,
    # last before the download handler, after the HTTP cache (900)
    "crawler.discovery.addresses.PublicAddressesMiddleware": 950,
}
# Article links that answered 404/410 are not requested again for this many days, doubling
# on each further 404 (at most 90): crawler/discovery/gone.py, the store's gone_urls table.
GONE_BACKOFF_DAYS = 7.0

# Dates are decided first so that field provenance (pipelines/provenance.py) counts every
# extracted page, those validation then drops included.
ITEM_PIPELINES = {
    "pipelines.dates.NormaliseDatePipeline": 50,
    "pipelines.provenance.FieldProvenancePipeline": 60,
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.caps.CapFieldsPipeline": 150,  # before any work on the text: see pipelines/caps
    "pipelines.text.NormaliseTextPipeline": 200,
    "pipelines.dedupe.ContentHashPipeline": 400,
    "pipelines.facets.FacetsPipeline": 450,
    "pipelines.store.SQLiteStorePipeline": 900,
}

# Scrapy's in-memory stats without the per-call deprecation shim (crawler/extensions/stats.py)
STATS_CLASS = "crawler.extensions.stats.DirectStatsCollector"
EXTENSIONS = {
    "crawler.extensions.runlog.CrawlRunLog": 500,
    "crawler.extensions.progress.Progress": 510,
    "scrapy.extensions.logstats.LogStats": None,  # replaced by crawler.extensions.progress
}
# Scrapy imports every extension its base lists, even one set to None here: the remote control
# (aiohttp, a sixth of a second of every crawl's start) and the telnet console, both off in
# this project, leave the list instead.
EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name not in {
        "scrapy.extensions.remote_control.RemoteControl",
        "scrapy.extensions.telnet.TelnetConsole",
    }
}
PROGRESS_INTERVAL = 60.0
PROGRESS_FIRST = 5.0  # seconds to the first progress line

# Extraction runs in this many worker processes (default: one per core; 0 = in the reactor).
EXTRACT_WORKERS = None
# The crawl process's young GC generation, in allocations (crawler.runner.tune_gc; 0: Python's
# 700, whose collections took a sixth of the crawl process's CPU)
GC_YOUNG_THRESHOLD = 10_000

# The store (docs/schema.md describes it). Relative paths (SQLITE_PATH, LOG_FILE, HTTPCACHE_DIR)
# are read against the project folder, not the current directory (crawler/paths.py).
SQLITE_PATH = "data/news.db"
# Only `scrapy crawl` and `crawlall` record a row in crawl_runs (they turn this on).
RECORD_RUNS = False
STORE_BATCH_SIZE = 50
# Batches are written by a process of their own (crawler/store/writer.py), off the reactor's
# CPU and GIL; False writes them on a thread of the crawl's process.
STORE_WRITER_PROCESS = True

# Incremental crawls: article URLs the store holds are not fetched again, except those first
# seen less than REVISIT_HOURS ago, re-read at most every REVISIT_EVERY_HOURS (to catch edits);
# a listing stops paging after LISTING_STALE_PAGES consecutive pages with nothing new.
INCREMENTAL = True
REVISIT_HOURS = 48
REVISIT_EVERY_HOURS = 6
LISTING_STALE_PAGES = 1

# Conditional requests (ETag / Last-Modified) for entry points and listings: Scrapy's HTTP
# cache, with a policy that revalidates every entry on every run (RFC 2616's serves what it
# judges fresh, max-age or an old Last-Modified, without asking: new articles went unseen);
# article pages are never cached (the store knows them). The cache lives beside the store.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawler.discovery.httpcache.AlwaysRevalidatePolicy"
HTTPCACHE_GZIP = True
HTTPCACHE_IGNORE_HTTP_CODES = [301, 302, 303, 307, 308, 401, 403, 404, 408, 429, 500, 502, 503, 504]

# The fetch time stamped on items; tests inject a fixed one ("2026-11-23T08:00:00+00:00").
FETCH_TIME = None

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# -O out.jsonl / out.csv: the schema's article fields, no internals (crawler/feeds.py)
FEED_EXPORT_FIELDS = list(feeds.ARTICLE_FIELDS)
FEED_EXPORTERS = {
    "csv": "crawler.feeds.JsonCellCsvItemExporter",
    "jsonlines": "crawler.feeds.JsonLinesArticleExporter",
    "jsonl": "crawler.feeds.JsonLinesArticleExporter",
    "jl": "crawler.feeds.JsonLinesArticleExporter",
    "json": "crawler.feeds.JsonArticleExporter",
    "xml": "crawler.feeds.XmlArticleExporter",
}

# Distributed mode (docs/distributed.md): with REDIS_URL set (-s REDIS_URL=redis://host:6379/0)
# crawler processes on any machines share one frontier and one request dupefilter in Redis,
# and push items to Redis for the one `scrapy ingest` that writes the store. Unset: no change.
ADDONS = {
    "crawler.extensions.distributed.DistributedAddon": 0,
    "crawler.addons.BesideTheStore": 10,
    "crawler.testing.mirror.MirrorAddon": 20,
}
REDIS_URL = None
REDIS_KEY_PREFIX = "vnnews"
REDIS_ITEMS_HTML = True  # pages travel with their items, for `scrapy reextract`

# Faults (crawler/discovery/safety.py): binary bodies served as text, pages cut when the connection
# closes, TCVN3 pages, XML entity declarations (585: between HttpCompression and Retry);
# redirect loops and over-long chains (610: before Redirect); Scrapy's robots.txt middleware
# with its concurrent-waiters bug fixed, and its decompression with gzip bombs counted.
# A body shorter than its Content-Length fails (ResponseDataLossError, retried, counted).
DOWNLOADER_MIDDLEWARES.update(
    {
        "crawler.discovery.safety.SafetyMiddleware": 585,
        "crawler.discovery.safety.RedirectGuardMiddleware": 610,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.discovery.safety.RobotsTxtMiddleware": 100,
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
        "crawler.discovery.safety.HttpCompressionMiddleware": 590,
        # Scrapy's, but a page whose head has no "refresh" is not decoded in this process
        "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
        "crawler.discovery.middlewares.CheapMetaRefreshMiddleware": 580,
    }
)
DOWNLOAD_FAIL_ON_DATALOSS = True

# Network boundaries (crawler/discovery/addresses.py, crawler/discovery/middlewares.py): no
# connection to loopback, private or link-local addresses (a registry host or a redirect
# pointing there) unless this is set; the tests' MIRROR_HOSTS map is its own allowance.
# Redirects are followed only to the registry's hosts on their default ports.
ALLOW_PRIVATE_ADDRESSES = False

# Caps on one discovery page (crawler/spiders/base.py), counted when they cut:
# `discovery/links_cut`, `discovery/page_bytes_cut`, `discovery/api_records_cut`.
DISCOVERY_MAX_LINKS = 1000  # links of one home page, listing or feed
DISCOVERY_MAX_SITEMAP_LOCS = 50000  # the sitemap protocol's own maximum
DISCOVERY_MAX_PAGE_BYTES = 2 * 1024 * 1024  # of an HTML page read for links (listings: ~300 KB)
DISCOVERY_MAX_API_RECORDS = 1000  # records of one API page (asked: the site's api.page_size)
