"""The fast path's cache of checked session cookies is never more lenient than checking
them again: a forged, altered, too old or future cookie is refused whether or not the
genuine one was kept."""

from __future__ import annotations

import json
from base64 import b64encode

from app.hot_path import VerifiedCookies
from app.security import KeyedSigner

MAX_AGE = 100
NOW = 1_800_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


class SignedAt(KeyedSigner):
    """A signer whose signatures carry a chosen time."""

    at = NOW

    def get_timestamp(self) -> int:
        return self.at


def cookie(session: object, *, at: int = NOW, secret: str = "secret") -> str:
    signer = SignedAt(secret)
    signer.at = at
    return signer.sign(b64encode(json.dumps(session).encode())).decode()


def cookies(clock: Clock, most: int = 4096) -> VerifiedCookies:
    return VerifiedCookies(KeyedSigner("secret"), MAX_AGE, most=most, clock=clock)


def test_a_cookie_is_read_and_then_taken_from_the_cache_read_only() -> None:
    kept, clock = {}, Clock()
    verified = cookies(clock)
    value = cookie({"team_id": 7, "csrf": "abc"})
    first = verified.read(value)
    assert first == {"team_id": 7, "csrf": "abc"}
    assert verified.read(value) is first  # not checked again
    try:
        first["team_id"] = 8  # type: ignore[index]
    except TypeError:
        kept["read_only"] = True
    assert kept == {"read_only": True}


def test_an_altered_or_forged_cookie_is_refused_though_the_genuine_one_is_kept() -> None:
    verified = cookies(Clock())
    genuine = cookie({"team_id": 7})
    assert verified.read(genuine) is not None
    payload, stamp, signature = genuine.rsplit(".", 2)
    altered = f"{cookie({'team_id': 8}).rsplit('.', 2)[0]}.{stamp}.{signature}"
    assert verified.read(altered) is None
    assert verified.read(f"{payload}.{stamp}.{signature[:-1]}A") is None
    assert verified.read(cookie({"team_id": 7}, secret="another")) is None
    assert verified.read(genuine + "x") is None


def test_a_kept_cookie_expires_as_the_middleware_says() -> None:
    clock = Clock()
    verified = cookies(clock)
    value = cookie({"team_id": 7})
    assert verified.read(value) is not None
    clock.now = NOW + MAX_AGE + 0.9  # the same whole seconds as itsdangerous counts
    assert verified.read(value) is not None
    clock.now = NOW + MAX_AGE + 1
    assert verified.read(value) is None
    assert verified.read(value) is None  # and checked again, not kept
    assert verified.read(cookie({"team_id": 7}, at=NOW - MAX_AGE - 1)) is None


def test_a_cookie_signed_later_than_now_or_holding_no_session_is_refused() -> None:
    clock = Clock()
    verified = cookies(clock)
    assert verified.read(cookie({"team_id": 7}, at=NOW + 5)) is None
    assert verified.read(cookie([1, 2])) is None
    assert verified.read(cookie("team")) is None
    assert verified.read("not-a-cookie") is None
    value = cookie({"team_id": 7})
    assert verified.read(value) is not None
    clock.now = NOW - 5  # the clock went back: the kept cookie is now from the future
    assert verified.read(value) is None


def test_the_cache_holds_at_most_its_size() -> None:
    verified = cookies(Clock(), most=3)
    values = [cookie({"team_id": n}) for n in range(10)]
    for value in values:
        assert verified.read(value) is not None
    assert len(verified._kept) <= 3 and values[-1] in verified._kept  # the newest stay
    assert all(verified.read(v) == {"team_id": n} for n, v in enumerate(values))
