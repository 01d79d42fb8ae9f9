"""shmlog.Ring with awkward input: never rejected, never raising where logging should not."""

import threading
import time

import pytest

import shmlog


def test_a_huge_message_is_truncated_with_the_librarys_mark_not_rejected(collector):
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("x" * 100000) is True
        ring.flush()
    rec = collector.records()[-1]
    assert rec["message"] == "x" * shmlog.MAX_MESSAGE
    assert rec["shmlog.truncated"] is True
    assert rec["shmlog.original_length"] == 100000


def test_lone_surrogates_never_raise(collector):
    smuggled = b"caf\xe9 \xff".decode("utf-8", "surrogateescape")  # round-trips bytes
    lone = "a\ud800b"  # a surrogate surrogateescape cannot carry
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info(smuggled, path=smuggled, **{lone: lone})
        assert ring.info(lone, tag=lone)
        ring.flush()
    first, second = collector.records()[-2:]
    # The stored bytes are the original ones; JSON output shows invalid UTF-8 as U+FFFD.
    assert first["message"] == "caf\ufffd \ufffd"
    assert first["path"] == "caf\ufffd \ufffd"
    assert first["a\\ud800b"] == "a\\ud800b"  # backslashreplace
    assert second["message"] == "a\\ud800b" and second["log.logger"] == "a\\ud800b"


def test_mapping_keys_that_are_not_str_go_through_str_and_empty_keys_become_underscore(collector):
    with shmlog.Ring(collector.ring) as ring:
        ring.write("info", "keys", fields={1: "one", (2, 3): "tuple", "": "empty", None: 0})
        ring.info("kw", **{"": "empty kw"})
        ring.flush()
    keys, kw = collector.records()[-2:]
    assert keys["1"] == "one" and keys["(2, 3)"] == "tuple" and keys["_"] == "empty"
    assert keys["None"] == 0
    assert kw["_"] == "empty kw"


def test_a_non_str_message_goes_through_str(collector):
    with shmlog.Ring(collector.ring) as ring:
        ring.info(12345)
        ring.log("error", ValueError("bad"))
        ring.flush()
    a, b = collector.records()[-2:]
    assert a["message"] == "12345" and b["message"] == "bad"


def test_more_fields_than_a_record_holds_are_counted_not_rejected(collector):
    many = {"k%03d" % i: i for i in range(100)}
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("many", **many)
        ring.flush()
    rec = collector.records()[-1]
    assert rec["k000"] == 0 and rec["k062"] == 62
    assert rec["shmlog.fields_left_out"] == 100 - 63


def test_huge_field_values_are_cut_and_the_record_still_written(collector):
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("big", a="é" * 20000)
        ring.flush()
    rec = collector.records()[-1]
    assert rec["a"] == "é" * (shmlog.MAX_MESSAGE // 2)  # cut on a character boundary


def test_a_value_whose_str_raises_raises_from_ring_log(ring_name):
    class Bad:
        def __str__(self):
            raise RuntimeError("no str")

    with shmlog.Ring(ring_name) as ring:
        with pytest.raises(RuntimeError, match="no str"):
            ring.info("x", bad=Bad())


def test_options_are_parsed_and_bad_ones_refused(ring_name):
    with shmlog.Ring(ring_name, size="128K", on_full="timeout:50", mode=0o600,
                     tag="svc", level="warning") as ring:
        assert ring.name == ring_name and ring.tag == "svc" and ring.level == "warning"
        ring.level = "info"
        assert ring.level == "info"
    for bad in [dict(size="huge"), dict(size=-1), dict(on_full="sometimes"),
                dict(on_full="timeout:"), dict(mode=0o1000), dict(allow_owner="no-such-user-x"),
                dict(level="loud")]:
        with pytest.raises(ValueError):
            shmlog.Ring(ring_name, **bad)
    with pytest.raises(TypeError):
        shmlog.Ring(ring_name, size=1.5)


def test_allow_owner_accepts_a_user_name_a_uid_or_star(ring_name):
    import os
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    for owner in (me, os.geteuid(), "*"):
        shmlog.Ring(ring_name, allow_owner=owner).close()


def test_a_ring_mode_wider_than_allowed_is_refused_with_eperm(ring_name):
    shmlog.Ring(ring_name, mode=0o666).close()
    with pytest.raises(shmlog.Error) as e:
        shmlog.Ring(ring_name)  # default mode: group and others may not write
    assert e.value.errno == 1 and ring_name in str(e.value)
    shmlog.Ring(ring_name, mode=0o666).close()


def test_flush_without_a_collector_raises_timeout_error_without_holding_the_gil(ring_name):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    with shmlog.Ring(ring_name) as ring:
        ring.info("nobody collects this")
        t = threading.Thread(target=ticker)
        t.start()
        try:
            with pytest.raises(TimeoutError, match="shmlogd"):
                ring.flush(timeout=0.3)
        finally:
            stop.set()
            t.join()
    assert len(ticks) > 20


def test_set_level_silences_python_writers_through_the_shared_minimum(collector):
    with shmlog.Ring(collector.ring) as ring:
        shmlog.set_level(collector.ring, "warning")  # what shmlogcat --set-level does
        assert ring.info("hidden") is False
        assert ring.warning("shown") is True
        shmlog.set_level(collector.ring, "debug")
        assert ring.debug("back") is True
        ring.flush()
    msgs = [r["message"] for r in collector.records()]
    assert "hidden" not in msgs and "shown" in msgs and "back" in msgs


# What an independent review found the package doing with memory another piece of code could
# free meanwhile; each of these read freed bytes (or crashed) before the fix.

def test_a_field_value_whose_str_rewrites_the_dict_leaves_the_other_fields_intact(collector):
    class Rewrites:
        def __init__(self, d):
            self.d = d

        def __str__(self):
            self.d["a"] = "replaced"  # frees the value the record already points at
            _ = ["Q" * 40 for _ in range(1000)]  # and reuses its memory
            return "rewrites"

    d = {"a": "".join(["value-of-a-", "x" * 29])}
    d["b"] = Rewrites(d)
    with shmlog.Ring(collector.ring) as ring:
        assert ring.write("info", "dict", fields=d)
        ring.flush()
    rec = collector.records()[-1]
    assert rec["a"] == "value-of-a-" + "x" * 29 and rec["b"] == "rewrites"


def test_a_mapping_that_computes_its_values_gives_them_whole(collector):
    import collections.abc

    class Computed(collections.abc.Mapping):
        def __getitem__(self, k):
            return "computed-value-for-" + k + "-" * 30

        def __iter__(self):
            return iter(["a", "b"])

        def __len__(self):
            return 2

    with shmlog.Ring(collector.ring) as ring:
        assert ring.write("info", "mapping", fields=Computed())
        ring.flush()
    rec = collector.records()[-1]
    assert rec["a"] == "computed-value-for-a" + "-" * 30
    assert rec["b"] == "computed-value-for-b" + "-" * 30


def test_the_default_tag_changed_while_a_record_is_made_is_the_old_one_whole(collector):
    with shmlog.Ring(collector.ring, tag="".join(["original-", "t" * 30])) as ring:
        class Retags:
            def __str__(self):
                ring.tag = "new"  # frees the tag the call is using
                _ = ["J" * 45 for _ in range(2000)]
                return "retagged"

        assert ring.info(Retags())
        assert ring.info("after")
        ring.flush()
    retagged, after = collector.records()[-2:]
    assert retagged["log.logger"] == "original-" + "t" * 30 and retagged["message"] == "retagged"
    assert after["log.logger"] == "new"


def test_a_ring_closed_while_a_record_is_made_raises_value_error(collector):
    ring = shmlog.Ring(collector.ring)

    class Closes:
        def __str__(self):
            ring.close()
            return "closing"

    with pytest.raises(ValueError):
        ring.info(Closes())


def test_a_size_that_is_no_ring_size_is_a_value_error(ring_name):
    for size in (0, 100000, "3M", 1 << 40):
        with pytest.raises(ValueError):
            shmlog.Ring(ring_name, size=size)


def test_a_key_of_bytes_that_are_no_utf8_is_cut_not_refused(collector):
    key = "\udc80" * 300  # 300 raw 0x80 bytes once surrogateescape'd
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("odd key", **{key: 1})
        ring.flush()
    rec = collector.records()[-1]
    assert rec["message"] == "odd key" and 1 in rec.values()


def test_a_tag_longer_than_a_record_holds_is_cut_between_characters(collector):
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("long tag", tag="é" * 200)  # 400 bytes of UTF-8; 255 fit
        ring.flush()
    assert collector.records()[-1]["log.logger"] == "é" * 127


def test_an_int_too_long_for_str_is_written_in_hex(collector):
    big = 7 ** 6000  # 5,071 decimal digits: past str()'s default limit of 4,300
    with pytest.raises(ValueError):
        str(big)
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("big", n=big, small=2 ** 70)
        ring.flush()
    rec = collector.records()[-1]
    assert rec["small"] == str(2 ** 70)
    assert rec["n"] == hex(big)[:shmlog.MAX_MESSAGE] and rec["n"].startswith("0x")
