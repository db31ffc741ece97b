"""portal/broker.py: kombu's Redis transport keeps one publishing client per channel."""

import pytest
from django.conf import settings

from portal.broker import Transport
from portal.celery import app as celery_app

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis:"), reason="the Redis broker only"
)


def test_the_settings_choose_it_for_a_redis_broker() -> None:
    with celery_app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)


def test_a_channel_publishes_with_one_client_rebuilt_with_its_pool() -> None:
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        with channel.conn_or_acquire() as client:
            assert client is first
            assert client.ping()
        # A new pool (after a fork or a lost connection): a new client over it.
        channel._disconnect_pools()
        again = channel._create_client()
        assert again is not first
        assert again.connection_pool is channel.pool
        # The consumer's client stays kombu's own, apart from the publishing one.
        assert channel._create_client(asynchronous=True) is not again


def test_a_message_published_through_it_arrives() -> None:
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue("test-portal-broker")
        try:
            queue.clear()
            queue.put({"hello": "world"})
            message = queue.get(timeout=5)
            assert message.payload == {"hello": "world"}
            message.ack()
        finally:
            queue.clear()
            queue.close()
