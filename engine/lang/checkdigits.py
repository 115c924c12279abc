"""A check digit over a column of texts at once, for the whole-row proof.

``lrsrules.lang.cellpatterns`` translates ``weighted_sum(f, [...]) % M == R`` into a
digits pattern for the cell and this check, which ``lrsrules.run.rowproof`` runs over a
block's column of values in one big-number multiplication.
"""

from __future__ import annotations

from collections.abc import Sequence


class CheckDigits:
    """``weighted_sum(text, weights) % modulus == remainder`` over many texts of digits at
    once: the texts' character codes, read as the digits of one big number in base 2**16,
    multiplied by the weights read as another, hold each text's weighted sum of codes at one
    place of the product (no sum reaches the base, so none carries into the next). The
    product is one multiplication in C; the codes' sums become the digits' by taking off
    ``ord("0")`` times the weights' sum."""

    BASE = 1 << 16

    def __init__(self, weights: Sequence[int], modulus: int, remainder: int) -> None:
        self.size = len(weights)
        self.weights = sum(w << (16 * i) for i, w in enumerate(weights))
        zeros = ord("0") * sum(weights)
        # For each sum of character codes: 1 when the check fails on it.
        self.fails = bytes((total - zeros) % modulus != remainder
                           for total in range(ord("9") * sum(weights) + 1))

    def failures(self, texts: Sequence[str]) -> bytes:
        """For each text (exactly ``size`` ASCII digits), 1 when the check fails on it."""
        if not texts:
            return b""
        import sys
        from array import array

        size, count = self.size, len(texts)
        number = int.from_bytes("".join(texts).encode("utf-16-be"), "big")
        product = number * self.weights
        places = array("H", product.to_bytes(2 * (count * size + size), "little"))
        if sys.byteorder == "big":
            places.byteswap()
        sums = places[size - 1:count * size:size]  # the last text's first
        return bytes(map(self.fails.__getitem__, reversed(sums)))
