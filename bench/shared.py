"""The container form with the model loaded in gunicorn's master, before it forks the workers: an
experiment of the bench (gunicorn's preload, applied to the model), so that forked workers share
the model's pages instead of each loading its own.

`functions-framework --source bench/shared.py --target predict`, MODEL_PRELOAD unset. The load is
the function's own: its first request, answered here in the master. Valid only with ORT_THREADS=1:
ONNX Runtime's intra-op thread pool would not survive the fork.
"""

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functions-framework adds bench/ only

from bench.budget import request
from bench.servers import TYPICAL
from main import predict

asyncio.run(predict(request(TYPICAL.encode())))
