"""Small believable photos for the demo and the benchmark: a scene with a banner caption.

Generated with Pillow (no photo is shipped): sky, ground, a building, people
as simple figures and a red banner carrying the activity's title, like the
photos community workers take of their events.
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
_SKIES = [((126, 176, 222), (205, 227, 244)), ((160, 190, 215), (230, 236, 240)),
          ((96, 150, 205), (190, 215, 238)), ((235, 190, 150), (250, 230, 200))]
_GROUNDS = [(118, 150, 92), (150, 150, 140), (170, 140, 110), (100, 130, 110)]
_CLOTHES = [(200, 40, 40), (40, 80, 160), (230, 200, 60), (240, 240, 240), (60, 60, 60),
            (40, 140, 90), (220, 120, 40)]


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_FONT, size)
    except OSError:  # pragma: no cover - fonts-noto-cjk is a declared dependency
        return ImageFont.load_default()


def scene_jpeg(caption: str, seed: int, size: tuple[int, int] = (800, 600),
               indoor: bool = False) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - pictures, not security
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.5, 0.62))
    if indoor:
        wall = rng.choice([(236, 228, 210), (225, 232, 236), (240, 236, 226)])
        draw.rectangle([0, 0, w, horizon], fill=wall)
        draw.rectangle([0, horizon, w, h], fill=(180, 150, 110))
        # A screen or blackboard at the front of the room.
        draw.rectangle([w * 0.25, h * 0.12, w * 0.75, h * 0.42], fill=(40, 70, 60),
                       outline=(90, 60, 30), width=6)
        for i in range(4):
            y = h * 0.18 + i * h * 0.05
            draw.line([w * 0.3, y, w * 0.3 + rng.uniform(0.2, 0.4) * w, y], fill=(220, 230, 220), width=3)
    else:
        top, bottom = rng.choice(_SKIES)
        for y in range(horizon):
            t = y / max(1, horizon)
            draw.line([0, y, w, y], fill=tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3)))
        draw.rectangle([0, horizon, w, h], fill=rng.choice(_GROUNDS))
        for _i in range(rng.randint(2, 4)):  # buildings behind
            bx = rng.randint(0, w - 120)
            bw, bh = rng.randint(90, 200), rng.randint(80, int(horizon * 0.8))
            shade = rng.randint(170, 225)
            draw.rectangle([bx, horizon - bh, bx + bw, horizon], fill=(shade, shade - 8, shade - 20))
            for wy in range(horizon - bh + 12, horizon - 14, 22):
                for wx in range(bx + 10, bx + bw - 14, 24):
                    draw.rectangle([wx, wy, wx + 12, wy + 10], fill=(120, 150, 180))
        for _i in range(rng.randint(1, 3)):  # trees
            tx = rng.randint(0, w)
            draw.rectangle([tx - 5, horizon - 40, tx + 5, horizon + 10], fill=(100, 70, 40))
            draw.ellipse([tx - 35, horizon - 100, tx + 35, horizon - 30], fill=(60, 120, 60))
    # People: a crowd of simple figures, nearer ones larger.
    for _i in range(rng.randint(8, 22)):
        x = rng.randint(10, w - 10)
        y = rng.randint(horizon + 10, h - 20)
        s = 0.5 + (y - horizon) / (h - horizon)
        body = rng.choice(_CLOTHES)
        draw.rectangle([x - 10 * s, y - 45 * s, x + 10 * s, y], fill=body)
        draw.ellipse([x - 8 * s, y - 62 * s, x + 8 * s, y - 46 * s], fill=(235, 200, 170))
        draw.ellipse([x - 8 * s, y - 64 * s, x + 8 * s, y - 55 * s], fill=(30, 30, 30))
    # The banner (横幅) with the caption.
    font = _font(max(18, w // 28))
    text = caption[:24]
    box = draw.textbbox((0, 0), text, font=font)
    tw, th = box[2] - box[0], box[3] - box[1]
    bx0 = max(10, (w - tw) // 2 - 24)
    by0 = int(h * 0.06) if not indoor else int(h * 0.02)
    draw.rectangle([bx0, by0, bx0 + tw + 48, by0 + th + 26], fill=(190, 20, 30))
    draw.text((bx0 + 24, by0 + 10 - box[1]), text, fill=(255, 235, 120), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()
