#!/usr/bin/env python3
"""Generates the example models of `make demo` (all made here, CC0). Run once; the outputs are committed."""
import json, math, struct, zlib, os

HERE = os.path.dirname(os.path.abspath(__file__))


def png(width, height, pixel):
    rows = b"".join(b"\0" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def torus(R=1.0, r=0.35, nu=48, nv=24):
    pos, nrm, uv, idx = [], [], [], []
    for i in range(nu + 1):
        u = 2 * math.pi * i / nu
        for j in range(nv + 1):
            v = 2 * math.pi * j / nv
            cx, cz = math.cos(u), math.sin(u)
            pos.append(((R + r * math.cos(v)) * cx, r * math.sin(v), (R + r * math.cos(v)) * cz))
            nrm.append((math.cos(v) * cx, math.sin(v), math.cos(v) * cz))
            uv.append((i / nu * 4, j / nv))
    for i in range(nu):
        for j in range(nv):
            a, b = i * (nv + 1) + j, (i + 1) * (nv + 1) + j
            idx += [a, a + 1, b, b, a + 1, b + 1]
    return pos, nrm, uv, idx


def glb(json_doc, bin_data):
    js = json.dumps(json_doc, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 4)
    bin_data += b"\0" * (-len(bin_data) % 4)
    body = struct.pack("<II", len(js), 0x4E4F534A) + js + struct.pack("<II", len(bin_data), 0x004E4942) + bin_data
    return struct.pack("<III", 0x46546C67, 2, 12 + len(body)) + body


def write_textured_torus_glb():
    pos, nrm, uv, idx = torus()
    texture = png(64, 64, lambda x, y: (230, 120, 40, 255) if (x // 8 + y // 8) % 2 else (250, 235, 210, 255))
    blobs = [b"".join(struct.pack("<3f", *p) for p in pos), b"".join(struct.pack("<3f", *n) for n in nrm),
             b"".join(struct.pack("<2f", *t) for t in uv), b"".join(struct.pack("<I", i) for i in idx), texture]
    views, offset = [], 0
    data = b""
    for blob in blobs:
        views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(blob)})
        blob += b"\0" * (-len(blob) % 4)
        data += blob
        offset += len(blob)
    mins = [min(p[k] for p in pos) for k in range(3)]
    maxs = [max(p[k] for p in pos) for k in range(3)]
    doc = {
        "asset": {"version": "2.0", "generator": "thumbgen examples/generate.py"},
        "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "rotation": [0.2588190, 0, 0, 0.9659258]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2}, "indices": 3,
                                    "material": 0}]}],
        "materials": [{"name": "checker", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0},
                                                                   "metallicFactor": 0.0, "roughnessFactor": 0.45}}],
        "textures": [{"source": 0, "sampler": 0}], "samplers": [{"wrapS": 10497, "wrapT": 10497}],
        "images": [{"bufferView": 4, "mimeType": "image/png"}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(pos), "type": "VEC3", "min": mins, "max": maxs},
            {"bufferView": 1, "componentType": 5126, "count": len(nrm), "type": "VEC3"},
            {"bufferView": 2, "componentType": 5126, "count": len(uv), "type": "VEC2"},
            {"bufferView": 3, "componentType": 5125, "count": len(idx), "type": "SCALAR"}],
        "bufferViews": views, "buffers": [{"byteLength": len(data)}]}
    open(os.path.join(HERE, "torus-textured.glb"), "wb").write(glb(doc, data))


def write_colored_cube_obj():
    # A stepped pyramid of coloured cubes with per-vertex colours (OBJ "v x y z r g b") and an MTL.
    lines, faces, n = ["# thumbgen example, CC0", "mtllib ziggurat.mtl", "usemtl stone"], [], 0
    for level in range(4):
        s, y0, y1 = 2.0 - level * 0.45, level * 0.4, level * 0.4 + 0.4
        color = [(0.8, 0.3, 0.2), (0.9, 0.6, 0.2), (0.3, 0.7, 0.4), (0.2, 0.4, 0.8)][level]
        for (x, y, z) in [(-s, y0, -s), (s, y0, -s), (s, y0, s), (-s, y0, s), (-s, y1, -s), (s, y1, -s), (s, y1, s), (-s, y1, s)]:
            lines.append("v %.3f %.3f %.3f %.2f %.2f %.2f" % (x, y, z, *color))
        for f in [(1, 2, 3, 4), (5, 8, 7, 6), (1, 5, 6, 2), (2, 6, 7, 3), (3, 7, 8, 4), (4, 8, 5, 1)]:  # outward, CCW
            faces.append("f " + " ".join(str(n + k) for k in f))
        n += 8
    open(os.path.join(HERE, "ziggurat.obj"), "w").write("\n".join(lines + faces) + "\n")
    open(os.path.join(HERE, "ziggurat.mtl"), "w").write("newmtl stone\nKd 1 1 1\nNs 20\n")


def write_gear_stl():
    teeth, tris = 16, []
    outline = []
    for i in range(teeth * 4):
        a = 2 * math.pi * i / (teeth * 4)
        rr = 1.0 if (i % 4) in (0, 1) else 0.82
        outline.append((rr * math.cos(a), rr * math.sin(a)))
    for k in range(len(outline)):
        (x0, y0), (x1, y1) = outline[k], outline[(k + 1) % len(outline)]
        tris += [((0, 0, 0.15), (x0, y0, 0.15), (x1, y1, 0.15)), ((0, 0, -0.15), (x1, y1, -0.15), (x0, y0, -0.15)),
                 ((x0, y0, -0.15), (x1, y1, -0.15), (x1, y1, 0.15)), ((x0, y0, -0.15), (x1, y1, 0.15), (x0, y0, 0.15))]
    data = b"thumbgen example gear, CC0".ljust(80, b" ") + struct.pack("<I", len(tris))
    for t in tris:
        data += struct.pack("<3f", 0, 0, 0) + b"".join(struct.pack("<3f", *v) for v in t) + b"\0\0"
    open(os.path.join(HERE, "gear.stl"), "wb").write(data)


def write_point_cloud_ply():
    pts = []
    for i in range(6000):  # a Fibonacci sphere, coloured by height
        y = 1 - 2 * (i + 0.5) / 6000
        r, a = math.sqrt(1 - y * y), i * math.pi * (3 - math.sqrt(5))
        pts.append((r * math.cos(a), y, r * math.sin(a), int(127 + 127 * y), 80, int(127 - 127 * y)))
    head = ("ply\nformat binary_little_endian 1.0\ncomment thumbgen example, CC0\nelement vertex %d\n"
            "property float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\n"
            "property uchar blue\nend_header\n" % len(pts)).encode()
    open(os.path.join(HERE, "sphere-points.ply"), "wb").write(head + b"".join(struct.pack("<3f3B", *p) for p in pts))


def write_splat():
    out = b""
    for i in range(4000):  # a spiral galaxy of Gaussian splats (.splat: pos, scale, RGBA, quaternion)
        t = i / 4000
        a = t * 4 * math.pi + (i % 2) * math.pi
        x, z = math.cos(a) * t * 2, math.sin(a) * t * 2
        y = 0.08 * math.sin(i * 12.9898)
        c = (int(255 * (1 - t)), int(120 + 100 * t), int(255 * t), 220)
        out += struct.pack("<3f3f", x, y, z, 0.05, 0.02, 0.05) + bytes(c) + bytes((255, 128, 128, 128))
    open(os.path.join(HERE, "galaxy.splat"), "wb").write(out)


write_textured_torus_glb()
write_colored_cube_obj()
write_gear_stl()
write_point_cloud_ply()
write_splat()
