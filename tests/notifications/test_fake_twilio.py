"""The fake Twilio speaks like api.twilio.com to the REAL twilio client (nothing mocked)."""

import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.notifications.fake_twilio import FakeTwilio, FakeTwilioProcess, num_segments

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "fake-twilio-test-token"
SENDER = "+33700000001"
PATIENT = "+33601020304"
SID = re.compile(r"SM[0-9a-f]{32}")


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


def real_client(base_url: str, *, token: str = AUTH_TOKEN, timeout: float = 5.0) -> Client:
    """Configured exactly like notifications.backends.sms.TwilioBackend does."""
    client = Client(ACCOUNT_SID, token, http_client=TwilioHttpClient(timeout=timeout))
    client.api.base_url = base_url
    return client


@pytest.fixture
def client(fake: FakeTwilio) -> Iterator[Client]:
    client = real_client(fake.base_url)
    yield client
    client.http_client.session.close()


def send(client: Client, to: str = PATIENT, **kwargs: str) -> object:
    return client.messages.create(
        to=to,
        body=kwargs.pop("body", "Votre code : 123456"),
        **{
            "from_": SENDER,
            **kwargs,
        },
    )


def test_a_created_message_comes_back_as_a_message_instance(
    fake: FakeTwilio, client: Client
) -> None:
    message = send(client, status_callback="https://portail.example/notifications/twilio/statut/")

    assert SID.fullmatch(message.sid)
    assert (message.status, message.to, message.from_) == ("queued", PATIENT, SENDER)
    assert message.body == "Votre code : 123456"
    assert message.num_segments == "1"
    assert message.account_sid == ACCOUNT_SID
    assert message.date_created is not None  # RFC 2822 date, parsed by the client
    assert message.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"
    [recorded] = fake.messages
    assert recorded["sid"] == message.sid
    assert recorded["to"] == PATIENT
    assert recorded["from_"] == SENDER
    assert recorded["body"] == "Votre code : 123456"
    assert recorded["messaging_service_sid"] is None
    assert recorded["status_callback"] == "https://portail.example/notifications/twilio/statut/"
    assert isinstance(recorded["received_at"], float)

    # What the client actually sent: a form POST to the account's Messages.json, basic auth.
    [request] = fake.requests
    assert (request["method"], request["status"]) == ("POST", 201)
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["auth_username"] == ACCOUNT_SID
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["Accept"] == "application/json"
    assert request["headers"]["User-Agent"].startswith("twilio-python/9.")
    assert request["form"] == {
        "To": PATIENT,
        "From": SENDER,
        "Body": "Votre code : 123456",
        "StatusCallback": "https://portail.example/notifications/twilio/statut/",
    }


def test_a_messaging_service_message_is_accepted_without_a_sender(
    fake: FakeTwilio, client: Client
) -> None:
    service = "MG" + "1" * 32
    message = client.messages.create(to=PATIENT, messaging_service_sid=service, body="Bonjour")

    assert (message.status, message.from_, message.messaging_service_sid) == (
        "accepted",
        None,
        service,
    )
    assert fake.messages[0]["messaging_service_sid"] == service
    assert fake.requests[0]["form"] == {
        "To": PATIENT,
        "MessagingServiceSid": service,
        "Body": "Bonjour",
    }


def test_the_message_can_be_fetched_back(fake: FakeTwilio, client: Client) -> None:
    sid = send(client).sid

    assert client.messages(sid).fetch().status == "queued"


def test_wrong_credentials_get_twilios_401(fake: FakeTwilio) -> None:
    client = real_client(fake.base_url, token="not-the-token")

    with pytest.raises(TwilioRestException) as caught:
        send(client)

    assert caught.value.status == 401
    assert caught.value.code == 20003
    assert "Authenticate" in caught.value.msg
    assert fake.messages == []
    assert fake.requests[0]["status"] == 401
    client.http_client.session.close()


@pytest.mark.parametrize(
    "number", ["0601020304", "+336010", "+33 6 01 02 03 04", "+0601020304", "+3360102030400000"]
)
def test_a_number_that_is_not_e164_gets_21211(
    fake: FakeTwilio, client: Client, number: str
) -> None:
    with pytest.raises(TwilioRestException) as caught:
        send(client, to=number)

    assert (caught.value.status, caught.value.code) == (400, 21211)
    assert f"The 'To' number {number} is not a valid phone number." in caught.value.msg
    assert fake.messages == []


def test_the_error_body_is_twilios_json(fake: FakeTwilio) -> None:
    response = requests.post(
        fake.messages_url,
        data={"To": "0601", "From": SENDER, "Body": "x"},
        auth=(ACCOUNT_SID, AUTH_TOKEN),
        timeout=5,
    )

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "code": 21211,
        "message": "The 'To' number 0601 is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }


def test_three_500s_then_success_and_the_client_never_retries_by_itself(
    fake: FakeTwilio, client: Client
) -> None:
    fake.fail_next(status=500, times=3)

    for _ in range(3):
        with pytest.raises(TwilioRestException) as caught:
            send(client)
        assert (caught.value.status, caught.value.code) == (500, 20500)
    message = send(client)

    assert [request["status"] for request in fake.requests] == [500, 500, 500, 201]
    assert [recorded["sid"] for recorded in fake.messages] == [message.sid]


def test_429_too_many_requests(fake: FakeTwilio, client: Client) -> None:
    fake.fail_next(status=429, times=1)

    with pytest.raises(TwilioRestException) as caught:
        send(client)

    assert (caught.value.status, caught.value.code) == (429, 20429)
    assert SID.fullmatch(send(client).sid)


def test_a_scripted_twilio_error_code(fake: FakeTwilio, client: Client) -> None:
    fake.fail_next(code=21610, status=400)

    with pytest.raises(TwilioRestException) as caught:
        send(client)

    assert (caught.value.status, caught.value.code) == (400, 21610)
    assert "unsubscribed recipient" in caught.value.msg


def test_a_rejected_number_gets_its_code_every_time(fake: FakeTwilio, client: Client) -> None:
    fake.reject_number("+33600000000", code=21614)

    for _ in range(2):
        with pytest.raises(TwilioRestException) as caught:
            send(client, to="+33600000000")
        assert (caught.value.status, caught.value.code) == (400, 21614)
    send(client, to=PATIENT)
    assert [message["to"] for message in fake.messages] == [PATIENT]

    fake.reset()
    send(client, to="+33600000000")
    assert [message["to"] for message in fake.messages] == ["+33600000000"]
    assert len(fake.requests) == 1


def test_a_slow_twilio_makes_the_client_time_out_with_a_requests_read_timeout(
    fake: FakeTwilio,
) -> None:
    client = real_client(fake.base_url, timeout=0.5)
    fake.delay_next(1.5)

    with pytest.raises(requests.exceptions.ReadTimeout) as caught:
        send(client)

    # Not a TwilioException: the client lets requests' exception through, unwrapped.
    assert not isinstance(caught.value, TwilioException)
    assert isinstance(caught.value, requests.exceptions.RequestException)
    # Twilio took the message all the same: a retry after a timeout may send it twice.
    assert len(fake.wait_for_messages(1, timeout=5)) == 1
    client.http_client.session.close()


def test_every_message_waits_the_latency_give_or_take_the_jitter(fake: FakeTwilio) -> None:
    client = real_client(fake.base_url)
    fake.set_latency(0.3, jitter=0.1)
    waits = []
    for index in range(3):
        started = time.monotonic()
        send(client, to=f"+3360000000{index}")
        waits.append(time.monotonic() - started)
    assert min(waits) >= 0.2, waits
    fake.reset()  # keeps the latency: it is the provider's, not a scripted fault
    started = time.monotonic()
    send(client)
    assert time.monotonic() - started >= 0.2
    with pytest.raises(ValueError, match="jitter"):
        fake.set_latency(0.1, jitter=0.2)
    client.http_client.session.close()


def test_the_process_fake_takes_its_latency_on_the_command_line() -> None:
    with FakeTwilioProcess(ACCOUNT_SID, AUTH_TOKEN, latency=0.25) as fake:
        client = real_client(fake.base_url)
        started = time.monotonic()
        send(client)
        assert time.monotonic() - started >= 0.25
        fake.set_latency(0.0)
        send(client)
        assert len(fake.messages) == 2
        client.http_client.session.close()


def test_a_dropped_connection_is_a_requests_connection_error(
    fake: FakeTwilio, client: Client
) -> None:
    fake.drop_next()

    with pytest.raises(requests.exceptions.ConnectionError):
        send(client)

    assert fake.messages == []
    assert len(fake.requests) == 1
    send(client)


def test_the_fake_refuses_bad_scripts(fake: FakeTwilio) -> None:
    with pytest.raises(ValueError):
        fake.fail_next(status=200)
    with pytest.raises(ValueError):
        fake.delay_next(-1)
    with pytest.raises(ValueError):
        fake.fail_next(status=500, times=0)


def test_segments_are_counted_like_twilio() -> None:
    assert num_segments("a" * 160) == 1
    assert num_segments("a" * 161) == 2
    assert num_segments("é" * 160) == 1  # in the GSM-7 alphabet
    assert num_segments("ê" * 70) == 1  # not in it: UCS-2
    assert num_segments("ê" * 71) == 2
    assert num_segments("€" * 80) == 1  # GSM-7 extension: two septets each
    assert num_segments("€" * 81) == 2


class _Receiver(BaseHTTPRequestHandler):
    """Stands for our status callback endpoint: records the request, answers 204."""

    received: list[dict]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length).decode()
        self.server.received.append(  # type: ignore[attr-defined]
            {
                "path": self.path,
                "headers": dict(self.headers),
                "params": dict(urllib.parse.parse_qsl(body, keep_blank_values=True)),
            }
        )
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_status_callbacks_are_signed_like_twilio(
    fake: FakeTwilio, client: Client, receiver: ThreadingHTTPServer
) -> None:
    url = f"http://127.0.0.1:{receiver.server_address[1]}/notifications/twilio/statut/"
    sid = send(client, status_callback=url).sid
    validator = RequestValidator(AUTH_TOKEN)

    assert fake.send_status_callback(sid, "delivered") == 204
    assert fake.send_status_callback(sid, "undelivered", error_code=30003) == 204
    assert fake.send_status_callback(sid, "failed", signature="forged") == 204
    assert fake.send_status_callback(sid, "failed", auth_token="another-token") == 204

    delivered, undelivered, forged, other_token = receiver.received
    assert delivered["path"] == "/notifications/twilio/statut/"
    assert delivered["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    params = delivered["params"]
    assert params["MessageSid"] == params["SmsSid"] == sid
    assert params["MessageStatus"] == "delivered"
    assert (params["AccountSid"], params["To"], params["From"]) == (ACCOUNT_SID, PATIENT, SENDER)
    assert "ErrorCode" not in params
    assert validator.validate(url, params, delivered["headers"]["X-Twilio-Signature"])

    assert undelivered["params"]["ErrorCode"] == "30003"
    assert validator.validate(
        url, undelivered["params"], undelivered["headers"]["X-Twilio-Signature"]
    )
    tampered = {**undelivered["params"], "MessageStatus": "delivered"}
    assert not validator.validate(url, tampered, undelivered["headers"]["X-Twilio-Signature"])
    assert not validator.validate(url, forged["params"], forged["headers"]["X-Twilio-Signature"])
    assert not validator.validate(
        url, other_token["params"], other_token["headers"]["X-Twilio-Signature"]
    )
    assert [callback["http_status"] for callback in fake.callbacks] == [204] * 4
    assert client.messages(sid).fetch().status == "failed"


def test_a_status_callback_needs_a_url(fake: FakeTwilio, client: Client) -> None:
    sid = send(client).sid

    with pytest.raises(ValueError, match="no StatusCallback"):
        fake.send_status_callback(sid, "delivered")


def test_the_fake_runs_as_a_separate_process_with_a_control_api(
    receiver: ThreadingHTTPServer,
) -> None:
    with FakeTwilioProcess(ACCOUNT_SID, AUTH_TOKEN) as fake:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.base_url)
        client = real_client(fake.base_url)
        url = f"http://127.0.0.1:{receiver.server_address[1]}/statut/"

        sid = send(client, status_callback=url).sid
        fake.fail_next(status=503, times=1)
        with pytest.raises(TwilioRestException) as caught:
            send(client)
        fake.reject_number("+33600000000", code=21614)
        with pytest.raises(TwilioRestException) as rejected:
            send(client, to="+33600000000")

        assert (caught.value.status, caught.value.code) == (503, 20503)
        assert rejected.value.code == 21614
        response = requests.get(f"{fake.base_url}/_control/messages", timeout=5)
        assert [message["sid"] for message in response.json()["messages"]] == [sid]
        assert [request["status"] for request in fake.requests] == [201, 503, 400]
        assert fake.send_status_callback(sid, "delivered") == 204
        [callback] = receiver.received
        assert RequestValidator(AUTH_TOKEN).validate(
            url, callback["params"], callback["headers"]["X-Twilio-Signature"]
        )

        fake.reset()
        assert fake.messages == []
        assert fake.requests == []
        with pytest.raises(RuntimeError, match="HTTP 400"):
            fake.control("fail_next", {"status": 200})
        client.http_client.session.close()
        process = fake.process

    assert process is not None
    assert process.returncode == 0  # SIGTERM: a clean shutdown
