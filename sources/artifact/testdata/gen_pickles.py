#!/usr/bin/env python3
"""Writes the pickle fixtures of sources/artifact (testdata/pickle/*.pkl).

Python 3 standard library only; nothing here is needed to run the Go tests,
which read the committed files. Benign PyTorch, NumPy and joblib streams are
built opcode by opcode, mirroring what torch.save (data.pkl), numpy and joblib
write, so that neither torch nor numpy is needed. Malicious streams are never
loaded here: they are only written.

Run from sources/artifact: python3 testdata/gen_pickles.py
"""

import collections
import os
import pickle
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pickle")


def u1(n):
    return struct.pack("<B", n)


def u4(n):
    return struct.pack("<I", n)


def i4(n):
    return struct.pack("<i", n)


def u8(n):
    return struct.pack("<Q", n)


def binunicode(s):
    b = s.encode("utf-8")
    return b"X" + u4(len(b)) + b


def short_binunicode(s):
    b = s.encode("utf-8")
    return b"\x8c" + u1(len(b)) + b


def glob(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def put(i):
    return b"q" + u1(i)


def torch_tensor(name, memo, key):
    """One entry of a state dict as torch.save writes it in data.pkl (protocol 2)."""
    m = memo
    out = binunicode(name) + put(m)
    out += glob("torch._utils", "_rebuild_tensor_v2") + put(m + 1)
    out += b"(" + b"(" + binunicode("storage") + put(m + 2)
    out += glob("torch", "FloatStorage") + put(m + 3)
    out += binunicode(key) + put(m + 4) + binunicode("cpu") + put(m + 5)
    out += b"K\x06" + b"t" + put(m + 6) + b"Q"  # persistent id tuple, BINPERSID
    out += b"K\x00" + b"K\x02K\x03\x86" + put(m + 7) + b"K\x03K\x01\x86" + put(m + 8)
    out += b"\x89" + glob("collections", "OrderedDict") + put(m + 9) + b")R" + put(m + 10)
    out += b"t" + put(m + 11) + b"R" + put(m + 12)
    return out


def torch_state_dict():
    out = b"\x80\x02" + glob("collections", "OrderedDict") + b"q\x00)Rq\x01("
    out += torch_tensor("layer.weight", 2, "0")
    out += torch_tensor("layer.bias", 20, "1")
    return out + b"u."


def numpy_array():
    """numpy.ndarray.__reduce__ output at protocol 2: float32 array of 3 items."""
    out = b"\x80\x02" + glob("numpy.core.multiarray", "_reconstruct") + put(0)
    out += glob("numpy", "ndarray") + put(1) + b"K\x00\x85" + put(2)
    out += glob("_codecs", "encode") + put(3) + binunicode("b") + put(4)
    out += binunicode("latin1") + put(5) + b"\x86" + put(6) + b"R" + put(7)
    out += b"\x87" + put(8) + b"R" + put(9)
    out += b"(K\x01K\x03\x85" + put(10)
    out += glob("numpy", "dtype") + put(11) + binunicode("f4") + put(12)
    out += b"\x89\x88\x87" + put(13) + b"R" + put(14)
    out += b"(K\x03" + binunicode("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t" + put(15)
    out += b"b\x89C\x0c" + struct.pack("<3f", 1.0, 2.0, 3.0) + b"t" + put(16) + b"b."
    return out


def joblib_wrapper():
    """The pickle joblib.dump writes before the raw array bytes (protocol 4)."""
    out = b"\x80\x04"
    out += short_binunicode("joblib.numpy_pickle") + b"\x94"
    out += short_binunicode("NumpyArrayWrapper") + b"\x94\x93\x94)\x81\x94}\x94("
    out += short_binunicode("subclass") + b"\x94"
    out += short_binunicode("numpy") + b"\x94" + short_binunicode("ndarray") + b"\x94\x93\x94"
    out += short_binunicode("shape") + b"\x94K\x03\x85\x94"
    out += short_binunicode("order") + b"\x94" + short_binunicode("C") + b"\x94"
    out += short_binunicode("dtype") + b"\x94" + short_binunicode("numpy") + b"\x94"
    out += short_binunicode("dtype") + b"\x94\x93\x94" + short_binunicode("f4") + b"\x94\x89\x88\x87\x94R\x94"
    out += b"u" + b"b."
    return out


def os_system(proto_prefix=b""):
    return proto_prefix + glob("os", "system") + b"(S'echo pwned'\ntR."


def plain_data():
    return {
        "text": "caf\u00e9",
        "ints": [0, 1, 255, 65535, -1, 2**31, 2**100, -(2**100)],
        "float": 2.5,
        "tuple": (None, True, False),
        "t1": (1,),
        "t2": (1, 2),
        "t3": (1, 2, 3),
        "bytes": b"\x00\x01ab",
        "bytearray": bytearray(b"xyz"),
        "set": {1, 2},
        "frozenset": frozenset({3}),
        "od": collections.OrderedDict(a=1),
        "nested": {"a": [{"b": ()}]},
        "long_text": "z" * 300,
    }


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    data = plain_data()
    for proto in range(6):
        write("plain_p%d.pkl" % proto, pickle.dumps(data, protocol=proto))
    bufs = []
    write("buffers_p5.pkl", pickle.dumps([pickle.PickleBuffer(b"abc"),
                                          pickle.PickleBuffer(bytearray(b"def"))],
                                         protocol=5, buffer_callback=bufs.append))
    write("torch_state_dict.pkl", torch_state_dict())
    write("numpy_array.pkl", numpy_array())
    write("joblib_wrapper.pkl", joblib_wrapper())
    # Protocol 0 opcodes pickle.dumps no longer writes: PUT/GET, INST, OBJ, STRING, LONG, FLOAT.
    write("opcodes_p0.pkl",
          b"(lp0\nI1\naL2L\naF1.5\naS'a\\'b\\x41'\nag0\naV\\u00e9t\\U0001f600\na"
          b"(ccollections\nOrderedDict\noa(icollections\nOrderedDict\na"
          b"(dp1\nS'k'\np2\nI0\nsa" b"0" b"(N1" b"N.")
    write("ext.pkl", b"\x80\x02\x82\x01\x83\x02\x01\x84\x00\x00\x01\x00\x87.")
    write("newobj_ex.pkl", b"\x80\x04" + short_binunicode("collections") + short_binunicode("OrderedDict")
          + b"\x93)}\x92" + b"\x8f(K\x01\x90" + b"(K\x02\x91" + b"0" + b"\x96" + u8(2) + b"ab" + b"0" + b".")
    # Malicious streams.
    write("os_system_global.pkl", os_system())
    write("stack_global_memo.pkl", b"\x80\x04" + short_binunicode("posix") + b"\x94"
          + short_binunicode("system") + b"\x94" + b"h\x00h\x01\x93" + short_binunicode("id") + b"\x85R.")
    write("inst_eval.pkl", b"(S'print(1)'\nibuiltins\neval\n.")
    write("builtins_exec.pkl", b"\x80\x02" + glob("__builtin__", "exec") + b"q\x00"
          + binunicode("print(1)") + b"\x85R.")
    inner = os_system(b"\x80\x02")
    write("nested_loads.pkl", b"\x80\x03" + glob("_pickle", "loads") + b"C" + u1(len(inner)) + inner + b"\x85R.")
    write("nested_codecs.pkl", b"\x80\x02" + glob("pickle", "loads") + glob("_codecs", "encode")
          + binunicode(inner.decode("latin1")) + binunicode("latin1") + b"\x86R\x85R.")
    write("getattr_chain.pkl", glob("builtins", "getattr") + b"(" + glob("builtins", "__import__")
          + b"(S'os'\ntRS'system'\ntR(S'id'\ntR.")
    write("functools_partial.pkl", b"\x80\x04" + glob("functools", "partial") + glob("os", "system")
          + b"S'id'\n\x86R)R.")
    write("stack_global_computed.pkl", b"\x80\x04" + glob("builtins", "str") + b")R"
          + short_binunicode("system") + b"\x93.")
    write("concatenated.pkl", pickle.dumps(1, protocol=2) + os_system(b"\x80\x02") + b"\x00\x01")
    # Hostile streams.
    write("empty.pkl", b"")
    write("truncated.pkl", torch_state_dict()[:60])
    write("invalid_opcode.pkl", b"\x80\x02\xff.")
    write("binbytes8_huge.pkl", b"\x80\x04\x8e" + u8(2**60) + b"xx")
    write("frame_past_end.pkl", b"\x80\x04\x95" + u8(1000) + b"K\x01.")
    write("frame_straddle.pkl", b"\x80\x04\x95" + u8(3) + b"K\x01J\x01\x00\x00\x00.")
    write("deep_mark.pkl", b"(" * 100000 + b"N.")
    write("stack_underflow.pkl", b"\x80\x02R.")
    write("memo_missing.pkl", b"\x80\x02h\x05.")
    write("negative_length.pkl", b"\x80\x02T\xff\xff\xff\xff.")
    write("bad_proto.pkl", b"\x80\x09N.")
    write("no_stop.pkl", b"\x80\x02N")


if __name__ == "__main__":
    main()
