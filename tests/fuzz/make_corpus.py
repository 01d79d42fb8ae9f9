#!/usr/bin/env python3
"""make_corpus.py - writes the hand-made seed inputs of tests/fuzz/corpus/<target>/.

Each seed is a small input in the layout its fuzz_<target>.c documents. The fuzzers grow their
own corpus from these; the repository keeps only the seeds (seed-*) and the regression inputs of
bugs found (crash-*), which this script never touches. Run it again after changing a layout:

    tests/fuzz/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

STRING, INT, FLOAT, BOOL = 1, 2, 3, 4
DEBUG, INFO, WARNING, ERROR, CRITICAL = 1, 2, 3, 4, 5
TRUNCATED, SYNTHETIC = 1, 2
EXAMPLE_NS = 1795256103123456789  # 2026-11-21T10:15:03.123456789Z


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def b(s):
    return s.encode() if isinstance(s, str) else s


# ---- record.h field encoding ---------------------------------------------------------------

def field(ftype, key, value):
    key = b(key)
    head = struct.pack("<BB", ftype, len(key)) + key
    if ftype == STRING:
        value = b(value)
        return head + struct.pack("<I", len(value)) + value
    if ftype == INT:
        return head + struct.pack("<q", value)
    if ftype == FLOAT:
        return head + struct.pack("<d", value)
    return head + struct.pack("<B", value)


# Odd UTF-8: valid 2/3/4-byte characters, C1 controls, U+2028/2029, overlongs, surrogates, a code
# point above U+10FFFF, cut-off sequences, lone continuation bytes, bytes never valid.
UTF8_EDGES = [
    "caf\u00e9 \u20ac \U0001f600".encode(),
    b"\xc2\x80\xc2\x9f\xc2\xa0",
    b"\xe2\x80\xa8\xe2\x80\xa9",
    b"\xc0\xaf\xc1\xbf\xe0\x80\xaf\xf0\x80\x80\xaf",
    b"\xed\xa0\x80\xed\xbf\xbf\xed\x9f\xbf",
    b"\xf4\x90\x80\x80\xf4\x8f\xbf\xbf\xf5\x80",
    b"\xe2\x82 \xf0\x9f\x98",
    b"\x80\xbf\xfe\xff",
    b"\xef\xbb\xbf\xef\xbf\xbd\xef\xbf\xbe",
]
CONTROLS = bytes(range(0x20)) + b"\x7f\\\"= "


# ---- fuzz_record_fields ---------------------------------------------------------------------

def record_input(level=INFO, flags=0, seq=1, time_ns=EXAMPLE_NS, pid=4711, tid=4712, count=0,
                 msg_full_len=None, tag=b"worker", msg=b"request done", fields=b"",
                 nfields=0, small_cap=17, options=0):
    tag, msg = b(tag), b(msg)
    if msg_full_len is None:
        msg_full_len = len(msg)
    head = struct.pack("<iIQqIIQQBHBHB", level, flags, seq, time_ns, pid, tid, count,
                       msg_full_len, len(tag), len(msg), nfields, small_cap, options)
    assert len(head) == 55
    return head + tag + msg + fields


def record_fields_seeds():
    t = "record_fields"
    typical = (field(INT, "status", 200) + field(STRING, "path", "/index.html") +
               field(BOOL, "ok", 1) + field(FLOAT, "ms", 1.5))
    write(t, "typical", record_input(fields=typical, nfields=4))
    write(t, "empty", record_input(tag=b"", msg=b"", options=1))
    write(t, "truncated", record_input(flags=TRUNCATED, msg_full_len=20000, msg=b"x" * 64))
    write(t, "synthetic", record_input(flags=SYNTHETIC, count=52, tag="shmlog",
                                       msg="pid 4711 dropped 52 records (ring full)"))
    write(t, "levels-unknown", record_input(level=0) + b"")
    write(t, "level-negative", record_input(level=-1, time_ns=-1))
    write(t, "time-extremes", record_input(level=99, time_ns=-(1 << 63), seq=(1 << 64) - 1,
                                           pid=(1 << 32) - 1, tid=0))
    write(t, "time-max", record_input(level=CRITICAL, time_ns=(1 << 63) - 1))
    # Option bit 1: a day number and a time of day. Day 12477 is 2004-02-29.
    write(t, "time-leap-day", record_input(options=2, time_ns=12477 | 3600 * 10**9 << 16))
    clashes = b"".join(field(STRING, k, "v") for k in (
        "message", "process", "labels.message", "log.level.x", "log", "shmlog.count", "event"))
    write(t, "own-key-clashes", record_input(fields=clashes, nfields=7))
    dups = (field(INT, "a", 1) + field(INT, "a", 2) + field(STRING, b"k\xff", "x") +
            field(STRING, b"k\xfe", "y"))
    write(t, "duplicate-keys", record_input(fields=dups, nfields=4))
    floats = b"".join(field(FLOAT, "f%d" % i, v) for i, v in enumerate(
        (float("nan"), float("inf"), float("-inf"), -0.0, 1e300, 5e-324, 0.1, 1e16, 123.0)))
    write(t, "floats", record_input(fields=floats, nfields=9))
    ints = field(INT, "min", -(1 << 63)) + field(INT, "max", (1 << 63) - 1) + field(INT, "z", 0)
    write(t, "ints", record_input(fields=ints, nfields=3))
    quoting = b"".join(field(STRING, k, v) for k, v in (
        ("empty", ""), ("space", "a b"), ("quote", 'say "hi"'), ("eq", "a=b"),
        ("k y", "v"), ('k"q', "v"), ("k=v", "v"), ("nl", "a\nb")))
    write(t, "text-quoting", record_input(fields=quoting, nfields=8))
    utf = b"".join(field(STRING, b"u%d" % i, s) for i, s in enumerate(UTF8_EDGES))
    write(t, "utf8-values", record_input(tag=UTF8_EDGES[7], msg=b"".join(UTF8_EDGES),
                                         fields=utf, nfields=len(UTF8_EDGES)))
    write(t, "utf8-keys", record_input(fields=b"".join(
        field(INT, s[:255], i) for i, s in enumerate(UTF8_EDGES)), nfields=len(UTF8_EDGES)))
    write(t, "controls", record_input(tag=CONTROLS, msg=CONTROLS,
                                      fields=field(STRING, CONTROLS, CONTROLS), nfields=1))
    write(t, "max-key", record_input(fields=field(STRING, "k" * 255, "v" * 300), nfields=1))
    write(t, "129-fields", record_input(
        fields=b"".join(field(BOOL, "b%d" % i, i & 1) for i in range(129)), nfields=129))
    write(t, "128-fields", record_input(
        fields=b"".join(field(BOOL, "b%d" % i, i & 1) for i in range(128)), nfields=128))
    # Damage: a string longer than what is left, a bad bool, an unknown type, a zero key length,
    # a cut-off header, after one good field each.
    good = field(INT, "n", 7)
    for name, bad in (("string-too-long", b"\x01\x01s\xff\xff\x00\x00abc"),
                      ("bool-2", b"\x04\x01b\x02"), ("type-9", b"\x09\x01t\x00"),
                      ("key-len-0", b"\x02\x00"), ("cut-header", b"\x02"),
                      ("cut-int", b"\x02\x01i\x01\x02\x03")):
        write(t, "damaged-" + name, record_input(fields=good + bad, nfields=2))
    # Long, but under libFuzzer's default 4096-byte input limit: a bigger seed raises the limit
    # for every input and slows the run several times over.
    write(t, "message-long", record_input(msg=b"m" * 3800, msg_full_len=20000, flags=TRUNCATED))


# ---- fuzz_escape_text -----------------------------------------------------------------------

def escape_input(msg, tag=b"app"):
    tag = b(tag)
    return struct.pack("<B", len(tag)) + tag + b(msg)


def escape_text_seeds():
    t = "escape_text"
    write(t, "plain", escape_input("hello world"))
    write(t, "controls", escape_input(CONTROLS))
    write(t, "backslashes", escape_input(b"C:\\path\\x41 \\n is not a newline \\"))
    write(t, "ansi", escape_input(b"\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J"))
    write(t, "forged-line", escape_input(
        b"ok\n2026-11-21T10:15:03.123456Z CRIT  root[1/1] forged\r\n"))
    write(t, "tag-brackets", escape_input("message", tag=b"a]b [1/2] \n"))
    for i, s in enumerate(UTF8_EDGES):
        write(t, "utf8-%d" % i, escape_input(s))
    write(t, "long-plain", escape_input(b"abcdefgh" * 64 + b"\n"))


# ---- fuzz_parsers ---------------------------------------------------------------------------

def parsers_seeds():
    t = "parsers"
    for name, s in (
            ("64K", "64K"), ("1G", "1G"), ("0x10", "0x10"), ("4M", "4M"), ("4MiB", "4MiB"),
            ("4mib", "4mib"), ("16G", "16G"), ("max", "18446744073709551615"),
            ("max-plus-1", "18446744073709551616"), ("16G-bytes", "17179869184"),
            ("overflow-G", "17179869184G"), ("zero", "0"), ("empty", ""), ("K", "K"),
            ("minus", "-1"), ("space", " 64K"), ("KB", "64KB"), ("trailing-space", "64k "),
            ("1e3", "1e3"), ("Ki", "64Ki"), ("debug", "debug"), ("INFO", "INFO"),
            ("Warning", "Warning"), ("warn", "warn"), ("err", "err"), ("crit", "crit"),
            ("CRITICAL", "CRITICAL"), ("digit-3", "3"), ("digit-0", "0"), ("digit-6", "6"),
            ("infoo", "infoo"), ("nul-inside", "debug\0x"), ("level-number", "\x05\0\0\0")):
        write(t, name, s.encode("latin-1"))


# ---- fuzz_options ---------------------------------------------------------------------------

SHMLOGD_ARGV, SHMLOGCAT_ARGV, SHMLOGD_VALUE, SHMLOGCAT_VALUE = 0, 1, 2, 3


def options_seeds():
    t = "options"
    shmlogd = {
        "typical": ["--ring", "app", "--output", "/var/log/app.jsonl", "--format", "json",
                    "--rotate-size", "100M", "--keep", "10", "--compress", "zstd"],
        "every-option": ["--ring", "r", "-o", "out.log", "-f", "text", "--size", "64K",
                         "--mode", "0660", "--group", "0", "--on-full", "timeout:50",
                         "--output-mode", "0640", "--flush-interval", "100", "--fsync",
                         "interval:1000", "--rotate-size", "1G", "--rotate-interval", "hourly",
                         "--keep", "0", "--max-age", "7d", "--compress", "gzip"],
        "equals": ["--ring=r", "--output=o", "--max-age=15m", "--rotate-interval=daily",
                   "--fsync=always", "--on-full=drop", "--group=root"],
        "short-joined": ["-rring", "-oout", "-fjson", "extra"],
        "abbreviated": ["--ri", "r", "--out", "o", "--rot", "5", "--max=5"],
        "help": ["--help"],
        "version": ["-V", "--ring"],
        "missing-argument": ["--ring", "r", "--output"],
        "unknown": ["--bogus", "-z", "--"],
        "bad-values": ["--ring", "r", "--output", "o", "--size", "3M", "--keep", "100001",
                       "--flush-interval", "0", "--mode", "8"],
    }
    for name, args in shmlogd.items():
        write(t, "shmlogd-" + name, bytes([SHMLOGD_ARGV]) + b"\0".join(a.encode() for a in args))
    shmlogcat = {
        "follow": ["-f", "-n", "10", "-l", "warning", "app"],
        "filters": ["app", "-t", "db.*", "-g", "timeout", "--since", "-5m", "-o", "json"],
        "fields": ["app", "status=200", "path=/x", "status=404", "ok=true", "ms=1.5"],
        "more-filters": ["--pid", "4711", "--pid", "1", "-i", "-g", "[a-z]+", "--until",
                         "2026-11-21T10:15:03Z", "--color=always", "--no-nice", "app"],
        "stats": ["--stats", "--interval", "0.5", "app"],
        "list": ["--list"],
        "set-level": ["--set-level", "warning", "app"],
        "color": ["--color", "app", "--color", "never"],
        "help": ["--help"],
        "version": ["-V"],
        "modes-combined": ["--stats", "--list"],
        "read-option-with-stats": ["--stats", "-f", "app"],
        "two-rings": ["a", "b"],
        "bad-regex": ["-g", "(", "app"],
        "bad-lines": ["-n", "-1", "app"],
        "list-with-field": ["--list", "x=1"],
        "unknown": ["--bogus", "-z", "app"],
        "after-dashes": ["--", "-f", "k=v"],
        "journal": ["-r", "-n", "5", "-p", "err..warning", "-o", "json-pretty", "--since",
                    "today", "--until", "@1700000000.5", "app"],
        "reverse-follow": ["-r", "-f", "app"],
        "old-pid": ["-p", "4711", "app"],
        "level-then-priority": ["-l", "info", "-p", "notice..debug", "--since", "10:15", "app"],
    }
    for name, args in shmlogcat.items():
        write(t, "shmlogcat-" + name,
              bytes([SHMLOGCAT_ARGV]) + b"\0".join(a.encode() for a in args))
    for i, s in enumerate([
            "90", "90s", "15m", "12h", "7d", "hourly", "daily", "0", "2147483647d",
            "2147483648d", "185542587187200", "185542587187201", "0" * 40 + "5", "64K", "4M",
            "1G", "0640", "07777", "010000", "8", " 0644", "+644", "-0", "interval:1000",
            "interval:0", "timeout:50", "timeout:", "block", "drop", "none", "always", "gzip",
            "zstd", "text", "json", "3600000", "3600001", "100000", "100001", "1e3", ""]):
        write(t, "shmlogd-value-%d" % i, bytes([SHMLOGD_VALUE]) + s.encode())
    # --forward and --forward-facility (fuzz_options.c, check_forward_values)
    for i, s in enumerate([
            "tcp://loghost:514", "tcp://[::1]:6514", "tcp://10.0.0.1:65535", "tcp://h:65536",
            "tcp://h:0", "tcp://h:0514", "tcp://h", "tcp://:514", "tcp://[::1:514",
            "tcp://h:514/x", "relp://h:2514", "relp+tls://h:2514", "http://h:80", "h:514",
            "user", "local7", "local8", "23", "24", "05", "authpriv"]):
        write(t, "shmlogd-forward-value-%d" % i, bytes([SHMLOGD_VALUE]) + s.encode())
    for i, s in enumerate([
            "now", "-5m", "-30s", "-2h", "-1d", "-1w", "-90", "-3162240000", "-3162240001",
            "-5228w", "-5229w", "2026-11-21T10:15:03Z", "2026-11-21t10:15:03.123456789z",
            "2026-11-21 10:15:03,5+01:00", "2026-11-21T10:15-0530", "2026-11-21", "2024-02-29",
            "2023-02-29", "2026-11-21T23:59:60Z", "2026-11-21T10:15:03.1234567891234Z",
            "2026-11-21T10:15:03.", "2026-13-01", "2262-04-11T23:47:16.854775807Z",
            "2262-04-11T23:47:16.854775808Z", "1677-09-21T00:12:43.145224192Z",
            "1677-09-21T00:12:43.145224191Z", "9999-12-31T23:59:59Z", "0000-01-01",
            "2026-11-21T10:15:03+24:00", "10", "+5", " 5", "debug", "5", "a=b", "=b",
            "k" * 255 + "=v", "k" * 256 + "=v", "t" * 256, "0.5", "3600", "3601",
            "today", "yesterday", "tomorrow", "Today", "10:15", "23:59:60", "24:00", "1:00",
            "10:15:03.25", "10:15:03,", "@0", "@1700000000.5", "@9223372036.854775807",
            "@9223372036.854775808", "@", "@-1", "emerg", "EMERG", "notice", "notice..notice",
            "err..warning", "7..0", "crit..", "..err", "4711"]):
        write(t, "shmlogcat-value-%d" % i, bytes([SHMLOGCAT_VALUE]) + s.encode())


# ---- fuzz_ring_reader -----------------------------------------------------------------------

SIZE = 64 * 1024
M_OLDEST, M_NEWEST, M_CONSUMER, M_TILE, M_MOVE, M_CONSUMER_FIRST, M_COMMIT, M_RAW = (
    1 << i for i in range(8))
ALL_READERS = M_OLDEST | M_NEWEST | M_CONSUMER
ST_CLAIMED, ST_COMMITTED, ST_PADDING, ST_SKIPPED = 1, 2, 3, 4
SLOT_LIVE, SLOT_CLOSED = 2, 3
LIVE_MARK, STALE_MARK, NEXT_MARK = 0xA5, 0xA6, 0xA7
MY_PID = 0xFFFFFFFF      # the harness puts its own pid and start time there
DEAD_PID = 0x7FFFFFF0    # above pid_max: never a live process


def ring_input(mode, lap=0, head_off=0, cp_back=None, tail_back=None, head_seq=0, cp_seq=0,
               cp_gen=0, misc=0, head_fwd=0, body_at=0, warp=0, slots=(), raw=None, body=b""):
    if cp_back is None:
        cp_back = head_off
    if tail_back is None:
        tail_back = cp_back
    out = struct.pack("<BBHHHIIBBHHBB", mode, lap, head_off, cp_back, tail_back, head_seq,
                      cp_seq, cp_gen, misc, head_fwd, body_at // 16, warp, len(slots))
    for idx, state, pid, start, drops, reported in slots:
        out += struct.pack("<HIIQII", idx, state, pid, start, drops, reported)
    if raw:
        out += struct.pack("<QQQ", *raw)
    return out + body


def slot_word(gen, st):
    return (gen & 0xFFFFFF) << 8 | st


def rec(state, seq, msg=b"hello", tag=b"app", fields=b"", level=INFO, slot=0, gen=1,
        mark=LIVE_MARK, length=None, flags=0, pid=4711):
    msg, tag = b(msg), b(tag)
    body = tag + msg + fields
    n = (56 + len(body) + 15) // 16 * 16 if length is None else length
    meta = n | slot << 32 | gen << 48 | level << 56
    hdr = struct.pack("<QQQqIIIIIBBH", mark << 56 | state, meta, seq, EXAMPLE_NS + seq, pid,
                      pid + 1, len(msg), len(msg), len(fields), len(tag), 0, flags)
    data = hdr + body
    if length is None:
        data += b"\0" * (n - len(data))
    return data


def ring_reader_seeds():
    t = "ring_reader"
    live = [(0, slot_word(1, SLOT_LIVE), MY_PID, 0, 0, 0)]
    write(t, "empty", ring_input(ALL_READERS))
    three = rec(ST_COMMITTED, 0) + rec(ST_COMMITTED, 1, fields=field(INT, "n", 1)) + \
        rec(ST_COMMITTED, 2, msg=b"bye\n")
    write(t, "three-records", ring_input(ALL_READERS | M_COMMIT, head_off=len(three),
                                         head_seq=3, slots=live, body=three))
    write(t, "three-records-move", ring_input(
        ALL_READERS | M_MOVE | M_CONSUMER_FIRST, head_off=128, head_seq=2, head_fwd=len(three) - 128,
        slots=live, body=three))
    # A padding record fills the end of lap 0; the next record starts lap 1.
    pad = rec(ST_PADDING, 7, length=64)[:16] + b"\0" * 48
    wrap = pad + rec(ST_COMMITTED, 8, msg=b"after the wrap")
    write(t, "padding-wrap", ring_input(ALL_READERS | M_COMMIT, lap=1, head_off=80, cp_back=144,
                                        head_seq=9, cp_seq=6, body_at=SIZE - 128,
                                        slots=live, body=rec(ST_COMMITTED, 6, length=64)[:56] +
                                        b"\0" * 8 + wrap))
    # A claimed record whose writer is dead, then one committed: the consumer skips the first
    # once the clock has moved past the grace period.
    dead = [(3, slot_word(5, SLOT_LIVE), DEAD_PID, 1, 0, 0)] + live
    stuck = rec(ST_CLAIMED, 0, slot=3, gen=5) + rec(ST_COMMITTED, 1)
    write(t, "claimed-dead-writer", ring_input(ALL_READERS | M_COMMIT, head_off=len(stuck),
                                               head_seq=2, warp=0b101000, slots=dead,
                                               body=stuck))
    write(t, "claimed-live-writer", ring_input(ALL_READERS, head_off=len(stuck), head_seq=2,
                                               warp=0b101000, slots=[(3, slot_word(5, SLOT_LIVE),
                                                                      MY_PID, 0, 0, 0)],
                                               body=stuck))
    # A reservation never claimed (zeros), then a committed record: skipped after the long grace.
    hole = b"\0" * 64 + rec(ST_COMMITTED, 1)
    write(t, "unclaimed-reservation", ring_input(ALL_READERS | M_COMMIT, head_off=len(hole),
                                                 head_seq=2, warp=0b111100, slots=live,
                                                 body=hole))
    skipped = rec(ST_SKIPPED, 0, length=64)[:16] + b"\0" * 48 + rec(ST_COMMITTED, 1)
    write(t, "skipped-then-record", ring_input(ALL_READERS, head_off=len(skipped), head_seq=2,
                                               slots=live, body=skipped))
    # Drops to report: a live slot whose counter is ahead of what was reported.
    drops = [(9, slot_word(2, SLOT_LIVE), MY_PID, 0, 52, 2),
             (10, slot_word(1, SLOT_CLOSED), DEAD_PID, 1, 3, 0)]
    write(t, "drops", ring_input(M_CONSUMER | M_COMMIT, head_off=len(three), head_seq=3,
                                 slots=drops, body=three))
    # Readers wait on a reservation at head while writers go on by more than a lap: observers
    # resume at the oldest record left and report how many they lost.
    ahead = b"".join(rec(ST_COMMITTED, 600 + i, mark=NEXT_MARK) for i in range(3))
    write(t, "lapped", ring_input(ALL_READERS | M_MOVE, lap=2, head_off=0x100, cp_back=0,
                                  head_seq=100, head_fwd=0x8100, body_at=0x300, slots=live,
                                  body=ahead))
    stale = b"".join(rec(ST_COMMITTED, i, mark=STALE_MARK) for i in range(3))
    write(t, "stale-lap", ring_input(ALL_READERS, lap=3, head_off=0x100, head_seq=3000,
                                     body=stale))
    # One 64-byte record tiled over the whole data area: 1024 records.
    write(t, "tiled", ring_input(ALL_READERS | M_TILE | M_COMMIT, lap=1, head_off=0, cp_back=0,
                                 head_seq=5000, slots=live,
                                 body=rec(ST_COMMITTED, 4000, msg=b"t", tag=b"")))
    # Damaged header words: positions far apart, a checkpoint not on a record boundary.
    write(t, "raw-garbage", ring_input(ALL_READERS | M_RAW | M_COMMIT,
                                       raw=(0xFFFFFFFFFFFFFFF0, 0x123456789, 1 << 63),
                                       head_seq=0xFFFFFFFF, body=three))
    write(t, "checkpoint-unaligned", ring_input(ALL_READERS | M_COMMIT, head_off=len(three),
                                                cp_back=len(three) - 8, head_seq=3, cp_gen=3,
                                                cp_seq=0x80000001, slots=live, body=three))
    # A record whose lengths say more than it holds, and one with level 0.
    liar = bytearray(rec(ST_COMMITTED, 0, msg=b"short"))
    struct.pack_into("<I", liar, 40, 5000)
    bad_level = rec(ST_COMMITTED, 1, level=0)
    write(t, "damaged-records", ring_input(ALL_READERS | M_COMMIT,
                                           head_off=len(liar) + len(bad_level) + 64,
                                           head_seq=3, slots=live,
                                           body=bytes(liar) + bad_level + rec(ST_COMMITTED, 2)))


# ---- fuzz_json_fields -----------------------------------------------------------------------

def json_fields_seeds():
    t = "json_fields"
    lines = {
        "docker": '{"log":"ERROR connection refused\\n","stream":"stderr",'
                  '"time":"2026-12-07T10:00:00.123456789Z"}',
        "python-json-logger": '{"asctime": "2026-12-07 10:00:00,123", "name": "app.db", '
                              '"levelname": "WARNING", "message": "slow query", "took": 1.25, '
                              '"rows": 1200, "cached": false, "exc_info": null}',
        "structlog": '{"event": "caf\\u00e9 \\ud83d\\ude00", "level": "error", '
                     '"logger": "auth", "timestamp": "2026-12-07T10:00:00.5Z"}',
        "nested": '{"a":{"b":[1,2.5e-3,-0,true,null,{"c":"\\"\\\\\\/\\b\\f\\n\\r\\t"}]}}',
        "numbers": '{"i":-9223372036854775808,"big":18446744073709551616,"inf":1e999,"z":0}',
        "empty": '{}',
        "surrogate": '{"lone":"\\ud800x","low":"\\udc00","dup":1,"dup":2}',
        "raw-utf8": '{"m":"\xff\xfe caf\xc3\xa9"}',
        "not-json": "ERROR: not json { at all",
        "syslog": "<191>debug line",
        "bracket": "[Warning]: x",
        "cut": '{"message":"cut off',
    }
    for name, line in lines.items():
        write(t, name, line.encode("latin-1") if name == "raw-utf8" else line.encode())


# ---- fuzz_rfc5424 ---------------------------------------------------------------------------

def rfc5424_seeds():
    t = "rfc5424"
    typical = (field(INT, "status", 200) + field(STRING, "path", "/index.html") +
               field(FLOAT, "ms", 1.25) + field(BOOL, "ok", 1))
    write(t, "typical", record_input(fields=typical, nfields=4))
    escapes = (field(STRING, "v", b'a"b\\c]d') + field(STRING, "seq", "mine") +
               field(STRING, "a=b ]\"", "k") + field(STRING, "k" * 40, "long") +
               field(FLOAT, "nan", float("nan")))
    write(t, "escapes-and-keys", record_input(fields=escapes, nfields=5, options=19 << 3))
    for i, s in enumerate(UTF8_EDGES):
        write(t, "utf8-%d" % i, record_input(msg=s, tag=s[:60], fields=field(STRING, "u", s),
                                             nfields=1, options=4))
    write(t, "long-tag-controls", record_input(tag=b"x" * 60 + CONTROLS, msg=CONTROLS))
    write(t, "before-1970-bad-level", record_input(level=9, time_ns=-1, msg=b"", tag=b"",
                                                   options=1))
    write(t, "truncated-loss-report", record_input(flags=TRUNCATED | SYNTHETIC, count=52,
                                                   msg_full_len=20000, small_cap=3))
    write(t, "damaged-fields", record_input(fields=field(INT, "a", 1) + b"\x01\x05ab",
                                            nfields=2))


if __name__ == "__main__":
    rfc5424_seeds()
    record_fields_seeds()
    escape_text_seeds()
    parsers_seeds()
    options_seeds()
    ring_reader_seeds()
    json_fields_seeds()
