#!/usr/bin/env python3
"""Writes the malformed-input corpus (checked in beside this script): one small file per hostile or
broken input, with its expected error in cases.txt. Files use neutral extensions (.prog, .params,
.yml) so that nobody mistakes them for models. Run again after changing a case:
    python3 tests/malformed/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, wire, payload):
    tag = varint(num << 3 | wire)
    if wire == 0:
        return tag + varint(payload)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    raise ValueError(wire)


def s(num, text):
    return field(num, 2, text.encode() if isinstance(text, str) else text)


def tensor_desc(dtype, dims):
    return field(1, 0, dtype) + b"".join(field(2, 0, d) for d in dims)


def var(name, dims, persistable=False, dtype=5):
    vtype = field(1, 0, 7) + s(3, s(1, tensor_desc(dtype, dims)))
    out = s(1, name) + s(2, vtype)
    if persistable:
        out += field(3, 0, 1)
    return out


def holder(name, kind):
    return s(1, name) + s(2, field(1, 0, kind)) + field(3, 0, 1)


def slot(name, args):
    return s(1, name) + b"".join(s(2, a) for a in args)


def attr_int(name, value):
    return s(1, name) + field(2, 0, 0) + field(3, 0, value)


def op(kind, inputs, outputs, attrs=()):
    return (b"".join(s(1, slot(k, v)) for k, v in inputs) + b"".join(s(2, slot(k, v)) for k, v in outputs)
            + s(3, kind) + b"".join(s(4, a) for a in attrs))


def program(ops, vars_, version=2006001):
    block = field(1, 0, 0) + field(2, 0, -1) + b"".join(s(3, v) for v in vars_) + b"".join(s(4, o) for o in ops)
    return s(1, block) + s(4, field(1, 0, version))


VARS = [holder("feed", 9), holder("fetch", 10), var("x", [-1, 4]), var("w", [4], persistable=True),
        var("y", [-1, 4])]
OPS = [op("feed", [("X", ["feed"])], [("Out", ["x"])], [attr_int("col", 0)]),
       op("elementwise_add", [("X", ["x"]), ("Y", ["w"])], [("Out", ["y"])], [attr_int("axis", -1)]),
       op("fetch", [("X", ["y"])], [("Out", ["fetch"])], [attr_int("col", 0)])]
GOOD = program(OPS, VARS)


def tensor(dtype, dims, data, version=0, desc=None):
    d = desc if desc is not None else tensor_desc(dtype, dims)
    return struct.pack("<IQI", version, 0, 0) + struct.pack("<i", len(d)) + d + data


GOOD_PARAMS = tensor(5, [4], struct.pack("<4f", 1, 2, 3, 4))

cases = []


def case(name, files, args, exit_code, expected):
    for fname, data in files.items():
        mode = "w" if isinstance(data, str) else "wb"
        with open(os.path.join(HERE, fname), mode) as f:
            f.write(data)
    cases.append((name, args, exit_code, expected))


P = "inspect --model-file {dir}/%s"
PP = "inspect --model-file {dir}/%s --params-file {dir}/%s"

case("valid_baseline", {"good.prog": GOOD, "good.params": GOOD_PARAMS}, PP % ("good.prog", "good.params"), 0,
     "elementwise_add")
case("empty_program", {"empty.prog": b""}, P % "empty.prog", 2, "byte offset 0: the file is empty")
case("jpeg_as_program", {"photo.prog": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(200))},
     P % "photo.prog", 2, "the file is a JPEG image, not a serialized ProgramDesc")
case("json_as_program", {"config.prog": '{"model": "ppyoloe", "version": 2}\n'}, P % "config.prog", 2,
     "the file is JSON text")

# PIR JSON programs: a minimal valid one (parameter -> data -> add -> fetch) and broken variants.
import copy
import json

F32 = {"#": "0.t_f32"}


def dtensor(dims):
    return {"#": "0.t_dtensor", "D": [F32, dims, "NCHW", [], 0]}


def attr(name, kind, value):
    return {"N": name, "AT": {"#": kind, "D": value}}


PIR = {"base_code": {"magic": "pir", "trainable": True, "version": 1}, "program": {"regions": [
    {"#": "region_0", "blocks": [{"#": "block_0", "args": [], "ops": [
        {"#": "p", "A": [0, 1, 1, "w"], "DA": [], "QA": [], "OA": [1, 0, 1], "O": {"%": 1, "TT": dtensor([4])}},
        {"#": "1.data", "I": [], "O": [{"%": 2, "TT": dtensor([-1, 4])}],
         "A": [attr("name", "0.a_str", "x"), attr("shape", "1.a_intarray", [-1, 4]),
               attr("dtype", "1.a_dtype", "float32"), attr("place", "1.a_place", [1, 0, ""])]},
        {"#": "1.add", "I": [{"%": 2}, {"%": 1}], "O": [{"%": 3, "TT": dtensor([-1, 4])}], "A": []},
        {"#": "1.fetch", "I": [{"%": 3}], "O": [{"%": 4, "TT": dtensor([-1, 4])}],
         "A": [attr("name", "0.a_str", "y"), attr("col", "0.a_i32", 0)]}]}]}]}}
OPS = "/program/regions/0/blocks/0/ops"


def pir_variant(change):
    doc = copy.deepcopy(PIR)
    change(doc["program"]["regions"][0]["blocks"][0]["ops"], doc)
    return json.dumps(doc)


PJ = "inspect --model-file {dir}/%s"
PJP = "inspect --model-file {dir}/%s --params-file {dir}/%s"
case("pir_valid", {"pir_good.json": json.dumps(PIR)}, PJP % ("pir_good.json", "good.params"), 0, "elementwise_add")
case("pir_not_json", {"pir_cut.json": json.dumps(PIR)[:300]}, PJ % "pir_cut.json", 2, "not valid JSON")
case("pir_wrong_magic", {"pir_magic.json": pir_variant(lambda ops, d: d["base_code"].update(magic="pjr"))},
     PJ % "pir_magic.json", 2, '/base_code/magic: found "pjr"; expected "pir"')
case("pir_unknown_dialect", {"pir_dialect.json": pir_variant(lambda ops, d: ops[2].update({"#": "9.add"}))},
     PJ % "pir_dialect.json", 2, OPS + "/2/#: unknown dialect in op '9.add'")
case("pir_unknown_op", {"pir_op.json": pir_variant(lambda ops, d: ops[2].update({"#": "1.frobnicate"}))},
     PJ % "pir_op.json", 2, OPS + "/2/#: unknown op '1.frobnicate'")
case("pir_unknown_type", {"pir_type.json": pir_variant(lambda ops, d: ops[2]["O"][0].update(TT={"#": "0.t_f128"}))},
     PJ % "pir_type.json", 2, OPS + "/2/O/0/TT/#: unknown value type '0.t_f128'")
case("pir_unknown_element_type",
     {"pir_elem.json": pir_variant(lambda ops, d: ops[2]["O"][0]["TT"]["D"].__setitem__(0, {"#": "0.t_f128"}))},
     PJ % "pir_elem.json", 2, OPS + "/2/O/0/TT/D/0/#: unknown element type '0.t_f128'")
case("pir_unknown_attr_kind",
     {"pir_attr.json": pir_variant(lambda ops, d: ops[3]["A"][1].update(AT={"#": "0.a_f128", "D": 0}))},
     PJ % "pir_attr.json", 2, OPS + "/3/A/1/AT/#: unknown attribute kind '0.a_f128'")
case("pir_dangling_value", {"pir_dangling.json": pir_variant(lambda ops, d: ops[2]["I"][1].update({"%": 99}))},
     PJ % "pir_dangling.json", 2, OPS + "/2/I/1/%: value id 99 is not defined")
case("pir_value_defined_twice", {"pir_twice.json": pir_variant(lambda ops, d: ops[2]["O"][0].update({"%": 2}))},
     PJ % "pir_twice.json", 2, OPS + "/2/O/0/%: value id 2 is defined twice")
case("pir_bad_parameter", {"pir_param.json": pir_variant(lambda ops, d: ops[0].update(A=[0, 1, 1]))},
     PJ % "pir_param.json", 2, OPS + "/0/A: a parameter op needs A = [is_distributed, is_parameter, need_clip, name]")
case("pir_int32_overflow",
     {"pir_i32.json": pir_variant(lambda ops, d: ops[3]["A"][1]["AT"].update(D=1 << 40))},
     PJ % "pir_i32.json", 2, OPS + "/3/A/1/AT/D: 1099511627776 is out of range")
case("pir_too_deep", {"pir_deep.json": '{"base_code": ' + "[" * 100 + "]" * 100 + "}"},
     PJ % "pir_deep.json", 2, "JSON nesting deeper than 64 levels")
case("pir_params_dims_mismatch", {}, PJP % ("pir_good.json", "dims5.params"), 2,
     "tensor for 'w' has dims [5] but the program declares [4]")
case("pir_params_too_many", {}, PJP % ("pir_good.json", "two.params"), 2,
     "they hold 1 more tensor: the file has 2 tensors for 1 persistable vars")
case("truncated_program", {"truncated.prog": GOOD[: len(GOOD) * 2 // 3]}, P % "truncated.prog", 2,
     "remain in the enclosing")
rnd = bytes((i * 7919 + 13) % 251 for i in range(512))
case("random_bytes", {"random.prog": b"\x0a" + rnd}, P % "random.prog", 2, "byte offset")
bad_enum = program([op("relu", [("X", ["x"])], [("Out", ["y"])], [s(1, "alpha") + field(2, 0, 42) + field(3, 0, 1)])],
                   VARS)
case("unknown_attr_type", {"attr42.prog": bad_enum}, P % "attr42.prog", 2,
     "blocks[0].ops[0].attrs[0].type): AttrType value 42 is not one detport knows (known: 0..17)")
bad_vartype = program(OPS, VARS[:2] + [s(1, "x") + s(2, field(1, 0, 77))] + VARS[3:])
case("unknown_var_type", {"var77.prog": bad_vartype}, P % "var77.prog", 2, "Type value 77 is not one detport knows")
no_type = program([s(1, slot("X", ["x"]))], VARS)
case("op_without_type", {"notype.prog": no_type}, P % "notype.prog", 2, "blocks[0].ops[0].type")
dangling = program([op("while", [("X", ["x"])], [("Out", ["y"])], [s(1, "sub_block") + field(2, 0, 8) + field(12, 0, 9)])],
                   VARS)
case("dangling_block_ref", {"block9.prog": dangling}, P % "block9.prog", 2, "refers to block 9")
huge_len = s(1, b"") [:0] + varint(1 << 3 | 2) + varint(1 << 40) + b"\x08\x00"
case("length_past_eof", {"hugelen.prog": huge_len}, P % "hugelen.prog", 2,
     "byte offset 1 (blocks[0]): declares 1099511627776 bytes but only 2 remain in the enclosing file")
case("params_one_too_few", {"none.params": b""}, PP % ("good.prog", "none.params"), 2,
     "the file ends after 0 tensors but the program has 1 persistable vars; the first without data is 'w'")
case("params_one_too_many", {"two.params": GOOD_PARAMS + GOOD_PARAMS},
     PP % ("good.prog", "two.params"), 2, "they hold 1 more tensor: the file has 2 tensors for 1 persistable vars")
case("params_dtype_mismatch", {"f64.params": tensor(6, [4], struct.pack("<4d", 1, 2, 3, 4))},
     PP % ("good.prog", "f64.params"), 2, "tensor for 'w' is float64 but the program declares float32")
case("params_dims_mismatch", {"dims5.params": tensor(5, [5], struct.pack("<5f", 1, 2, 3, 4, 5))},
     PP % ("good.prog", "dims5.params"), 2, "tensor for 'w' has dims [5] but the program declares [4]")
case("params_dims_overflow", {"overflow.params": tensor(5, [1 << 40, 1 << 40], b"")},
     PP % ("good.prog", "overflow.params"), 2, "are negative or overflow")
case("params_negative_dims", {"negative.params": tensor(5, [-4], b"")},
     PP % ("good.prog", "negative.params"), 2, "dims [-4] are negative or overflow")
case("params_data_past_eof", {"short.params": tensor(5, [4], b"\x00" * 8)},
     PP % ("good.prog", "short.params"), 2, "needs 16 bytes of data but only 8 remain")
case("params_negative_desc_size", {"desc.params": struct.pack("<IQIi", 0, 0, 0, -1)},
     PP % ("good.prog", "desc.params"), 2, "TensorDesc size is -1")
case("params_bad_version", {"version.params": tensor(5, [4], b"\x00" * 16, version=7)},
     PP % ("good.prog", "version.params"), 2, "tensor version is 7; expected 0")
case("params_huge_lod", {"lod.params": struct.pack("<IQ", 0, 1 << 62) + b"\x00" * 8},
     PP % ("good.prog", "lod.params"), 2, "LoD level count 4611686018427387904")
case("params_is_a_program", {"prog.params": GOOD}, PP % ("good.prog", "prog.params"), 2,
     "expected 0 (the only version Paddle writes). Is this a params file?")
os.makedirs(os.path.join(HERE, "badcfg"), exist_ok=True)
case("deploy_config_bad_yaml", {"badcfg/model.prog": GOOD, "badcfg/infer_cfg.yml": "Preprocess:\n- type: Resize\n  target_size: [320, 320\n"},
     "inspect --model-file {dir}/badcfg/model.prog", 2, "infer_cfg.yml: line 4, column 1: not valid YAML")
os.makedirs(os.path.join(HERE, "badcfg2"), exist_ok=True)
case("deploy_config_wrong_type", {"badcfg2/model.prog": GOOD, "badcfg2/infer_cfg.yml": "Preprocess:\n  type: Resize\n"},
     "inspect --model-file {dir}/badcfg2/model.prog", 2,
     "infer_cfg.yml: Preprocess: expected a sequence of transforms, found a mapping")
case("missing_program", {}, "inspect {dir}/no_such_model", 2, "no such model")

with open(os.path.join(HERE, "cases.txt"), "w") as f:
    f.write("# name | detport arguments ({dir} = this directory) | exit code | expected stderr (or stdout) text\n")
    f.write("# Generated by make_corpus.py.\n")
    for name, args, code, expected in cases:
        f.write(f"{name} | {args} | {code} | {expected}\n")
print(f"wrote {len(cases)} cases")
