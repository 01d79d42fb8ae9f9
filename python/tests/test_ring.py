"""shmlog.Ring: records with typed fields through a real shmlogd, levels, options, errors."""

import logging
import math

import pytest

import shmlog


def test_ring_info_arrives_in_shmlogd_json_with_typed_fields(collector):
    with shmlog.Ring(collector.ring) as ring:
        assert ring.info("request done", status=200, ms=1.25, ok=True, user="ann", tag="http")
        ring.flush()
    rec = collector.records()[-1]
    assert rec["message"] == "request done"
    assert rec["log.level"] == "info"
    assert rec["log.logger"] == "http"
    assert rec["status"] == 200 and isinstance(rec["status"], int)
    assert rec["ms"] == 1.25
    assert rec["ok"] is True
    assert rec["user"] == "ann"


def test_ring_log_maps_python_numbers_and_names_to_levels(collector):
    cases = [(logging.DEBUG, "debug"), (5, "debug"), (19, "debug"), (logging.INFO, "info"),
             (25, "info"), (logging.WARNING, "warning"), (39, "warning"), (40, "error"),
             (49, "error"), (50, "critical"), (1000, "critical"), ("info", "info"),
             ("WARNING", "warning"), ("warn", "warning"), ("crit", "critical"),
             ("fatal", "critical"), ("error", "error")]
    with shmlog.Ring(collector.ring) as ring:
        for i, (lv, _) in enumerate(cases):
            ring.log(lv, "m%d" % i)
        ring.flush()
    got = {r["message"]: r["log.level"] for r in collector.records()}
    for i, (lv, want) in enumerate(cases):
        assert got["m%d" % i] == want, lv


def test_ring_log_refuses_unknown_levels(ring_name):
    with shmlog.Ring(ring_name) as ring:
        with pytest.raises(ValueError):
            ring.log("loud", "x")
        with pytest.raises(TypeError):
            ring.log(1.5, "x")
        with pytest.raises(TypeError):
            ring.log(None, "x")


def test_field_values_keep_their_type_and_others_become_str(collector):
    class Thing:
        def __str__(self):
            return "a thing"

    with shmlog.Ring(collector.ring) as ring:
        ring.info("types", b=False, i=-7, big=2**64, neg=-2**63, f=0.5, s="x", none=None,
                  obj=Thing(), lst=[1, 2])
        ring.flush()
    rec = collector.records()[-1]
    assert rec["b"] is False  # bool checked before int
    assert rec["i"] == -7
    assert rec["big"] == str(2**64)  # beyond int64: str
    assert rec["neg"] == -2**63
    assert rec["f"] == 0.5
    assert rec["s"] == "x"
    assert rec["none"] == "None"
    assert rec["obj"] == "a thing"
    assert rec["lst"] == "[1, 2]"


def test_nan_and_infinities_keep_the_json_line_valid(collector):
    with shmlog.Ring(collector.ring) as ring:
        ring.info("nonfinite", nan=math.nan, inf=math.inf, ninf=-math.inf)
        ring.flush()
    rec = collector.records()[-1]  # json.loads in records(): the line is valid JSON
    assert rec["nan"] == "NaN" and rec["inf"] == "Infinity" and rec["ninf"] == "-Infinity"


def test_closed_ring_raises_value_error_and_close_is_idempotent(ring_name):
    ring = shmlog.Ring(ring_name)
    ring.close()
    ring.close()
    assert ring.closed
    with pytest.raises(ValueError, match="closed"):
        ring.info("x")
    with pytest.raises(ValueError):
        ring.flush()


def test_a_bad_ring_name_raises_shmlog_error_with_errno(ring_name):
    with pytest.raises(shmlog.Error) as e:
        shmlog.Ring("not a ring name")
    assert e.value.errno == 22 and "invalid" in str(e.value)
    assert isinstance(e.value, OSError)
    with pytest.raises(shmlog.Error) as e:
        shmlog.Ring(ring_name, create=False)
    assert e.value.errno == 2
