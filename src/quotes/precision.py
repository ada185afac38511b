"""Which device training runs on and in which precision: a pure choice over hardware facts, and the probe.

``choose_precision`` decides from a :class:`DeviceFacts` record, so every case (CUDA with and without bf16, Apple
MPS, CPUs with and without bf16 units) is tested without the hardware; ``detect_device`` fills the record here.
The rule for ``auto``: bf16 on CUDA GPUs that support it (Ampere and newer), fp16 on older CUDA GPUs (T4, V100),
fp32 on MPS, bf16 on CPUs with bf16 units (avx512_bf16 or AMX: about 2x faster with the same loss curve), else
fp32 (bf16 emulated on other CPUs is slower than fp32).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

Precision = Literal["fp32", "bf16", "fp16"]


@dataclass(frozen=True)
class DeviceFacts:
    """What the training device can do; ``cuda`` wins over ``mps``, which wins over the CPU (the Trainer's order)."""

    cuda: bool = False
    cuda_bf16: bool = False  # torch.cuda.is_bf16_supported(): compute capability 8.0 (Ampere) or newer
    cuda_name: str = ""  # e.g. "Tesla T4", for messages
    mps: bool = False  # Apple silicon GPU
    cpu_bf16: bool = False  # avx512_bf16 or amx_bf16 in /proc/cpuinfo

    @property
    def kind(self) -> Literal["cuda", "mps", "cpu"]:
        return "cuda" if self.cuda else "mps" if self.mps else "cpu"

    def describe(self) -> str:
        if self.cuda:
            return f"CUDA GPU {self.cuda_name or ''}".strip() + (" with bf16" if self.cuda_bf16 else " without bf16")
        if self.mps:
            return "Apple MPS GPU"
        return "CPU with bf16 units" if self.cpu_bf16 else "CPU without bf16 units"


class PrecisionError(ValueError):
    """``training.precision`` asks for something the device cannot do."""


def choose_precision(requested: str, device: DeviceFacts) -> tuple[Precision, str | None]:
    """The precision to train in, and a warning to log when an explicit choice will be slow.

    >>> choose_precision("auto", DeviceFacts(cuda=True, cuda_bf16=False, cuda_name="Tesla T4"))
    ('fp16', None)

    Raises:
        PrecisionError: bf16 on a CUDA GPU without bf16, or fp16 on a CPU; the message names the key.
    """
    if requested == "auto":
        if device.cuda:
            return ("bf16" if device.cuda_bf16 else "fp16"), None
        if device.mps:
            return "fp32", None
        return ("bf16" if device.cpu_bf16 else "fp32"), None
    if requested == "fp32":
        return "fp32", None
    if requested == "bf16":
        if device.cuda and not device.cuda_bf16:
            raise PrecisionError(
                f"training.precision: bf16 is not supported by this {device.describe()} (it needs Ampere or newer): "
                "use fp16 or auto"
            )
        if device.kind == "cpu" and not device.cpu_bf16:
            return "bf16", "training.precision: bf16 on a CPU without bf16 units is emulated and slower than fp32"
        return "bf16", None
    if requested == "fp16":
        if device.kind == "cpu":
            raise PrecisionError("training.precision: fp16 mixed precision needs a GPU: use bf16, fp32 or auto on CPU")
        return "fp16", None
    raise PrecisionError(f"training.precision: expected auto, fp32, bf16 or fp16, got {requested!r}")


def cpu_has_bf16(cpuinfo: str | None = None) -> bool:
    """Whether the CPU has bf16 units (the flags Linux lists in ``/proc/cpuinfo``); False where it cannot tell."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    return "avx512_bf16" in cpuinfo or "amx_bf16" in cpuinfo


def detect_device() -> DeviceFacts:
    """The facts of this machine's training device (imports torch)."""
    import torch

    if torch.cuda.is_available():
        # is_bf16_supported() also says True where bf16 is only emulated (slow) on pre-Ampere GPUs: ask for native
        native = torch.cuda.get_device_capability(0)[0] >= 8
        return DeviceFacts(cuda=True, cuda_bf16=native, cuda_name=torch.cuda.get_device_name(0))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return DeviceFacts(mps=True)
    return DeviceFacts(cpu_bf16=cpu_has_bf16())
