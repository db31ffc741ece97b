"""GSM 03.38: the alphabet an SMS can use at 160 characters a segment.

Anything outside it (ê, ç, emoji, typographic quotes...) switches the whole SMS to UCS-2 and
70 characters a segment: two or three times the price. SMS texts are checked against it.
"""

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENDED = "^{}\\[~]|€\f"


def is_gsm7(text: str) -> bool:
    return all(char in _BASIC or char in _EXTENDED for char in text)


def segments(text: str) -> int:
    """How many SMS segments the text costs."""
    if is_gsm7(text):
        length = sum(2 if char in _EXTENDED else 1 for char in text)
        return 1 if length <= 160 else -(-length // 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else -(-length // 67)
