#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/ (python3 standard library only):
malformed or unusual inputs next to make_seed_corpus's valid ones. Run from the repo root:
    python3 tests/fuzz/make_extra_seeds.py tests/fuzz/corpus
"""
import io
import os
import struct
import sys
import zipfile


def npy(descr, shape, data, major=1, fortran=False):
    shape_text = "(" + "".join("%d, " % d for d in shape).rstrip(" ")
    shape_text = shape_text[:-1] if len(shape) > 1 else shape_text
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s), }" % (
        descr, "True" if fortran else "False", shape_text)
    header = header.encode("latin1")
    pad = 64 - (6 + 2 + (2 if major == 1 else 4) + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    size = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header + data


def npz(members, compress=False):
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(number, payload):  # a length-delimited field
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def deep_func_attr(depth):
    """AttrValue { func { name: "f" attr { key: "a" value { func ... } } } }."""
    value = field(2, b"x")  # innermost AttrValue: s: "x"
    for _ in range(depth):
        entry = field(1, b"a") + field(2, value)
        value = field(10, field(1, b"f") + field(2, entry))
    return value


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print("%6d %s" % (len(data), path))


def main(out):
    f32 = struct.pack("<4f", 1, 2, 3, 4)
    d = os.path.join(out, "npy")
    write(os.path.join(d, "bad_magic.npy"), b"\x93NUMPZ\x01\x00" + b"\x00" * 8)
    write(os.path.join(d, "truncated_data.npy"), npy("<f4", (2, 2), f32)[:-3])
    write(os.path.join(d, "fortran.npy"), npy("<f4", (2, 2), f32, fortran=True))
    write(os.path.join(d, "big_endian.npy"), npy(">f4", (4,), f32))
    write(os.path.join(d, "overflow_shape.npy"),
          npy("<f4", (4294967296, 4294967296, 4294967296), b""))
    write(os.path.join(d, "zero_and_huge.npy"),
          npy("<i8", (0, 9223372036854775807, 3), b""))
    write(os.path.join(d, "structured.npy"),
          npy("<f4", (4,), f32).replace(b"'<f4'", b"[('a', '<f4')]"))
    write(os.path.join(d, "deflated.npz"),
          npz([("x.npy", npy("<f4", (4,), f32)),
               ("y.npy", npy("|u1", (3,), b"abc"))], compress=True))
    bad_crc = bytearray(npz([("x.npy", npy("<f4", (4,), f32))]))
    bad_crc[-10] ^= 0xFF  # the end record's central directory offset
    write(os.path.join(d, "bad_cd_offset.npz"), bytes(bad_crc))
    # Zip64: zipfile writes Zip64 records when asked to force them.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        with z.open("big.npy", "w", force_zip64=True) as m:
            m.write(npy("<f8", (2,), struct.pack("<2d", 1, 2)))
    write(os.path.join(d, "zip64.npz"), buf.getvalue())

    g = os.path.join(out, "graphdef_binary")
    node = field(1, b"n") + field(2, b"NoOp")
    attr = field(5, field(1, b"_deep") + field(2, deep_func_attr(40)))
    write(os.path.join(g, "deep_nesting.pb"), field(1, node + attr))
    with open(os.path.join(g, "train_step.pb"), "rb") as f:
        write(os.path.join(g, "truncated.pb"), f.read()[:700])
    t = os.path.join(out, "graphdef_text")
    nested = 's: "x"'
    for _ in range(40):
        nested = 'func { name: "f" attr { key: "a" value { %s } } }' % nested
    write(os.path.join(t, "deep_nesting.pbtxt"),
          ('node { name: "n" op: "NoOp" attr { key: "_deep" value { %s } } }\n'
           % nested).encode())

    c = os.path.join(out, "checkpoint")
    kernel = npy("<f4", (3, 3, 2, 2), struct.pack("<36f", *range(36)))
    bias = npy("<f4", (2,), struct.pack("<2f", 0.25, -0.5))
    write(os.path.join(c, "deflated.npz"),
          npz([("conv2d_transpose/kernel.npy", kernel),
               ("conv2d_transpose/bias.npy", bias)], compress=True))
    write(os.path.join(c, "nan_values.npz"),
          npz([("conv2d_transpose/kernel.npy",
                npy("<f4", (3, 3, 2, 2), struct.pack("<f", float("nan")) * 36)),
               ("conv2d_transpose/bias.npy",
                npy("<f4", (2,), struct.pack("<2f", float("inf"), -float("inf"))))]))
    write(os.path.join(c, "duplicate_key.npz"),
          npz([("conv2d_transpose/bias.npy", bias),
               ("conv2d_transpose/bias", bias)]))
    write(os.path.join(c, "truncated.npz"),
          npz([("conv2d_transpose/kernel.npy", kernel),
               ("conv2d_transpose/bias.npy", bias)])[:200])


if __name__ == "__main__":
    main(sys.argv[1])
