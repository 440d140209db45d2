"""Distributed mode: crawlers on any machines share one frontier in Redis; one writer stores.

Switched on by one setting, `REDIS_URL` (`-s REDIS_URL=redis://host:6379/0`); with it unset
(the default) this module changes nothing and Redis is never imported. The add-on
(`DistributedAddon`, in ADDONS) then sets, for every crawler of `scrapy crawl` and
`scrapy crawlall`:

* SCHEDULER = scrapy_redis's scheduler (wrapped in `Scheduler`), SCHEDULER_PERSIST on: the
  request queue of each spider is a sorted set `<prefix>:<spider>:requests` that every process
  pushes to and pops from, each taking no more than it can download at once;
* DUPEFILTER_CLASS = scrapy_redis's RFPDupeFilter: one set of request fingerprints per spider
  (`<prefix>:<spider>:dupefilter`), so every process's `start()` yields the same entry points
  and only the first one to schedule a URL gets it (no start request sets `dont_filter`);
* the SQLite store pipeline replaced by `RedisItemPipeline`, which pushes each item (page HTML
  included, unless REDIS_ITEMS_HTML is off) as compressed JSON onto one list, `<prefix>:items`;
* the crawl-run log replaced by `Frontier`, which pushes the run's start and end (with its
  stats) onto the same list, so the one `scrapy ingest` (crawler/commands/ingest.py) writes
  articles and `crawl_runs` rows and no crawler ever writes SQLite.

`Frontier` also keeps the workers of each spider in a Redis hash (`<prefix>:workers`, field
`<spider> <worker>`, value `<server time> <busy 0|1>`, refreshed twice a second). A worker that
runs out of requests stays open while another live worker of its spider is busy (that one may
still discover links), so the spider's work is shared to the end; the last worker to finish a
crawl (reason `finished`, queue empty, no live worker left) deletes the fingerprints, so the
next crawl starts afresh. A crawl stopped early (SIGTERM, crash) keeps its queue and
fingerprints: the next crawl of that spider resumes it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pickle
import socket
import uuid
import warnings
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured, ScrapyDeprecationWarning
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.request import request_from_dict
from twisted.internet import task
from twisted.internet.threads import deferToThread

from crawler.extensions.runlog import CrawlRunLog
from crawler.store.clock import utc_now
from pipelines.store import SQLiteStorePipeline, refuse_incomplete

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)

MESSAGE_VERSION = 1

# Worker bookkeeping, in Lua so that each step is atomic and uses the Redis server's clock
# (crawlers on several machines need not agree on the time).
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "
# KEYS[1] workers hash; ARGV[1] field, ARGV[2] busy (0|1).
BEAT_LUA = _NOW + "redis.call('HSET', KEYS[1], ARGV[1], now .. ' ' .. ARGV[2]) return 1"
# Live workers of one spider (all spiders when ARGV[1] is empty) other than the caller; dead
# ones (no heartbeat for ARGV[3] seconds) are removed. KEYS[1] workers hash; ARGV[2] own field.
_SCAN = """
local prefix = ARGV[1] .. ' '
local live, busy = 0, 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local beat, state = string.match(all[i + 1], '^(%S+) (%d)$')
  if beat == nil or now - tonumber(beat) > tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[2] and (ARGV[1] == '' or string.sub(all[i], 1, #prefix) == prefix) then
    live = live + 1
    if state == '1' then busy = busy + 1 end
  end
end
"""
OTHERS_LUA = _NOW + _SCAN + "return {live, busy}"
# Leave; for a finished crawl (ARGV[4] = 1) the last live worker, queue empty, deletes the
# fingerprints. KEYS[1] workers, KEYS[2] queue, KEYS[3] dupefilter, KEYS[4] queue counter.
LEAVE_LUA = (
    _NOW
    + "redis.call('HDEL', KEYS[1], ARGV[2])"
    + _SCAN
    + """
if ARGV[4] == '1' and live == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3], KEYS[4])
  return 1
end
return 0
"""
)


def enabled(settings: BaseSettings) -> bool:
    """Distributed mode is on when REDIS_URL is set."""
    return bool(settings.get("REDIS_URL"))


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one deployment (all under REDIS_KEY_PREFIX)."""

    prefix: str = "vnnews"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Keys:
        return cls(settings.get("REDIS_KEY_PREFIX") or "vnnews")

    def requests(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:requests"

    def dupefilter(self, spider: str) -> str:
        return f"{self.prefix}:{spider}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def processing(self) -> str:
        return f"{self.prefix}:items:processing"

    @property
    def ingest_lock(self) -> str:
        return f"{self.prefix}:ingest"

    def run(self, token: str) -> str:
        return f"{self.prefix}:run:{token}"


def redis_client(settings: BaseSettings) -> Any:
    """A redis-py client from REDIS_URL and REDIS_PARAMS (scrapy-redis's own defaults)."""
    from scrapy_redis.connection import get_redis_from_settings  # lazy: Redis only when enabled

    return get_redis_from_settings(settings)


def worker_timeout(settings: BaseSettings) -> float:
    """Seconds without a heartbeat after which a worker counts as dead."""
    return settings.getfloat("DISTRIBUTED_WORKER_TIMEOUT", 60.0)


def live_workers(server: Any, keys: Keys, timeout: float, spider: str = "") -> int:
    """Live crawler workers (of one spider, or of all when `spider` is empty)."""
    live, _ = server.eval(OTHERS_LUA, 1, keys.workers, spider, "", timeout)
    return int(live)


# -- messages on the item list --------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):  # a page's raw bytes: the store reads base64 back
        return base64.b64encode(value).decode("ascii")
    return str(value)


def encode(message: dict[str, Any]) -> bytes:
    """One message: zlib-compressed JSON (pages compress about fivefold)."""
    data = json.dumps({"v": MESSAGE_VERSION, **message}, ensure_ascii=False, default=_plain)
    return zlib.compress(data.encode("utf-8"), 6)


def decode(data: bytes) -> dict[str, Any]:
    """The message pushed by `encode` (plain JSON is accepted too, for hand-made messages)."""
    if data[:1] not in (b"{", b"["):
        data = zlib.decompress(data)
    message = json.loads(data)
    if not isinstance(message, dict) or "type" not in message:
        raise ValueError("not a message (a JSON object with a 'type')")
    return message


# -- the add-on -----------------------------------------------------------------------------


class DistributedAddon:
    """ADDONS entry: with REDIS_URL set, turn a crawler into a worker of the shared frontier."""

    def update_settings(self, settings: Settings) -> None:
        if not enabled(settings):
            return
        keys = Keys.from_settings(settings)
        for name, value in {
            "SCHEDULER": "crawler.extensions.distributed.Scheduler",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_CLASS": "crawler.extensions.distributed.LifoPriorityQueue",
            "SCHEDULER_QUEUE_KEY": keys.requests("%(spider)s"),
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter("%(spider)s"),
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        }.items():
            settings.set(name, value, "addon")
        try:
            settings.replace_in_component_priority_dict(
                "ITEM_PIPELINES", SQLiteStorePipeline, RedisItemPipeline
            )
        except KeyError:  # the store pipeline was disabled or renamed: items still go to Redis
            settings.set_in_component_priority_dict("ITEM_PIPELINES", RedisItemPipeline, 900)
        settings.set_in_component_priority_dict("EXTENSIONS", CrawlRunLog, None)
        settings.set_in_component_priority_dict("EXTENSIONS", Frontier, 500)
        # scrapy-redis 0.9.1 still calls APIs that Scrapy 2.19 deprecates (`spider=` for the
        # stats collector, Spider.log()): its warnings, not ours, so not in our logs.
        warnings.filterwarnings(
            "ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis\."
        )


# -- crawler components ---------------------------------------------------------------------


class Scheduler:
    """scrapy-redis's scheduler, taking from the shared queue only what this process can
    download now (DISTRIBUTED_PREFETCH requests in the downloader, by default
    CONCURRENT_REQUESTS_PER_DOMAIN): Scrapy's own scheduler would hand the downloader up to
    CONCURRENT_REQUESTS at once, to wait there in the per-host queue while other workers idle.
    """

    def __init__(self, redis_scheduler: Any, crawler: Crawler, prefetch: int):
        self.inner = redis_scheduler
        self.crawler = crawler
        self.prefetch = max(1, prefetch)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        from scrapy_redis.scheduler import Scheduler as RedisScheduler  # lazy: as above

        settings = crawler.settings
        prefetch = settings.getint(
            "DISTRIBUTED_PREFETCH", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        )
        return cls(RedisScheduler.from_crawler(crawler), crawler, prefetch)

    def __len__(self) -> int:
        return len(self.inner)

    def open(self, spider: Spider) -> Any:
        return self.inner.open(spider)

    def close(self, reason: str) -> Any:
        return self.inner.close(reason)

    def has_pending_requests(self) -> bool:
        return self.inner.has_pending_requests()

    def enqueue_request(self, request: Any) -> bool:
        return self.inner.enqueue_request(request)

    def next_request(self) -> Any:
        if len(self.crawler.engine.downloader.active) >= self.prefetch:
            return None  # asked again as soon as a download ends
        return self.inner.next_request()


class LifoPriorityQueue:
    """A spider's shared request queue: a Redis sorted set, highest priority first and, within
    a priority, the request pushed last first (Scrapy's own default order).

    scrapy-redis's PriorityQueue leaves ties in the byte order of the pickled requests, that is
    by URL: a magazine's next listing page (`/ngoai-giao&...`) then waits behind every article
    link found so far (`/bai-...`), and discovery stalls once per listing page.
    """

    PUSH_LUA = (
        "local n = redis.call('INCR', KEYS[2]) "
        "return redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) * 1099511627776 - n, ARGV[2])"
    )

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None):
        if serializer is None:
            serializer = pickle
        self.server = server
        self.spider = spider
        self.key = key % {"spider": spider.name}
        self.serializer = serializer

    def __len__(self) -> int:
        return self.server.zcard(self.key)

    def push(self, request: Any) -> None:
        data = self.serializer.dumps(request.to_dict(spider=self.spider))
        self.server.eval(self.PUSH_LUA, 2, self.key, f"{self.key}:seq", -request.priority, data)

    def pop(self, timeout: float = 0) -> Any:
        pipe = self.server.pipeline()
        pipe.multi()
        pipe.zrange(self.key, 0, 0).zremrangebyrank(self.key, 0, 0)
        results, _ = pipe.execute()
        if results:
            return request_from_dict(self.serializer.loads(results[0]), spider=self.spider)
        return None

    def clear(self) -> None:
        self.server.delete(self.key, f"{self.key}:seq")


class Frontier:
    """One crawler's membership of the shared frontier, and its run reported to `ingest`."""

    def __init__(self, crawler: Crawler):
        if not enabled(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        self.crawler = crawler
        settings = crawler.settings
        self.keys = Keys.from_settings(settings)
        self.server = redis_client(settings)
        try:
            self.server.ping()
        except Exception as exc:
            logger.error("cannot reach Redis at %s (REDIS_URL): %s", settings["REDIS_URL"], exc)
            raise
        self.interval = settings.getfloat("DISTRIBUTED_HEARTBEAT", 0.5)
        self.timeout = worker_timeout(settings)
        self.run = uuid.uuid4().hex
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{self.run[:8]}"
        self.field = ""
        self.busy: bool | None = None
        self.started_at = ""
        self.loop: Any = None
        self._failing = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Frontier:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.field = f"{spider.name} {self.worker}"
        self.started_at = utc_now()
        stats = self.crawler.stats
        stats.set_value("distributed/run", self.run)
        stats.set_value("distributed/worker", self.worker)
        self._beat(True)
        self._send({"type": "run_start", "spider": spider.name, "started_at": self.started_at})
        queue = self.crawler.settings["SCHEDULER_QUEUE_KEY"] % {"spider": spider.name}
        if waiting := self.server.zcard(queue):
            logger.info(
                "%s: resuming a crawl stopped early: %d requests queued", spider.name, waiting
            )
        logger.info(
            "%s: distributed worker %s (frontier %s, items to %s)",
            spider.name,
            self.worker,
            self.keys.requests(spider.name),
            self.keys.items,
        )
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def _send(self, message: dict[str, Any]) -> None:
        self.server.rpush(self.keys.items, encode({"run": self.run, **message}))

    def _beat(self, busy: bool) -> None:
        try:
            self.server.eval(BEAT_LUA, 1, self.keys.workers, self.field, int(busy))
        except Exception as exc:  # a Redis hiccup must not stop the crawl here
            if not self._failing:
                logger.warning("cannot reach Redis for the heartbeat: %s", exc)
            self._failing = True
            return
        self._failing = False
        self.busy = busy

    def tick(self) -> None:
        """Heartbeat, and a nudge so that requests pushed by other workers are picked up now
        rather than at the engine's next 5-second heartbeat."""
        engine = self.crawler.engine
        try:
            busy = not engine.spider_is_idle()
        except (RuntimeError, AttributeError):  # closing
            return
        self._beat(busy)
        slot = getattr(engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def spider_idle(self, spider: Spider) -> None:
        self._beat(False)
        try:
            live, busy = self.server.eval(
                OTHERS_LUA, 1, self.keys.workers, spider.name, self.field, self.timeout
            )
        except Exception as exc:
            logger.warning("cannot ask Redis for the other workers: %s", exc)
            return
        if int(busy):
            self.crawler.stats.inc_value("distributed/idle_waits")
            raise DontCloseSpider(f"{busy} other worker(s) of {spider.name} still busy")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        try:
            self._send(
                {
                    "type": "run_end",
                    "spider": spider.name,
                    "started_at": self.started_at,
                    "finished_at": utc_now(),
                    "reason": reason,
                    "stats": stats,
                }
            )
            queue = self.crawler.settings["SCHEDULER_QUEUE_KEY"] % {"spider": spider.name}
            cleared = self.server.eval(
                LEAVE_LUA,
                4,
                self.keys.workers,
                queue,
                self.crawler.settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": spider.name},
                f"{queue}:seq",
                spider.name,
                self.field,
                self.timeout,
                int(reason == "finished"),
            )
        except Exception as exc:
            logger.error("%s: cannot report the run's end to Redis: %s", spider.name, exc)
            return
        if cleared:
            logger.info(
                "%s: last worker out: frontier drained, fingerprints cleared for the next crawl",
                spider.name,
            )


class RedisItemPipeline:
    """Push each item onto the shared item list for `scrapy ingest` (the store's one writer).

    Items missing a required column are dropped here, as the store pipeline would. A push
    that fails loses the item: it is logged and counted like a failed store write
    (`store/errors`, `store/lost_items`) and the crawl stops (reason `store_error`).
    """

    def __init__(self, crawler: Crawler):
        if not enabled(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = Keys.from_settings(crawler.settings)
        self.server = redis_client(crawler.settings)
        self.html = crawler.settings.getbool("REDIS_ITEMS_HTML", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        record = dict(item)
        refuse_incomplete(record, self.stats)
        if not self.html:
            record.pop("html", None)
            record.pop("page_body", None)
        message = {"type": "item", "run": self.stats.get_value("distributed/run"), "item": record}
        try:
            # Compressing a page and the round trip to Redis happen off the reactor thread.
            size = await maybe_deferred_to_future(deferToThread(self._push, message))
        except Exception as exc:
            self.stats.inc_value("store/errors")
            self.stats.inc_value("store/lost_items")
            logger.error("not sent to Redis (%s), the crawl stops: %s", exc, record.get("url"))
            engine = self.crawler.engine
            if engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason="store_error"))
            raise DropItem(f"not sent to Redis: {record.get('url')}") from None
        self.stats.inc_value("distributed/items_sent")
        self.stats.inc_value("distributed/item_bytes", size)
        return item

    def _push(self, message: dict[str, Any]) -> int:
        data = encode(message)
        self.server.rpush(self.keys.items, data)
        return len(data)
