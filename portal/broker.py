"""Kombu's Redis transport, with one client per channel for what it publishes.

Kombu builds a new ``redis.Redis`` for every message it publishes (``Channel._put`` asks
``conn_or_acquire()`` without a client), and building one copies some 170 response callbacks
into a fresh dictionary: about 80 µs, more than the ``LPUSH`` itself, paid in the caller's
request by every notification enqueued on commit. The client is only a façade over the
channel's connection pool, and a ``redis.Redis`` is safe to share between threads (each
command takes a connection from the pool), so the channel keeps one and rebuilds it when kombu
replaces the pool (after a fork or a lost connection).

Settings use it for ``redis://`` brokers (``CELERY_BROKER_TRANSPORT``); ``rediss://`` and
Sentinel URLs keep kombu's own transports.
"""

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _publishing_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the consumer's client, built once per channel by kombu already
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self._publishing_client
        if client is None or client.connection_pool is not pool:
            client = self._publishing_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
