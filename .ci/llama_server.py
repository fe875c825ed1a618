"""Start llama-cpp-python's OpenAI-compatible server with AMX weight repacking off.

On these CI machines (Sapphire Rapids VMs) ggml's AMX kernels fault on `ldtilecfg`
(general protection fault in ggml_backend_amx_mul_mat), which kills the server with a
segmentation fault on its first completion. `use_extra_bufts = False` keeps ggml on its
AVX-512 kernels; the answers are the same, a little slower. Arguments are the server's own.
"""

import runpy

import llama_cpp
import llama_cpp.llama

_default_params = llama_cpp.llama_model_default_params


def _without_extra_buffer_types() -> object:
    params = _default_params()
    params.use_extra_bufts = False
    return params


llama_cpp.llama_model_default_params = _without_extra_buffer_types
llama_cpp.llama.llama_cpp.llama_model_default_params = _without_extra_buffer_types  # type: ignore[attr-defined]
runpy.run_module("llama_cpp.server", run_name="__main__")
