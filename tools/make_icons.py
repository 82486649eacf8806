"""Draw the home-screen icons of the farmer app (static/icons/*.png) with Pillow.

Run once after changing the design: `.venv/bin/python tools/make_icons.py`; the PNGs are
committed. The character 鲜 is drawn with WenQuanYi Micro Hei (Debian's fonts-wqy-microhei,
`make system-deps`), as on the label PDFs' fallback.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

GREEN = (31, 122, 58)
LEAF = (142, 202, 80)
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
OUT = Path(__file__).resolve().parents[1] / "freshcircle" / "platform" / "static" / "icons"


def icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), GREEN)
    draw = ImageDraw.Draw(image)
    if not maskable:  # a rounded tile; a maskable icon fills the square (the launcher crops it)
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=GREEN)
    safe = 0.8 if maskable else 1.0  # the maskable safe zone is the inner 80 %
    ring = size * (0.5 - 0.14 * safe)
    centre = size / 2
    draw.ellipse((centre - ring, centre - ring, centre + ring, centre + ring),
                 outline=LEAF, width=max(2, size // 28))
    font = ImageFont.truetype(FONT, int(size * 0.46 * safe))
    draw.text((centre, centre), "鲜", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
