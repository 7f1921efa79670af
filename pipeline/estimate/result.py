"""One estimation method's answer for one model."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pipeline.values import format_number, round_sig


@dataclass(frozen=True)
class MethodResult:
    method: str
    flop: float
    low: float
    high: float
    confidence: str
    explanation: str
    reasoning: str
    parameters: float | None = None
    parameter_source: str = ""
    sigma: float = 0.0  # standard deviation of log10 FLOP (dex)

    @classmethod
    def normal(
        cls, method: str, log_flop: float, sigma: float, z: float, **fields: object
    ) -> MethodResult:
        """A result whose 80% interval is ``log_flop`` +/- ``z`` x ``sigma`` (dex)."""
        return cls(
            method, 10**log_flop, 10 ** (log_flop - z * sigma), 10 ** (log_flop + z * sigma),
            sigma=sigma, **fields,  # type: ignore[arg-type]
        )  # fmt: skip

    @property
    def log_flop(self) -> float:
        return math.log10(self.flop)

    def widened(self, scale: float, z: float) -> MethodResult:
        """The same estimate with its standard deviation multiplied by ``scale``."""
        sigma = self.sigma * scale
        low, high = self.flop / 10 ** (z * sigma), self.flop * 10 ** (z * sigma)
        return replace(self, low=low, high=high, sigma=sigma)

    def summary(self) -> str:
        """``method: 3.8e+25 (high)`` — the alternative_methods cell's item."""
        return f"{self.method}: {format_number(round_sig(self.flop))} ({self.confidence})"

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "training_flop": round_sig(self.flop),
            "flop_low": round_sig(self.low),
            "flop_high": round_sig(self.high),
            "confidence": self.confidence,
            "reasoning": self.reasoning,
        }


def fmt(flop: float) -> str:
    return format_number(round_sig(flop))


def count(n: float) -> str:
    """``405B``, ``1.5T`` — parameter and token counts for reasoning text."""
    for scale, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if n >= scale:
            return f"{round_sig(n / scale, 3):g}{unit}"
    return f"{n:g}"


def confidence_for(sigma: float) -> str:
    """The confidence word of an estimated (not reported) value with this spread (dex)."""
    return "medium" if sigma <= 0.3 else "low" if sigma <= 0.6 else "speculative"
