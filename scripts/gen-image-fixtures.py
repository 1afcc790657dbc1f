"""Image fixtures for the decoders' tests, checked against an independent decoder (Pillow).

Every PNG colour type and bit depth is written from a known array of samples by a small encoder here
(filter 0 rows, zlib), then read back by Pillow, which must agree with the array; the expected gray and
RGB values come from the arrays (16-bit scaled by 1/257, alpha dropped). JPEGs are written and decoded
by Pillow (libjpeg), whose decoded values are the expectation. Run: python3 scripts/gen-image-fixtures.py
"""
import base64
import json
import os
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'images')
W, H = 13, 7  # An odd width: rows of 1, 2 and 4-bit samples end inside a byte.
rng = np.random.default_rng(1709)


def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(int(v) for v in samples)
    if depth == 16:
        return b''.join(struct.pack('>H', int(v)) for v in samples)
    bits = ''.join(format(int(v), f'0{depth}b') for v in samples)
    bits += '0' * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def write_png(path, samples, depth, colour_type, palette=None, trns=None):
    """samples: H x W x channels integers."""
    h, w, _ = samples.shape
    raw = b''.join(b'\x00' + pack_row(samples[y].reshape(-1), depth) for y in range(h))
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, colour_type, 0, 0, 0))
    if palette is not None:
        png += chunk(b'PLTE', bytes(int(v) for v in palette.reshape(-1)))
    if trns is not None:
        png += chunk(b'tRNS', trns)
    png += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)


def luma(rgb):
    # ITU-R BT.601, as the loader converts colour to gray.
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def save_expected(name, gray, rgb):
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(
            {
                'width': int(gray.shape[1]),
                'height': int(gray.shape[0]),
                # Gray [H, W] and RGB planes [3, H, W] from 0 to 255, as float32, base64.
                'gray': base64.b64encode(gray.astype('<f4').tobytes()).decode(),
                'rgb': base64.b64encode(np.moveaxis(rgb, 2, 0).astype('<f4').tobytes()).decode(),
            },
            f,
            indent=2,
        )
        f.write('\n')


def pillow_agrees(path, gray, rgb, tolerance=1):
    """Pillow's reading of the file must match the expected values within one grey level (Pillow cuts
    16-bit colour to 8 bits by truncation, not rounding: there, one and a half)."""
    image = Image.open(path)
    image.load()
    if image.mode in ('I;16', 'I;16B', 'I'):
        got_gray = np.asarray(image, dtype=np.float64) / 257
        assert np.abs(got_gray - gray).max() <= 1, path
        return
    got_rgb = np.asarray(image.convert('RGB'), dtype=np.float64)
    assert np.abs(got_rgb - rgb).max() <= tolerance, (path, np.abs(got_rgb - rgb).max())
    got_gray = np.asarray(image.convert('L'), dtype=np.float64)
    assert np.abs(got_gray - gray).max() <= tolerance, (path, np.abs(got_gray - gray).max())


def png_case(name, colour_type, depth, channels, palette=None, trns=None):
    top = (1 << depth) - 1
    if colour_type == 3:
        samples = rng.integers(0, len(palette), size=(H, W, 1))
        rgb = palette[samples[..., 0]].astype(np.float64)
        gray = luma(rgb)
    else:
        samples = rng.integers(0, top + 1, size=(H, W, channels))
        scaled = samples.astype(np.float64) * 255 / top
        colour = scaled[..., :3] if channels >= 3 else np.repeat(scaled[..., :1], 3, axis=2)
        rgb = colour
        gray = luma(colour) if channels >= 3 else scaled[..., 0]
    path = os.path.join(OUT, f'{name}.png')
    write_png(path, samples, depth, colour_type, palette, trns)
    pillow_agrees(path, gray, rgb, 1.5 if depth == 16 and channels >= 3 else 1)
    save_expected(name, gray, rgb)
    return path


os.makedirs(OUT, exist_ok=True)
for depth in (1, 2, 4, 8, 16):
    png_case(f'gray-{depth}', 0, depth, 1)
png_case('gray-alpha-8', 4, 8, 2)
png_case('gray-alpha-16', 4, 16, 2)
png_case('rgb-8', 2, 8, 3)
png_case('rgb-16', 2, 16, 3)
png_case('rgba-8', 6, 8, 4)
png_case('rgba-16', 6, 16, 4)
for depth in (1, 2, 4, 8):
    colours = min(1 << depth, 200)
    png_case(f'palette-{depth}', 3, depth, 1, rng.integers(0, 256, size=(colours, 3)))
png_case('palette-transparent', 3, 8, 1, rng.integers(0, 256, size=(16, 3)), bytes(range(0, 256, 16)))

# Adam7 interlacing, written by ImageMagick from a plain RGB case.
plain = os.path.join(OUT, 'rgb-8.png')
subprocess.run(['convert', plain, '-interlace', 'PNG', os.path.join(OUT, 'rgb-8-interlaced.png')], check=True)
with open(os.path.join(OUT, 'rgb-8.json')) as f:
    expected = json.load(f)
with open(os.path.join(OUT, 'rgb-8-interlaced.json'), 'w') as f:
    json.dump(expected, f, indent=2)
    f.write('\n')
assert Image.open(os.path.join(OUT, 'rgb-8-interlaced.png')).info.get('interlace') == 1

# JPEGs: a smooth image (JPEG's own kind), decoded by libjpeg for the expected values: through Pillow, and
# for 4:2:0 chroma through ImageMagick with plain upsampling (Pillow's "fancy" interpolation is a choice
# of libjpeg's, not the standard's; the loader's decoder replicates chroma samples).
yy, xx = np.mgrid[0:16, 0:24]
smooth = np.stack([xx * 10, yy * 15, (xx + yy) * 6], axis=2).clip(0, 255).astype(np.uint8)
for name, image, options in [
    ('jpeg-gray', Image.fromarray(smooth[..., 0]), {}),
    ('jpeg-rgb-444', Image.fromarray(smooth), {'subsampling': 0}),
    ('jpeg-rgb-420', Image.fromarray(smooth), {'subsampling': 2}),
]:
    path = os.path.join(OUT, f'{name}.jpg')
    image.save(path, quality=95, **options)
    decoded = Image.open(path)
    if options.get('subsampling') == 2:
        raw = subprocess.run(
            ['convert', '-define', 'jpeg:fancy-upsampling=false', path, '-depth', '8', 'rgb:-'],
            check=True,
            capture_output=True,
        ).stdout
        rgb = np.frombuffer(raw, dtype=np.uint8).reshape(decoded.height, decoded.width, 3).astype(np.float64)
    else:
        rgb = np.asarray(decoded.convert('RGB'), dtype=np.float64)
    gray = np.asarray(decoded, dtype=np.float64) if decoded.mode == 'L' else luma(rgb)
    save_expected(name, gray, rgb)
print('wrote', len([f for f in os.listdir(OUT) if f.endswith('.json')]), 'image fixtures to', OUT)
