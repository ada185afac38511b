"""Precision per device: the choice is a pure function of hardware facts, so every device is tested here."""

from __future__ import annotations

import pytest

from quotes.precision import DeviceFacts, PrecisionError, choose_precision, cpu_has_bf16

A100 = DeviceFacts(cuda=True, cuda_bf16=True, cuda_name="NVIDIA A100")
T4 = DeviceFacts(cuda=True, cuda_bf16=False, cuda_name="Tesla T4")
MPS = DeviceFacts(mps=True)
CPU_BF16 = DeviceFacts(cpu_bf16=True)  # avx512_bf16 or AMX (this development machine)
CPU_PLAIN = DeviceFacts()  # many CI runners


@pytest.mark.parametrize(
    ("device", "expected"),
    [(A100, "bf16"), (T4, "fp16"), (MPS, "fp32"), (CPU_BF16, "bf16"), (CPU_PLAIN, "fp32")],
    ids=["cuda-ampere", "cuda-pre-ampere", "mps", "cpu-bf16-units", "cpu-plain"],
)
def test_auto_picks_the_fast_safe_precision_of_each_device(device, expected):
    assert choose_precision("auto", device) == (expected, None)


@pytest.mark.parametrize("device", [A100, T4, MPS, CPU_BF16, CPU_PLAIN])
def test_fp32_is_always_possible(device):
    assert choose_precision("fp32", device) == ("fp32", None)


def test_explicit_bf16_is_refused_on_gpus_without_it_and_slow_on_plain_cpus():
    assert choose_precision("bf16", A100) == ("bf16", None)
    assert choose_precision("bf16", CPU_BF16) == ("bf16", None)
    with pytest.raises(PrecisionError, match=r"training\.precision: bf16 is not supported by this CUDA GPU Tesla T4"):
        choose_precision("bf16", T4)
    precision, warning = choose_precision("bf16", CPU_PLAIN)
    assert precision == "bf16" and "emulated and slower than fp32" in warning


def test_explicit_fp16_needs_a_gpu():
    assert choose_precision("fp16", T4) == ("fp16", None)
    assert choose_precision("fp16", A100) == ("fp16", None)
    assert choose_precision("fp16", MPS) == ("fp16", None)
    with pytest.raises(PrecisionError, match=r"training\.precision: fp16 mixed precision needs a GPU"):
        choose_precision("fp16", CPU_BF16)


def test_unknown_precision_is_named():
    with pytest.raises(PrecisionError, match=r"expected auto, fp32, bf16 or fp16, got 'half'"):
        choose_precision("half", CPU_PLAIN)


def test_cuda_wins_over_mps_over_cpu():
    assert DeviceFacts(cuda=True, mps=True, cpu_bf16=True).kind == "cuda"
    assert DeviceFacts(mps=True, cpu_bf16=True).kind == "mps"
    assert CPU_BF16.kind == "cpu" and CPU_BF16.describe() == "CPU with bf16 units"


def test_cpu_bf16_units_are_read_from_cpuinfo_flags():
    assert cpu_has_bf16("flags\t: fpu sse2 avx512f avx512_bf16 amx_tile")
    assert cpu_has_bf16("flags\t: fpu amx_bf16")
    assert not cpu_has_bf16("flags\t: fpu sse2 avx2 avx512f")
