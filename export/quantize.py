"""fp32 ONNX -> int8 ONNX: fused by ONNX Runtime's transformer optimizer, then dynamically
quantized with per-channel weights.

Choices, each for accuracy on any CPU:
- fuse first (Attention, SkipLayerNorm, Gelu), so quantization sees the graph ORT runs;
- per-channel weight scales: one scale per output column instead of one per tensor;
- reduce_range (7-bit weights): no saturation in the u8*s8 kernels of CPUs without VNNI,
  which Cloud Functions instances do not promise;
- the weights of MatMul, Attention and the embedding tables are quantized; LayerNorm and
  the classifier head stay fp32 (the head is tiny and decides the score).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx


def optimize(fp32: bytes, num_heads: int, hidden_size: int) -> bytes:
    """ORT's offline BERT fusions, saved into the graph so no instance redoes them."""
    from onnxruntime.transformers import optimizer

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "fp32.onnx"
        source.write_bytes(fp32)
        optimized = optimizer.optimize_model(str(source), model_type="bert", num_heads=num_heads,
                                             hidden_size=hidden_size, opt_level=1, use_gpu=False)
        return optimized.model.SerializeToString(deterministic=True)


def _head_nodes(model: onnx.ModelProto) -> list[str]:
    """The classifier head: the last MatMul/Gemm before the softmax. ORT's quantizer first
    rewrites a Gemm as a MatMul named `<name>_MatMul` (+ Add), so that name is excluded too:
    without it the head was quantized after all."""
    head = [n.name for n in model.graph.node if n.op_type in ("MatMul", "Gemm")][-1:]
    return head + [name + "_MatMul" for name in head]


def quantize(fp32: bytes) -> bytes:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "fp32.onnx", Path(folder) / "int8.onnx"
        source.write_bytes(fp32)
        quantize_dynamic(
            source, target, per_channel=True, reduce_range=True, weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Attention", "Gemm", "EmbedLayerNormalization"],
            nodes_to_exclude=_head_nodes(onnx.load_from_string(fp32)),
            # Fused contrib ops defeat ONNX shape inference; their outputs are fp32.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        return onnx.load(str(target)).SerializeToString(deterministic=True)
