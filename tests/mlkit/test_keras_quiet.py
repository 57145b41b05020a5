"""make demo's console: TensorFlow's retracing notices and absl's log lines stay out of it."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_tensorflow_prints_only_errors_once_keras_is_set_up():
    pytest.importorskip("tensorflow")
    from absl import logging as absl_logging

    from mlkit.keras import keras_runtime

    keras_runtime()
    import tensorflow as tf

    assert tf.get_logger().level == logging.ERROR
    assert absl_logging.get_verbosity() == absl_logging.ERROR


def test_loading_tensorflow_prints_no_native_start_up_notices():
    """TensorFlow's libraries write the absl and oneDNN notices to descriptor 2 as they load, whatever
    TF_CPP_MIN_LOG_LEVEL says; a fresh process shows whether the set-up holds them back. What the process
    writes to stderr itself afterwards still arrives."""
    pytest.importorskip("tensorflow")
    code = (
        "import sys; from mlkit.keras import keras_runtime; keras_runtime(seed=0); "
        "import tensorflow as tf; tf.constant([1.0]) + 1; print('still heard', file=sys.stderr)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert "still heard" in result.stderr
    noise = [line for line in result.stderr.splitlines() if "absl" in line or "oneDNN" in line]
    assert noise == []


def test_a_failing_load_still_shows_what_native_code_wrote():
    code = (
        "import os, mlkit.keras as k\n"
        "try:\n"
        "    with k._native_start_up_notices_held():\n"
        "        os.write(2, b'native says why\\n')\n"
        "        raise ImportError('broken library')\n"
        "except ImportError:\n"
        "    pass\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stderr == "native says why\n"
