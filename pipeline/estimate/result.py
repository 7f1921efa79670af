"""One estimation method's answer for one model."""

from __future__ import annotations

from dataclasses import dataclass

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
