"""TensorFlow set-up and Keras artifacts, one way for every capability's nets.

TensorFlow is imported only inside these functions: it starts thread pools at import and is not fork-safe, so
importing a module that uses it (a Celery worker, a Django process) must not load it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

# Two threads each, so a fit is repeatable and leaves the machine's other cores to the web and worker processes.
INTRA_OP_THREADS = 2
INTER_OP_THREADS = 2
MODEL_FILE = "model.keras"
META_FILE = "meta.json"


def keras_runtime(seed: int | None = None) -> Any:
    """Keras, with TensorFlow's threads set and, given a seed, its random state fixed and its ops deterministic.

    Thread counts can only be set before TensorFlow's runtime starts; once it has, the first setting stands.
    """
    # 3: TensorFlow's C++ runtime logs a harmless "NodeDef mentions attribute" error per dataset op with this
    # Keras; real failures still raise in Python.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        with _native_start_up_notices_held():
            import keras  # imports TensorFlow itself
            import tensorflow as tf
    import keras
    import tensorflow as tf

    quiet_tensorflow(tf)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(INTRA_OP_THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(INTER_OP_THREADS)
    except RuntimeError:
        pass
    if seed is not None:
        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()
    return keras


def quiet_tensorflow(tf: Any) -> None:
    """A console with what a user needs: TensorFlow's Python warnings (a tf.function "retracing" notice when
    a forecast is asked for a new number of series) and absl's log lines say nothing a user can act on, so
    only errors are printed."""
    import logging

    tf.get_logger().setLevel(logging.ERROR)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl comes with TensorFlow; without it there is nothing to quiet
        pass


@contextlib.contextmanager
def _native_start_up_notices_held() -> Iterator[None]:
    """Hold what native code writes to file descriptor 2 while TensorFlow loads, and print it only if loading fails.

    TensorFlow's shared libraries log before absl's logging is set up ("All log messages before
    absl::InitializeLog() ...", the oneDNN notice, CPU features), straight to the descriptor and regardless of
    TF_CPP_MIN_LOG_LEVEL. None of it changes a result: oneDNN stays on, as the numbers were measured with it.
    The descriptor is process-wide, so another thread's stderr written meanwhile is held too; loading is
    once per process and a few seconds.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            os.write(2, held.read())
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def library_versions() -> dict[str, str]:
    """What a Keras artifact was written with."""
    keras = keras_runtime()
    import tensorflow as tf

    return {"tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__}


def keras_to_bytes(model: Any, meta: dict[str, Any]) -> bytes:
    """A zip of Keras' own ``model.keras`` and ``meta.json``: ``meta`` (which names the artifact's ``kind``) with the
    library versions added, so an artifact outlives a library upgrade or says why not. No pickle."""
    meta = {**meta, "versions": library_versions()}
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        path = Path(folder) / MODEL_FILE
        model.save(path)
        archive.write(path, MODEL_FILE)
        archive.writestr(META_FILE, json.dumps(meta, indent=2))
    return buffer.getvalue()


def keras_from_bytes(data: bytes, *, kind: str, compile: bool = True) -> tuple[Any, dict[str, Any]]:
    """The inverse of :func:`keras_to_bytes`: the Keras model and the meta, refusing an artifact of another kind.

    ``compile=False`` loads a model that only predicts without rebuilding its optimizer and losses.
    """
    keras = keras_runtime()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, tempfile.TemporaryDirectory() as folder:
        meta = json.loads(archive.read(META_FILE))
        if meta.get("kind") != kind:
            raise ValueError(f"Not a {kind} model artifact (kind={meta.get('kind')!r}).")
        path = Path(folder) / MODEL_FILE
        path.write_bytes(archive.read(MODEL_FILE))
        model = keras.saving.load_model(path, compile=compile)
    return model, meta
